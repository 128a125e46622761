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
import { pageOf, seqAfter } from './paging.js';
import type { Statements } from './tables.js';

interface DocRow {
  seq: number;
  doc: string;
}

const parse = <T>(row: { doc: string }): T => JSON.parse(row.doc) as T;

/**
 * The version column moves on every update so the change feed's version does too (see
 * change-log.ts): `version = version + 1` in each ON CONFLICT clause.
 */
function loadBalancers(sql: Statements): Elbv2Tables['loadBalancers'] {
  return {
    async get(arn) {
      const row = sql.get('SELECT doc FROM elb_load_balancers WHERE arn = ?').get(arn) as DocRow | undefined;
      return row && parse<LoadBalancerRecord>(row);
    },
    async findByName(accountId, region, name) {
      const row = sql.get('SELECT doc FROM elb_load_balancers WHERE account_id = ? AND region = ? AND name = ?').get(accountId, region, name) as DocRow | undefined;
      return row && parse<LoadBalancerRecord>(row);
    },
    async list(accountId, region, page) {
      const rows = sql
        .get('SELECT seq, doc FROM elb_load_balancers WHERE account_id = ? AND region = ? AND seq > ? ORDER BY seq LIMIT ?')
        .all(accountId, region, seqAfter(page), page.limit + 1) as DocRow[];
      return pageOf(rows, page, parse<LoadBalancerRecord>, (row) => String(row.seq));
    },
    async addressesInUse() {
      return sql.get('SELECT address FROM elb_load_balancers').pluck().all() as string[];
    },
    async all() {
      const rows = sql.get('SELECT seq, doc FROM elb_load_balancers ORDER BY seq').all() as DocRow[];
      return rows.map(parse<LoadBalancerRecord>);
    },
    async put(record) {
      sql
        .get(
          `INSERT INTO elb_load_balancers (arn, account_id, region, name, address, doc) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (arn) DO UPDATE SET address = excluded.address, doc = excluded.doc, version = version + 1`,
        )
        .run(record.arn, record.accountId, record.region, record.name, record.address, JSON.stringify(record));
    },
    async delete(arn) {
      sql.get('DELETE FROM elb_load_balancers WHERE arn = ?').run(arn);
    },
  };
}

function targetGroups(sql: Statements): Elbv2Tables['targetGroups'] {
  return {
    async get(arn) {
      const row = sql.get('SELECT doc FROM elb_target_groups WHERE arn = ?').get(arn) as DocRow | undefined;
      return row && parse<TargetGroupRecord>(row);
    },
    async findByName(accountId, region, name) {
      const row = sql.get('SELECT doc FROM elb_target_groups WHERE account_id = ? AND region = ? AND name = ?').get(accountId, region, name) as DocRow | undefined;
      return row && parse<TargetGroupRecord>(row);
    },
    async list(accountId, region, page) {
      const rows = sql
        .get('SELECT seq, doc FROM elb_target_groups WHERE account_id = ? AND region = ? AND seq > ? ORDER BY seq LIMIT ?')
        .all(accountId, region, seqAfter(page), page.limit + 1) as DocRow[];
      return pageOf(rows, page, parse<TargetGroupRecord>, (row) => String(row.seq));
    },
    async put(record) {
      sql
        .get(
          `INSERT INTO elb_target_groups (arn, account_id, region, name, doc) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (arn) DO UPDATE SET doc = excluded.doc, version = version + 1`,
        )
        .run(record.arn, record.accountId, record.region, record.name, JSON.stringify(record));
    },
    async delete(arn) {
      sql.get('DELETE FROM elb_target_groups WHERE arn = ?').run(arn);
    },
  };
}

function listeners(sql: Statements): Elbv2Tables['listeners'] {
  return {
    async get(arn) {
      const row = sql.get('SELECT doc FROM elb_listeners WHERE arn = ?').get(arn) as DocRow | undefined;
      return row && parse<ListenerRecord>(row);
    },
    async forLoadBalancer(loadBalancerArn) {
      const rows = sql.get('SELECT seq, doc FROM elb_listeners WHERE load_balancer_arn = ? ORDER BY seq').all(loadBalancerArn) as DocRow[];
      return rows.map(parse<ListenerRecord>);
    },
    async put(record) {
      sql
        .get(
          `INSERT INTO elb_listeners (arn, load_balancer_arn, doc) VALUES (?, ?, ?)
           ON CONFLICT (arn) DO UPDATE SET doc = excluded.doc, version = version + 1`,
        )
        .run(record.arn, record.loadBalancerArn, JSON.stringify(record));
    },
    async delete(arn) {
      sql.get('DELETE FROM elb_listeners WHERE arn = ?').run(arn);
    },
  };
}

