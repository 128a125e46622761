/**
 * What a stored row holds and a period is made of: count, sum, minimum, maximum and (unless some
 * point came as a statistic set, which carries no distribution) a percentile sketch. Summaries
 * merge, so a minute row is the merge of its puts and a period the merge of its rows.
 */
import { addToSketch, emptySketch, mergeSketch, sketchPercentile, sketchTrimmedMean, type Sketch } from './sketch.js';
import type { PointValue, Statistic } from './types.js';

export interface Summary {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** null once a statistic set is part of it: percentiles are then not available. */
  sketch: Sketch | null;
}

export function summaryOf(value: PointValue): Summary {
  switch (value.kind) {
    case 'value': {
      const sketch = emptySketch();
      addToSketch(sketch, value.value);
      return { count: 1, sum: value.value, min: value.value, max: value.value, sketch };
    }
    case 'statistics':
      return { count: value.sampleCount, sum: value.sum, min: value.minimum, max: value.maximum, sketch: null };
    case 'values': {
      const sketch = emptySketch();
      const summary: Summary = { count: 0, sum: 0, min: Infinity, max: -Infinity, sketch };
      value.values.forEach((item, index) => {
        const count = value.counts[index] ?? 1;
        addToSketch(sketch, item, count);
        summary.count += count;
        summary.sum += item * count;
        summary.min = Math.min(summary.min, item);
        summary.max = Math.max(summary.max, item);
      });
      return summary;
    }
  }
}

export function mergeSummary(into: Summary, from: Summary): void {
  into.count += from.count;
  into.sum += from.sum;
  into.min = Math.min(into.min, from.min);
  into.max = Math.max(into.max, from.max);
  if (into.sketch && from.sketch) mergeSketch(into.sketch, from.sketch);
  else into.sketch = null;
}

export function copySummary(summary: Summary): Summary {
  const sketch = summary.sketch ? emptySketch() : null;
  if (sketch && summary.sketch) mergeSketch(sketch, summary.sketch);
  return { ...summary, sketch };
}

const clamp = (value: number, summary: Summary) => Math.min(summary.max, Math.max(summary.min, value));

export function statisticOf(summary: Summary, statistic: Statistic): number | undefined {
  switch (statistic.kind) {
    case 'SampleCount':
      return summary.count;
    case 'Sum':
      return summary.sum;
    case 'Minimum':
      return summary.min;
    case 'Maximum':
      return summary.max;
    case 'Average':
      return summary.count === 0 ? undefined : summary.sum / summary.count;
    case 'percentile': {
      if (!summary.sketch) return undefined;
      if (statistic.percent >= 100) return summary.max;
      const value = sketchPercentile(summary.sketch, statistic.percent);
      return value === undefined ? undefined : clamp(value, summary);
    }
    case 'trimmedMean': {
      if (!summary.sketch) return undefined;
      const value = sketchTrimmedMean(summary.sketch, statistic.percent);
      return value === undefined ? undefined : clamp(value, summary);
    }
  }
}
