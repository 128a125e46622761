/**
 * Ships one container's output to its log stream: follows what Docker keeps (json-file) from the
 * checkpoint on, splits lines at Docker's awslogs event size, sends batches with PutLogEvents as
 * soon as the previous one is answered, and moves the checkpoint only past what CloudWatch took.
 * A failed PutLogEvents is retried with a backoff (a control-plane outage loses nothing): in
 * blocking mode reading stops while the buffer is full (Docker keeps the rest in json-file); in
 * non-blocking mode the oldest unsent events are dropped, and counted.
 *
 * Exactly once across kill -9: before each PutLogEvents the checkpoint records the batch as
 * pending (where it moves the checkpoint, and its last event); after CloudWatch's answer it moves.
 * A PutLogEvents batch is taken whole or not at all, so an agent that finds a pending batch on
 * restart reads the stream's last event back: when it is the batch's last, the batch arrived and
 * the checkpoint moves past it; otherwise it is sent again. The read-back is tried with the task's
 * execution role, then (ECS's managed policy grants only logs:CreateLogStream and
 * logs:PutLogEvents) with the agent's own credentials; when neither may read, the batch is sent
 * again: at least once, never lost. A log group deleted while
 * the container writes is made again with awslogs-create-group; without it, as Docker's awslogs
 * driver does, the output is dropped (and counted) until the group exists again.
 *
 * With a multi-line pattern (awslogs-multiline-pattern or awslogs-datetime-format) lines are
 * assembled into events first (multiline.ts); positions then count lines, not pieces, and an event
 * carries its last line's, so the checkpoint moves only past whole events (an event split at the
 * event size moves it by pieces: checkpoint.ts's `pieces`). A pending event is
 * given out after Docker's flush interval, read on the agent's clock, or when the output
 * ends; on stop() it is left unsent, and the next agent reads its lines again.
 */
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../core/clock.js';
import type { AwslogsSettings } from '../../agent-channel-protocol/awslogs.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { chronological, nextBatchSize, type QueuedEvent } from './batches.js';
import type { Checkpoint, CheckpointStore, Position } from './checkpoint.js';
import { compilePattern } from '../../core/linear-regex.js';
import { MultilineAssembler, type AssembledEvent } from './multiline.js';
import { epochMillis, OutputDecoder, sinceOf, splitAtBytes, type OutputLine } from './output-lines.js';
import { awsErrorText, type LogsWriter } from './writer.js';

interface Positioned extends QueuedEvent {
  /** The checkpoint once this event is taken. */
  position: Checkpoint;
}

export interface ShipperOptions {
  runtime: ContainerRuntime;
  containerId: string;
  settings: AwslogsSettings;
  stream: string;
  writer: () => LogsWriter;
  /** A client with the agent's own credentials: reads the stream back when the task's role may not. */
  reader?: () => LogsWriter;
  checkpoints: CheckpointStore;
  log: Logger;
  /** Wait before the n-th retry of a failed PutLogEvents (agent's own timer). */
  retryDelayMs?: (attempt: number) => number;
  /**
   * The agent's clock: a pending multi-line event is flushed once it says the event is Docker's
   * flush interval old (tests move it instead of waiting). The system clock when absent.
   */
  clock?: Clock;
  /** What looks at a pending multi-line event's age, now and then (default: every second). */
  multilineTicker?: Ticker;
}

/**
 * Calls `tick` now and then until the returned function stops it. `tick` says whether it flushed
 * an event: tests drive a ticker of their own and see at once whether the clock's time was enough.
 */
export type Ticker = (tick: () => boolean) => () => void;

/** A line starts an event when the pattern is found in it, as Go's regexp finds it for Docker: in linear time on the container's output. */
const lineStartOf = (pattern: string) => {
  const linear = compilePattern(pattern);
  return { test: (line: string) => linear.found(line) };
};

const everySecond: Ticker = (tick) => {
  const timer = setInterval(tick, 1_000);
  return () => clearInterval(timer);
};

const groupGone = (error: unknown) => /log group does not exist/.test((error as { message?: string }).message ?? '');

const defaultRetryDelay = (attempt: number) => Math.min(10_000, 200 * 2 ** attempt);

export class ContainerShipper {
  private queue: Positioned[] = [];
  private queuedBytes = 0;
  private stopped = false;
  private source: NodeJS.ReadableStream | undefined;
  private wake: (() => void) | undefined;
  private ended = false;
  /** The checkpoint as last written without a pending batch. */
  private committed: Position | undefined;
  /** Events dropped in non-blocking mode because the buffer was full. */
  dropped = 0;

  /** Events read and not yet acknowledged. */
  get queued(): number {
    return this.queue.length;
  }

