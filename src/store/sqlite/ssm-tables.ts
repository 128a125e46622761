/** SSM Parameter Store's tables (see ../contract/ssm.ts): parameters, and their versions sealed whole (see ../sealing.ts). */
import { versionOf } from '../contract/core.js';
import type { SsmParameter, SsmParameterVersion, SsmTables } from '../contract/ssm.js';
import { sealedFor, type Sealer } from '../sealing.js';
import { deleteRow, parse, writeRow, type DocRow, type Statements } from './statements.js';

const keyOf = (record: Pick<SsmParameter, 'accountId' | 'region' | 'name'>) => `${record.accountId}/${record.region}/${record.name}`;

export function ssmTables(sql: Statements, sealer: Sealer): SsmTables {
  const open = (accountId: string, region: string, name: string, row: { doc: string; parameter_version: number }) =>
    JSON.parse(sealer.open(row.doc, sealedFor.ssmParameterVersion(accountId, region, name, row.parameter_version))) as SsmParameterVersion;
  return {
    ssmParameters: {
      async get(accountId, region, name) {
        const row = sql.get('SELECT doc, version FROM ssm_parameters WHERE account_id = ? AND region = ? AND name = ?').get(accountId, region, name) as DocRow | undefined;
        return row && parse<SsmParameter>(row);
      },
      async list(accountId, region) {
        const rows = sql.get('SELECT doc, version FROM ssm_parameters WHERE account_id = ? AND region = ? ORDER BY name').all(accountId, region) as DocRow[];
        return rows.map(parse<SsmParameter>);
      },
      async put(record) {
        writeRow(sql, {
          table: 'ssm_parameters',
          kind: 'ssmParameter',
          key: keyOf(record),
          keyColumns: { account_id: record.accountId, region: record.region, name: record.name },
          columns: { doc: JSON.stringify(record) },
          expected: versionOf(record),
        });
      },
      async delete(record) {
        sql.get('DELETE FROM ssm_parameter_versions WHERE account_id = ? AND region = ? AND name = ?').run(record.accountId, record.region, record.name);
        deleteRow(sql, {
          table: 'ssm_parameters',
          kind: 'ssmParameter',
          key: keyOf(record),
          keyColumns: { account_id: record.accountId, region: record.region, name: record.name },
          expected: versionOf(record),
        });
      },
      async getVersion(accountId, region, name, version) {
        const row = sql
          .get('SELECT doc, parameter_version FROM ssm_parameter_versions WHERE account_id = ? AND region = ? AND name = ? AND parameter_version = ?')
          .get(accountId, region, name, version) as { doc: string; parameter_version: number } | undefined;
        return row && open(accountId, region, name, row);
      },
      async listVersions(accountId, region, name) {
        const rows = sql
          .get('SELECT doc, parameter_version FROM ssm_parameter_versions WHERE account_id = ? AND region = ? AND name = ? ORDER BY parameter_version')
          .all(accountId, region, name) as { doc: string; parameter_version: number }[];
        return rows.map((row) => open(accountId, region, name, row));
      },
      async putVersion(accountId, region, name, version) {
        sql
          .get(
            `INSERT INTO ssm_parameter_versions (account_id, region, name, parameter_version, doc) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT DO UPDATE SET doc = excluded.doc`,
          )
          .run(accountId, region, name, version.version, sealer.seal(JSON.stringify(version), sealedFor.ssmParameterVersion(accountId, region, name, version.version)));
      },
      async deleteVersion(accountId, region, name, version) {
        sql.get('DELETE FROM ssm_parameter_versions WHERE account_id = ? AND region = ? AND name = ? AND parameter_version = ?').run(accountId, region, name, version);
      },
    },
  };
}
