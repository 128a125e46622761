import type { Database, Statement } from 'better-sqlite3';
import type {
  AccountSettingRecord,
  AccountSettingsTable,
  ClusterCounts,
  ClusterRecord,
  ClustersTable,
  ContainerInstanceRecord,
  ContainerInstancesTable,
  CredentialRecord,
  CredentialsTable,
  IdempotencyTable,
  PageRequest,
  StoreTx,
  TaskDefinitionQuery,
  TaskDefinitionRecord,
  TaskDefinitionsTable,
  TaskQuery,
  TaskRecord,
  TasksTable,
} from '../types.js';
import { agentKeyOf } from '../types.js';
import { sealedFor, type Sealer } from '../sealing.js';
import { pageOf, seqAfter } from './paging.js';
import { elbv2Tables } from './elbv2-tables.js';
import { registryTable } from './registry-table.js';
import { secretsTable } from './secrets-table.js';
import { leasesTable, serviceDeploymentsTable, serviceRevisionsTable, servicesTable } from './services-table.js';

interface DocRow {
  seq: number;
  doc: string;
}

const parse = <T>(row: { doc: string }): T => JSON.parse(row.doc) as T;
const seqCursor = (row: DocRow): string => String(row.seq);

/** Prepared statements are cached per SQL text on the connection. */
export class Statements {
  private readonly cache = new Map<string, Statement>();
  constructor(private readonly db: Database) {}
  get(sql: string): Statement {
    let statement = this.cache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.cache.set(sql, statement);
    }
    return statement;
  }
}

/** The document stored under an ARN in one of the resource tables. */
function byArn<T>(sql: Statements, table: string): (arn: string) => Promise<T | undefined> {
  return async (arn) => {
    const row = sql.get(`SELECT doc FROM ${table} WHERE arn = ?`).get(arn) as DocRow | undefined;
    return row && parse<T>(row);
  };
}

/** ECS counts a task as pending from PROVISIONING until it runs. */
function runningAndPending(sql: Statements, column: 'cluster_arn' | 'container_instance_arn', value: string): { running: number; pending: number } {
  const row = sql
    .get(
      `SELECT SUM(last_status = 'RUNNING') AS running,
              SUM(last_status IN ('PROVISIONING', 'PENDING', 'ACTIVATING')) AS pending
       FROM tasks WHERE ${column} = ? AND last_status != 'STOPPED'`,
    )
    .get(value) as { running: number | null; pending: number | null };
  return { running: row.running ?? 0, pending: row.pending ?? 0 };
}

/** A credential's document is sealed whole: it carries the secret access key. */
function credentials(sql: Statements, sealer: Sealer): CredentialsTable {
  const open = (row: { doc: string; access_key_id: string }): CredentialRecord =>
    JSON.parse(sealer.open(row.doc, sealedFor.credential(row.access_key_id))) as CredentialRecord;
  return {
    async get(accessKeyId) {
      const row = sql.get('SELECT access_key_id, doc FROM credentials WHERE access_key_id = ?').get(accessKeyId) as { access_key_id: string; doc: string } | undefined;
      return row && open(row);
    },
    async put(record) {
      sql
        .get(
          `INSERT INTO credentials (access_key_id, account_id, is_root, doc) VALUES (?, ?, ?, ?)
           ON CONFLICT (access_key_id) DO UPDATE SET account_id = excluded.account_id, is_root = excluded.is_root, doc = excluded.doc`,
        )
        .run(record.accessKeyId, record.accountId, record.isRoot ? 1 : 0, sealer.seal(JSON.stringify(record), sealedFor.credential(record.accessKeyId)));
    },
    async findRoot(accountId) {
      const row = sql
        .get('SELECT access_key_id, doc FROM credentials WHERE account_id = ? AND is_root = 1 ORDER BY rowid LIMIT 1')
        .get(accountId) as { access_key_id: string; doc: string } | undefined;
      return row && open(row);
    },
  };
}

