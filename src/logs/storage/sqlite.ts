/**
 * Log events in SQLite, in a database file of their own (`logs.db` in the data directory), apart
 * from the record store: ingest is bulk and constant, and must neither wait on nor slow down the
 * store's transactions, nor feed its change log.
 *
 * - One row per event; the rowid is the event's sequence number, so equal timestamps keep append
 *   order and a position (timestamp, seq) is unique. Numbers come from `log_seq`, never reused
 *   once their event is deleted. Two indexes, (stream, timestamp) and
 *   (group, timestamp), each ending in the rowid: a stream read and a group scan interleaved by
 *   time are both range walks of one index, with no sort.
 * - One transaction per append (a PutLogEvents batch): the stream's counters change with its events.
 * - WAL with synchronous=NORMAL: a committed batch survives the process being killed (the WAL is
 *   written before the commit returns); an OS crash may drop the last batches, never corrupt the file.
 * - Retention deletes index ranges; auto_vacuum=INCREMENTAL lets `compact` give the freed pages
 *   back without rewriting the whole file as VACUUM would.
 *
 * Measured (`npm run bench:logs`, 2 shared cores): 1,000,000 events of ~60 bytes appended in
 * batches of 10,000 at ~275,000 events/s, ~103 bytes on disk per event (message, two indexes);
 * expiring half took 0.7 s and the incremental vacuum 0.3 s, halving the file. synchronous=FULL
 * measured the same at that batch size (one fsync per 10,000 events); NORMAL is kept, as in the
 * record store, because collectors also send small batches, where an fsync each would count.
 */
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Statement } from 'better-sqlite3';
import {
  LogStorageFull,
  type GroupScan,
  type GroupScanResult,
  type LogEventStorage,
  type LogStreamInfo,
  type NewLogEvent,
  type StoredLogEvent,
  type StreamRead,
} from './types.js';

export const logsDatabaseFileName = 'logs.db';

/** What CloudWatch Logs counts per event on top of its message's UTF-8 bytes. */
export const eventOverheadBytes = 26;

const schema = `
  CREATE TABLE IF NOT EXISTS log_groups (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
  CREATE TABLE IF NOT EXISTS log_streams (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    creation_time INTEGER NOT NULL,
    first_ts INTEGER,
    last_ts INTEGER,
    last_ingestion INTEGER,
    stored_bytes INTEGER NOT NULL DEFAULT 0,
    appends INTEGER NOT NULL DEFAULT 0,
    UNIQUE (group_id, name)
  );
  CREATE TABLE IF NOT EXISTS log_events (
    seq INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL,
    stream_id INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    ingestion INTEGER NOT NULL,
    message TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS log_events_by_stream ON log_events (stream_id, ts);
  CREATE INDEX IF NOT EXISTS log_events_by_group ON log_events (group_id, ts);
  -- The last sequence number handed out. SQLite alone would hand a deleted newest rowid out again;
  -- a sequence number is an eventId, which a reader (aws logs tail --follow) must never see twice.
  CREATE TABLE IF NOT EXISTS log_seq (id INTEGER PRIMARY KEY CHECK (id = 1), last INTEGER NOT NULL);
  INSERT OR IGNORE INTO log_seq (id, last) VALUES (1, (SELECT COALESCE(MAX(seq), 0) FROM log_events));
`;

interface StreamRow {
  id: number;
  name: string;
  creation_time: number;
  first_ts: number | null;
  last_ts: number | null;
  last_ingestion: number | null;
  stored_bytes: number;
  appends: number;
}

interface EventRow {
  seq: number;
  stream: string;
  ts: number;
  ingestion: number;
  message: string;
}

const infoOf = (row: StreamRow): LogStreamInfo => ({
  name: row.name,
  creationTime: row.creation_time,
  ...(row.first_ts !== null ? { firstEventTimestamp: row.first_ts } : {}),
  ...(row.last_ts !== null ? { lastEventTimestamp: row.last_ts } : {}),
  ...(row.last_ingestion !== null ? { lastIngestionTime: row.last_ingestion } : {}),
  storedBytes: row.stored_bytes,
  appends: row.appends,
});

