/** Secrets Manager's tables: one row per secret, one per version's value, sealed (see ../sealing.ts). */
import type { SecretRecord, SecretValue, SecretsTable, SecretsTables } from '../contract/secrets.js';
import { sealedFor, type Sealer } from '../sealing.js';
import { arnNamedRows } from './named-rows.js';
import { parse, type DocRow, type Statements } from './statements.js';

export function secretsTable(sql: Statements, sealer: Sealer): SecretsTable {
  return {
    ...arnNamedRows<SecretRecord>(sql, 'secrets', 'secret', (record) => ({ purge_at: record.purgeDate ?? null })),
    async list(accountId, region) {
      const rows = sql.get('SELECT seq, doc, version FROM secrets WHERE account_id = ? AND region = ? ORDER BY seq').all(accountId, region) as (DocRow & { seq: number })[];
      return rows.map((row) => ({ order: row.seq, record: parse<SecretRecord>(row) }));
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

export function secretsTables(sql: Statements, sealer: Sealer): SecretsTables {
  return { secrets: secretsTable(sql, sealer) };
}
