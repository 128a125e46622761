/**
 * Which periods an evaluation reads: the last N + 2 complete periods before `now`, aligned to the
 * period as the metric store aligns them, and what the metric store answered as one RangePoint per
 * period (those without data included, as missing).
 */
import type { AggregatedPeriod, Statistic } from '../storage/types.js';
import type { RangePoint } from './evaluate.js';

export interface EvaluationWindow {
  start: number;
  end: number;
  periodMs: number;
}

export function evaluationWindow(nowMs: number, periodSeconds: number, length: number): EvaluationWindow {
  const periodMs = periodSeconds * 1000;
  const end = Math.floor(nowMs / periodMs) * periodMs;
  return { start: end - length * periodMs, end, periodMs };
}

/** The points of every period of `window`; `found` holds [statistic, SampleCount] per period with data. */
export function rangePoints(window: EvaluationWindow, found: readonly AggregatedPeriod[]): RangePoint[] {
  const byStart = new Map(found.map((period) => [period.timestamp, period]));
  const points: RangePoint[] = [];
  for (let at = window.start; at < window.end; at += window.periodMs) {
    const period = byStart.get(at);
    const value = period?.values[0];
    points.push(value === undefined ? { timestamp: at } : { timestamp: at, value, sampleCount: period?.values[1] ?? 1 });
  }
  return points;
}

export const sampleCount: Statistic = { kind: 'SampleCount' };