function clusters(sql: Statements): ClustersTable {
  return {
    get: byArn<ClusterRecord>(sql, 'clusters'),
    async put(record) {
      const [, , , region, accountId] = record.clusterArn.split(':');
      sql
        .get(
          `INSERT INTO clusters (arn, account_id, region, status, doc) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (arn) DO UPDATE SET status = excluded.status, doc = excluded.doc`,
        )
        .run(record.clusterArn, accountId, region, record.status, JSON.stringify(record));
    },
    async list(accountId, region, page, status) {
      const rows = sql
        .get(
          `SELECT seq, doc FROM clusters WHERE account_id = ? AND region = ? AND seq > ?
           AND (? IS NULL OR status = ?) ORDER BY seq LIMIT ?`,
        )
        .all(accountId, region, seqAfter(page), status ?? null, status ?? null, page.limit + 1) as DocRow[];
      return pageOf(rows, page, parse<ClusterRecord>, seqCursor);
    },
    async counts(arn): Promise<ClusterCounts> {
      const instances = sql
        .get(`SELECT COUNT(*) AS n FROM container_instances WHERE cluster_arn = ? AND status IN ('ACTIVE', 'DRAINING')`)
        .get(arn) as { n: number };
      const tasks = runningAndPending(sql, 'cluster_arn', arn);
      const services = sql.get(`SELECT COUNT(*) AS n FROM services WHERE cluster_arn = ? AND status = 'ACTIVE'`).get(arn) as { n: number };
      return {
        registeredContainerInstancesCount: instances.n,
        runningTasksCount: tasks.running,
        pendingTasksCount: tasks.pending,
        activeServicesCount: services.n,
      };
    },
  };
}

function taskDefinitions(sql: Statements): TaskDefinitionsTable {
  const filters = `account_id = ? AND region = ? AND (? IS NULL OR family = ?) AND (? IS NULL OR substr(family, 1, length(?)) = ?)
    AND (? IS NULL OR status = ?)`;
  const filterArgs = (q: TaskDefinitionQuery) => [
    q.accountId,
    q.region,
    q.family ?? null,
    q.family ?? null,
    q.familyPrefix ?? null,
    q.familyPrefix ?? null,
    q.familyPrefix ?? null,
    q.status ?? null,
    q.status ?? null,
  ];
  return {
    get: byArn<TaskDefinitionRecord>(sql, 'task_definitions'),
    async latestRevision(accountId, region, family) {
      const row = sql
        .get('SELECT last_revision FROM task_definition_families WHERE account_id = ? AND region = ? AND family = ?')
        .get(accountId, region, family) as { last_revision: number } | undefined;
      return row?.last_revision ?? 0;
    },
    async latestActive(accountId, region, family) {
      const row = sql
        .get(
          `SELECT doc FROM task_definitions WHERE account_id = ? AND region = ? AND family = ? AND status = 'ACTIVE'
           ORDER BY revision DESC LIMIT 1`,
        )
        .get(accountId, region, family) as DocRow | undefined;
      return row && parse<TaskDefinitionRecord>(row);
    },
    async put(record) {
      const [, , , region, accountId] = record.taskDefinitionArn.split(':');
      sql
        .get(
          `INSERT INTO task_definitions (arn, account_id, region, family, revision, status, doc) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (arn) DO UPDATE SET status = excluded.status, doc = excluded.doc`,
        )
        .run(record.taskDefinitionArn, accountId, region, record.family, record.revision, record.status, JSON.stringify(record));
      sql
        .get(
          `INSERT INTO task_definition_families (account_id, region, family, last_revision) VALUES (?, ?, ?, ?)
           ON CONFLICT DO UPDATE SET last_revision = max(last_revision, excluded.last_revision)`,
        )
        .run(accountId, region, record.family, record.revision);
    },
    async delete(arn) {
      sql.get('DELETE FROM task_definitions WHERE arn = ?').run(arn);
    },
    async list(query, page) {
      // Cursor: "<family>\u0000<revision>", keyset over (family, revision) in the requested direction.
      const [afterFamily, afterRevision] = page.after ? splitCursor(page.after) : [null, null];
      const cmp = query.descending ? '<' : '>';
      const order = query.descending ? 'DESC' : 'ASC';
      const rows = sql
        .get(
          `SELECT family, revision, doc FROM task_definitions WHERE ${filters}
           AND (? IS NULL OR (family, revision) ${cmp} (?, ?))
           ORDER BY family ${order}, revision ${order} LIMIT ?`,
        )
        .all(...filterArgs(query), afterFamily, afterFamily, afterRevision, page.limit + 1) as (DocRow & {
        family: string;
        revision: number;
      })[];
      return pageOf(rows, page, parse<TaskDefinitionRecord>, (row) => `${row.family}\u0000${row.revision}`);
    },
    async families(query, page) {
      const cmp = query.descending ? '<' : '>';
      const order = query.descending ? 'DESC' : 'ASC';
      const rows = sql
        .get(
          `SELECT DISTINCT family FROM task_definitions WHERE ${filters} AND (? IS NULL OR family ${cmp} ?)
           ORDER BY family ${order} LIMIT ?`,
        )
        .all(...filterArgs(query), page.after ?? null, page.after ?? null, page.limit + 1) as { family: string }[];
      return pageOf(rows, page, (row) => row.family, (row) => row.family);
    },
  };
}