  constructor(private readonly options: ShipperOptions) {}

  /**
   * Follows and ships until the output stream ends; true when the container has stopped and all it
   * wrote was taken. False after stop(), or when the stream ended under a running container (the
   * Docker engine restarted, say): the collector follows it again from the checkpoint. Rejects when
   * reading failed, for the same.
   */
  async run(): Promise<boolean> {
    const { runtime, containerId, checkpoints } = this.options;
    const start = await this.resume(await checkpoints.read(containerId));
    if (start?.finished) return true;
    this.committed = start;
    // A start without a timestamp (pieces of the very first event taken) reads from the beginning.
    const output = await runtime.output!(containerId, start && start.timestamp !== '' ? sinceOf(start.timestamp) : undefined);
    this.source = output.stream;
    const decoder = new OutputDecoder(output.multiplexed);
    let last: Checkpoint = start ?? { timestamp: '', count: 0 };
    let toSkip = start?.count ?? 0;
    const pattern = this.options.settings.multilinePattern;
    const assembler = pattern !== undefined ? new MultilineAssembler<Checkpoint>(lineStartOf(pattern)) : undefined;
    /** The position of the last whole event given out: where the pieces of a split event, but the last, leave the checkpoint. */
    let before: Checkpoint = last;
    /**
     * Pieces of the first event after `start` taken before a restart. Its pieces come out the same
     * again: an event passes the event size only by a line that does (the assembler gives out what
     * is pending before such a line), and the pieces taken were whole ones, cut from its start.
     */
    let piecesTaken = start?.pieces ?? 0;
    const emit = (event: AssembledEvent<Checkpoint> | undefined) => {
      if (!event) return;
      const pieces = splitAtBytes(event.message);
      // The last piece carries the event's position: it is sent whatever the checkpoint says.
      const skip = Math.min(piecesTaken, pieces.length - 1);
      piecesTaken = 0;
      pieces.forEach((message, index) => {
        if (index < skip) return;
        const position = index === pieces.length - 1 ? event.position : { timestamp: before.timestamp, count: before.count, pieces: index + 1 };
        this.enqueue({ timestamp: event.timestamp, message, bytes: Buffer.byteLength(message), position });
      });
      before = event.position;
    };
    const takeLine = (line: OutputLine) => {
      // Every line counts, the empty ones too: they are part of an event.
      const count = line.timestamp === last.timestamp ? last.count + 1 : 1;
      last = { timestamp: line.timestamp, count };
      if (start && line.timestamp === start.timestamp && toSkip > 0) {
        toSkip--;
        return;
      }
      for (const event of assembler!.push(epochMillis(line.timestamp), line.text, last)) emit(event);
    };
    const clock = this.options.clock ?? systemClock;
    const stopTicker =
      assembler &&
      (this.options.multilineTicker ?? everySecond)(() => {
        const event = assembler.due(clock.now().getTime());
        if (!event) return false;
        emit(event);
        this.wake?.();
        return true;
      });
    const take = (lines: ReturnType<OutputDecoder['push']>) => {
      for (const line of lines) {
        if (assembler) {
          takeLine(line);
          continue;
        }
        for (const message of splitAtBytes(line.text)) {
          // CloudWatch keeps no empty event; Docker's awslogs driver skips them too.
          if (message.length === 0) continue;
          const count = line.timestamp === last.timestamp ? last.count + 1 : 1;
          last = { timestamp: line.timestamp, count };
          if (start && line.timestamp === start.timestamp && toSkip > 0) {
            toSkip--;
            continue;
          }
          this.enqueue({ timestamp: epochMillis(line.timestamp), message, bytes: Buffer.byteLength(message), position: last });
        }
      }
    };
    const reading = new Promise<void>((resolve, reject) => {
      output.stream.on('data', (chunk: Buffer) => {
        take(decoder.push(chunk));
        if (this.options.settings.mode === 'blocking' && this.queuedBytes > this.options.settings.maxBufferBytes) output.stream.pause();
        this.wake?.();
      });
      output.stream.on('end', resolve);
      output.stream.on('close', resolve);
      output.stream.on('error', reject);
    }).finally(() => {
      if (stopTicker) stopTicker();
      if (!this.stopped) {
        take(decoder.end());
        emit(assembler?.end());
      }
      this.ended = true;
      this.wake?.();
    });
    const sending = this.send();
    let readError: unknown;
    await reading.catch((error: unknown) => (readError = error ?? new Error('the output stream failed')));
    await sending;
    if (readError !== undefined) throw readError;
    if (this.stopped) return false;
    const state = (await runtime.inspect(containerId))?.state;
    if (state === 'running' || state === 'restarting' || state === 'paused') return false;
    await checkpoints.write(containerId, { ...last, finished: true });
    return true;
  }

