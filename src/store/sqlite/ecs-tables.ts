/** ECS's own tables: clusters, task definitions, container instances, tasks and account settings. */
import type {
  AccountSettingRecord,
  AccountSettingsTable,
  ClusterCounts,
  ClusterRecord,
  ClustersTable,
  ContainerInstanceRecord,
  ContainerInstancesTable,
  EcsTables,
  TaskDefinitionQuery,
  TaskDefinitionRecord,
  TaskDefinitionsTable,
  TaskQuery,
  TaskRecord,
  TasksTable,
} from '../contract/ecs.js';
import { agentKeyOf } from '../contract/ecs.js';
import { versionOf, type PageRequest } from '../contract/core.js';
import { pageOf, seqAfter } from './paging.js';
import { deleteRow, parse, writeRow, type DocRow, type Statements } from './statements.js';

type SeqDocRow = DocRow & { seq: number };
const seqCursor = (row: SeqDocRow): string => String(row.seq);

/** The change feed's key of an account setting (see change-log.ts). */
const accountSettingKey = (accountId: string, region: string, principalArn: string, isDefault: 0 | 1, name: string) =>
  `${accountId}/${region}/${principalArn}/${isDefault}/${name}`;

/** The document stored under an ARN in one of the resource tables. */
function byArn<T>(sql: Statements, table: string): (arn: string) => Promise<T | undefined> {
  return async (arn) => {
    const row = sql.get(`SELECT doc, version FROM ${table} WHERE arn = ?`).get(arn) as DocRow | undefined;
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

function clusters(sql: Statements): ClustersTable {
  return {
    get: byArn<ClusterRecord>(sql, 'clusters'),
    async put(record) {
      const [, , , region, accountId] = record.clusterArn.split(':');
      writeRow(sql, {
        table: 'clusters',
        kind: 'cluster',
        key: record.clusterArn,
        keyColumns: { arn: record.clusterArn },
        columns: { account_id: accountId, region, status: record.status, doc: JSON.stringify(record) },
        expected: versionOf(record),
      });
    },
    async list(accountId, region, page, status) {
      const rows = sql
        .get(
          `SELECT seq, doc, version FROM clusters WHERE account_id = ? AND region = ? AND seq > ?
           AND (? IS NULL OR status = ?) ORDER BY seq LIMIT ?`,
        )
        .all(accountId, region, seqAfter(page), status ?? null, status ?? null, page.limit + 1) as SeqDocRow[];
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
          `SELECT doc, version FROM task_definitions WHERE account_id = ? AND region = ? AND family = ? AND status = 'ACTIVE'
           ORDER BY revision DESC LIMIT 1`,
        )
        .get(accountId, region, family) as DocRow | undefined;
      return row && parse<TaskDefinitionRecord>(row);
    },
    async put(record) {
      const [, , , region, accountId] = record.taskDefinitionArn.split(':');
      writeRow(sql, {
        table: 'task_definitions',
        kind: 'taskDefinition',
        key: record.taskDefinitionArn,
        keyColumns: { arn: record.taskDefinitionArn },
        columns: { account_id: accountId, region, family: record.family, revision: record.revision, status: record.status, doc: JSON.stringify(record) },
        expected: versionOf(record),
      });
      sql
        .get(
          `INSERT INTO task_definition_families (account_id, region, family, last_revision) VALUES (?, ?, ?, ?)
           ON CONFLICT DO UPDATE SET last_revision = max(last_revision, excluded.last_revision)`,
        )
        .run(accountId, region, record.family, record.revision);
    },
    async delete(arn, expectedVersion) {
      deleteRow(sql, { table: 'task_definitions', kind: 'taskDefinition', key: arn, keyColumns: { arn }, expected: expectedVersion });
    },
    async list(query, page) {
      // Cursor: "<family>\u0000<revision>", keyset over (family, revision) in the requested direction.
      const [afterFamily, afterRevision] = page.after ? splitCursor(page.after) : [null, null];
      const cmp = query.descending ? '<' : '>';
      const order = query.descending ? 'DESC' : 'ASC';
      const rows = sql
        .get(
          `SELECT family, revision, doc, version FROM task_definitions WHERE ${filters}
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
      writeRow(sql, {
        table: 'container_instances',
        kind: 'containerInstance',
        key: record.containerInstanceArn,
        keyColumns: { arn: record.containerInstanceArn },
        columns: { cluster_arn: record.clusterArn, status: record.status, doc: JSON.stringify(record) },
        expected: versionOf(record),
      });
    },
    async delete(arn, expectedVersion) {
      deleteRow(sql, { table: 'container_instances', kind: 'containerInstance', key: arn, keyColumns: { arn }, expected: expectedVersion });
    },
    async list(clusterArn, page, status) {
      const rows = sql
        .get(
          `SELECT seq, doc, version FROM container_instances WHERE cluster_arn = ? AND seq > ? AND (? IS NULL OR status = ?)
           ORDER BY seq LIMIT ?`,
        )
        .all(clusterArn, seqAfter(page), status ?? null, status ?? null, page.limit + 1) as SeqDocRow[];
      return pageOf(rows, page, parse<ContainerInstanceRecord>, seqCursor);
    },
    async all(clusterArn) {
      const rows = sql.get('SELECT doc, version FROM container_instances WHERE cluster_arn = ? ORDER BY seq').all(clusterArn) as DocRow[];
      return rows.map(parse<ContainerInstanceRecord>);
    },
    async listConnected() {
      const rows = sql.get(`SELECT doc, version FROM container_instances WHERE json_extract(doc, '$.agentConnected') = 1 ORDER BY seq`).all() as DocRow[];
      return rows.map(parse<ContainerInstanceRecord>);
    },
    async markAllDisconnected() {
      sql.get(`UPDATE container_instances SET doc = json_set(doc, '$.agentConnected', json('false')), version = version + 1 WHERE json_extract(doc, '$.agentConnected') = 1`).run();
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
      writeRow(sql, {
        table: 'tasks',
        kind: 'task',
        key: record.taskArn,
        keyColumns: { arn: record.taskArn },
        columns: {
          cluster_arn: record.clusterArn,
          family: record.taskDefinitionArn.split('/').pop()?.split(':')[0] ?? '',
          started_by: record.startedBy ?? null,
          grp: record.group ?? null,
          service_name: serviceNameOf(record.group),
          desired_status: record.desiredStatus,
          last_status: record.lastStatus,
          container_instance_arn: record.containerInstanceArn ?? null,
          launch_type: record.launchType ?? null,
          agent_key: agentKeyOf(record) ?? null,
          service_stop_unaccounted: serviceNameOf(record.group) !== null && record.lastStatus === 'STOPPED' && !record.serviceAccounted ? 1 : 0,
          doc: JSON.stringify(record),
        },
        expected: versionOf(record),
      });
    },
    async list(query: TaskQuery, page: PageRequest) {
      const [where, args] = taskConditions(query, page);
      const rows = sql.get(`SELECT seq, doc, version FROM tasks WHERE ${where} ORDER BY seq LIMIT ?`).all(...args, page.limit + 1) as SeqDocRow[];
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
      const rows = sql.get(`SELECT doc, version FROM tasks WHERE agent_key = ? AND last_status != 'STOPPED' ORDER BY seq`).all(agentKey) as DocRow[];
      return rows.map(parse<TaskRecord>);
    },
    async unassignedFargate(limit) {
      const rows = sql
        .get(`SELECT doc, version FROM tasks WHERE agent_key IS NULL AND launch_type = 'FARGATE' AND last_status != 'STOPPED' ORDER BY seq LIMIT ?`)
        .all(limit) as DocRow[];
      return rows.map(parse<TaskRecord>);
    },
    async statusCounts() {
      // Counted by SQLite from two columns; no task document is read.
      const rows = sql.get(`SELECT last_status, COALESCE(launch_type, 'unset') AS launch_type, COUNT(*) AS n FROM tasks GROUP BY last_status, launch_type`).all() as {
        last_status: string;
        launch_type: string;
        n: number;
      }[];
      return rows.map((row) => ({ lastStatus: row.last_status, launchType: row.launch_type, count: row.n }));
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
        .get(`SELECT doc, version FROM tasks WHERE cluster_arn = ? AND grp = ? AND service_stop_unaccounted = 1 ORDER BY seq LIMIT ?`)
        .all(clusterArn, group, limit) as DocRow[];
      return rows.map(parse<TaskRecord>);
    },
  };
}

function accountSettings(sql: Statements): AccountSettingsTable {
  return {
    async list(accountId, region) {
      const rows = sql
        .get('SELECT doc, version FROM account_settings WHERE account_id = ? AND region = ? ORDER BY name, is_default, principal_arn')
        .all(accountId, region) as DocRow[];
      return rows.map(parse<AccountSettingRecord>);
    },
    async put(record) {
      const isDefault = record.isDefault ? 1 : 0;
      writeRow(sql, {
        table: 'account_settings',
        kind: 'accountSetting',
        key: accountSettingKey(record.accountId, record.region, record.principalArn, isDefault, record.name),
        keyColumns: { account_id: record.accountId, region: record.region, principal_arn: record.principalArn, is_default: isDefault, name: record.name },
        columns: { doc: JSON.stringify(record) },
        expected: versionOf(record),
      });
    },
    async delete(accountId, region, principalArn, isDefault, name, expectedVersion) {
      const flag = isDefault ? 1 : 0;
      deleteRow(sql, {
        table: 'account_settings',
        kind: 'accountSetting',
        key: accountSettingKey(accountId, region, principalArn, flag, name),
        keyColumns: { account_id: accountId, region, principal_arn: principalArn, is_default: flag, name },
        expected: expectedVersion,
      });
    },
  };
}

export function ecsTables(sql: Statements): EcsTables {
  return {
    clusters: clusters(sql),
    taskDefinitions: taskDefinitions(sql),
    containerInstances: containerInstances(sql),
    tasks: tasks(sql),
    accountSettings: accountSettings(sql),
  };
}
