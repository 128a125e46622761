/** The core tables: credentials (sealed), leader leases and idempotency tokens. */
import type { CoreTables, CredentialRecord, CredentialsTable, IdempotencyTable, LeasesTable } from '../contract/core.js';
import { versionOf } from '../contract/core.js';
import { sealedFor, type Sealer } from '../sealing.js';
import { deleteRow, versioned, writeRow, type Statements } from './statements.js';

interface CredentialRow {
  access_key_id: string;
  doc: string;
  version: number;
}

/** A credential's document is sealed whole: it carries the secret access key. */
function credentials(sql: Statements, sealer: Sealer): CredentialsTable {
  const open = (row: CredentialRow): CredentialRecord =>
    versioned(JSON.parse(sealer.open(row.doc, sealedFor.credential(row.access_key_id))) as CredentialRecord, row.version);
  return {
    async get(accessKeyId) {
      const row = sql.get('SELECT access_key_id, doc, version FROM credentials WHERE access_key_id = ?').get(accessKeyId) as CredentialRow | undefined;
      return row && open(row);
    },
    async put(record) {
      writeRow(sql, {
        table: 'credentials',
        kind: 'credential',
        key: record.accessKeyId,
        keyColumns: { access_key_id: record.accessKeyId },
        columns: {
          account_id: record.accountId,
          is_root: record.isRoot ? 1 : 0,
          principal_arn: record.principalArn,
          doc: sealer.seal(JSON.stringify(record), sealedFor.credential(record.accessKeyId)),
        },
        expected: versionOf(record),
      });
    },
    async findRoot(accountId) {
      // Root's long-term key; session credentials root obtained (GetSessionToken) are root's too, but not it.
      const rows = sql.get('SELECT access_key_id, doc, version FROM credentials WHERE account_id = ? AND is_root = 1 ORDER BY rowid').all(accountId) as CredentialRow[];
      return rows.map(open).find((record) => record.sessionToken === undefined);
    },
    async forPrincipal(principalArn) {
      const rows = sql.get('SELECT access_key_id, doc, version FROM credentials WHERE principal_arn = ? ORDER BY rowid').all(principalArn) as CredentialRow[];
      // Access keys only: a user's temporary credentials are not among its keys (ListAccessKeys, the quota).
      return rows.map(open).filter((record) => record.sessionToken === undefined);
    },
    async roots() {
      const rows = sql.get('SELECT access_key_id, doc, version FROM credentials WHERE is_root = 1 ORDER BY rowid').all() as CredentialRow[];
      const byAccount = new Map<string, CredentialRecord>();
      for (const record of rows.map(open)) if (record.sessionToken === undefined && !byAccount.has(record.accountId)) byAccount.set(record.accountId, record);
      return [...byAccount.values()];
    },
    async temporary() {
      // Temporary keys are the ones STS issues with the ASIA prefix; their documents say the rest.
      const rows = sql.get("SELECT access_key_id, doc, version FROM credentials WHERE access_key_id LIKE 'ASIA%' ORDER BY rowid").all() as CredentialRow[];
      return rows.map(open).filter((record) => record.sessionToken !== undefined);
    },
    async delete(accessKeyId) {
      deleteRow(sql, { table: 'credentials', kind: 'credential', key: accessKeyId, keyColumns: { access_key_id: accessKeyId }, expected: undefined });
    },
  };
}

function leases(sql: Statements): LeasesTable {
  return {
    async get(name) {
      const row = sql.get('SELECT name, holder, expires_at, version FROM leases WHERE name = ?').get(name) as
        | { name: string; holder: string; expires_at: number; version: number }
        | undefined;
      return row && versioned({ name: row.name, holder: row.holder, expiresAt: row.expires_at }, row.version);
    },
    async put(record) {
      writeRow(sql, {
        table: 'leases',
        kind: 'lease',
        key: record.name,
        keyColumns: { name: record.name },
        columns: { holder: record.holder, expires_at: record.expiresAt },
        expected: versionOf(record),
      });
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

export function coreTables(sql: Statements, sealer: Sealer): CoreTables {
  return { credentials: credentials(sql, sealer), leases: leases(sql), idempotency: idempotency(sql) };
}