const eventOf = (row: EventRow): StoredLogEvent => ({ stream: row.stream, timestamp: row.ts, message: row.message, ingestionTime: row.ingestion, seq: row.seq });

export const eventBytes = (message: string) => Buffer.byteLength(message, 'utf8') + eventOverheadBytes;

const minTs = Number.MIN_SAFE_INTEGER;
const maxTs = Number.MAX_SAFE_INTEGER;

export interface SqliteLogStorageOptions {
  /** Appends are refused once the file passes this many bytes; unlimited when absent. */
  maxDiskBytes?: number;
}

export class SqliteLogStorage implements LogEventStorage {
  private readonly db: Database;
  private readonly statements = new Map<string, Statement>();

  constructor(path: string, private readonly options: SqliteLogStorageOptions = {}) {
    this.db = new BetterSqlite3(path);
    // Must precede the first table: it decides the file's layout.
    this.db.pragma('auto_vacuum = INCREMENTAL');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(schema);
  }

  private sql(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private groupId(group: string): number | undefined {
    return (this.sql('SELECT id FROM log_groups WHERE key = ?').get(group) as { id: number } | undefined)?.id;
  }

  private streamRow(group: string, stream: string): StreamRow | undefined {
    return this.sql('SELECT s.* FROM log_streams s JOIN log_groups g ON g.id = s.group_id WHERE g.key = ? AND s.name = ?').get(group, stream) as StreamRow | undefined;
  }

  createStream(group: string, stream: string, creationTime: number): boolean {
    return this.db.transaction(() => {
      this.sql('INSERT OR IGNORE INTO log_groups (key) VALUES (?)').run(group);
      const groupId = this.groupId(group) as number;
      return this.sql('INSERT OR IGNORE INTO log_streams (group_id, name, creation_time) VALUES (?, ?, ?)').run(groupId, stream, creationTime).changes === 1;
    })();
  }

  getStream(group: string, stream: string): LogStreamInfo | undefined {
    const row = this.streamRow(group, stream);
    return row && infoOf(row);
  }

  listStreams(group: string): LogStreamInfo[] {
    const rows = this.sql('SELECT s.* FROM log_streams s JOIN log_groups g ON g.id = s.group_id WHERE g.key = ? ORDER BY s.name').all(group) as StreamRow[];
    return rows.map(infoOf);
  }

  deleteStream(group: string, stream: string): boolean {
    return this.db.transaction(() => {
      const row = this.streamRow(group, stream);
      if (!row) return false;
      this.sql('DELETE FROM log_events WHERE stream_id = ?').run(row.id);
      this.sql('DELETE FROM log_streams WHERE id = ?').run(row.id);
      return true;
    })();
  }

  deleteGroup(group: string): void {
    this.db.transaction(() => {
      const groupId = this.groupId(group);
      if (groupId === undefined) return;
      this.sql('DELETE FROM log_events WHERE group_id = ?').run(groupId);
      this.sql('DELETE FROM log_streams WHERE group_id = ?').run(groupId);
      this.sql('DELETE FROM log_groups WHERE id = ?').run(groupId);
    })();
  }

  groupBytes(group: string): number {
    const row = this.sql('SELECT COALESCE(SUM(s.stored_bytes), 0) AS bytes FROM log_streams s JOIN log_groups g ON g.id = s.group_id WHERE g.key = ?').get(group) as { bytes: number };
    return row.bytes;
  }

  append(group: string, stream: string, events: readonly NewLogEvent[], ingestionTime: number): LogStreamInfo | undefined {
    const { maxDiskBytes } = this.options;
    if (maxDiskBytes !== undefined) {
      const used = this.diskBytes();
      if (used >= maxDiskBytes) throw new LogStorageFull(used, maxDiskBytes);
    }
    try {
      return this.appendBatch(group, stream, events, ingestionTime);
    } catch (error) {
      // A full file system: the transaction rolled back, so nothing of the batch is kept and it can be refused as such.
      if ((error as { code?: unknown }).code === 'SQLITE_FULL') throw new LogStorageFull(this.diskBytes(), maxDiskBytes ?? this.diskBytes());
      throw error;
    }
  }

  private appendBatch(group: string, stream: string, events: readonly NewLogEvent[], ingestionTime: number): LogStreamInfo | undefined {
    return this.db.transaction(() => {
      const row = this.streamRow(group, stream);
      if (!row) return undefined;
      const groupId = this.groupId(group) as number;
      const insert = this.sql('INSERT INTO log_events (seq, group_id, stream_id, ts, ingestion, message) VALUES (?, ?, ?, ?, ?, ?)');
      let seq = (this.sql('SELECT last FROM log_seq WHERE id = 1').get() as { last: number }).last;
      let bytes = 0;
      let first = row.first_ts ?? maxTs;
      let last = row.last_ts ?? minTs;
      for (const event of events) {
        seq += 1;
        insert.run(seq, groupId, row.id, event.timestamp, ingestionTime, event.message);
        bytes += eventBytes(event.message);
        if (event.timestamp < first) first = event.timestamp;
        if (event.timestamp > last) last = event.timestamp;
      }
      this.sql('UPDATE log_seq SET last = ? WHERE id = 1').run(seq);
      const counted = events.length > 0;
      this.sql('UPDATE log_streams SET first_ts = ?, last_ts = ?, last_ingestion = ?, stored_bytes = stored_bytes + ?, appends = appends + 1 WHERE id = ?').run(
        counted ? first : row.first_ts,
        counted ? last : row.last_ts,
        counted ? ingestionTime : row.last_ingestion,
        bytes,
        row.id,
      );
      return infoOf(this.sql('SELECT * FROM log_streams WHERE id = ?').get(row.id) as StreamRow);
    })();
  }

  read(group: string, stream: string, read: StreamRead): StoredLogEvent[] {
    const row = this.streamRow(group, stream);
    if (!row) return [];
    const forward = read.direction === 'forward';
    const from = read.from ?? (forward ? { timestamp: minTs, seq: 0 } : { timestamp: maxTs, seq: Number.MAX_SAFE_INTEGER });
    const statement = forward
      ? this.sql(
          `SELECT seq, ? AS stream, ts, ingestion, message FROM log_events
           WHERE stream_id = ? AND ts >= ? AND ts < ? AND (ts, seq) > (?, ?) ORDER BY ts, seq LIMIT ?`,
        )
      : this.sql(
          `SELECT seq, ? AS stream, ts, ingestion, message FROM log_events
           WHERE stream_id = ? AND ts >= ? AND ts < ? AND (ts, seq) < (?, ?) ORDER BY ts DESC, seq DESC LIMIT ?`,
        );
    const events: StoredLogEvent[] = [];
    let bytes = 0;
    for (const event of statement.iterate(stream, row.id, read.startTime ?? minTs, read.endTime ?? maxTs, from.timestamp, from.seq, read.limit) as Iterable<EventRow>) {
      bytes += eventBytes(event.message);
      if (read.maxBytes !== undefined && bytes > read.maxBytes && events.length > 0) break;
      events.push(eventOf(event));
    }
    return forward ? events : events.reverse();
  }

  scan(group: string, scan: GroupScan): GroupScanResult {
    const groupId = this.groupId(group);
    if (groupId === undefined) return { events: [], searchedStreams: [] };
    const streams = (this.sql('SELECT id, name FROM log_streams WHERE group_id = ? ORDER BY name').all(groupId) as { id: number; name: string }[]).filter(
      (stream) => (!scan.streams || scan.streams.includes(stream.name)) && (scan.streamPrefix === undefined || stream.name.startsWith(scan.streamPrefix)),
    );
    const searchedStreams = streams.map((stream) => stream.name);
    if (streams.length === 0) return { events: [], searchedStreams };
    const allStreams = !scan.streams && scan.streamPrefix === undefined;
    const after = scan.after ?? { timestamp: minTs, seq: 0 };
    const names = new Map(streams.map((stream) => [stream.id, stream.name]));
    const statement = allStreams
      ? this.sql(
          `SELECT seq, stream_id, ts, ingestion, message FROM log_events
           WHERE group_id = ? AND ts >= ? AND ts <= ? AND (ts, seq) > (?, ?) ORDER BY ts, seq`,
        )
      : this.sql(
          `SELECT seq, stream_id, ts, ingestion, message FROM log_events
           WHERE group_id = ? AND ts >= ? AND ts <= ? AND (ts, seq) > (?, ?) AND stream_id IN (SELECT value FROM json_each(?)) ORDER BY ts, seq`,
        );
    const parameters: unknown[] = [groupId, scan.startTime ?? minTs, scan.endTime ?? maxTs, after.timestamp, after.seq];
    if (!allStreams) parameters.push(JSON.stringify(streams.map((stream) => stream.id)));
    const events: StoredLogEvent[] = [];
    let bytes = 0;
    let examined = 0;
    let last: { timestamp: number; seq: number } | undefined;
    const iterator = statement.iterate(...parameters) as IterableIterator<{ seq: number; stream_id: number; ts: number; ingestion: number; message: string }>;
    let resumeAfter: { timestamp: number; seq: number } | undefined;
    try {
      for (const row of iterator) {
        if (events.length >= scan.limit || (scan.budget !== undefined && examined >= scan.budget)) {
          resumeAfter = last;
          break;
        }
        examined += 1;
        const event: StoredLogEvent = { stream: names.get(row.stream_id) as string, timestamp: row.ts, message: row.message, ingestionTime: row.ingestion, seq: row.seq };
        if (scan.matches(event)) {
          const size = eventBytes(event.message);
          if (scan.maxBytes !== undefined && bytes + size > scan.maxBytes && events.length > 0) {
            resumeAfter = last;
            break;
          }
          bytes += size;
          events.push(event);
        }
        last = { timestamp: row.ts, seq: row.seq };
      }
    } finally {
      iterator.return?.();
    }
    return { events, searchedStreams, ...(resumeAfter ? { resumeAfter } : {}) };
  }

  expire(group: string, beforeTimestamp: number): number {
    return this.db.transaction(() => {
      const groupId = this.groupId(group);
      if (groupId === undefined) return 0;
      const affected = this.sql(
        `SELECT stream_id, SUM(length(CAST(message AS BLOB))) + COUNT(*) * ${eventOverheadBytes} AS bytes FROM log_events
         WHERE group_id = ? AND ts < ? GROUP BY stream_id`,
      ).all(groupId, beforeTimestamp) as { stream_id: number; bytes: number }[];
      if (affected.length === 0) return 0;
      const deleted = this.sql('DELETE FROM log_events WHERE group_id = ? AND ts < ?').run(groupId, beforeTimestamp).changes;
      const update = this.sql(
        `UPDATE log_streams SET stored_bytes = stored_bytes - ?,
           first_ts = (SELECT MIN(ts) FROM log_events WHERE stream_id = ?) WHERE id = ?`,
      );
      for (const stream of affected) update.run(stream.bytes, stream.stream_id, stream.stream_id);
      return deleted;
    })();
  }

  groups(): string[] {
    return (this.sql('SELECT key FROM log_groups ORDER BY key').all() as { key: string }[]).map((row) => row.key);
  }

  compact(): void {
    this.db.pragma('incremental_vacuum');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  diskBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    const size = this.db.pragma('page_size', { simple: true }) as number;
    return (pages - free) * size;
  }

  close(): void {
    this.db.close();
  }
}
