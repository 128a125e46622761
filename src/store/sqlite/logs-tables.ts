/** CloudWatch Logs' log groups (see ../contract/logs.ts). */
import type { LogGroup, LogsTables } from '../contract/logs.js';
import { namedRows } from './named-rows.js';
import { parse, type DocRow, type Statements } from './statements.js';

export function logsTables(sql: Statements): LogsTables {
  const groups = namedRows<LogGroup>(sql, 'log_groups', 'logGroup');
  return {
    logGroups: {
      ...groups,
      async list(accountId, region, prefix) {
        if (prefix === undefined) return groups.list(accountId, region);
        const rows = sql
          .get('SELECT doc, version FROM log_groups WHERE account_id = ? AND region = ? AND substr(name, 1, length(?)) = ? ORDER BY name')
          .all(accountId, region, prefix, prefix) as DocRow[];
        return rows.map(parse<LogGroup>);
      },
      async listWithRetention() {
        const rows = sql.get(`SELECT doc, version FROM log_groups WHERE json_extract(doc, '$.retentionInDays') IS NOT NULL ORDER BY account_id, region, name`).all() as DocRow[];
        return rows.map(parse<LogGroup>);
      },
    },
  };
}
