/**
 * The metric store in its own SQLite database file (metrics.sqlite in the data directory), apart
 * from the record store so a flood of points never holds the records' write lock.
 *
 * Metrics are interned: `metrics` gives each (account, region, namespace, name, dimension set) an
 * id. Points are written pre-aggregated into tiers, one row per (metric, unit, tier grain): per
 * second (high-resolution points only), per minute, per 5 minutes and per hour, as CloudWatch keeps
 * them. Each row holds count, sum, minimum, maximum and a percentile sketch (sketch.ts); rows and
 * sketches merge exactly, so a coarser tier answers what the finer ones would have. A day of
 * one-minute periods is 1,440 rows read by primary key, however many points were put.
 *
 * Retention (compact): second rows 3 hours, minute rows 15 days, 5-minute rows 63 days, hour rows
 * 455 days, as CloudWatch keeps 1-second, 60-second, 300-second and 3600-second data. A read uses
 * the coarsest tier whose grain divides both the period and the start, so older data answers
 * periods of 5 minutes or an hour once the finer rows are gone. Disk use is bounded by metrics ×
 * (10,800 + 21,600 + 18,144 + 10,920) rows. A metric with no row left and no put in 455 days is no
 * longer listed.
 */
import Database from 'better-sqlite3';
import { createPrivateFile, restrictFile } from '../../store/data-dir.js';
import { decodeSketch, encodeSketch, sketchRelativeError } from './sketch.js';
import { copySummary, mergeSummary, statisticOf, summaryOf, type Summary } from './summary.js';
import {
  canonicalDimensions,
  retention,
  type AggregatedPeriod,
  type AggregateQuery,
  type ListMetricsPage,
  type ListMetricsQuery,
  type MetricIdentity,
  type MetricPoint,
  type MetricStorage,
} from './types.js';

/** The tiers, finest first: table, grain (seconds), how long rows are kept (ms). */
const tiers = [
  { table: 'second_points', grain: 1, keepMs: retention.highResolutionMs },
  { table: 'minute_points', grain: 60, keepMs: retention.minuteMs },
  { table: 'five_minute_points', grain: 300, keepMs: retention.fiveMinuteMs },
  { table: 'hour_points', grain: 3600, keepMs: retention.hourMs },
] as const;

/** A tier's table of points. */
const pointsTable = (table: string) => `
CREATE TABLE IF NOT EXISTS ${table} (
  metric_id INTEGER NOT NULL, ts INTEGER NOT NULL, unit TEXT NOT NULL,
  count REAL NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, sketch BLOB,
  PRIMARY KEY (metric_id, ts, unit)
) WITHOUT ROWID;`;

const schema = `
CREATE TABLE IF NOT EXISTS metrics (
  id INTEGER PRIMARY KEY,
  account TEXT NOT NULL, region TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
  dimensions TEXT NOT NULL,
  last_put INTEGER NOT NULL,
  UNIQUE (account, region, namespace, name, dimensions)
);
${tiers.map((tier) => pointsTable(tier.table)).join('\n')}
`;

interface Row {
  ts: number;
  unit: string;
  count: number;
  sum: number;
  min: number;
  max: number;
  sketch: Buffer | null;
}

/** A row as a summary; its sketch decoded only when a statistic needs it (decoding is most of a read's cost). */
const rowSummary = (row: Row, withSketch = true): Summary => ({
  count: row.count,
  sum: row.sum,
  min: row.min,
  max: row.max,
  sketch: row.sketch === null || !withSketch ? null : decodeSketch(row.sketch),
});

export class SqliteMetricStorage implements MetricStorage {
  readonly percentileRelativeError = sketchRelativeError;
  private readonly db: Database.Database;
  private readonly statements;

