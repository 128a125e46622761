/**
 * What the data plane's health report changes in the store, for the target groups it serves:
 *
 *   registered target, reported, state/reason/description differ   → its health record written
 *   registered target, reported as before                          → nothing (the change feed
 *                                                                     carries real transitions only)
 *   registered target, not reported (not applied yet)              → nothing: DescribeTargetHealth
 *                                                                     says initial meanwhile
 *   draining target                                                → no health record (the API
 *                                                                     says draining from the record)
 *   draining, delay over, or no longer reported (drained early:
 *     nothing was left in flight)                                  → the registration is forgotten
 *   health record whose registration is gone or draining           → deleted
 *
 * Pure: the records and the report in, the writes out.
 */
import type { TargetHealthRecord, TargetRecord } from '../store/contract/elbv2.js';
import type { TargetHealthReport } from './data-plane/types.js';
import { drainEnded } from './draining.js';

export interface TargetHealthWrites {
  put: TargetHealthRecord[];
  deleteHealth: { targetGroupArn: string; id: string; port: number }[];
  forgetTargets: { targetGroupArn: string; id: string; port: number }[];
}

const keyOf = (group: string, id: string, port: number) => `${group} ${id}:${port}`;

/**
 * `targets` and `health` are one target group's records (or several groups'); `reports` are the
 * data plane's for the same groups, read after it was given those registrations.
 */
export function targetHealthWrites(
  targets: readonly TargetRecord[],
  health: readonly TargetHealthRecord[],
  reports: readonly TargetHealthReport[],
  nowSeconds: number,
): TargetHealthWrites {
  const reported = new Map(reports.map((report) => [keyOf(report.targetGroupArn, report.targetId, report.port), report]));
  const writes: TargetHealthWrites = { put: [], deleteHealth: [], forgetTargets: [] };
  const registered = new Set<string>();
  const recorded = new Map(health.map((record) => [keyOf(record.targetGroupArn, record.id, record.port), record]));
  for (const target of targets) {
    const key = keyOf(target.targetGroupArn, target.id, target.port);
    const report = reported.get(key);
    if (target.drainUntil !== undefined) {
      if (drainEnded(target, nowSeconds) || report === undefined) writes.forgetTargets.push({ targetGroupArn: target.targetGroupArn, id: target.id, port: target.port });
      continue;
    }
    registered.add(key);
    // The data plane reports draining only for what it was told drains; a registration taken back
    // since waits for the next report.
    if (report === undefined || report.state === 'draining') continue;
    const before = recorded.get(key);
    if (before && before.state === report.state && before.reason === report.reason && before.description === report.description) continue;
    const record: TargetHealthRecord = {
      ...(before ?? {}),
      targetGroupArn: target.targetGroupArn,
      id: target.id,
      port: target.port,
      state: report.state,
      updatedAt: nowSeconds,
    };
    delete record.reason;
    delete record.description;
    if (report.reason !== undefined) record.reason = report.reason;
    if (report.description !== undefined) record.description = report.description;
    writes.put.push(record);
  }
  for (const [key, record] of recorded) {
    if (!registered.has(key)) writes.deleteHealth.push({ targetGroupArn: record.targetGroupArn, id: record.id, port: record.port });
  }
  return writes;
}
