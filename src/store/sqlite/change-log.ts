/**
 * The SQLite backend's change feed (see ../changes.ts).
 *
 * Triggers on every record table append a row to `changes` inside the writing transaction, so a
 * change commits with the write or not at all (no phantom, nothing lost), and `changes.seq` is
 * commit order: SQLite lets one transaction write at a time, across processes too. After each
 * commit this process reads the rows past the last one it published and hands them to its
 * subscribers. Another process writing to the same database file is noticed through
 * `PRAGMA data_version` on a poll, so its changes reach this process's subscribers within one
 * poll interval, not at some later full resync.
 *
 * A PostgreSQL backend keeps the same table (written by the same triggers, in PL/pgSQL) and
 * replaces the poll with LISTEN/NOTIFY; there `seq` from a sequence is not commit order, so it
 * must publish only up to the oldest transaction still in flight (pg_snapshot_xmin), which the
 * conformance suite's ordering test will hold it to.
 */
import type { Database, Statement } from 'better-sqlite3';
import { wanted, type Change, type ChangeFeed, type ChangeKind, type ChangeLabels, type ChangeListener, type ChangeOp, type Subscription, type WatchOptions } from '../changes.js';

interface Tracked {
  table: string;
  kind: ChangeKind;
  /** SQL expression of the key, with `$` standing for NEW or OLD. */
  key: string;
  /** json_object(...) arguments of the labels, with `$` standing for NEW or OLD. */
  labels: string;
  /**
   * The migration that created the table with its `version` column and triggers (see
   * `changeTriggersOf`); absent for the tables that existed before the change feed.
   */
  createdWith?: 'elbv2' | 'iam' | 'ssm' | 'acm' | 'logs' | 'alarms' | 'alarmActions';
}

const tracked: Tracked[] = [
  { table: 'credentials', kind: 'credential', key: '$.access_key_id', labels: `'account', $.account_id` },
  { table: 'clusters', kind: 'cluster', key: '$.arn', labels: `'account', $.account_id` },
  { table: 'task_definitions', kind: 'taskDefinition', key: '$.arn', labels: `'account', $.account_id` },
  { table: 'container_instances', kind: 'containerInstance', key: '$.arn', labels: `'cluster', $.cluster_arn` },
  {
    table: 'tasks',
    kind: 'task',
    key: '$.arn',
    labels: `'cluster', $.cluster_arn, 'group', $.grp, 'agent', $.agent_key, 'launchType', $.launch_type`,
  },
  {
    table: 'account_settings',
    kind: 'accountSetting',
    key: `$.account_id || '/' || $.region || '/' || $.principal_arn || '/' || $.is_default || '/' || $.name`,
    labels: `'account', $.account_id`,
  },
  { table: 'services', kind: 'service', key: '$.arn', labels: `'cluster', $.cluster_arn` },
  { table: 'service_deployments', kind: 'serviceDeployment', key: '$.arn', labels: `'service', $.service_arn` },
  { table: 'service_revisions', kind: 'serviceRevision', key: '$.arn', labels: `'service', $.service_arn` },
  { table: 'secrets', kind: 'secret', key: '$.arn', labels: `'account', $.account_id` },
  { table: 'ecr_repositories', kind: 'repository', key: '$.arn', labels: `'account', $.account_id` },
  { table: 'registry_manifests', kind: 'manifest', key: `$.repository_arn || '@' || $.digest`, labels: `'repository', $.repository_arn` },
  { table: 'registry_tags', kind: 'tag', key: `$.repository_arn || ':' || $.tag`, labels: `'repository', $.repository_arn` },
  { table: 'registry_blobs', kind: 'blob', key: '$.digest', labels: `'account', NULL` },
  { table: 'leases', kind: 'lease', key: '$.name', labels: `'account', NULL` },
  { table: 'elb_load_balancers', kind: 'loadBalancer', key: '$.arn', labels: `'account', $.account_id`, createdWith: 'elbv2' },
  { table: 'elb_target_groups', kind: 'targetGroup', key: '$.arn', labels: `'account', $.account_id`, createdWith: 'elbv2' },
  { table: 'elb_listeners', kind: 'listener', key: '$.arn', labels: `'loadBalancer', $.load_balancer_arn`, createdWith: 'elbv2' },
  {
    table: 'elb_rules',
    kind: 'rule',
    key: '$.arn',
    labels: `'loadBalancer', $.load_balancer_arn, 'listener', $.listener_arn`,
    createdWith: 'elbv2',
  },
  {
    table: 'elb_targets',
    kind: 'target',
    key: `$.target_group_arn || '/' || $.target_id || ':' || $.port`,
    labels: `'targetGroup', $.target_group_arn`,
    createdWith: 'elbv2',
  },
  {
    table: 'elb_target_health',
    kind: 'targetHealth',
    key: `$.target_group_arn || '/' || $.target_id || ':' || $.port`,
    labels: `'targetGroup', $.target_group_arn`,
    createdWith: 'elbv2',
  },
  // Keyed `<account>/<type>/<lower-case name>`: IAM names are unique per account and type regardless of case.
  {
    table: 'iam_entities',
    kind: 'iamEntity',
    key: `$.account_id || '/' || $.type || '/' || $.name`,
    labels: `'account', $.account_id, 'iamType', $.type`,
    createdWith: 'iam',
  },
  { table: 'ssm_parameters', kind: 'ssmParameter', key: `$.account_id || '/' || $.region || '/' || $.name`, labels: `'account', $.account_id`, createdWith: 'ssm' },
  { table: 'acm_certificates', kind: 'certificate', key: '$.arn', labels: `'account', $.account_id`, createdWith: 'acm' },
  { table: 'log_groups', kind: 'logGroup', key: `$.account_id || '/' || $.region || '/' || $.name`, labels: `'account', $.account_id`, createdWith: 'logs' },
  { table: 'cw_alarms', kind: 'metricAlarm', key: `$.account_id || '/' || $.region || '/' || $.name`, labels: `'account', $.account_id`, createdWith: 'alarms' },
  {
    table: 'cw_alarm_actions',
    kind: 'alarmAction',
    key: '$.id',
    labels: `'account', $.account_id, 'actionService', $.service`,
    createdWith: 'alarmActions',
  },
];

