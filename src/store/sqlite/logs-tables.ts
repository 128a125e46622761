/** CloudWatch Logs' log groups (see ../contract/logs.ts). */
import { versionOf } from '../contract/core.js';
import type { LogGroup, LogsTables } from '../contract/logs.js';
import { deleteRow, parse, writeRow, type DocRow, type Statements } from './statements.js';

const keyOf = (record: Pick<LogGroup, 'accountId' | 'region' | 'name'>) => `${record.accountId}/${record.region}/${record.name}`;

export function logsTables(sql: Statements): LogsTables {
  return {
    logGroups: {
      async get(accountId, region, name) {
        const row = sql.get('SELECT doc, version FROM log_groups WHERE account_id = ? AND region = ? AND name = ?').get(accountId, region, name) as DocRow | undefined;
        return row && parse<LogGroup>(row);
      },
      async list(accountId, region, prefix) {
        const rows = (
          prefix === undefined
            ? sql.get('SELECT doc, version FROM log_groups WHERE account_id = ? AND region = ? ORDER BY name').all(accountId, region)
            : sql
                .get('SELECT doc, version FROM log_groups WHERE account_id = ? AND region = ? AND substr(name, 1, length(?)) = ? ORDER BY name')
                .all(accountId, region, prefix, prefix)
        ) as DocRow[];
        return rows.map(parse<LogGroup>);
      },
      async listWithRetention() {
        const rows = sql.get(`SELECT doc, version FROM log_groups WHERE json_extract(doc, '$.retentionInDays') IS NOT NULL ORDER BY account_id, region, name`).all() as DocRow[];
        return rows.map(parse<LogGroup>);
      },
      async listAll() {
        const rows = sql.get('SELECT doc, version FROM log_groups ORDER BY account_id, region, name').all() as DocRow[];
        return rows.map(parse<LogGroup>);
      },
      async put(record) {
        writeRow(sql, {
          table: 'log_groups',
          kind: 'logGroup',
          key: keyOf(record),
          keyColumns: { account_id: record.accountId, region: record.region, name: record.name },
          columns: { doc: JSON.stringify(record) },
          expected: versionOf(record),
        });
      },
      async delete(record) {
        deleteRow(sql, {
          table: 'log_groups',
          kind: 'logGroup',
          key: keyOf(record),
          keyColumns: { account_id: record.accountId, region: record.region, name: record.name },
          expected: versionOf(record),
        });
      },
    },
  };
}
