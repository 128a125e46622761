import { versionOf } from '../contract/core.js';
import type {
  ServiceDeploymentRecord,
  ServiceDeploymentsTable,
  ServiceRecord,
  ServiceRevisionRecord,
  ServiceRevisionsTable,
  ServicesTable,
  ServicesTables,
} from '../contract/services.js';
import { pageOf, seqAfter } from './paging.js';
import { parse, writeRow, type DocRow as VersionedDocRow, type Statements } from './statements.js';

type DocRow = VersionedDocRow & { seq: number };

export function servicesTable(sql: Statements): ServicesTable {
  return {
    async get(arn) {
      const row = sql.get('SELECT doc, version FROM services WHERE arn = ?').get(arn) as DocRow | undefined;
      return row && parse<ServiceRecord>(row);
    },
    async put(record) {
      writeRow(sql, {
        table: 'services',
        kind: 'service',
        key: record.serviceArn,
        keyColumns: { arn: record.serviceArn },
        columns: {
          cluster_arn: record.clusterArn,
          status: record.status,
          launch_type: record.launchType ?? null,
          scheduling_strategy: record.schedulingStrategy,
          deleted_at: record.deletedAt ?? null,
          doc: JSON.stringify(record),
        },
        expected: versionOf(record),
      });
    },
    async list(query, page) {
      const rows = sql
        .get(
          `SELECT seq, doc, version FROM services WHERE cluster_arn = ? AND status != 'INACTIVE' AND seq > ?
           AND (? IS NULL OR launch_type = ?) AND (? IS NULL OR scheduling_strategy = ?) ORDER BY seq LIMIT ?`,
        )
        .all(
          query.clusterArn,
          seqAfter(page),
          query.launchType ?? null,
          query.launchType ?? null,
          query.schedulingStrategy ?? null,
          query.schedulingStrategy ?? null,
          page.limit + 1,
        ) as DocRow[];
      return pageOf(rows, page, parse<ServiceRecord>, (row) => String(row.seq));
    },
    async listLive() {
      const rows = sql.get(`SELECT arn, cluster_arn FROM services WHERE status != 'INACTIVE' ORDER BY seq`).all() as { arn: string; cluster_arn: string }[];
      return rows.map((row) => ({ serviceArn: row.arn, clusterArn: row.cluster_arn }));
    },
    async purgeInactive(before) {
      sql.get(`DELETE FROM services WHERE status = 'INACTIVE' AND deleted_at < ?`).run(before);
    },
  };
}

export function serviceDeploymentsTable(sql: Statements): ServiceDeploymentsTable {
  return {
    async get(arn) {
      const row = sql.get('SELECT doc, version FROM service_deployments WHERE arn = ?').get(arn) as DocRow | undefined;
      return row && parse<ServiceDeploymentRecord>(row);
    },
    async put(record) {
      writeRow(sql, {
        table: 'service_deployments',
        kind: 'serviceDeployment',
        key: record.serviceDeploymentArn,
        keyColumns: { arn: record.serviceDeploymentArn },
        columns: { service_arn: record.serviceArn, status: record.status, created_at: record.createdAt, doc: JSON.stringify(record) },
        expected: versionOf(record),
      });
    },
    async list(query, page) {
      const statuses = query.statuses && query.statuses.length > 0 ? query.statuses : undefined;
      const after = page.after === undefined ? Number.MAX_SAFE_INTEGER : seqAfter(page);
      const rows = sql
        .get(
          `SELECT seq, doc, version FROM service_deployments WHERE service_arn = ? AND seq < ?
           AND (? IS NULL OR status IN (SELECT value FROM json_each(?)))
           AND (? IS NULL OR created_at >= ?) AND (? IS NULL OR created_at <= ?)
           ORDER BY seq DESC LIMIT ?`,
        )
        .all(
          query.serviceArn,
          after,
          statuses ? 1 : null,
          JSON.stringify(statuses ?? []),
          query.createdAfter ?? null,
          query.createdAfter ?? null,
          query.createdBefore ?? null,
          query.createdBefore ?? null,
          page.limit + 1,
        ) as DocRow[];
      return pageOf(rows, page, parse<ServiceDeploymentRecord>, (row) => String(row.seq));
    },
  };
}

export function serviceRevisionsTable(sql: Statements): ServiceRevisionsTable {
  return {
    async get(arn) {
      const row = sql.get('SELECT doc, version FROM service_revisions WHERE arn = ?').get(arn) as DocRow | undefined;
      return row && parse<ServiceRevisionRecord>(row);
    },
    async put(record) {
      writeRow(sql, {
        table: 'service_revisions',
        kind: 'serviceRevision',
        key: record.serviceRevisionArn,
        keyColumns: { arn: record.serviceRevisionArn },
        columns: { service_arn: record.serviceArn, doc: JSON.stringify(record) },
        expected: versionOf(record),
      });
    },
  };
}

export function servicesTables(sql: Statements): ServicesTables {
  return { services: servicesTable(sql), serviceDeployments: serviceDeploymentsTable(sql), serviceRevisions: serviceRevisionsTable(sql) };
}