const triggers = (row: Tracked): string => {
  const at = (alias: 'NEW' | 'OLD', expression: string) => expression.replaceAll('$', alias);
  const insert = (event: 'INSERT' | 'UPDATE' | 'DELETE', op: ChangeOp, alias: 'NEW' | 'OLD') => `
  CREATE TRIGGER ${row.table}_${op} AFTER ${event} ON ${row.table} BEGIN
    INSERT INTO changes (kind, key, op, version, labels)
    VALUES ('${row.kind}', ${at(alias, row.key)}, '${op}', ${alias}.version, json_object(${at(alias, row.labels)}));
  END;`;
  return [insert('INSERT', 'created', 'NEW'), insert('UPDATE', 'updated', 'NEW'), insert('DELETE', 'deleted', 'OLD')].join('');
};

/**
 * The migration that starts the feed: every tracked table gets a `version` (1 for a new row; each
 * write that changes a row sets the next one) and the triggers that log its changes.
 */
const original = tracked.filter((row) => row.createdWith === undefined);

export const changeLogMigration = `
  CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    op TEXT NOT NULL,
    version INTEGER NOT NULL,
    labels TEXT NOT NULL
  );
  ${original.map((row) => `ALTER TABLE ${row.table} ADD COLUMN version INTEGER NOT NULL DEFAULT 1;`).join('\n  ')}
  ${original.map(triggers).join('\n')}
`;

/** The triggers of the tables a later migration creates (each with its own `version` column). */
export function changeTriggersOf(migration: NonNullable<Tracked['createdWith']>): string {
  return tracked
    .filter((row) => row.createdWith === migration)
    .map(triggers)
    .join('\n');
}

interface ChangeRow {
  seq: number;
  kind: ChangeKind;
  key: string;
  op: ChangeOp;
  version: number;
  labels: string;
}

function changeOf(row: ChangeRow): Change {
  const labels = JSON.parse(row.labels) as Record<string, string | null>;
  const present: ChangeLabels = {};
  for (const [name, value] of Object.entries(labels)) if (value !== null) present[name as keyof ChangeLabels] = value;
  return { seq: row.seq, kind: row.kind, key: row.key, op: row.op, version: row.version, labels: present };
}

interface Subscriber {
  options: WatchOptions;
  listener: ChangeListener;
  /** The last seq delivered (or skipped by the filter). */
  position: number;
  closed: boolean;
}

export interface SqliteChangeLogOptions {
  /** How often to look for commits by other processes (ms); 0 turns the poll off. */
  pollMs?: number;
  /** Changes kept for subscribers that are behind; older ones are deleted. */
  retain?: number;
  /** Called with a listener's exception (the feed goes on). */
  onListenerError?: (error: unknown) => void;
}

const defaultRetain = 100_000;
/** Changes held in memory for subscribers a little behind; further back they are read from the table. */
const recentLimit = 10_000;

export class SqliteChangeLog implements ChangeFeed {
  private readonly subscribers = new Set<Subscriber>();
  /** The most recent published changes, oldest first. */
  private recent: Change[] = [];
  private published: number;
  private deliveryScheduled = false;
  private readonly newer: Statement;
  private readonly range: Statement;
  private readonly oldest: Statement;
  private readonly timer: NodeJS.Timeout | undefined;
  private dataVersion: number;
  private publishesSincePrune = 0;