function splitCursor(cursor: string): [string, number] {
  const at = cursor.lastIndexOf('\u0000');
  return [cursor.slice(0, at), Number(cursor.slice(at + 1))];
}

function containerInstances(sql: Statements): ContainerInstancesTable {
  return {
    get: byArn<ContainerInstanceRecord>(sql, 'container_instances'),
    async put(record) {
      sql
        .get(
          `INSERT INTO container_instances (arn, cluster_arn, status, doc) VALUES (?, ?, ?, ?)
           ON CONFLICT (arn) DO UPDATE SET status = excluded.status, doc = excluded.doc`,
        )
        .run(record.containerInstanceArn, record.clusterArn, record.status, JSON.stringify(record));
    },
    async delete(arn) {
      sql.get('DELETE FROM container_instances WHERE arn = ?').run(arn);
    },
    async list(clusterArn, page, status) {
      const rows = sql
        .get(
          `SELECT seq, doc FROM container_instances WHERE cluster_arn = ? AND seq > ? AND (? IS NULL OR status = ?)
           ORDER BY seq LIMIT ?`,
        )
        .all(clusterArn, seqAfter(page), status ?? null, status ?? null, page.limit + 1) as DocRow[];
      return pageOf(rows, page, parse<ContainerInstanceRecord>, seqCursor);
    },
    async all(clusterArn) {
      const rows = sql.get('SELECT doc FROM container_instances WHERE cluster_arn = ? ORDER BY seq').all(clusterArn) as DocRow[];
      return rows.map(parse<ContainerInstanceRecord>);
    },
    async listConnected() {
      const rows = sql.get(`SELECT doc FROM container_instances WHERE json_extract(doc, '$.agentConnected') = 1 ORDER BY seq`).all() as DocRow[];
      return rows.map(parse<ContainerInstanceRecord>);
    },
    async markAllDisconnected() {
      sql.get(`UPDATE container_instances SET doc = json_set(doc, '$.agentConnected', json('false')) WHERE json_extract(doc, '$.agentConnected') = 1`).run();
    },
  };
}

function serviceNameOf(group: string | undefined): string | null {
  return group?.startsWith('service:') ? group.slice('service:'.length) : null;
}

