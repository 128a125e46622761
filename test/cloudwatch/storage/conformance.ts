/**
 * What every MetricStorage must do: periods in time order, each statistic against a brute-force
 * oracle (percentiles within the storage's stated relative error), units kept apart or merged,
 * listing with filters and paging, points kept across a restart, retention applied.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricIdentity, MetricPoint, MetricStorage, Statistic } from '../../../src/cloudwatch/storage/types.js';

export interface StorageFactory {
  name: string;
  /** A storage over `place`; opening the same place again is a restart. */
  open(place: string): Promise<MetricStorage>;
  newPlace(): string;
}

const t0 = Date.UTC(2026, 0, 1, 0, 0, 0);
const metric = (name = 'Latency', dimensions = [{ name: 'Service', value: 'web' }]): MetricIdentity => ({
  accountId: '000000000001',
  region: 'us-east-1',
  namespace: 'App',
  metricName: name,
  dimensions,
});
const point = (timestamp: number, value: number, extra: Partial<MetricPoint> = {}): MetricPoint => ({
  metric: metric(),
  timestamp,
  value: { kind: 'value', value },
  unit: 'Milliseconds',
  storageResolution: 60,
  ...extra,
});

/** A deterministic spread of values (no Math.random: a failure must repeat). */
function values(count: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.round((state / 2147483648) * 100000) / 100 - 50;
  });
}

function oracle(list: number[], statistic: Statistic): number {
  const sorted = [...list].sort((a, b) => a - b);
  const sum = list.reduce((a, b) => a + b, 0);
  switch (statistic.kind) {
    case 'SampleCount':
      return list.length;
    case 'Sum':
      return sum;
    case 'Minimum':
      return sorted[0]!;
    case 'Maximum':
      return sorted.at(-1)!;
    case 'Average':
      return sum / list.length;
    case 'percentile':
      return sorted[Math.max(1, Math.ceil((statistic.percent / 100) * list.length)) - 1]!;
    case 'trimmedMean': {
      const kept = sorted.slice(0, Math.max(1, Math.ceil((statistic.percent / 100) * list.length)));
      return kept.reduce((a, b) => a + b, 0) / kept.length;
    }
  }
}

const all: Statistic[] = [
  { kind: 'SampleCount' },
  { kind: 'Sum' },
  { kind: 'Minimum' },
  { kind: 'Maximum' },
  { kind: 'Average' },
  { kind: 'percentile', percent: 50 },
  { kind: 'percentile', percent: 99 },
  { kind: 'percentile', percent: 99.9 },
  { kind: 'trimmedMean', percent: 90 },
];