  /**
   * `db` is a connection of this feed's own, never inside another transaction; `writer` is the
   * store's writing connection, which deletes old changes between transactions.
   */
  constructor(
    private readonly db: Database,
    private readonly writer: Database,
    private readonly options: SqliteChangeLogOptions = {},
  ) {
    this.newer = db.prepare('SELECT seq, kind, key, op, version, labels FROM changes WHERE seq > ? ORDER BY seq LIMIT 10000');
    this.range = db.prepare('SELECT seq, kind, key, op, version, labels FROM changes WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT 10000');
    this.oldest = db.prepare('SELECT MIN(seq) FROM changes').pluck();
    this.published = (db.prepare('SELECT COALESCE(MAX(seq), 0) FROM changes').pluck().get() as number) ?? 0;
    this.dataVersion = db.pragma('data_version', { simple: true }) as number;
    const pollMs = options.pollMs ?? 200;
    if (pollMs > 0) {
      this.timer = setInterval(() => {
        const dataVersion = this.db.pragma('data_version', { simple: true }) as number;
        if (dataVersion !== this.dataVersion) {
          this.dataVersion = dataVersion;
          this.publishCommitted();
        }
      }, pollMs).unref();
    }
  }

  head(): number {
    return this.published;
  }

  backlog(): number {
    let furthest = this.published;
    for (const subscriber of this.subscribers) furthest = Math.min(furthest, subscriber.position);
    return this.published - furthest;
  }

  /**
   * Reads what was committed since the last call and schedules its delivery. Call after every
   * commit, on the writing connection's turn (no transaction open on it).
   */
  publishCommitted(): void {
    for (;;) {
      const rows = this.newer.all(this.published) as ChangeRow[];
      if (rows.length === 0) break;
      for (const row of rows) this.recent.push(changeOf(row));
      this.published = (rows[rows.length - 1] as ChangeRow).seq;
      if (rows.length < 10_000) break;
    }
    if (this.recent.length > recentLimit) this.recent = this.recent.slice(this.recent.length - recentLimit);
    this.scheduleDelivery();
    if (++this.publishesSincePrune >= 1_000) {
      this.publishesSincePrune = 0;
      this.prune();
    }
  }

  watch(options: WatchOptions, listener: ChangeListener): Subscription {
    const subscriber: Subscriber = { options, listener, position: options.after ?? this.published, closed: false };
    this.subscribers.add(subscriber);
    if (subscriber.position < this.published) this.scheduleDelivery();
    return {
      close: () => {
        subscriber.closed = true;
        this.subscribers.delete(subscriber);
      },
    };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    for (const subscriber of this.subscribers) subscriber.closed = true;
    this.subscribers.clear();
  }

  /** Deletes the changes beyond what is retained; this process's subscribers that far behind are told they lost some. */
  private prune(): void {
    const retain = this.options.retain ?? defaultRetain;
    this.writer.prepare('DELETE FROM changes WHERE seq <= ?').run(this.published - retain);
  }

  private scheduleDelivery(): void {
    if (this.deliveryScheduled) return;
    this.deliveryScheduled = true;
    // Listeners run outside the committing call, and changes committed together arrive together.
    setImmediate(() => {
      this.deliveryScheduled = false;
      for (const subscriber of [...this.subscribers]) this.deliver(subscriber);
    });
  }

  private deliver(subscriber: Subscriber): void {
    while (!subscriber.closed && subscriber.position < this.published) {
      const { changes, lost } = this.changesAfter(subscriber.position);
      const last = changes.length > 0 ? (changes[changes.length - 1] as Change).seq : this.published;
      subscriber.position = last;
      const matching = changes.filter((change) => wanted(subscriber.options, change));
      if (matching.length === 0 && !lost) continue;
      try {
        subscriber.listener({ changes: matching, lost });
      } catch (error) {
        this.options.onListenerError?.(error);
      }
    }
  }

  /** The published changes after `position`, from memory when they are still there, else from the table. */
  private changesAfter(position: number): { changes: Change[]; lost: boolean } {
    const first = this.recent[0];
    if (first && first.seq <= position + 1) {
      // Seqs are contiguous (a rolled-back transaction takes its seqs back with it).
      return { changes: this.recent.slice(Math.max(0, position + 1 - first.seq)), lost: false };
    }
    const oldest = this.oldest.get() as number | null;
    const rows = (this.range.all(position, this.published) as ChangeRow[]).map(changeOf);
    const lost = oldest === null ? position < this.published : oldest > position + 1;
    return { changes: rows, lost };
  }
}
