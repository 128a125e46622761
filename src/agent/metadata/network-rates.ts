/**
 * `network_rate_stats` for the v4 stats endpoints: bytes per second received and sent since the previous
 * sample of the same container. Docker reports only cumulative counters, so the rate needs the last
 * sample; the first sample of a container reports 0.
 */
import { systemClock, type Clock } from '../../core/clock.js';
import { statsNetworks } from './responses.js';

interface Sample {
  at: number;
  rx: number;
  tx: number;
  rxRate: number;
  txRate: number;
  seen: number;
}

function totals(networks: Record<string, unknown>): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const counters of Object.values(networks)) {
    if (!counters || typeof counters !== 'object') continue;
    const { rx_bytes: received, tx_bytes: sent } = counters as Record<string, unknown>;
    if (typeof received === 'number') rx += received;
    if (typeof sent === 'number') tx += sent;
  }
  return { rx, tx };
}

export class NetworkRates {
  private readonly samples = new Map<string, Sample>();
  private lastSweep = 0;

  /** Samples of containers not asked about for this long are forgotten. */
  constructor(
    private readonly clock: Clock = systemClock,
    private readonly retentionMs = 10 * 60_000,
  ) {}

  /** The stats with `network_rate_stats` added when they carry interface counters. */
  annotate(containerId: string, stats: Record<string, unknown>): Record<string, unknown> {
    const networks = statsNetworks(stats);
    if (!networks) return stats;
    const now = this.clock.now().getTime();
    this.sweep(now);

    const read = typeof stats['read'] === 'string' ? Date.parse(stats['read']) : NaN;
    const at = Number.isNaN(read) ? now : read;
    const { rx, tx } = totals(networks);
    const previous = this.samples.get(containerId);
    let sample: Sample;
    if (!previous) {
      sample = { at, rx, tx, rxRate: 0, txRate: 0, seen: now };
    } else if (at <= previous.at) {
      // The same sample asked for twice: keep the rate it had.
      sample = { ...previous, seen: now };
    } else {
      const seconds = (at - previous.at) / 1000;
      // Counters that went backwards belong to a restarted container.
      sample = {
        at,
        rx,
        tx,
        rxRate: rx >= previous.rx ? (rx - previous.rx) / seconds : 0,
        txRate: tx >= previous.tx ? (tx - previous.tx) / seconds : 0,
        seen: now,
      };
    }
    this.samples.set(containerId, sample);
    return { ...stats, network_rate_stats: { rx_bytes_per_sec: sample.rxRate, tx_bytes_per_sec: sample.txRate } };
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.retentionMs) return;
    this.lastSweep = now;
    for (const [id, sample] of this.samples) {
      if (now - sample.seen > this.retentionMs) this.samples.delete(id);
    }
  }
}
