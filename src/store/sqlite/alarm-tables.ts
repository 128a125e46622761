/** CloudWatch alarms' tables (see ../contract/alarms.ts): the alarms, their history, and their due actions. */
import { versionOf } from '../contract/core.js';
import type { AlarmActionRecord, AlarmHistoryRecord, AlarmTables, MetricAlarmRecord } from '../contract/alarms.js';
import { deleteRow, parse, writeRow, type DocRow, type Statements } from './statements.js';

const keyOf = (record: Pick<MetricAlarmRecord, 'accountId' | 'region' | 'name'>) => `${record.accountId}/${record.region}/${record.name}`;

export function alarmTables(sql: Statements): AlarmTables {
  return {
    metricAlarms: {
      async get(accountId, region, name) {
        const row = sql.get('SELECT doc, version FROM cw_alarms WHERE account_id = ? AND region = ? AND name = ?').get(accountId, region, name) as DocRow | undefined;
        return row && parse<MetricAlarmRecord>(row);
      },
      async list(accountId, region) {
        const rows = sql.get('SELECT doc, version FROM cw_alarms WHERE account_id = ? AND region = ? ORDER BY name').all(accountId, region) as DocRow[];
        return rows.map(parse<MetricAlarmRecord>);
      },
      async listAll() {
        const rows = sql.get('SELECT doc, version FROM cw_alarms ORDER BY account_id, region, name').all() as DocRow[];
        return rows.map(parse<MetricAlarmRecord>);
      },
      async put(record) {
        writeRow(sql, {
          table: 'cw_alarms',
          kind: 'metricAlarm',
          key: keyOf(record),
          keyColumns: { account_id: record.accountId, region: record.region, name: record.name },
          columns: { doc: JSON.stringify(record) },
          expected: versionOf(record),
        });
      },
      async delete(record) {
        deleteRow(sql, {
          table: 'cw_alarms',
          kind: 'metricAlarm',
          key: keyOf(record),
          keyColumns: { account_id: record.accountId, region: record.region, name: record.name },
          expected: versionOf(record),
        });
      },
      async appendHistory(item) {
        sql
          .get('INSERT INTO cw_alarm_history (account_id, region, alarm_name, at, type, doc) VALUES (?, ?, ?, ?, ?, ?)')
          .run(item.accountId, item.region, item.alarmName, item.timestamp, item.type, JSON.stringify(item));
      },
      async history(query) {
        const where = ['account_id = ?', 'region = ?'];
        const args: unknown[] = [query.accountId, query.region];
        if (query.alarmName !== undefined) (where.push('alarm_name = ?'), args.push(query.alarmName));
        if (query.type !== undefined) (where.push('type = ?'), args.push(query.type));
        if (query.start !== undefined) (where.push('at >= ?'), args.push(query.start));
        if (query.end !== undefined) (where.push('at <= ?'), args.push(query.end));
        const order = query.newestFirst ? 'DESC' : 'ASC';
        const rows = sql
          .get(`SELECT doc FROM cw_alarm_history WHERE ${where.join(' AND ')} ORDER BY at ${order}, seq ${order} LIMIT ? OFFSET ?`)
          .all(...args, query.limit, query.offset) as { doc: string }[];
        return rows.map((row) => JSON.parse(row.doc) as AlarmHistoryRecord);
      },
    },
    alarmActions: {
      async add(record) {
        writeRow(sql, {
          table: 'cw_alarm_actions',
          kind: 'alarmAction',
          key: record.id,
          keyColumns: { id: record.id },
          columns: { account_id: record.accountId, service: record.service, due_at: record.dueAt, doc: JSON.stringify(record) },
          expected: undefined,
        });
      },
      async get(id) {
        const row = sql.get('SELECT doc, version FROM cw_alarm_actions WHERE id = ?').get(id) as DocRow | undefined;
        return row && parse<AlarmActionRecord>(row);
      },
      async pending(service) {
        const rows = sql.get('SELECT doc, version FROM cw_alarm_actions WHERE service = ? ORDER BY due_at, seq').all(service) as DocRow[];
        return rows.map(parse<AlarmActionRecord>);
      },
      async complete(record) {
        deleteRow(sql, { table: 'cw_alarm_actions', kind: 'alarmAction', key: record.id, keyColumns: { id: record.id }, expected: versionOf(record) });
      },
    },
  };
}