function taskConditions(query: TaskQuery, page: PageRequest): [string, unknown[]] {
  const conditions = ['cluster_arn = ?', 'seq > ?'];
  const args: unknown[] = [query.clusterArn, seqAfter(page)];
  const add = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    conditions.push(`${column} = ?`);
    args.push(value);
  };
  add('family', query.family);
  add('started_by', query.startedBy);
  add('service_name', query.serviceName);
  add('desired_status', query.desiredStatus);
  add('container_instance_arn', query.containerInstanceArn);
  add('launch_type', query.launchType);
  add('grp', query.group);
  if (query.activeOnly) conditions.push(`last_status != 'STOPPED'`);
  return [conditions.join(' AND '), args];
}

function tasks(sql: Statements): TasksTable {
  return {
    get: byArn<TaskRecord>(sql, 'tasks'),
    async put(record) {
      const family = record.taskDefinitionArn.split('/').pop()?.split(':')[0] ?? '';
      sql
        .get(
          `INSERT INTO tasks (arn, cluster_arn, family, started_by, grp, service_name, desired_status, last_status,
                              container_instance_arn, launch_type, agent_key, service_stop_unaccounted, doc)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (arn) DO UPDATE SET started_by = excluded.started_by, grp = excluded.grp,
             service_name = excluded.service_name, desired_status = excluded.desired_status,
             last_status = excluded.last_status, container_instance_arn = excluded.container_instance_arn,
             launch_type = excluded.launch_type, agent_key = excluded.agent_key,
             service_stop_unaccounted = excluded.service_stop_unaccounted, doc = excluded.doc`,
        )
        .run(
          record.taskArn,
          record.clusterArn,
          family,
          record.startedBy ?? null,
          record.group ?? null,
          serviceNameOf(record.group),
          record.desiredStatus,
          record.lastStatus,
          record.containerInstanceArn ?? null,
          record.launchType ?? null,
          agentKeyOf(record) ?? null,
          serviceNameOf(record.group) !== null && record.lastStatus === 'STOPPED' && !record.serviceAccounted ? 1 : 0,
          JSON.stringify(record),
        );
    },
    async list(query: TaskQuery, page: PageRequest) {
      const [where, args] = taskConditions(query, page);
      const rows = sql.get(`SELECT seq, doc FROM tasks WHERE ${where} ORDER BY seq LIMIT ?`).all(...args, page.limit + 1) as DocRow[];
      return pageOf(rows, page, parse<TaskRecord>, seqCursor);
    },
    async listArns(query: TaskQuery, page: PageRequest) {
      const [where, args] = taskConditions(query, page);
      const rows = sql.get(`SELECT seq, arn FROM tasks WHERE ${where} ORDER BY seq LIMIT ?`).all(...args, page.limit + 1) as { seq: number; arn: string }[];
      return pageOf(rows, page, (row) => row.arn, (row) => String(row.seq));
    },
    async instanceCounts(containerInstanceArn) {
      return runningAndPending(sql, 'container_instance_arn', containerInstanceArn);
    },
    async activeGroups(clusterArn, group) {
      const rows = sql
        .get(
          `SELECT container_instance_arn, grp, family, COUNT(*) AS n FROM tasks
           WHERE cluster_arn = ? AND (? IS NULL OR grp = ?) AND last_status != 'STOPPED' AND container_instance_arn IS NOT NULL
           GROUP BY container_instance_arn, grp, family`,
        )
        .all(clusterArn, group ?? null, group ?? null) as { container_instance_arn: string; grp: string | null; family: string; n: number }[];
      return rows.map((row) => ({ containerInstanceArn: row.container_instance_arn, group: row.grp ?? '', family: row.family, count: row.n }));
    },
    async forAgent(agentKey) {
      const rows = sql.get(`SELECT doc FROM tasks WHERE agent_key = ? AND last_status != 'STOPPED' ORDER BY seq`).all(agentKey) as DocRow[];
      return rows.map(parse<TaskRecord>);
    },
    async unassignedFargate(limit) {
      const rows = sql
        .get(`SELECT doc FROM tasks WHERE agent_key IS NULL AND launch_type = 'FARGATE' AND last_status != 'STOPPED' ORDER BY seq LIMIT ?`)
        .all(limit) as DocRow[];
      return rows.map(parse<TaskRecord>);
    },
    async deploymentCounts(clusterArn, group) {
      const rows = sql
        .get(
          `SELECT started_by, SUM(last_status = 'RUNNING') AS running,
                  SUM(last_status IN ('PROVISIONING', 'PENDING', 'ACTIVATING')) AS pending
           FROM tasks WHERE cluster_arn = ? AND grp = ? AND last_status != 'STOPPED' AND desired_status = 'RUNNING'
           GROUP BY started_by`,
        )
        .all(clusterArn, group) as { started_by: string | null; running: number; pending: number }[];
      return new Map(rows.map((row) => [row.started_by ?? '', { running: row.running, pending: row.pending }]));
    },
    async unaccountedStops(clusterArn, group, limit) {
      const rows = sql
        .get(`SELECT doc FROM tasks WHERE cluster_arn = ? AND grp = ? AND service_stop_unaccounted = 1 ORDER BY seq LIMIT ?`)
        .all(clusterArn, group, limit) as DocRow[];
      return rows.map(parse<TaskRecord>);
    },
  };
}

