/** Secrets Manager's tables: one row per secret, one per version's value, sealed (see ../sealing.ts). */
import type { SecretRecord, SecretValue, SecretsTable } from '../types.js';
import { sealedFor, type Sealer } from '../sealing.js';
import type { Statements } from './tables.js';

interface DocRow {
  doc: string;
}

const parse = <T>(row: DocRow): T => JSON.parse(row.doc) as T;

export function secretsTable(sql: Statements, sealer: Sealer): SecretsTable {
  return {
    async get(arn) {
      const row = sql.get('SELECT doc FROM secrets WHERE arn = ?').get(arn) as DocRow | undefined;
      return row && parse<SecretRecord>(row);
    },
    async findByName(accountId, region, name) {
      const row = sql.get('SELECT doc FROM secrets WHERE account_id = ? AND region = ? AND name = ?').get(accountId, region, name) as DocRow | undefined;
      return row && parse<SecretRecord>(row);
    },
    async list(accountId, region) {
      const rows = sql.get('SELECT seq, doc FROM secrets WHERE account_id = ? AND region = ? ORDER BY seq').all(accountId, region) as (DocRow & { seq: number })[];
      return rows.map((row) => ({ order: row.seq, record: parse<SecretRecord>(row) }));
    },
    async put(record) {
      sql
        .get(
          `INSERT INTO secrets (arn, account_id, region, name, purge_at, doc) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (arn) DO UPDATE SET purge_at = excluded.purge_at, doc = excluded.doc`,
        )
        .run(record.arn, record.accountId, record.region, record.name, record.purgeDate ?? null, JSON.stringify(record));
    },
    async delete(arn) {
      sql.get('DELETE FROM secrets WHERE arn = ?').run(arn);
    },
    async purgeDue(now) {
      sql.get('DELETE FROM secrets WHERE purge_at IS NOT NULL AND purge_at <= ?').run(now);
    },
    async getValue(arn, versionId) {
      const row = sql.get('SELECT doc FROM secret_values WHERE secret_arn = ? AND version_id = ?').get(arn, versionId) as DocRow | undefined;
      return row && (JSON.parse(sealer.open(row.doc, sealedFor.secretValue(arn, versionId))) as SecretValue);
    },
    async putValue(arn, versionId, value) {
      sql
        .get(
          `INSERT INTO secret_values (secret_arn, version_id, doc) VALUES (?, ?, ?)
           ON CONFLICT DO UPDATE SET doc = excluded.doc`,
        )
        .run(arn, versionId, sealer.seal(JSON.stringify(value), sealedFor.secretValue(arn, versionId)));
    },
    async deleteValue(arn, versionId) {
      sql.get('DELETE FROM secret_values WHERE secret_arn = ? AND version_id = ?').run(arn, versionId);
    },
  };
}
