/** Task usage samples (see ../contract/usage.ts): one row per task, its containers' samples as a document. */
import type { TaskUsageRecord, UsageTables } from '../contract/usage.js';
import type { Statements } from './statements.js';

const parse = (row: { doc: string }) => JSON.parse(row.doc) as TaskUsageRecord;

export function usageTables(sql: Statements): UsageTables {
  return {
    taskUsage: {
      async getMany(taskArns) {
        if (taskArns.length === 0) return [];
        // One statement whatever the count: the ARNs go in as a JSON array.
        const rows = sql.get('SELECT doc FROM task_usage WHERE task_arn IN (SELECT value FROM json_each(?))').all(JSON.stringify(taskArns)) as { doc: string }[];
        return rows.map(parse);
      },
      async list() {
        return (sql.get('SELECT doc FROM task_usage ORDER BY task_arn').all() as { doc: string }[]).map(parse);
      },
      async put(record) {
        sql
          .get(
            `INSERT INTO task_usage (task_arn, agent_key, received_at, doc) VALUES (?, ?, ?, ?)
             ON CONFLICT (task_arn) DO UPDATE SET agent_key = excluded.agent_key, received_at = excluded.received_at, doc = excluded.doc`,
          )
          .run(record.taskArn, record.agentKey, record.receivedAt, JSON.stringify(record));
      },
      async delete(records) {
        const statement = sql.get('DELETE FROM task_usage WHERE task_arn = ? AND received_at = ?');
        for (const record of records) statement.run(record.taskArn, record.receivedAt);
      },
    },
  };
}
