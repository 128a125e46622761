/**
 * Multi-line events, as Docker's awslogs driver assembles them with awslogs-multiline-pattern or
 * awslogs-datetime-format: a line matching the pattern starts a new event, and every line (the
 * first too) joins the pending event followed by "\n". The pending event is given out when the
 * next one starts, when adding a line would pass CloudWatch's event size, when it is older than
 * the flush interval (Docker's 5 s, measured from its first line's timestamp), and when the output
 * ends. Pure: no I/O, no clock (`due` is asked with the time).
 *
 * Each line comes with the checkpoint it moves to; an event carries its LAST line's, so the
 * checkpoint only ever moves past whole events: a restart resumes at the line after the last
 * event CloudWatch took, never in the middle of one.
 */
import { maxEventBytes } from './output-lines.js';

/** Docker's awslogs driver flushes a pending multi-line event this old (its batch publish frequency). */
export const multilineFlushMs = 5_000;

export interface AssembledEvent<P> {
  /** Epoch milliseconds of the event's first line. */
  timestamp: number;
  message: string;
  /** The position of the event's last line. */
  position: P;
}

interface Pending<P> {
  timestamp: number;
  parts: string[];
  bytes: number;
  position: P;
}

export class MultilineAssembler<P> {
  private pending: Pending<P> | undefined;

  constructor(private readonly pattern: { test(line: string): boolean }, private readonly flushAfterMs = multilineFlushMs, private readonly maxBytes = maxEventBytes) {}

  /** Takes one line (without its "\n"); the event it completes, if any. */
  push(timestamp: number, text: string, position: P): AssembledEvent<P>[] {
    const done: AssembledEvent<P>[] = [];
    const bytes = Buffer.byteLength(text);
    // Docker counts the line without its "\n" here, and appends one only below its event size.
    if (this.pending && (this.pattern.test(text) || this.pending.bytes + bytes > this.maxBytes)) done.push(this.take()!);
    const line = bytes < this.maxBytes ? `${text}\n` : text;
    const pending = (this.pending ??= { timestamp, parts: [], bytes: 0, position });
    pending.parts.push(line);
    pending.bytes += Buffer.byteLength(line);
    pending.position = position;
    return done;
  }

  /** The pending event if it is `flushAfterMs` old at `now` (or dated in the future, as Docker treats a negative age). */
  due(now: number): AssembledEvent<P> | undefined {
    if (!this.pending) return undefined;
    const age = now - this.pending.timestamp;
    return age >= this.flushAfterMs || age < 0 ? this.take() : undefined;
  }

  /** At the end of the output: the pending event. */
  end(): AssembledEvent<P> | undefined {
    return this.take();
  }

  private take(): AssembledEvent<P> | undefined {
    const pending = this.pending;
    this.pending = undefined;
    return pending && { timestamp: pending.timestamp, message: pending.parts.join(''), position: pending.position };
  }
}
