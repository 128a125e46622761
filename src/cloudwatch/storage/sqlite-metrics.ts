/**
 * The metric store in its own SQLite database file (metrics.sqlite in the data directory), apart
 * from the record store so a flood of points never holds the records' write lock.
 *
 * Metrics are interned: `metrics` gives each (account, region, namespace, name, dimension set) an
 * id. Points are written pre-aggregated, merged into one row per (metric, unit, minute) in
 * `minute_points` and, for high-resolution points, also per second in `second_points`; each row
 * keeps count, sum, minimum, maximum and a percentile sketch (sketch.ts). A day of one-minute
 * periods is then 1,440 rows read by primary key, however many points were put.
 *
 * Retention (compact): second rows 3 hours, minute rows 15 days, as CloudWatch keeps 1-second and
 * 60-second data. Berth does not keep CloudWatch's coarser roll-ups (5-minute for 63 days, 1-hour for
 * 455 days): after 15 days a metric's points are gone, and a metric with no point left is no longer
 * listed. Disk use is bounded by metrics × (1,440 × 15 minute rows + 10,800 second rows).
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

const schema = `
CREATE TABLE IF NOT EXISTS metrics (
  id INTEGER PRIMARY KEY,
  account TEXT NOT NULL, region TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
  dimensions TEXT NOT NULL,
  last_put INTEGER NOT NULL,
  UNIQUE (account, region, namespace, name, dimensions)
);
CREATE TABLE IF NOT EXISTS minute_points (
  metric_id INTEGER NOT NULL, ts INTEGER NOT NULL, unit TEXT NOT NULL,
  count REAL NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, sketch TEXT,
  PRIMARY KEY (metric_id, ts, unit)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS second_points (
  metric_id INTEGER NOT NULL, ts INTEGER NOT NULL, unit TEXT NOT NULL,
  count REAL NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, sketch TEXT,
  PRIMARY KEY (metric_id, ts, unit)
) WITHOUT ROWID;
`;

interface Row {
  ts: number;
  unit: string;
  count: number;
  sum: number;
  min: number;
  max: number;
  sketch: string | null;
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
      minuteRow: db.prepare<[number, number, string], Row>('SELECT ts, unit, count, sum, min, max, sketch FROM minute_points WHERE metric_id = ? AND ts = ? AND unit = ?'),
      secondRow: db.prepare<[number, number, string], Row>('SELECT ts, unit, count, sum, min, max, sketch FROM second_points WHERE metric_id = ? AND ts = ? AND unit = ?'),
      putMinute: db.prepare('INSERT OR REPLACE INTO minute_points (metric_id, ts, unit, count, sum, min, max, sketch) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      putSecond: db.prepare('INSERT OR REPLACE INTO second_points (metric_id, ts, unit, count, sum, min, max, sketch) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      minuteRange: db.prepare<[number, number, number], Row>('SELECT ts, unit, count, sum, min, max, sketch FROM minute_points WHERE metric_id = ? AND ts >= ? AND ts < ? ORDER BY ts'),
      secondRange: db.prepare<[number, number, number], Row>('SELECT ts, unit, count, sum, min, max, sketch FROM second_points WHERE metric_id = ? AND ts >= ? AND ts < ? ORDER BY ts'),
    };
  }

  async append(points: readonly MetricPoint[], receivedAt: number): Promise<void> {
    const ids = new Map<string, number>();
    this.db.transaction(() => {
      // The points of one call merged per row first, so each row is read and written once.
      const minutes = new Map<string, { id: number; ts: number; unit: string; summary: Summary }>();
      const seconds = new Map<string, { id: number; ts: number; unit: string; summary: Summary }>();
      const add = (rows: typeof minutes, id: number, ts: number, unit: string, summary: Summary) => {
        const key = `${id}:${ts}:${unit}`;
        const row = rows.get(key);
        if (row) mergeSummary(row.summary, summary);
        else rows.set(key, { id, ts, unit, summary: copySummary(summary) });
      };
      for (const point of points) {
        const id = this.intern(point.metric, receivedAt, ids);
        const summary = summaryOf(point.value);
        const second = Math.floor(point.timestamp / 1000);
        add(minutes, id, second - (((second % 60) + 60) % 60), point.unit, summary);
        if (point.storageResolution === 1) add(seconds, id, second, point.unit, summary);
      }
      for (const row of minutes.values()) this.merge(this.statements.minuteRow, this.statements.putMinute, row.id, row.ts, row.unit, row.summary);
      for (const row of seconds.values()) this.merge(this.statements.secondRow, this.statements.putSecond, row.id, row.ts, row.unit, row.summary);
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
    // A period that is a whole number of minutes reads the minute rows; a shorter one the second rows.
    const fromMinutes = query.periodSeconds % 60 === 0;
    const rows = (fromMinutes ? this.statements.minuteRange : this.statements.secondRange).iterate(id, Math.ceil(query.start / 1000), Math.ceil(query.end / 1000));
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
      this.db.prepare('DELETE FROM second_points WHERE ts < ?').run(seconds - retention.highResolutionMs / 1000);
      this.db.prepare('DELETE FROM minute_points WHERE ts < ?').run(seconds - retention.minuteMs / 1000);
      this.db.prepare('DELETE FROM metrics WHERE last_put < ? AND NOT EXISTS (SELECT 1 FROM minute_points WHERE metric_id = metrics.id)').run(now - retention.minuteMs);
    })();
  }

  async reset(accountId?: string): Promise<void> {
    this.db.transaction(() => {
      const which = accountId === undefined ? 'SELECT id FROM metrics' : 'SELECT id FROM metrics WHERE account = ?';
      const args = accountId === undefined ? [] : [accountId];
      this.db.prepare(`DELETE FROM minute_points WHERE metric_id IN (${which})`).run(...args);
      this.db.prepare(`DELETE FROM second_points WHERE metric_id IN (${which})`).run(...args);
      this.db.prepare(accountId === undefined ? 'DELETE FROM metrics' : 'DELETE FROM metrics WHERE account = ?').run(...args);
    })();
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
