/**
 * Setting an alarm's state, by evaluation or by SetAlarmState: the record's new state, the
 * StateUpdate history item ("Alarm updated from OK to ALARM") and the actions it makes due, all
 * written in the caller's transaction. Due actions go into the store's outbox (tx.alarmActions),
 * so a crash between the state change and the delivery loses none: the target's consumer
 * (action-delivery.ts) finds them there.
 */
import { randomUUID } from 'node:crypto';
import { Arn } from '../../core/arn.js';
import type { AlarmStateValue, MetricAlarmRecord } from '../../store/contract/alarms.js';
import type { StoreTx } from '../../store/types.js';
import { dueActions, type DueActions } from './due-actions.js';

export interface NewState {
  value: AlarmStateValue;
  reason: string;
  reasonData?: string;
}

export async function setState(tx: StoreTx, alarm: MetricAlarmRecord, next: NewState, at: number, extra: Partial<MetricAlarmRecord> = {}): Promise<MetricAlarmRecord> {
  const previous = alarm.state;
  const due = dueActions({ ...alarm, ...extra }, { previous: previous.value, next: next.value, at, ...(alarm.actionsRepeatedAt !== undefined ? { repeatedAt: alarm.actionsRepeatedAt } : {}) });
  const updated: MetricAlarmRecord = {
    ...alarm,
    ...extra,
    state: {
      value: next.value,
      reason: next.reason,
      ...(next.reasonData !== undefined ? { reasonData: next.reasonData } : {}),
      updatedAt: at,
      transitionedAt: next.value !== previous.value ? at : previous.transitionedAt,
    },
    actionsRepeatedAt: due.repeatedAt,
  };
  if (updated.actionsRepeatedAt === undefined) delete updated.actionsRepeatedAt;
  await tx.metricAlarms.put(updated);
  const parsedData = next.reasonData !== undefined ? safeJson(next.reasonData) : undefined;
  await tx.metricAlarms.appendHistory({
    accountId: alarm.accountId,
    region: alarm.region,
    alarmName: alarm.name,
    timestamp: at,
    type: 'StateUpdate',
    summary: `Alarm updated from ${previous.value} to ${next.value}`,
    data: JSON.stringify({
      version: '1.0',
      oldState: { stateValue: previous.value, stateReason: previous.reason, ...(previous.reasonData !== undefined ? { stateReasonData: safeJson(previous.reasonData) } : {}) },
      newState: { stateValue: next.value, stateReason: next.reason, ...(parsedData !== undefined ? { stateReasonData: parsedData } : {}) },
    }),
  });
  await enqueue(tx, updated, previous.value, due, at);
  return updated;
}

/** The Auto Scaling actions due again at `at` while the alarm stays in its state (none most minutes). */
export function repeatsDue(alarm: MetricAlarmRecord, at: number): DueActions {
  const value = alarm.state.value;
  return dueActions(alarm, { previous: value, next: value, at, ...(alarm.actionsRepeatedAt !== undefined ? { repeatedAt: alarm.actionsRepeatedAt } : {}) });
}

/** Writes the repeated actions `due` for an alarm that stays in its state, and when they were due. */
export async function repeatActions(tx: StoreTx, alarm: MetricAlarmRecord, due: DueActions, at: number): Promise<void> {
  if (due.due.length === 0) return;
  const updated: MetricAlarmRecord = { ...alarm, actionsRepeatedAt: at };
  await tx.metricAlarms.put(updated);
  await enqueue(tx, updated, alarm.state.value, due, at);
}

async function enqueue(tx: StoreTx, alarm: MetricAlarmRecord, previous: AlarmStateValue, due: DueActions, at: number): Promise<void> {
  const { value, reason, reasonData, updatedAt } = alarm.state;
  for (const { action, repeated } of due.due) {
    await tx.alarmActions.add({
      id: randomUUID(),
      accountId: alarm.accountId,
      region: alarm.region,
      alarmName: alarm.name,
      alarmArn: alarm.arn,
      action,
      // PutMetricAlarm took only ARNs a registered target owns (action-targets.ts).
      service: Arn.parse(action)?.service ?? '',
      state: { value, reason, ...(reasonData !== undefined ? { reasonData } : {}), updatedAt },
      previousState: previous,
      dueAt: at,
      repeated,
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
