/**
 * The next PutLogEvents batch from a queue of events, under CloudWatch Logs' rules: at most
 * 10,000 events, at most 1,048,576 bytes counting each message's UTF-8 bytes plus 26, spanning at
 * most 24 hours. Pure.
 */

export interface QueuedEvent {
  /** Epoch milliseconds. */
  timestamp: number;
  message: string;
  /** UTF-8 bytes of the message. */
  bytes: number;
}

export const maxBatchEvents = 10_000;
export const maxBatchBytes = 1_048_576;
export const perEventBytes = 26;
const maxSpanMs = 24 * 60 * 60 * 1000;

/** How many events from the head of `queue` make the next batch (at least one when the queue has any). */
export function nextBatchSize(queue: readonly QueuedEvent[]): number {
  let bytes = 0;
  let earliest = Infinity;
  let latest = -Infinity;
  let count = 0;
  for (const event of queue) {
    if (count === maxBatchEvents) break;
    const size = event.bytes + perEventBytes;
    const low = Math.min(earliest, event.timestamp);
    const high = Math.max(latest, event.timestamp);
    if (count > 0 && (bytes + size > maxBatchBytes || high - low > maxSpanMs)) break;
    bytes += size;
    earliest = low;
    latest = high;
    count++;
  }
  return count;
}

/**
 * The batch's events in the chronological order PutLogEvents needs: stdout and stderr are kept by
 * two readers, so their timestamps can interleave slightly out of order. Stable: equal timestamps
 * keep Docker's order.
 */
export function chronological<T extends { timestamp: number }>(events: readonly T[]): T[] {
  return events.map((event, index) => ({ event, index })).sort((a, b) => a.event.timestamp - b.event.timestamp || a.index - b.index).map(({ event }) => event);
}