  constructor(file: string) {
    // Metric names and dimensions are the account's data: 0600 like the record store (SQLite gives
    // its -wal and -shm files the database file's mode).
    createPrivateFile(file);
    for (const suffix of ['-wal', '-shm']) restrictFile(`${file}${suffix}`);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(schema);
    const db = this.db;
    this.statements = {
      metricId: db.prepare<[string, string, string, string, string], { id: number }>(
        'SELECT id FROM metrics WHERE account = ? AND region = ? AND namespace = ? AND name = ? AND dimensions = ?',
      ),
      insertMetric: db.prepare('INSERT INTO metrics (account, region, namespace, name, dimensions, last_put) VALUES (?, ?, ?, ?, ?, ?)'),
      touchMetric: db.prepare('UPDATE metrics SET last_put = max(last_put, ?) WHERE id = ?'),
      tiers: tiers.map((tier) => ({
        ...tier,
        row: db.prepare<[number, number, string], Row>(`SELECT ts, unit, count, sum, min, max, sketch FROM ${tier.table} WHERE metric_id = ? AND ts = ? AND unit = ?`),
        put: db.prepare(`INSERT OR REPLACE INTO ${tier.table} (metric_id, ts, unit, count, sum, min, max, sketch) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
        range: db.prepare<[number, number, number], Row>(`SELECT ts, unit, count, sum, min, max, sketch FROM ${tier.table} WHERE metric_id = ? AND ts >= ? AND ts < ? ORDER BY ts`),
      })),
    };
  }

  async append(points: readonly MetricPoint[], receivedAt: number): Promise<void> {
    const ids = new Map<string, number>();
    this.db.transaction(() => {
      // The points of one call merged per row first, so each row is read and written once.
      const pending = this.statements.tiers.map(() => new Map<string, { id: number; ts: number; unit: string; summary: Summary }>());
      for (const point of points) {
        const id = this.intern(point.metric, receivedAt, ids);
        const summary = summaryOf(point.value);
        const second = Math.floor(point.timestamp / 1000);
        this.statements.tiers.forEach((tier, index) => {
          if (tier.grain === 1 && point.storageResolution !== 1) return;
          const ts = second - (((second % tier.grain) + tier.grain) % tier.grain);
          const key = `${id}:${ts}:${point.unit}`;
          const row = pending[index]!.get(key);
          if (row) mergeSummary(row.summary, summary);
          else pending[index]!.set(key, { id, ts, unit: point.unit, summary: copySummary(summary) });
        });
      }
      this.statements.tiers.forEach((tier, index) => {
        for (const row of pending[index]!.values()) this.merge(tier.row, tier.put, row.id, row.ts, row.unit, row.summary);
      });
    })();
  }

  private intern(metric: MetricIdentity, receivedAt: number, cache: Map<string, number>): number {
    const dimensions = JSON.stringify(canonicalDimensions(metric.dimensions).map((d) => [d.name, d.value]));
    const key = JSON.stringify([metric.accountId, metric.region, metric.namespace, metric.metricName, dimensions]);
    let id = cache.get(key);
    if (id === undefined) {
      id = this.statements.metricId.get(metric.accountId, metric.region, metric.namespace, metric.metricName, dimensions)?.id;
      if (id === undefined) {
        id = Number(this.statements.insertMetric.run(metric.accountId, metric.region, metric.namespace, metric.metricName, dimensions, receivedAt).lastInsertRowid);
      } else this.statements.touchMetric.run(receivedAt, id);
      cache.set(key, id);
    }
    return id;
  }

  private merge(read: Database.Statement<[number, number, string], Row>, write: Database.Statement, id: number, ts: number, unit: string, summary: Summary): void {
    const existing = read.get(id, ts, unit);
    const merged = existing ? rowSummary(existing) : copySummary(summary);
    if (existing) mergeSummary(merged, summary);
    write.run(id, ts, unit, merged.count, merged.sum, merged.min, merged.max, merged.sketch ? encodeSketch(merged.sketch) : null);
  }

  async listMetrics(query: ListMetricsQuery): Promise<ListMetricsPage> {
    const where = ['account = ?', 'region = ?', 'id > ?'];
    const args: (string | number)[] = [query.accountId, query.region, query.after === undefined ? 0 : Number(query.after)];
    if (query.namespace !== undefined) (where.push('namespace = ?'), args.push(query.namespace));
    if (query.metricName !== undefined) (where.push('name = ?'), args.push(query.metricName));
    if (query.activeSince !== undefined) (where.push('last_put >= ?'), args.push(query.activeSince));
    const rows = this.db
      .prepare<(string | number)[], { id: number; namespace: string; name: string; dimensions: string }>(
        `SELECT id, namespace, name, dimensions FROM metrics WHERE ${where.join(' AND ')} ORDER BY id`,
      )
      .iterate(...args);
    const metrics: MetricIdentity[] = [];
    let lastId = 0;
    for (const row of rows) {
      const dimensions = (JSON.parse(row.dimensions) as [string, string][]).map(([name, value]) => ({ name, value }));
      const matches = (query.dimensions ?? []).every((filter) => dimensions.some((d) => d.name === filter.name && (filter.value === undefined || d.value === filter.value)));
      if (!matches) continue;
      if (metrics.length === query.limit) return { metrics, next: String(lastId) };
      metrics.push({ accountId: query.accountId, region: query.region, namespace: row.namespace, metricName: row.name, dimensions });
      lastId = row.id;
    }
    return { metrics };
  }

  async aggregate(query: AggregateQuery): Promise<AggregatedPeriod[]> {
    const dimensions = JSON.stringify(canonicalDimensions(query.metric.dimensions).map((d) => [d.name, d.value]));
    const id = this.statements.metricId.get(query.metric.accountId, query.metric.region, query.metric.namespace, query.metric.metricName, dimensions)?.id;
    if (id === undefined) return [];
    const periodMs = query.periodSeconds * 1000;
    // The coarsest tier whose grain divides the period and the start: periods under a minute read
    // the second rows, a day of hours the hour rows.
    const startSeconds = Math.ceil(query.start / 1000);
    const tier = [...this.statements.tiers].reverse().find((candidate) => query.periodSeconds % candidate.grain === 0 && startSeconds % candidate.grain === 0) ?? this.statements.tiers[0]!;
    const rows = tier.range.all(id, startSeconds, Math.ceil(query.end / 1000));
    const withSketch = query.statistics.some((statistic) => statistic.kind === 'percentile' || statistic.kind === 'trimmedMean');
    const periods = new Map<string, { timestamp: number; units: Set<string>; summary: Summary }>();
    for (const row of rows) {
      if (query.unit !== undefined && row.unit !== query.unit) continue;
      const timestamp = query.start + Math.floor((row.ts * 1000 - query.start) / periodMs) * periodMs;
      const key = query.mergeUnits ? String(timestamp) : `${timestamp}\u0000${row.unit}`;
      const period = periods.get(key);
      if (period) {
        mergeSummary(period.summary, rowSummary(row, withSketch));
        period.units.add(row.unit);
      } else periods.set(key, { timestamp, units: new Set([row.unit]), summary: rowSummary(row, withSketch) });
    }
    return [...periods.values()]
      .sort((a, b) => a.timestamp - b.timestamp || ([...a.units][0]! < [...b.units][0]! ? -1 : 1))
      .map((period) => ({
        timestamp: period.timestamp,
        unit: period.units.size === 1 ? [...period.units][0]! : 'None',
        values: query.statistics.map((statistic) => statisticOf(period.summary, statistic)),
      }));
  }

  async compact(now: number): Promise<void> {
    const seconds = Math.floor(now / 1000);
    this.db.transaction(() => {
      for (const tier of tiers) this.db.prepare(`DELETE FROM ${tier.table} WHERE ts < ?`).run(seconds - tier.keepMs / 1000);
      this.db.prepare('DELETE FROM metrics WHERE last_put < ? AND NOT EXISTS (SELECT 1 FROM hour_points WHERE metric_id = metrics.id)').run(now - retention.hourMs);
    })();
  }

  async reset(accountId?: string): Promise<void> {
    this.db.transaction(() => {
      const which = accountId === undefined ? 'SELECT id FROM metrics' : 'SELECT id FROM metrics WHERE account = ?';
      const args = accountId === undefined ? [] : [accountId];
      for (const tier of tiers) this.db.prepare(`DELETE FROM ${tier.table} WHERE metric_id IN (${which})`).run(...args);
      this.db.prepare(accountId === undefined ? 'DELETE FROM metrics' : 'DELETE FROM metrics WHERE account = ?').run(...args);
    })();
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
