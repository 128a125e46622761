/**
 * A SQLite connection's tables, composed from one module per service (as the contract is, see
 * ../contract/store.ts): a new service adds its module and one line here.
 */
import type { StoreTx } from '../contract/store.js';
import type { Sealer } from '../sealing.js';
import { acmTables } from './acm-tables.js';
import { alarmTables } from './alarm-tables.js';
import { coreTables } from './core-tables.js';
import { ecsTables } from './ecs-tables.js';
import { elbv2Tables } from './elbv2-tables.js';
import { iamTables } from './iam-tables.js';
import { registryTables } from './registry-table.js';
import { secretsTables } from './secrets-table.js';
import { servicesTables } from './services-table.js';
import { ssmTables } from './ssm-tables.js';
import { logsTables } from './logs-tables.js';
import { usageTables } from './usage-tables.js';
import type { Statements } from './statements.js';

export { Statements } from './statements.js';

export function sqliteTables(sql: Statements, sealer: Sealer): StoreTx {
  return {
    ...coreTables(sql, sealer),
    ...ecsTables(sql),
    ...servicesTables(sql),
    ...secretsTables(sql, sealer),
    ...registryTables(sql, sealer),
    ...elbv2Tables(sql),
    ...iamTables(sql),
    ...ssmTables(sql, sealer),
    ...acmTables(sql, sealer),
    ...logsTables(sql),
    ...alarmTables(sql),
    ...usageTables(sql),
  };
}
