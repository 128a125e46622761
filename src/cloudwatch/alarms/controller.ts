/**
 * The alarm evaluation controller: evaluates each alarm once per minute (once per period for the
 * 10- and 30-second periods of high-resolution alarms), as CloudWatch does, reading the evaluation
 * range from the metric store and writing state changes and their history through the record store.
 *
 * Keyed `<account>/<region>/<alarm name>` (the change feed's key for alarms). Level-triggered: each
 * reconcile reads the alarm as it is now; an alarm created or changed (PutMetricAlarm, SetAlarmState)
 * is evaluated at once, then again a cadence later. When it was last evaluated is kept in memory: a
 * restart evaluates every alarm at once, which changes nothing but timing. Held under a lease, so
 * one process among those sharing the store evaluates.
 *
 * Actions: a state change writes the actions it makes due into the store with it (transition.ts);
 * an evaluation that keeps the state writes the Auto Scaling actions due again that minute
 * (due-actions.ts). When they were last due is kept on the alarm, so a restart repeats none early.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../core/clock.js';
import { done, requeueAfter, type Reconciled } from '../../controllers/controller.js';
import { RunnableController } from '../../controllers/runnable.js';
import type { Change } from '../../store/changes.js';
import type { LeaderLease } from '../../store/leader-lease.js';
import type { MetricAlarmRecord } from '../../store/contract/alarms.js';
import type { Store, StoreTx } from '../../store/types.js';
import type { MetricStorage } from '../storage/types.js';
import { parseStatistic } from '../validate.js';
import { evaluateAlarm, evaluationRangeLength, type EvaluationRule, type ThresholdOperator, type TreatMissingData } from './evaluate.js';
import { evaluationWindow } from './range.js';
import { alarmDatapoints } from './datapoints.js';
import { repeatActions, repeatsDue, setState } from './transition.js';

export interface AlarmEvaluatorDeps {
  store: Store;
  storage: MetricStorage;
  clock: Clock;
  log: FastifyBaseLogger;
  lease?: LeaderLease;
  /** How often every alarm is listed again, as a safety net. */
  resyncIntervalMs?: number;
}

const keyOf = (alarm: Pick<MetricAlarmRecord, 'accountId' | 'region' | 'name'>) => `${alarm.accountId}/${alarm.region}/${alarm.name}`;

function parseKey(key: string): { accountId: string; region: string; name: string } {
  const first = key.indexOf('/');
  const second = key.indexOf('/', first + 1);
  return { accountId: key.slice(0, first), region: key.slice(first + 1, second), name: key.slice(second + 1) };
}

/** Every minute; a high-resolution alarm's period when shorter. */
export const cadenceMs = (periodSeconds: number) => Math.min(periodSeconds, 60) * 1000;

export function ruleOf(alarm: MetricAlarmRecord): EvaluationRule {
  const name = alarm.statistic ?? alarm.extendedStatistic;
  const statistic = name === undefined ? undefined : parseStatistic(name, 'Statistic');
  return {
    ...(name !== undefined ? { statistic: name } : {}),
    ...(statistic?.kind === 'percentile' ? { percentile: statistic.percent } : {}),
    periodSeconds: alarm.periodSeconds,
    evaluationPeriods: alarm.evaluationPeriods,
    datapointsToAlarm: alarm.datapointsToAlarm ?? alarm.evaluationPeriods,
    threshold: alarm.threshold,
    comparisonOperator: alarm.comparisonOperator as ThresholdOperator,
    treatMissingData: (alarm.treatMissingData ?? 'missing') as TreatMissingData,
    evaluateLowSampleCountPercentile: alarm.evaluateLowSampleCountPercentile === 'ignore' ? 'ignore' : 'evaluate',
  };
}

export class AlarmEvaluator extends RunnableController {
  readonly watch = {
    kinds: ['metricAlarm'] as const,
    keysOf: (changes: readonly Change[]) => changes.filter((change) => change.op !== 'deleted').map((change) => change.key),
  };
  readonly resync: { everyMs: number };
  readonly lease?: LeaderLease;
  /** When each alarm was last evaluated, epoch ms. */
  private readonly evaluatedAt = new Map<string, number>();

  constructor(private readonly deps: AlarmEvaluatorDeps) {
    super('alarm-evaluation', deps);
    this.resync = { everyMs: deps.resyncIntervalMs ?? 10 * 60_000 };
    if (deps.lease) this.lease = deps.lease;
  }

  async listKeys(tx: StoreTx): Promise<string[]> {
    return (await tx.metricAlarms.listAll()).map(keyOf);
  }

  async reconcile(key: string): Promise<Reconciled> {
    const now = this.deps.clock.now().getTime();
    const { accountId, region, name } = parseKey(key);
    const alarm = await this.deps.store.read((tx) => tx.metricAlarms.get(accountId, region, name));
    if (!alarm) {
      this.evaluatedAt.delete(key);
      return done;
    }
    const cadence = cadenceMs(alarm.periodSeconds);
    const last = this.evaluatedAt.get(key);
    // A definition changed since the last evaluation is evaluated now; a state set by SetAlarmState
    // holds until the evaluation that is due next, as in CloudWatch.
    const changedSince = last === undefined || alarm.configurationUpdatedAt > last;
    if (!changedSince && now < last + cadence) return requeueAfter(last + cadence - now);

    const rule = ruleOf(alarm);
    const window = evaluationWindow(now, alarm.periodSeconds, evaluationRangeLength(rule));
    const evaluation = evaluateAlarm(rule, alarm.state.value, await alarmDatapoints(this.deps.storage, alarm, window), now);
    this.evaluatedAt.set(key, now);
    if (evaluation.state !== undefined && evaluation.state !== alarm.state.value) {
      const { reason, reasonData } = evaluation;
      await this.update(alarm, now, async (tx, current) => {
        await setState(tx, current, { value: evaluation.state!, reason: reason!, ...(reasonData !== undefined ? { reasonData } : {}) }, now);
        this.deps.log.debug({ alarm: current.arn, from: current.state.value, to: evaluation.state }, 'alarm state changed');
      });
    } else if (repeatsDue(alarm, now).due.length > 0) {
      // The alarm stays in its state: its Auto Scaling actions are due again once a minute.
      await this.update(alarm, now, (tx, current) => repeatActions(tx, current, repeatsDue(current, now), now));
    }
    return requeueAfter(cadence);
  }

  /** Writes what one evaluation decided, unless the alarm changed while its datapoints were read. */
  private async update(seen: MetricAlarmRecord, now: number, write: (tx: StoreTx, alarm: MetricAlarmRecord) => Promise<void>): Promise<void> {
    await this.deps.store.write(async (tx) => {
      const alarm = await tx.metricAlarms.get(seen.accountId, seen.region, seen.name);
      // Changed while the datapoints were read: the change marked the key dirty; evaluate it again then.
      if (!alarm || alarm.configurationUpdatedAt !== seen.configurationUpdatedAt || alarm.state.updatedAt !== seen.state.updatedAt) return;
      await write(tx, alarm);
    });
    // The write marks the key dirty; it was evaluated just now.
    this.evaluatedAt.set(keyOf(seen), now);
  }
}
