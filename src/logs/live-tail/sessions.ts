/**
 * Live Tail sessions (StartLiveTail). A session is the answer's stream of event-stream frames:
 * `sessionStart` first, then a `sessionUpdate` for each PutLogEvents batch with events it matches,
 * pushed when the batch is stored (appends drive it, not a poll). As in CloudWatch Logs:
 *
 * - at most 500 events a second (seconds of Berth's clock) are sent; the rest are dropped and the
 *   update says `sessionMetadata.sampled: true`. A client that reads too slowly also gets samples,
 *   rather than Berth holding its backlog;
 * - a session lasts at most 3 hours, then ends with SessionTimeoutException;
 * - an account has at most 15 sessions open in a Region.
 *
 * Every second with nothing to send, an empty `sessionUpdate` goes out, as CloudWatch Logs sends
 * one: it tells the client the session is alive, and keeps the connection from the edge's idle cut.
 * A session ends when its client goes away (the edge destroys the stream), and its slot with it.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Clock } from '../../core/clock.js';
import { eventFrame, exceptionFrame, initialResponseFrame } from '../../edge/protocols/event-stream.js';

export const maxEventsPerSecond = 500;
export const maxSessionMs = 3 * 3600_000;
export const maxSessionsPerAccount = 15;
/** Bytes of frames a session holds for a slow reader before it samples instead. */
const maxBacklogBytes = 4 * 1024 * 1024;
const heartbeatMs = 1000;

export interface AppendedEvent {
  timestamp: number;
  message: string;
}

export interface LiveTailSpec {
  /** `<account>/<region>`: whose slots the session takes. */
  owner: string;
  /** Storage key of each log group → the ARN the client named it by. */
  groups: ReadonlyMap<string, string>;
  streamNames?: readonly string[];
  streamNamePrefixes?: readonly string[];
  matches(message: string): boolean;
  /** The `sessionStart` event, as sent. */
  start: Record<string, unknown>;
}

export class LiveTailSession extends Readable {
  readonly sessionId = randomUUID();
  private readonly startedAt: number;
  private second = -1;
  private sentThisSecond = 0;
  /** Events dropped since the last update went out: the next one is marked sampled. */
  private dropped = false;
  private sentSinceBeat = false;

  constructor(
    readonly spec: LiveTailSpec,
    private readonly clock: Clock,
    private readonly onClose: (session: LiveTailSession) => void,
  ) {
    super();
    this.startedAt = clock.now().getTime();
    this.push(initialResponseFrame());
    this.push(eventFrame('sessionStart', { ...spec.start, sessionId: this.sessionId }));
  }

  override _read(): void {
    // Frames are pushed as appends come; nothing to fetch.
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.onClose(this);
    callback(error);
  }

  /** Ends the stream with a modelled error; the client's read of it throws that error. */
  end(code: string, message: string): void {
    if (this.destroyed || this.readableEnded) return;
    this.push(exceptionFrame(code, message));
    this.push(null);
  }

  /** Ends the session when its 3 hours are up; true if it did. */
  private expired(now: number): boolean {
    if (now - this.startedAt < maxSessionMs) return false;
    this.end('SessionTimeoutException', 'The Live Tail session has ended: a session lasts at most 3 hours.');
    return true;
  }

  private send(results: Record<string, unknown>[]): void {
    this.push(eventFrame('sessionUpdate', { sessionMetadata: { sampled: this.dropped }, sessionResults: results }));
    this.dropped = false;
    this.sentSinceBeat = true;
  }

  /** A batch just stored in `group`'s `stream`. */
  appended(group: string, stream: string, events: readonly AppendedEvent[], ingestionTime: number): void {
    const identifier = this.spec.groups.get(group);
    if (identifier === undefined || this.destroyed || this.readableEnded) return;
    const { streamNames, streamNamePrefixes } = this.spec;
    if (streamNames && !streamNames.includes(stream)) return;
    if (streamNamePrefixes && !streamNamePrefixes.some((prefix) => stream.startsWith(prefix))) return;
    const now = this.clock.now().getTime();
    if (this.expired(now)) return;
    const matching = events.filter((event) => this.spec.matches(event.message));
    if (matching.length === 0) return;
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      this.second = second;
      this.sentThisSecond = 0;
    }
    const room = this.readableLength > maxBacklogBytes ? 0 : maxEventsPerSecond - this.sentThisSecond;
    if (matching.length > room) this.dropped = true;
    const sent = matching.slice(0, Math.max(0, room));
    if (sent.length === 0) return;
    this.sentThisSecond += sent.length;
    this.send(sent.map((event) => ({ logStreamName: stream, logGroupIdentifier: identifier, message: event.message, timestamp: event.timestamp, ingestionTime })));
  }

  /** Once a second: the time limit, and an empty update when nothing went out. */
  beat(): void {
    if (this.destroyed || this.readableEnded || this.expired(this.clock.now().getTime())) return;
    if (!this.sentSinceBeat) this.send([]);
    this.sentSinceBeat = false;
  }
}

/** The open sessions, fed by PutLogEvents. */
export class LiveTailSessions {
  private readonly open = new Set<LiveTailSession>();
  private timer: NodeJS.Timeout | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly clock: Clock) {}

  /** Sessions open, of one `<account>/<region>` or of all. */
  count(owner?: string): number {
    let count = 0;
    for (const session of this.open) if (owner === undefined || session.spec.owner === owner) count += 1;
    return count;
  }

  /** Resolves once `count()` is `n` (tests wait for a session to be gone). */
  whenCount(n: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.count() !== n) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
      check();
    });
  }

  start(spec: LiveTailSpec): LiveTailSession {
    const session = new LiveTailSession(spec, this.clock, (closed) => this.closed(closed));
    this.open.add(session);
    this.timer ??= setInterval(() => {
      for (const each of this.open) each.beat();
    }, heartbeatMs).unref();
    this.changed();
    return session;
  }

  appended(group: string, stream: string, events: readonly AppendedEvent[], ingestionTime: number): void {
    for (const session of this.open) session.appended(group, stream, events, ingestionTime);
  }

  /** Ends the sessions of an account (all when absent) with SessionStreamingException: a reset deleted their log groups. */
  endForReset(accountId?: string): void {
    for (const session of this.open) if (accountId === undefined || session.spec.owner.startsWith(`${accountId}/`)) session.end('SessionStreamingException', 'The Live Tail session has ended: its log groups were deleted by a reset.');
  }

  /** Ends every session (Berth stopping). */
  closeAll(): void {
    for (const session of [...this.open]) session.destroy();
  }

  private closed(session: LiveTailSession): void {
    this.open.delete(session);
    if (this.open.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.changed();
  }

  private changed(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
