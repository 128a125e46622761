/** SSM Parameter Store's tables (see ../contract/ssm.ts): parameters, and their versions sealed whole (see ../sealing.ts). */
import type { SsmParameter, SsmParameterVersion, SsmTables } from '../contract/ssm.js';
import { sealedFor, type Sealer } from '../sealing.js';
import { namedRows } from './named-rows.js';
import type { Statements } from './statements.js';

export function ssmTables(sql: Statements, sealer: Sealer): SsmTables {
  const open = (accountId: string, region: string, name: string, row: { doc: string; parameter_version: number }) =>
    JSON.parse(sealer.open(row.doc, sealedFor.ssmParameterVersion(accountId, region, name, row.parameter_version))) as SsmParameterVersion;
  const parameters = namedRows<SsmParameter>(sql, 'ssm_parameters', 'ssmParameter');
  return {
    ssmParameters: {
      ...parameters,
      async delete(record) {
        sql.get('DELETE FROM ssm_parameter_versions WHERE account_id = ? AND region = ? AND name = ?').run(record.accountId, record.region, record.name);
        await parameters.delete(record);
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
