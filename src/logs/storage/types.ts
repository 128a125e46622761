/**
 * The log event storage seam: where CloudWatch Logs keeps streams and their events, apart from the
 * record store (which holds log groups, a few small records that change rarely). Events are many,
 * appended in bulk, read by time and position, and deleted by age; a backend is built for that.
 *
 * A group is named by an opaque key, `<account>/<region>/<storage id>` (see ../names.ts): the
 * storage id is new with each log group, so one made again under an old name starts empty. A stream's
 * counters (first and last event timestamps, last ingestion, stored bytes) live beside its events
 * so that an append updates them in the same durable step.
 *
 * Every backend passes test/logs/storage/conformance.ts.
 */

export interface NewLogEvent {
  /** Milliseconds since the epoch, as the writer stamped it. */
  timestamp: number;
  message: string;
}

export interface StoredLogEvent extends NewLogEvent {
  stream: string;
  /** When Berth accepted it, milliseconds since the epoch. */
  ingestionTime: number;
  /**
   * Unique within the storage and increasing in append order: breaks ties between equal timestamps.
   * Never given again, even after the event is deleted: it is the event's eventId.
   */
  seq: number;
}

/** A place between events: before or after the event with this timestamp and sequence number. */
export interface LogPosition {
  timestamp: number;
  seq: number;
}

export interface LogStreamInfo {
  name: string;
  creationTime: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  /** Bytes of the messages kept, counted as PutLogEvents counts them (UTF-8 length + 26 per event). */
  storedBytes: number;
  /** Appends so far: the source of the sequence tokens PutLogEvents still answers. */
  appends: number;
}

export interface StreamRead {
  startTime?: number;
  /** Exclusive, as GetLogEvents' endTime. */
  endTime?: number;
  /** Forward: events after this position; backward: events before it. */
  from?: LogPosition;
  direction: 'forward' | 'backward';
  limit: number;
  /** Stop before the events' byte count (message + 26 each) would pass this. */
  maxBytes?: number;
}

export interface GroupScan {
  /** Only these streams; all of the group's when absent. */
  streams?: readonly string[];
  streamPrefix?: string;
  startTime?: number;
  /** Inclusive, as FilterLogEvents' endTime. */
  endTime?: number;
  /** Events after this position. */
  after?: LogPosition;
  limit: number;
  maxBytes?: number;
  /** At most this many events are examined; the scan then stops with a position to resume from. */
  budget?: number;
  matches(event: StoredLogEvent): boolean;
}

export interface GroupScanResult {
  /** Matching events, ordered by timestamp then sequence number across streams. */
  events: StoredLogEvent[];
  /** Where to resume; absent when the range is exhausted. */
  resumeAfter?: LogPosition;
  /** The streams the scan covered. */
  searchedStreams: string[];
}

/** Thrown by `append` when the storage's disk budget is spent; nothing of that batch is kept. */
export class LogStorageFull extends Error {
  constructor(readonly usedBytes: number, readonly maxBytes: number) {
    super(`log storage is full: ${usedBytes} bytes used of the ${maxBytes} allowed`);
    this.name = 'LogStorageFull';
  }
}

export interface LogEventStorage {
  /** False when the stream exists already. */
  createStream(group: string, stream: string, creationTime: number): boolean;
  getStream(group: string, stream: string): LogStreamInfo | undefined;
  /** By name. */
  listStreams(group: string): LogStreamInfo[];
  /** False when there was no such stream. Its events go with it. */
  deleteStream(group: string, stream: string): boolean;
  /** Every stream and event of the group. */
  deleteGroup(group: string): void;
  /** The group's stored bytes (sum over its streams). */
  groupBytes(group: string): number;
  /**
   * Appends a batch to an existing stream, in the order given, all or nothing. Once it returns,
   * the events survive a crash of the process. Returns the stream's counters after the append,
   * undefined when there is no such stream.
   */
  append(group: string, stream: string, events: readonly NewLogEvent[], ingestionTime: number): LogStreamInfo | undefined;
  /** Events of one stream, always answered oldest first. */
  read(group: string, stream: string, read: StreamRead): StoredLogEvent[];
  /** Matching events of a group's streams interleaved by time. */
  scan(group: string, scan: GroupScan): GroupScanResult;
  /** Deletes the group's events with a timestamp before the cut-off; returns how many. */
  expire(group: string, beforeTimestamp: number): number;
  /** Every group that has streams. */
  groups(): string[];
  /** Gives the space of deleted events back to the file system. */
  compact(): void;
  /** Bytes the storage takes on disk. */
  diskBytes(): number;
  close(): void;
}