function rules(sql: Statements): Elbv2Tables['rules'] {
  return {
    async get(arn) {
      const row = sql.get('SELECT doc FROM elb_rules WHERE arn = ?').get(arn) as DocRow | undefined;
      return row && parse<RuleRecord>(row);
    },
    async forListener(listenerArn) {
      const rows = sql.get('SELECT seq, doc FROM elb_rules WHERE listener_arn = ? ORDER BY seq').all(listenerArn) as DocRow[];
      return rows.map(parse<RuleRecord>);
    },
    async forwardingTo(targetGroupArn) {
      const rows = sql
        .get('SELECT seq, doc FROM elb_rules WHERE EXISTS (SELECT 1 FROM json_each(elb_rules.target_groups) WHERE value = ?) ORDER BY seq')
        .all(targetGroupArn) as DocRow[];
      return rows.map(parse<RuleRecord>);
    },
    async put(record) {
      sql
        .get(
          `INSERT INTO elb_rules (arn, listener_arn, load_balancer_arn, target_groups, doc) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (arn) DO UPDATE SET target_groups = excluded.target_groups, doc = excluded.doc, version = version + 1`,
        )
        .run(record.arn, record.listenerArn, record.loadBalancerArn, JSON.stringify(targetGroupsOf(record.actions)), JSON.stringify(record));
    },
    async delete(arn) {
      sql.get('DELETE FROM elb_rules WHERE arn = ?').run(arn);
    },
  };
}

function targets(sql: Statements): Elbv2Tables['targets'] {
  return {
    async forTargetGroup(targetGroupArn) {
      const rows = sql.get('SELECT seq, doc FROM elb_targets WHERE target_group_arn = ? ORDER BY seq').all(targetGroupArn) as DocRow[];
      return rows.map(parse<TargetRecord>);
    },
    async put(record) {
      sql
        .get(
          `INSERT INTO elb_targets (target_group_arn, target_id, port, doc) VALUES (?, ?, ?, ?)
           ON CONFLICT (target_group_arn, target_id, port) DO UPDATE SET doc = excluded.doc, version = version + 1`,
        )
        .run(record.targetGroupArn, record.id, record.port, JSON.stringify(record));
    },
    async delete(targetGroupArn, id, port) {
      sql.get('DELETE FROM elb_targets WHERE target_group_arn = ? AND target_id = ? AND port = ?').run(targetGroupArn, id, port);
    },
  };
}

function targetHealth(sql: Statements): Elbv2Tables['targetHealth'] {
  return {
    async forTargetGroup(targetGroupArn) {
      const rows = sql.get('SELECT doc FROM elb_target_health WHERE target_group_arn = ?').all(targetGroupArn) as DocRow[];
      return rows.map(parse<TargetHealthRecord>);
    },
    async put(record) {
      sql
        .get(
          `INSERT INTO elb_target_health (target_group_arn, target_id, port, doc) VALUES (?, ?, ?, ?)
           ON CONFLICT (target_group_arn, target_id, port) DO UPDATE SET doc = excluded.doc, version = version + 1`,
        )
        .run(record.targetGroupArn, record.id, record.port, JSON.stringify(record));
    },
    async delete(targetGroupArn, id, port) {
      sql.get('DELETE FROM elb_target_health WHERE target_group_arn = ? AND target_id = ? AND port = ?').run(targetGroupArn, id, port);
    },
  };
}

export function elbv2Tables(sql: Statements): Elbv2Tables {
  return {
    loadBalancers: loadBalancers(sql),
    targetGroups: targetGroups(sql),
    listeners: listeners(sql),
    rules: rules(sql),
    targets: targets(sql),
    targetHealth: targetHealth(sql),
  };
}
