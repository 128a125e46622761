/**
 * Docker's output stream → log lines. Pure: bytes in, lines out, no I/O.
 *
 * With `timestamps`, the engine prefixes each message it kept with its RFC 3339 nanosecond
 * timestamp and a space, and ends a complete line with '\n'. A line longer than 16 KiB was kept as
 * partial messages (each with its own timestamp, none but the last ending in '\n'): they are joined
 * again, under the first part's timestamp, as Docker's awslogs driver joins them. Without a TTY the
 * stream is multiplexed: each message is one frame, an 8-byte header (stream 1 stdout, 2 stderr,
 * then the payload's length, big-endian) and the payload.
 */

export interface OutputLine {
  /** Docker's timestamp, RFC 3339 with nanoseconds. */
  timestamp: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

interface Pending {
  timestamp: string;
  parts: Buffer[];
  bytes: number;
}

export class OutputDecoder {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly pending = new Map<'stdout' | 'stderr', Pending>();

  /**
   * `maxLineBytes` bounds a line being joined: a longer one is given out in pieces of that size
   * (they are split further at CloudWatch's event size anyway), so one endless line cannot hold the agent's memory.
   */
  constructor(private readonly multiplexed: boolean, private readonly maxLineBytes = 4 * 1024 * 1024) {}

  /** The complete lines `chunk` finishes. */
  push(chunk: Buffer): OutputLine[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const lines: OutputLine[] = [];
    if (this.multiplexed) {
      while (this.buffered.length >= 8) {
        const size = this.buffered.readUInt32BE(4);
        if (this.buffered.length < 8 + size) break;
        const stream = this.buffered[0] === 2 ? 'stderr' : 'stdout';
        const payload = this.buffered.subarray(8, 8 + size);
        this.buffered = this.buffered.subarray(8 + size);
        this.message(stream, payload, lines);
      }
    } else {
      // A TTY's stream is not framed: each message is a timestamped line.
      for (let end = this.buffered.indexOf(0x0a); end >= 0; end = this.buffered.indexOf(0x0a)) {
        const payload = this.buffered.subarray(0, end + 1);
        this.buffered = this.buffered.subarray(end + 1);
        this.message('stdout', payload, lines);
      }
    }
    return lines;
  }

  /** At the end of the stream: what is left, as lines (a last line without its '\n', say). */
  end(): OutputLine[] {
    const lines: OutputLine[] = [];
    if (!this.multiplexed && this.buffered.length > 0) this.message('stdout', this.buffered, lines);
    this.buffered = Buffer.alloc(0);
    for (const stream of ['stdout', 'stderr'] as const) this.flush(stream, lines);
    return lines;
  }

  private message(stream: 'stdout' | 'stderr', payload: Buffer, lines: OutputLine[]): void {
    const space = payload.indexOf(0x20);
    if (space <= 0) return;
    const timestamp = payload.subarray(0, space).toString('latin1');
    const complete = payload[payload.length - 1] === 0x0a;
    const body = payload.subarray(space + 1, complete ? payload.length - 1 : payload.length);
    const pending = this.pending.get(stream) ?? { timestamp, parts: [], bytes: 0 };
    pending.parts.push(body);
    pending.bytes += body.length;
    this.pending.set(stream, pending);
    if (complete || pending.bytes >= this.maxLineBytes) this.flush(stream, lines);
  }

  private flush(stream: 'stdout' | 'stderr', lines: OutputLine[]): void {
    const pending = this.pending.get(stream);
    if (!pending) return;
    this.pending.delete(stream);
    lines.push({ timestamp: pending.timestamp, stream, text: Buffer.concat(pending.parts).toString('utf8') });
  }
}

/** Milliseconds since the epoch of a Docker timestamp (CloudWatch keeps milliseconds). */
export function epochMillis(timestamp: string): number {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(timestamp);
  if (!match) return Number.NaN;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  return seconds + Number((match[2] ?? '').padEnd(3, '0').slice(0, 3));
}

/** A Docker timestamp as the `since` Docker's logs API takes: `seconds.nanoseconds`. */
export function sinceOf(timestamp: string): string {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(timestamp);
  if (!match) throw new Error(`not a Docker timestamp: ${timestamp}`);
  const seconds = Date.parse(`${match[1]}${match[3]}`) / 1000;
  return `${seconds}.${(match[2] ?? '').padEnd(9, '0').slice(0, 9)}`;
}

/** Docker's awslogs driver's limit per event: CloudWatch's former 256 KiB, less the 26 bytes counted for each. */
export const maxEventBytes = 262_144 - 26;

/** `text` in pieces of at most `limit` UTF-8 bytes, never splitting a character. */
export function splitAtBytes(text: string, limit = maxEventBytes): string[] {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limit) return [text];
  const pieces: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + limit, bytes.length);
    // Back off from the middle of a character: continuation bytes are 10xxxxxx.
    while (end < bytes.length && end > start && (bytes[end]! & 0xc0) === 0x80) end--;
    pieces.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
  }
  return pieces;
}
