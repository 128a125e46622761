/** IAM's table (see ../contract/iam.ts): one row per entity, its document in `doc`, names unique per account and type regardless of case. */
import { versionOf } from '../contract/core.js';
import type { IamEntity, IamEntityOf, IamEntityType, IamTables } from '../contract/iam.js';
import { deleteRow, parse, writeRow, type DocRow, type Statements } from './statements.js';

const keyOf = (record: Pick<IamEntity, 'accountId' | 'type' | 'name'>) => `${record.accountId}/${record.type}/${record.name.toLowerCase()}`;

export function iamTables(sql: Statements): IamTables {
  return {
    iamEntities: {
      async get<T extends IamEntityType>(accountId: string, type: T, name: string) {
        const row = sql.get('SELECT doc, version FROM iam_entities WHERE account_id = ? AND type = ? AND name = ?').get(accountId, type, name.toLowerCase()) as DocRow | undefined;
        return row && parse<IamEntityOf<T>>(row);
      },
      async list<T extends IamEntityType>(accountId: string, type: T) {
        const rows = sql.get('SELECT doc, version FROM iam_entities WHERE account_id = ? AND type = ? ORDER BY name').all(accountId, type) as DocRow[];
        return rows.map(parse<IamEntityOf<T>>);
      },
      async put(record) {
        writeRow(sql, {
          table: 'iam_entities',
          kind: 'iamEntity',
          key: keyOf(record),
          keyColumns: { account_id: record.accountId, type: record.type, name: record.name.toLowerCase() },
          columns: { arn: record.arn, doc: JSON.stringify(record) },
          expected: versionOf(record),
        });
      },
      async delete(record) {
        deleteRow(sql, {
          table: 'iam_entities',
          kind: 'iamEntity',
          key: keyOf(record),
          keyColumns: { account_id: record.accountId, type: record.type, name: record.name.toLowerCase() },
          expected: versionOf(record),
        });
      },
    },
  };
}
