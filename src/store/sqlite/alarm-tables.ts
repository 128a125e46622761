/** CloudWatch alarms' tables (see ../contract/alarms.ts): the alarms, their history, and their due actions. */
import { versionOf } from '../contract/core.js';
import type { AlarmActionRecord, AlarmHistoryRecord, AlarmTables, MetricAlarmRecord } from '../contract/alarms.js';
import { namedRows } from './named-rows.js';
import { deleteRow, parse, writeRow, type DocRow, type Statements } from './statements.js';

export function alarmTables(sql: Statements): AlarmTables {
  return {
    metricAlarms: {
      ...namedRows<MetricAlarmRecord>(sql, 'cw_alarms', 'metricAlarm'),
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
