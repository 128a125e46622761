/** Elastic Load Balancing v2's tables (see ../contract/elbv2.ts): one row per record, its document in `doc`. */
import {
  targetGroupsOf,
  type Elbv2Tables,
  type ListenerRecord,
  type LoadBalancerRecord,
  type RuleRecord,
  type TargetGroupRecord,
  type TargetHealthRecord,
  type TargetRecord,
} from '../contract/elbv2.js';
import { versionOf } from '../contract/core.js';
import { arnNamedRows } from './named-rows.js';
import { deleteRow, parse, writeRow, type DocRow as VersionedRow, type Statements } from './statements.js';

type DocRow = VersionedRow & { seq: number };

const targetKey = (targetGroupArn: string, id: string, port: number) => `${targetGroupArn}/${id}:${port}`;

/**
 * Every write of a record read from the store compares the version it was read at (statements.ts),
 * as the other services' tables do. A target's registration and its health are also written as
 * plain assignments: registering a target that is registered (or draining) registers it again, and
 * a health report states what the checks saw, so neither has an earlier state to lose.
 */
function assignTargetRow(sql: Statements, table: 'elb_targets' | 'elb_target_health', record: TargetRecord | TargetHealthRecord): void {
  sql
    .get(
      `INSERT INTO ${table} (target_group_arn, target_id, port, doc) VALUES (?, ?, ?, ?)
       ON CONFLICT (target_group_arn, target_id, port) DO UPDATE SET doc = excluded.doc, version = version + 1`,
    )
    .run(record.targetGroupArn, record.id, record.port, JSON.stringify(record));
}

function loadBalancers(sql: Statements): Elbv2Tables['loadBalancers'] {
  return {
    ...arnNamedRows<LoadBalancerRecord>(sql, 'elb_load_balancers', 'loadBalancer', (record) => ({ address: record.address })),
    async addressesInUse() {
      return sql.get('SELECT address FROM elb_load_balancers').pluck().all() as string[];
    },
    async all() {
      const rows = sql.get('SELECT seq, doc, version FROM elb_load_balancers ORDER BY seq').all() as DocRow[];
      return rows.map(parse<LoadBalancerRecord>);
    },
  };
}

function targetGroups(sql: Statements): Elbv2Tables['targetGroups'] {
  return arnNamedRows<TargetGroupRecord>(sql, 'elb_target_groups', 'targetGroup');
}

function listeners(sql: Statements): Elbv2Tables['listeners'] {
  return {
    async get(arn) {
      const row = sql.get('SELECT doc, version FROM elb_listeners WHERE arn = ?').get(arn) as DocRow | undefined;
      return row && parse<ListenerRecord>(row);
    },
    async forLoadBalancer(loadBalancerArn) {
      const rows = sql.get('SELECT seq, doc, version FROM elb_listeners WHERE load_balancer_arn = ? ORDER BY seq').all(loadBalancerArn) as DocRow[];
      return rows.map(parse<ListenerRecord>);
    },
    async usingCertificate(certificateArn) {
      const rows = sql
        .get(`SELECT seq, doc, version FROM elb_listeners WHERE EXISTS (SELECT 1 FROM json_each(elb_listeners.doc, '$.certificates') WHERE json_extract(value, '$.certificateArn') = ?) ORDER BY seq`)
        .all(certificateArn) as DocRow[];
      return rows.map(parse<ListenerRecord>);
    },
    async put(record) {
      writeRow(sql, {
        table: 'elb_listeners',
        kind: 'listener',
        key: record.arn,
        keyColumns: { arn: record.arn },
        columns: { load_balancer_arn: record.loadBalancerArn, doc: JSON.stringify(record) },
        expected: versionOf(record),
      });
    },
    async delete(arn) {
      deleteRow(sql, { table: 'elb_listeners', kind: 'listener', key: arn, keyColumns: { arn }, expected: undefined });
    },
  };
}

function rules(sql: Statements): Elbv2Tables['rules'] {
  return {
    async get(arn) {
      const row = sql.get('SELECT doc, version FROM elb_rules WHERE arn = ?').get(arn) as DocRow | undefined;
      return row && parse<RuleRecord>(row);
    },
    async forListener(listenerArn) {
      const rows = sql.get('SELECT seq, doc, version FROM elb_rules WHERE listener_arn = ? ORDER BY seq').all(listenerArn) as DocRow[];
      return rows.map(parse<RuleRecord>);
    },
    async forwardingTo(targetGroupArn) {
      const rows = sql
        .get('SELECT seq, doc, version FROM elb_rules WHERE EXISTS (SELECT 1 FROM json_each(elb_rules.target_groups) WHERE value = ?) ORDER BY seq')
        .all(targetGroupArn) as DocRow[];
      return rows.map(parse<RuleRecord>);
    },
    async put(record) {
      writeRow(sql, {
        table: 'elb_rules',
        kind: 'rule',
        key: record.arn,
        keyColumns: { arn: record.arn },
        columns: {
          listener_arn: record.listenerArn,
          load_balancer_arn: record.loadBalancerArn,
          target_groups: JSON.stringify(targetGroupsOf(record.actions)),
          doc: JSON.stringify(record),
        },
        expected: versionOf(record),
      });
    },
    async delete(arn) {
      deleteRow(sql, { table: 'elb_rules', kind: 'rule', key: arn, keyColumns: { arn }, expected: undefined });
    },
  };
}

/**
 * A table of per-target rows (registrations, health), keyed by target group, target id and port.
 * A record read from the store is written under its version; one without a version is assigned.
 */
function targetRows<T extends TargetRecord | TargetHealthRecord>(sql: Statements, table: 'elb_targets' | 'elb_target_health', kind: 'target' | 'targetHealth') {
  const keyColumns = (targetGroupArn: string, id: string, port: number) => ({ target_group_arn: targetGroupArn, target_id: id, port });
  return {
    async forTargetGroup(targetGroupArn: string): Promise<T[]> {
      // Oldest first: rowid is the registrations' seq, and the order rows were first written for health.
      const rows = sql.get(`SELECT doc, version FROM ${table} WHERE target_group_arn = ? ORDER BY rowid`).all(targetGroupArn) as VersionedRow[];
      return rows.map(parse<T>);
    },
    async put(record: T): Promise<void> {
      if (versionOf(record) === undefined) return assignTargetRow(sql, table, record);
      writeRow(sql, {
        table,
        kind,
        key: targetKey(record.targetGroupArn, record.id, record.port),
        keyColumns: keyColumns(record.targetGroupArn, record.id, record.port),
        columns: { doc: JSON.stringify(record) },
        expected: versionOf(record),
      });
    },
    async delete(targetGroupArn: string, id: string, port: number): Promise<void> {
      deleteRow(sql, { table, kind, key: targetKey(targetGroupArn, id, port), keyColumns: keyColumns(targetGroupArn, id, port), expected: undefined });
    },
  };
}

export function elbv2Tables(sql: Statements): Elbv2Tables {
  return {
    loadBalancers: loadBalancers(sql),
    targetGroups: targetGroups(sql),
    listeners: listeners(sql),
    rules: rules(sql),
    targets: targetRows<TargetRecord>(sql, 'elb_targets', 'target'),
    targetHealth: targetRows<TargetHealthRecord>(sql, 'elb_target_health', 'targetHealth'),
  };
}