function accountSettings(sql: Statements): AccountSettingsTable {
  return {
    async list(accountId, region) {
      const rows = sql
        .get('SELECT doc FROM account_settings WHERE account_id = ? AND region = ? ORDER BY name, is_default, principal_arn')
        .all(accountId, region) as DocRow[];
      return rows.map(parse<AccountSettingRecord>);
    },
    async put(record) {
      sql
        .get(
          `INSERT INTO account_settings (account_id, region, principal_arn, is_default, name, doc) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT DO UPDATE SET doc = excluded.doc`,
        )
        .run(record.accountId, record.region, record.principalArn, record.isDefault ? 1 : 0, record.name, JSON.stringify(record));
    },
    async delete(accountId, region, principalArn, isDefault, name) {
      sql
        .get('DELETE FROM account_settings WHERE account_id = ? AND region = ? AND principal_arn = ? AND is_default = ? AND name = ?')
        .run(accountId, region, principalArn, isDefault ? 1 : 0, name);
    },
  };
}

function idempotency(sql: Statements): IdempotencyTable {
  return {
    async get(scopeKey) {
      const row = sql.get('SELECT request_hash, response, created_at FROM idempotency WHERE scope_key = ?').get(scopeKey) as
        | { request_hash: string; response: string; created_at: number }
        | undefined;
      return row && { requestHash: row.request_hash, response: row.response, createdAt: row.created_at };
    },
    async put(scopeKey, requestHash, response, createdAt) {
      sql
        .get(
          `INSERT INTO idempotency (scope_key, request_hash, response, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT DO UPDATE SET request_hash = excluded.request_hash, response = excluded.response, created_at = excluded.created_at`,
        )
        .run(scopeKey, requestHash, response, createdAt);
    },
  };
}

export function sqliteTables(db: Database, sealer: Sealer): StoreTx {
  const sql = new Statements(db);
  return {
    credentials: credentials(sql, sealer),
    clusters: clusters(sql),
    taskDefinitions: taskDefinitions(sql),
    containerInstances: containerInstances(sql),
    tasks: tasks(sql),
    accountSettings: accountSettings(sql),
    idempotency: idempotency(sql),
    secrets: secretsTable(sql, sealer),
    registry: registryTable(sql, sealer),
    services: servicesTable(sql),
    serviceDeployments: serviceDeploymentsTable(sql),
    serviceRevisions: serviceRevisionsTable(sql),
    leases: leasesTable(sql),
    ...elbv2Tables(sql),
  };
}
