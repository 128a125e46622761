import type {
  LeasesTable,
  ServiceDeploymentRecord,
  ServiceDeploymentsTable,
  ServiceRecord,
  ServiceRevisionRecord,
  ServiceRevisionsTable,
  ServicesTable,
} from '../types.js';
import { pageOf, seqAfter } from './paging.js';
import type { Statements } from './tables.js';

interface DocRow {
  seq: number;
  doc: string;
}

const parse = <T>(row: { doc: string }): T => JSON.parse(row.doc) as T;

export function servicesTable(sql: Statements): ServicesTable {
  return {
    async get(arn) {
      const row = sql.get('SELECT doc FROM services WHERE arn = ?').get(arn) as DocRow | undefined;
      return row && parse<ServiceRecord>(row);
    },
    async put(record) {
      sql
        .get(
          `INSERT INTO services (arn, cluster_arn, status, launch_type, scheduling_strategy, deleted_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (arn) DO UPDATE SET status = excluded.status, launch_type = excluded.launch_type,
             scheduling_strategy = excluded.scheduling_strategy, deleted_at = excluded.deleted_at, doc = excluded.doc`,
        )
        .run(
          record.serviceArn,
          record.clusterArn,
          record.status,
          record.launchType ?? null,
          record.schedulingStrategy,
          record.deletedAt ?? null,
          JSON.stringify(record),
        );
    },
    async list(query, page) {
      const rows = sql
        .get(
          `SELECT seq, doc FROM services WHERE cluster_arn = ? AND status != 'INACTIVE' AND seq > ?
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
      const row = sql.get('SELECT doc FROM service_deployments WHERE arn = ?').get(arn) as DocRow | undefined;
      return row && parse<ServiceDeploymentRecord>(row);
    },
    async put(record) {
      sql
        .get(
          `INSERT INTO service_deployments (arn, service_arn, status, created_at, doc) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (arn) DO UPDATE SET status = excluded.status, doc = excluded.doc`,
        )
        .run(record.serviceDeploymentArn, record.serviceArn, record.status, record.createdAt, JSON.stringify(record));
    },
    async list(query, page) {
      const statuses = query.statuses && query.statuses.length > 0 ? query.statuses : undefined;
      const after = page.after === undefined ? Number.MAX_SAFE_INTEGER : seqAfter(page);
      const rows = sql
        .get(
          `SELECT seq, doc FROM service_deployments WHERE service_arn = ? AND seq < ?
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
      const row = sql.get('SELECT doc FROM service_revisions WHERE arn = ?').get(arn) as DocRow | undefined;
      return row && parse<ServiceRevisionRecord>(row);
    },
    async put(record) {
      sql
        .get(`INSERT INTO service_revisions (arn, service_arn, doc) VALUES (?, ?, ?) ON CONFLICT (arn) DO UPDATE SET doc = excluded.doc`)
        .run(record.serviceRevisionArn, record.serviceArn, JSON.stringify(record));
    },
  };
}

export function leasesTable(sql: Statements): LeasesTable {
  return {
    async get(name) {
      const row = sql.get('SELECT name, holder, expires_at FROM leases WHERE name = ?').get(name) as
        | { name: string; holder: string; expires_at: number }
        | undefined;
      return row && { name: row.name, holder: row.holder, expiresAt: row.expires_at };
    },
    async put(record) {
      sql
        .get(`INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at`)
        .run(record.name, record.holder, record.expiresAt);
    },
  };
}