export function metricStorageConformance(factory: StorageFactory): void {
  describe(`MetricStorage conformance: ${factory.name}`, () => {
    it('answers every statistic per period as the exact computation does, percentiles within the stated error', async () => {
      const storage = await factory.open(factory.newPlace());
      const perMinute = [values(300, 1), values(1, 2), values(57, 3)];
      const points = perMinute.flatMap((list, minute) => list.map((value, index) => point(t0 + minute * 60_000 + (index % 60) * 1000, value)));
      // Written in reverse: the order of puts does not change the answer.
      await storage.append(points.reverse(), t0 + 60_000);
      const periods = await storage.aggregate({ metric: metric(), start: t0, end: t0 + 3 * 60_000, periodSeconds: 60, mergeUnits: false, statistics: all });
      assert.deepEqual(periods.map((p) => p.timestamp), [t0, t0 + 60_000, t0 + 120_000]);
      periods.forEach((period, index) => {
        all.forEach((statistic, s) => {
          const expected = oracle(perMinute[index]!, statistic);
          const got = period.values[s]!;
          const tolerance = statistic.kind === 'percentile' || statistic.kind === 'trimmedMean' ? Math.abs(expected) * storage.percentileRelativeError + 1e-9 : 1e-6;
          assert.ok(Math.abs(got - expected) <= tolerance, `${JSON.stringify(statistic)} of minute ${index}: ${got} vs ${expected}`);
        });
      });
      // One five-minute period holds all three minutes.
      const whole = await storage.aggregate({ metric: metric(), start: t0, end: t0 + 300_000, periodSeconds: 300, mergeUnits: true, statistics: [{ kind: 'SampleCount' }, { kind: 'percentile', percent: 90 }] });
      assert.equal(whole.length, 1);
      assert.equal(whole[0]!.values[0], 358);
      const flat = perMinute.flat();
      assert.ok(Math.abs(whole[0]!.values[1]! - oracle(flat, { kind: 'percentile', percent: 90 })) <= Math.abs(oracle(flat, { kind: 'percentile', percent: 90 })) * storage.percentileRelativeError + 1e-9);
      await storage.close();
    });

    it('merges statistic sets and values with counts, and leaves percentiles out over statistic sets', async () => {
      const storage = await factory.open(factory.newPlace());
      await storage.append([
        point(t0, 0, { value: { kind: 'statistics', sampleCount: 4, sum: 20, minimum: 1, maximum: 9 } }),
        point(t0 + 60_000, 0, { value: { kind: 'values', values: [1, 2, 3], counts: [1, 1, 8] } }),
      ], t0 + 120_000);
      const periods = await storage.aggregate({ metric: metric(), start: t0, end: t0 + 120_000, periodSeconds: 60, mergeUnits: true, statistics: [{ kind: 'SampleCount' }, { kind: 'Sum' }, { kind: 'Maximum' }, { kind: 'percentile', percent: 50 }] });
      assert.deepEqual(periods[0]!.values, [4, 20, 9, undefined]);
      assert.equal(periods[1]!.values[0], 10);
      assert.equal(periods[1]!.values[1], 27);
      assert.ok(Math.abs(periods[1]!.values[3]! - 3) <= 3 * storage.percentileRelativeError);
      await storage.close();
    });

    it('keeps units apart unless asked to merge them, and filters on one', async () => {
      const storage = await factory.open(factory.newPlace());
      await storage.append([point(t0, 1, { unit: 'Seconds' }), point(t0 + 1000, 5, { unit: 'Milliseconds' })], t0 + 60_000);
      const base = { metric: metric(), start: t0, end: t0 + 60_000, periodSeconds: 60, statistics: [{ kind: 'Sum' } as Statistic] };
      assert.deepEqual((await storage.aggregate({ ...base, mergeUnits: false })).map((p) => [p.unit, p.values[0]]), [['Milliseconds', 5], ['Seconds', 1]]);
      assert.deepEqual((await storage.aggregate({ ...base, mergeUnits: true })).map((p) => [p.unit, p.values[0]]), [['None', 6]]);
      assert.deepEqual((await storage.aggregate({ ...base, mergeUnits: false, unit: 'Seconds' })).map((p) => p.values[0]), [1]);
      await storage.close();
    });

    it('answers high-resolution periods from 1-second points only', async () => {
      const storage = await factory.open(factory.newPlace());
      await storage.append([point(t0 + 1000, 1, { storageResolution: 1 }), point(t0 + 12_000, 2, { storageResolution: 1 }), point(t0 + 13_000, 100)], t0 + 60_000);
      const periods = await storage.aggregate({ metric: metric(), start: t0, end: t0 + 60_000, periodSeconds: 10, mergeUnits: true, statistics: [{ kind: 'Sum' }] });
      assert.deepEqual(periods.map((p) => [p.timestamp - t0, p.values[0]]), [[0, 1], [10_000, 2]]);
      const minute = await storage.aggregate({ metric: metric(), start: t0, end: t0 + 60_000, periodSeconds: 60, mergeUnits: true, statistics: [{ kind: 'Sum' }] });
      assert.equal(minute[0]!.values[0], 103);
      await storage.close();
    });

    it('lists metrics by namespace, name and dimension (a name alone matches any value), in pages', async () => {
      const storage = await factory.open(factory.newPlace());
      const names = ['A', 'B', 'C', 'D', 'E'];
      // Each put an hour after the one before, its point stamped a day earlier: activity goes by when a point was put.
      for (const [i, name] of names.entries()) {
        await storage.append([point(t0 + i * 3600_000 - 24 * 3600_000, 1, { metric: metric(name, [{ name: 'Service', value: `s${i}` }, { name: 'Az', value: 'a' }]) })], t0 + i * 3600_000);
      }
      await storage.append([point(t0, 1, { metric: { ...metric('A'), namespace: 'Other' } })], t0 + 60_000);
      const first = await storage.listMetrics({ accountId: '000000000001', region: 'us-east-1', namespace: 'App', dimensions: [{ name: 'Service' }], limit: 3 });
      assert.deepEqual(first.metrics.map((m) => m.metricName), ['A', 'B', 'C']);
      assert.deepEqual(first.metrics[0]!.dimensions.map((d) => d.name), ['Az', 'Service']);
      const second = await storage.listMetrics({ accountId: '000000000001', region: 'us-east-1', namespace: 'App', dimensions: [{ name: 'Service' }], limit: 3, after: first.next! });
      assert.deepEqual(second.metrics.map((m) => m.metricName), ['D', 'E']);
      assert.equal(second.next, undefined);
      const one = await storage.listMetrics({ accountId: '000000000001', region: 'us-east-1', dimensions: [{ name: 'Service', value: 's3' }], limit: 500 });
      assert.deepEqual(one.metrics.map((m) => m.metricName), ['D']);
      const recent = await storage.listMetrics({ accountId: '000000000001', region: 'us-east-1', namespace: 'App', activeSince: t0 + 3 * 3600_000, limit: 500 });
      assert.deepEqual(recent.metrics.map((m) => m.metricName), ['D', 'E']);
      assert.deepEqual((await storage.listMetrics({ accountId: '000000000002', region: 'us-east-1', limit: 500 })).metrics, []);
      await storage.close();
    });

    it('keeps every point across a restart', async () => {
      const place = factory.newPlace();
      const before = await factory.open(place);
      await before.append([point(t0, 3), point(t0 + 5000, 4)], t0 + 60_000);
      await before.close();
      const after = await factory.open(place);
      await after.append([point(t0 + 7000, 5)], t0 + 60_000);
      const periods = await after.aggregate({ metric: metric(), start: t0, end: t0 + 60_000, periodSeconds: 60, mergeUnits: true, statistics: [{ kind: 'Sum' }, { kind: 'SampleCount' }] });
      assert.deepEqual(periods[0]!.values, [12, 3]);
      await after.close();
    });

    it('drops 1-second points after 3 hours, minute rows after 15 days, 5-minute rows after 63 days and hour rows after 455 days', async () => {
      const storage = await factory.open(factory.newPlace());
      await storage.append([point(t0, 1, { storageResolution: 1 }), point(t0 + 30_000, 2)], t0 + 60_000);
      const read = (periodSeconds: number) => storage.aggregate({ metric: metric(), start: t0, end: t0 + 3600_000, periodSeconds, mergeUnits: true, statistics: [{ kind: 'Sum' }] });
      const day = 24 * 3600_000;
      await storage.compact(t0 + 3 * 3600_000 - 1000);
      assert.deepEqual((await read(1)).map((p) => p.values[0]), [1]);
      await storage.compact(t0 + 3 * 3600_000 + 1000);
      assert.equal((await read(1)).length, 0);
      assert.deepEqual((await read(60)).map((p) => p.values[0]), [3], 'the minute row outlives the second rows');
      await storage.compact(t0 + 15 * day + 120_000);
      assert.equal((await read(60)).length, 0);
      assert.deepEqual((await read(300)).map((p) => p.values[0]), [3], 'five-minute periods read the 5-minute rows');
      await storage.compact(t0 + 63 * day + 120_000);
      assert.equal((await read(300)).length, 0);
      assert.deepEqual((await read(3600)).map((p) => p.values[0]), [3], 'hour periods read the hour rows');
      assert.equal((await storage.listMetrics({ accountId: '000000000001', region: 'us-east-1', limit: 500 })).metrics.length, 1);
      await storage.compact(t0 + 455 * day + 120_000);
      assert.equal((await read(3600)).length, 0);
      assert.deepEqual((await storage.listMetrics({ accountId: '000000000001', region: 'us-east-1', limit: 500 })).metrics, []);
      await storage.close();
    });

    it('answers the same from every tier while all are kept', async () => {
      const storage = await factory.open(factory.newPlace());
      const list = values(600, 9);
      await storage.append(list.map((value, index) => point(t0 + index * 6000, value, { storageResolution: 1 })), t0 + 3600_000);
      const statistics: Statistic[] = [{ kind: 'SampleCount' }, { kind: 'Sum' }, { kind: 'Minimum' }, { kind: 'Maximum' }, { kind: 'percentile', percent: 95 }];
      const at = (periodSeconds: number) => storage.aggregate({ metric: metric(), start: t0, end: t0 + 3600_000, periodSeconds, mergeUnits: true, statistics });
      const hour = (await at(3600))[0]!.values;
      assert.equal(hour[0], 600);
      assert.ok(Math.abs(hour[1]! - oracle(list, { kind: 'Sum' })) < 1e-6);
      assert.equal(hour[2], oracle(list, { kind: 'Minimum' }));
      assert.equal(hour[3], oracle(list, { kind: 'Maximum' }));
      const p95 = oracle(list, { kind: 'percentile', percent: 95 });
      assert.ok(Math.abs(hour[4]! - p95) <= Math.abs(p95) * storage.percentileRelativeError + 1e-9);
      // The finer tiers (seconds, minutes, 5 minutes, 20 minutes) add up to the hour row.
      for (const period of [1, 60, 300, 1200]) {
        const rows = await at(period);
        assert.equal(rows.reduce((sum, p) => sum + p.values[0]!, 0), 600, `SampleCount over ${period}-second periods`);
        assert.ok(Math.abs(rows.reduce((sum, p) => sum + p.values[1]!, 0) - hour[1]!) < 1e-6, `Sum over ${period}-second periods`);
        assert.equal(Math.max(...rows.map((p) => p.values[3]!)), hour[3]);
      }
      await storage.close();
    });
  });
}
