/**
 * Setting an alarm's state, by evaluation or by SetAlarmState: the record's new state and the
 * StateUpdate history item ("Alarm updated from OK to ALARM"), written in the caller's transaction.
 */
import type { AlarmStateValue, MetricAlarmRecord } from '../../store/contract/alarms.js';
import type { StoreTx } from '../../store/types.js';

export interface NewState {
  value: AlarmStateValue;
  reason: string;
  reasonData?: string;
}

export async function setState(tx: StoreTx, alarm: MetricAlarmRecord, next: NewState, at: number, extra: Partial<MetricAlarmRecord> = {}): Promise<MetricAlarmRecord> {
  const previous = alarm.state;
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
  };
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
  return updated;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
