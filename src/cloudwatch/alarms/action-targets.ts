/**
 * The alarm action targets: the seam through which an alarm's OKActions, AlarmActions and
 * InsufficientDataActions reach the service that performs them. A target owns the action ARNs of
 * one service (the `service` part of the ARN: `autoscaling`, `sns`, `lambda`, …), checks each such
 * ARN when PutMetricAlarm takes it, and performs the actions that fall due. An ARN of a service no
 * target owns is refused at PutMetricAlarm, so no alarm stores an action Berth would not perform.
 *
 * The path of an action, through the store (components talk through committed changes):
 *   1. the evaluator or SetAlarmState changes the alarm's state; in the same transaction the due
 *      actions (due-actions.ts) are written to the outbox, cw_alarm_actions (transition.ts);
 *   2. the target's delivery controller (action-delivery.ts, one per registered target, started by
 *      the cloudwatch module) learns of them from the change feed, or from its listing at start;
 *   3. it hands each to the target's `deliver`, then in one transaction removes it and appends the
 *      Action history item ("Successfully executed action arn:…", "Failed to execute action arn:…").
 * A crash between 1 and 3 loses nothing: the record stays until 3 commits, and the controller's
 * listing at start finds it. A crash after `deliver` but before 3 delivers it once more: delivery
 * is at least once, so a target's `deliver` must tolerate a repeat.
 *
 * Worked example, the Application Auto Scaling target (its policies' ARNs are
 * arn:aws:autoscaling:<region>:<account>:scalingPolicy:<uuid>:resource/ecs/service/<cluster>/<service>:policyName/<name>):
 *
 *   parts.alarmActionTargets.register({
 *     service: 'autoscaling',
 *     validate(arn, { parameter }) {
 *       if (!arn.resource.startsWith('scalingPolicy:')) throw badValue(arn.toString(), parameter, { hint: 'A scaling policy ARN, from PutScalingPolicy.' });
 *     },
 *     async deliver(action) {
 *       // action.action is the policy's ARN, action.state the alarm's state (ALARM), action.repeated
 *       // true for the once-a-minute repeats while the alarm stays in ALARM.
 *       const applied = await scaling.execute(action.action, action.state);
 *       return applied.ok ? { succeeded: true } : { succeeded: false, reason: applied.reason };
 *     },
 *   });
 *
 * From then on PutMetricAlarm takes that policy's ARN in AlarmActions; when the alarm goes into
 * ALARM, `deliver` receives the action once, then once a minute while the alarm stays in ALARM,
 * and DescribeAlarmHistory lists an Action item for each outcome.
 */
import { ApiError, withHelp } from '../../core/errors.js';
import { Arn } from '../../core/arn.js';
import type { AlarmActionRecord } from '../../store/contract/alarms.js';
import { badValue, invalidValue } from '../errors.js';

export type ActionOutcome =
  | { succeeded: true; /** Members added to the history item's HistoryData (e.g. SNS's publishedMessage). */ data?: Record<string, unknown> }
  | { succeeded: false; /** Why, for the history summary: "Failed to execute action arn:…. Reason: <reason>". */ reason: string };

export interface ActionContext {
  accountId: string;
  /** The alarm's region; the action's is checked to be the same before `validate`. */
  region: string;
  /** The input field of the ARN, e.g. AlarmActions.member.1, for the error. */
  parameter: string;
}

export interface ActionTarget {
  /** The service part of the action ARNs this target owns. */
  readonly service: string;
  /** Checks one action ARN at PutMetricAlarm; throws CloudWatch's error (with berthHelp) for one it cannot perform. */
  validate(arn: Arn, context: ActionContext): void;
  /**
   * Performs one due action. A rejection counts as a failed action (recorded, not retried). Called
   * at least once per due action: again after a crash before its outcome was recorded.
   */
  deliver(action: AlarmActionRecord): Promise<ActionOutcome>;
}

/** The refusal's hint when no target is registered at all. */
const noTargets =
  'Berth serves neither SNS, Application Auto Scaling, EC2 nor Systems Manager, so it has no alarm action it could invoke; alarms keep their state and history without actions. ECS deployment alarms read alarm states directly and need no action.';

export class ActionTargets {
  private readonly byService = new Map<string, ActionTarget>();

  register(target: ActionTarget): void {
    if (this.byService.has(target.service)) throw new Error(`an alarm action target for ${target.service} is registered already`);
    this.byService.set(target.service, target);
  }

  all(): ActionTarget[] {
    return [...this.byService.values()];
  }

  /** PutMetricAlarm's check of one action list (OKActions, AlarmActions, InsufficientDataActions). */
  check(value: unknown, parameter: string, scope: { accountId: string; region: string }): string[] {
    const actions = ((value ?? []) as unknown[]).map(String);
    if (actions.length > 5) throw invalidValue(`The collection ${parameter} must not have a size greater than 5.`, { field: parameter });
    actions.forEach((action, index) => {
      const field = `${parameter}.member.${index + 1}`;
      const arn = Arn.parse(action);
      const target = arn && this.byService.get(arn.service);
      if (!arn || !target) throw badValue(action, field, { hint: this.refusal(arn) });
      if (arn.region !== scope.region) {
        throw withHelp(new ApiError('ValidationError', `Invalid region ${arn.region} specified. Only ${scope.region} is supported.`), {
          field,
          hint: `An alarm in ${scope.region} acts on resources of ${scope.region} only.`,
        });
      }
      target.validate(arn, { ...scope, parameter: field });
    });
    return actions;
  }

  private refusal(arn: Arn | undefined): string {
    if (this.byService.size === 0) return noTargets;
    const served = [...this.byService.keys()].sort().join(', ');
    if (!arn) return `An action is an ARN (arn:aws:<service>:<region>:<account>:<resource>); Berth performs alarm actions of ${served}.`;
    return `Berth performs alarm actions of ${served} only, not of ${arn.service}; alarms keep their state and history without actions.`;
  }
}
