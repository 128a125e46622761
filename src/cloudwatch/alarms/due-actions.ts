/**
 * Which of an alarm's actions are due, pure: from its actions and ActionsEnabled, the state it was
 * in and the state it is in now, the time, and when its repeating actions were last due. No I/O,
 * no clock: the evaluator and SetAlarmState hand over the time and write what is due (transition.ts).
 *
 * CloudWatch's rule (CloudWatch User Guide, "Using Amazon CloudWatch alarms"): "An alarm invokes
 * actions only when the alarm changes state. The exception is for alarms with Auto Scaling
 * actions. For Auto Scaling actions, the alarm continues to invoke the action once per minute that
 * the alarm remains in the new state." ("Alarm actions": "Except for Auto Scaling actions, the
 * actions happen only on state transitions, and are not performed again if the condition persists
 * for hours or days.") So:
 * - a state change makes the new state's actions due (OKActions, AlarmActions or
 *   InsufficientDataActions), whether the evaluator or SetAlarmState changed it;
 * - while the alarm stays in a state, its Auto Scaling actions (ARNs of the `autoscaling` service:
 *   EC2 Auto Scaling and Application Auto Scaling policies alike) are due again once a minute — a
 *   minute, not a period: a 5-minute alarm repeats every minute, a 10-second one every sixth
 *   evaluation;
 * - with ActionsEnabled false (DisableAlarmActions) nothing is due; enabled again while the alarm
 *   stays in a state, its Auto Scaling actions are due at the next evaluation.
 */
import { Arn } from '../../core/arn.js';
import type { AlarmStateValue, MetricAlarmRecord } from '../../store/contract/alarms.js';

/** How often an Auto Scaling action is invoked again while the alarm stays in its state. */
export const repeatIntervalMs = 60_000;

export type AlarmActionLists = Pick<MetricAlarmRecord, 'actionsEnabled' | 'okActions' | 'alarmActions' | 'insufficientDataActions'>;

export interface ActionStep {
  /** The state before this evaluation or SetAlarmState. */
  previous: AlarmStateValue;
  /** The state after it (the same when the alarm stays). */
  next: AlarmStateValue;
  /** When it happens, epoch ms. */
  at: number;
  /** When the previous state's Auto Scaling actions were last due (the alarm's actionsRepeatedAt). */
  repeatedAt?: number;
}

export interface DueAction {
  action: string;
  /** An Auto Scaling action due again while the alarm stays in its state. */
  repeated: boolean;
}

export interface DueActions {
  due: DueAction[];
  /** The alarm's actionsRepeatedAt after this step: undefined when no Auto Scaling action of this state was due yet. */
  repeatedAt: number | undefined;
}

export const isAutoScalingAction = (action: string) => Arn.parse(action)?.service === 'autoscaling';

/** The actions an alarm takes in `state`. */
export function actionsOf(alarm: AlarmActionLists, state: AlarmStateValue): string[] {
  return state === 'OK' ? alarm.okActions : state === 'ALARM' ? alarm.alarmActions : alarm.insufficientDataActions;
}

export function dueActions(alarm: AlarmActionLists, step: ActionStep): DueActions {
  const actions = actionsOf(alarm, step.next);
  const scaling = actions.filter(isAutoScalingAction);
  if (step.previous !== step.next) {
    if (!alarm.actionsEnabled) return { due: [], repeatedAt: undefined };
    return { due: actions.map((action) => ({ action, repeated: false })), repeatedAt: scaling.length > 0 ? step.at : undefined };
  }
  const again = alarm.actionsEnabled && scaling.length > 0 && (step.repeatedAt === undefined || step.at - step.repeatedAt >= repeatIntervalMs);
  if (!again) return { due: [], repeatedAt: step.repeatedAt };
  return { due: scaling.map((action) => ({ action, repeated: true })), repeatedAt: step.at };
}