  /** Stops following; what was not taken is read again from the checkpoint by the next agent. */
  stop(): void {
    this.stopped = true;
    (this.source as { destroy?: () => void } | undefined)?.destroy?.();
    this.wake?.();
  }

  private enqueue(event: Positioned): void {
    this.queue.push(event);
    this.queuedBytes += event.bytes;
    if (this.options.settings.mode !== 'non-blocking') return;
    while (this.queuedBytes > this.options.settings.maxBufferBytes && this.queue.length > 1) {
      const oldest = this.queue.shift()!;
      this.queuedBytes -= oldest.bytes;
      if (this.dropped++ % 1000 === 0) {
        this.options.log.warn({ container: this.options.containerId, dropped: this.dropped }, 'awslogs buffer full (mode non-blocking): the oldest unsent output is dropped');
      }
    }
  }

  private async send(): Promise<void> {
    const { settings, stream, containerId, log } = this.options;
    const retryDelay = this.options.retryDelayMs ?? defaultRetryDelay;
    let writer: LogsWriter | undefined;
    let streamReady = false;
    let failures = 0;
    try {
      while (!this.stopped) {
        if (this.queue.length === 0) {
          if (this.ended) return;
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = undefined;
          continue;
        }
        const batch = this.queue.slice(0, nextBatchSize(this.queue));
        try {
          writer ??= this.options.writer();
          if (!streamReady) {
            if (settings.createGroup) await writer.createGroup(settings.group);
            await writer.createStream(settings.group, stream);
            streamReady = true;
          }
          const events = chronological(batch).map(({ timestamp, message }) => ({ timestamp, message }));
          await this.options.checkpoints.write(containerId, { ...(this.committed ?? { timestamp: '', count: 0 }), pending: { position: batch.at(-1)!.position, last: events.at(-1)! } });
          await writer.put(settings.group, stream, events);
        } catch (error) {
          // A stream (or group) deleted meanwhile is made again (the group only with awslogs-create-group).
          if ((error as { name?: string }).name === 'ResourceNotFoundException') {
            streamReady = false;
            if (groupGone(error) && !settings.createGroup) {
              // As Docker's awslogs driver: without awslogs-create-group, output for a deleted group is dropped, not held.
              this.dropped += batch.length;
              log.warn({ container: containerId, group: settings.group, dropped: batch.length }, `awslogs: ${awsErrorText(error)} Its output is dropped until the group exists again.`);
              await this.taken(batch);
              continue;
            }
          }
          if (failures++ === 0) log.warn({ container: containerId, group: settings.group, stream }, `awslogs: PutLogEvents failed, retrying: ${awsErrorText(error)}`);
          await this.pause(retryDelay(failures));
          continue;
        }
        failures = 0;
        await this.taken(batch);
      }
    } finally {
      writer?.destroy();
    }
  }

  /** The batch is done with: out of the queue, and the checkpoint past it. */
  private async taken(batch: readonly Positioned[]): Promise<void> {
    // Non-blocking mode may have dropped part of the batch from the queue while it was sent.
    const sent = new Set(batch);
    this.queue = this.queue.filter((event) => {
      if (!sent.has(event)) return true;
      this.queuedBytes -= event.bytes;
      return false;
    });
    this.committed = batch.at(-1)!.position;
    await this.options.checkpoints.write(this.options.containerId, this.committed);
    if (this.queuedBytes <= this.options.settings.maxBufferBytes) this.source?.resume();
  }

  /** The checkpoint to start from: a pending batch's position when the stream shows it arrived. */
  private async resume(checkpoint: Checkpoint | undefined): Promise<Checkpoint | undefined> {
    if (!checkpoint?.pending) return checkpoint;
    const { pending, ...committed } = checkpoint;
    const start = committed.timestamp === '' && committed.pieces === undefined ? undefined : committed;
    let failure: unknown;
    for (const client of [this.options.writer, this.options.reader]) {
      if (!client) continue;
      const writer = client();
      try {
        const last = await writer.lastEvent(this.options.settings.group, this.options.stream);
        const arrived = last !== undefined && last.timestamp === pending.last.timestamp && last.message === pending.last.message;
        return arrived ? pending.position : start;
      } catch (error) {
        failure = error;
      } finally {
        writer.destroy();
      }
    }
    this.options.log.warn({ container: this.options.containerId }, `awslogs: could not read the stream back to learn whether the last batch arrived; it is sent again: ${awsErrorText(failure)}`);
    return start;
  }

  /** Waits `ms`, or less when stopped. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        if (this.stopped) done();
      };
    }).finally(() => {
      this.wake = undefined;
    });
  }
}
