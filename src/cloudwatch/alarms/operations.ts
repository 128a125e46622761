/**
 * The alarm operations: PutMetricAlarm, DescribeAlarms, DescribeAlarmsForMetric, DeleteAlarms,
 * SetAlarmState, EnableAlarmActions, DisableAlarmActions and DescribeAlarmHistory. Alarms live in
 * the record store (tx.metricAlarms); the evaluation controller (controller.ts) moves their state.
 */
import { InvalidFormatFault, ResourceNotFound } from '@aws-sdk/client-cloudwatch';
import { modelled, withHelp } from '../../core/errors.js';
import type { Handler } from '../../edge/protocols/operation.js';
import type { AlarmHistoryType, AlarmMetric, MetricAlarmRecord } from '../../store/contract/alarms.js';
import type { CloudWatchDeps } from '../deps.js';
import { badValue, invalidCombination, invalidNextToken, invalidValue, missing } from '../errors.js';
import { canonicalDimensions } from '../storage/types.js';
import { checkDimensions, checkName, checkNamespace, checkUnit, timestampOf } from '../validate.js';
import { checkAlarmName, checkAlarmNames, checkDefinition, checkTags, type AlarmInput } from './definition.js';
import { ActionTargets } from './action-targets.js';
import { alarmArn } from './names.js';
import { configurationItem, presentAlarm, presentHistoryItem } from './present.js';
import { setState } from './transition.js';

const states = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
const historyTypes: AlarmHistoryType[] = ['ConfigurationUpdate', 'StateUpdate', 'Action'];

const alarmNotFound = (name: string) => modelled(ResourceNotFound, `Alarm ${name} not found`);

function checkMaxRecords(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 100) throw invalidValue(`The value ${String(value)} for parameter MaxRecords is invalid: it must be between 1 and 100.`, { field: 'MaxRecords' });
  return number;
}

const encodeToken = (value: string) => Buffer.from(value, 'utf8').toString('base64url');
function decodeToken(token: unknown): string | undefined {
  if (token === undefined) return undefined;
  const text = String(token);
  const decoded = Buffer.from(text, 'base64url').toString('utf8');
  if (!decoded.startsWith('a:') || encodeToken(decoded) !== text) throw invalidNextToken(text);
  return decoded.slice(2);
}

function checkState(value: unknown, parameter: string): (typeof states)[number] {
  if (!(states as readonly unknown[]).includes(value)) throw badValue(value, parameter, { hint: `One of ${states.join(', ')}.` });
  return value as (typeof states)[number];
}

/** AlarmTypes: MetricAlarm and CompositeAlarm (Berth has no composite alarms, so that list is always empty). */
function wantsMetricAlarms(value: unknown): boolean {
  if (value === undefined) return true;
  const types = value as unknown[];
  types.forEach((type, index) => {
    if (type !== 'MetricAlarm' && type !== 'CompositeAlarm') throw badValue(type, `AlarmTypes.member.${index + 1}`, { hint: 'MetricAlarm or CompositeAlarm.' });
  });
  return types.length === 0 || types.includes('MetricAlarm');
}

export function alarmOperations(deps: CloudWatchDeps): Record<string, Handler> {
  const { store } = deps;
  const actionTargets = deps.actionTargets ?? new ActionTargets();
  return {
    PutMetricAlarm: async (input: AlarmInput, ctx) => {
      const name = checkAlarmName(input.AlarmName);
      const definition = checkDefinition(input, (value, parameter) => actionTargets.check(value, parameter, ctx.scope));
      const tags = checkTags(input.Tags);
      const at = ctx.now.getTime();
      await store.write(async (tx) => {
        const existing = await tx.metricAlarms.get(ctx.scope.accountId, ctx.scope.region, name);
        const alarm: MetricAlarmRecord = existing
          ? // An update overwrites the definition and keeps the state; tags given to an update are not applied, as in CloudWatch (use TagResource).
            { ...existing, ...clearedOptional(), ...definition, configurationUpdatedAt: at }
          : {
              accountId: ctx.scope.accountId,
              region: ctx.scope.region,
              name,
              arn: alarmArn(ctx.scope, name),
              ...definition,
              configurationUpdatedAt: at,
              state: { value: 'INSUFFICIENT_DATA', reason: 'Unchecked: Initial alarm creation', updatedAt: at, transitionedAt: at },
              tags,
            };
        await tx.metricAlarms.put(alarm);
        await tx.metricAlarms.appendHistory(configurationItem(existing ? 'Update' : 'Create', alarm, at, existing));
      });
      return {};
    },

    DescribeAlarms: async (input: Record<string, unknown>, ctx) => {
      const names = input.AlarmNames === undefined ? undefined : checkAlarmNames(input.AlarmNames);
      const prefix = input.AlarmNamePrefix === undefined ? undefined : checkAlarmName(input.AlarmNamePrefix, 'AlarmNamePrefix');
      if (names !== undefined && names.length > 0 && prefix !== undefined) {
        throw invalidCombination('The parameters AlarmNames and AlarmNamePrefix are mutually exclusive.', { field: 'AlarmNamePrefix' });
      }
      const state = input.StateValue === undefined ? undefined : checkState(input.StateValue, 'StateValue');
      const actionPrefix = input.ActionPrefix === undefined ? undefined : checkName(input.ActionPrefix, 'ActionPrefix');
      const metricAlarms = wantsMetricAlarms(input.AlarmTypes);
      // Berth has no composite alarms: no alarm has children or parents, so either filter leaves nothing.
      const family = input.ChildrenOfAlarmName ?? input.ParentsOfAlarmName;
      if (family !== undefined) checkAlarmName(family, input.ChildrenOfAlarmName !== undefined ? 'ChildrenOfAlarmName' : 'ParentsOfAlarmName');
      const limit = checkMaxRecords(input.MaxRecords, 50);
      const after = decodeToken(input.NextToken);
      if (!metricAlarms || family !== undefined) return { MetricAlarms: [], CompositeAlarms: [] };

      const all = await store.read((tx) => tx.metricAlarms.list(ctx.scope.accountId, ctx.scope.region));
      const wanted = new Set(names ?? []);
      const matching = all.filter(
        (alarm) =>
          (wanted.size === 0 || wanted.has(alarm.name)) &&
          (prefix === undefined || alarm.name.startsWith(prefix)) &&
          (state === undefined || alarm.state.value === state) &&
          (actionPrefix === undefined || [...alarm.okActions, ...alarm.alarmActions, ...alarm.insufficientDataActions].some((action) => action.startsWith(actionPrefix))) &&
          (after === undefined || alarm.name > after),
      );
      const page = matching.slice(0, limit);
      return {
        MetricAlarms: page.map(presentAlarm),
        CompositeAlarms: [],
        ...(matching.length > limit ? { NextToken: encodeToken(`a:${page.at(-1)!.name}`) } : {}),
      };
    },

    DescribeAlarmsForMetric: async (input: Record<string, unknown>, ctx) => {
      const metricName = checkName(input.MetricName, 'MetricName');
      const namespace = checkNamespace(input.Namespace);
      const dimensions = input.Dimensions === undefined ? undefined : canonicalDimensions(checkDimensions(input.Dimensions, 'Dimensions'));
      const period = input.Period === undefined ? undefined : Number(input.Period);
      if (period !== undefined && (!Number.isInteger(period) || period < 1)) throw badValue(input.Period, 'Period');
      const unit = checkUnit(input.Unit, 'Unit');
      const statistic = input.Statistic === undefined ? undefined : String(input.Statistic);
      const extended = input.ExtendedStatistic === undefined ? undefined : String(input.ExtendedStatistic);
      const all = await store.read((tx) => tx.metricAlarms.list(ctx.scope.accountId, ctx.scope.region));
      const sameDimensions = (metric: AlarmMetric) =>
        dimensions === undefined ||
        (metric.dimensions.length === dimensions.length && metric.dimensions.every((dimension, index) => dimension.name === dimensions[index]!.name && dimension.value === dimensions[index]!.value));
      // A metric math alarm is found by any metric its MetricStat queries read.
      const reads = (alarm: MetricAlarmRecord) =>
        [alarm.metric, ...(alarm.metrics ?? []).map((query) => query.metricStat?.metric)].some(
          (metric) => metric !== undefined && metric.metricName === metricName && metric.namespace === namespace && sameDimensions(metric),
        );
      return {
        MetricAlarms: all
          .filter(
            (alarm) =>
              reads(alarm) &&
              (period === undefined || alarm.periodSeconds === period) &&
              (unit === undefined || alarm.unit === unit) &&
              (statistic === undefined || alarm.statistic === statistic) &&
              (extended === undefined || alarm.extendedStatistic === extended),
          )
          .map(presentAlarm),
      };
    },

    DeleteAlarms: async (input: Record<string, unknown>, ctx) => {
      if (input.AlarmNames === undefined) throw missing('AlarmNames');
      const names = checkAlarmNames(input.AlarmNames);
      const at = ctx.now.getTime();
      await store.write(async (tx) => {
        const found: MetricAlarmRecord[] = [];
        const unknown: string[] = [];
        for (const name of new Set(names)) {
          const alarm = await tx.metricAlarms.get(ctx.scope.accountId, ctx.scope.region, name);
          if (alarm) found.push(alarm);
          else unknown.push(name);
        }
        // As CloudWatch: with any name wrong, no alarm is deleted.
        if (unknown.length > 0) {
          throw withHelp(modelled(ResourceNotFound, `The following alarms were not found: [${unknown.join(', ')}]`), { field: 'AlarmNames', hint: 'No alarm was deleted.' });
        }
        for (const alarm of found) {
          await tx.metricAlarms.delete(alarm);
          await tx.metricAlarms.appendHistory(configurationItem('Delete', alarm, at));
        }
      });
      return {};
    },

    SetAlarmState: async (input: Record<string, unknown>, ctx) => {
      const name = checkAlarmName(input.AlarmName);
      const value = checkState(input.StateValue, 'StateValue');
      if (input.StateReason === undefined) throw missing('StateReason');
      const reason = String(input.StateReason);
      if (reason.length > 1023) throw invalidValue('The value for parameter StateReason must be at most 1023 characters long.', { field: 'StateReason' });
      const reasonData = input.StateReasonData === undefined ? undefined : String(input.StateReasonData);
      if (reasonData !== undefined) {
        if (reasonData.length > 4000) throw invalidValue('The value for parameter StateReasonData must be at most 4000 characters long.', { field: 'StateReasonData' });
        try {
          JSON.parse(reasonData);
        } catch {
          throw withHelp(modelled(InvalidFormatFault, 'Data was not syntactically valid JSON'), { field: 'StateReasonData' });
        }
      }
      await store.write(async (tx) => {
        const alarm = await tx.metricAlarms.get(ctx.scope.accountId, ctx.scope.region, name);
        if (!alarm) throw alarmNotFound(name);
        // Temporary, as in CloudWatch: the next evaluation decides again from the datapoints.
        await setState(tx, alarm, { value, reason, ...(reasonData !== undefined ? { reasonData } : {}) }, ctx.now.getTime());
      });
      return {};
    },

    EnableAlarmActions: async (input: Record<string, unknown>, ctx) => setActionsEnabled(deps, input, ctx.scope, ctx.now.getTime(), true),
    DisableAlarmActions: async (input: Record<string, unknown>, ctx) => setActionsEnabled(deps, input, ctx.scope, ctx.now.getTime(), false),

    DescribeAlarmHistory: async (input: Record<string, unknown>, ctx) => {
      const alarmName = input.AlarmName === undefined ? undefined : checkAlarmName(input.AlarmName);
      const metricAlarms = wantsMetricAlarms(input.AlarmTypes);
      const type = input.HistoryItemType === undefined ? undefined : String(input.HistoryItemType);
      if (type !== undefined && !(historyTypes as string[]).includes(type)) {
        // CompositeAlarm history types belong to composite alarms, which Berth has none of.
        if (type === 'AlarmContributorStateUpdate' || type === 'AlarmContributorAction') return { AlarmHistoryItems: [] };
        throw badValue(type, 'HistoryItemType', { hint: `One of ${historyTypes.join(', ')}.` });
      }
      const start = input.StartDate === undefined ? undefined : timestampOf(input.StartDate, 'StartDate');
      const end = input.EndDate === undefined ? undefined : timestampOf(input.EndDate, 'EndDate');
      const scanBy = input.ScanBy === undefined ? 'TimestampDescending' : String(input.ScanBy);
      if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') throw badValue(scanBy, 'ScanBy', { hint: 'TimestampDescending or TimestampAscending.' });
      const limit = checkMaxRecords(input.MaxRecords, 100);
      const cursor = decodeToken(input.NextToken);
      const offset = cursor === undefined ? 0 : Number(cursor);
      if (!Number.isInteger(offset) || offset < 0) throw invalidNextToken(String(input.NextToken));
      if (!metricAlarms) return { AlarmHistoryItems: [] };
      const items = await store.read((tx) =>
        tx.metricAlarms.history({
          accountId: ctx.scope.accountId,
          region: ctx.scope.region,
          ...(alarmName !== undefined ? { alarmName } : {}),
          ...(type !== undefined ? { type: type as AlarmHistoryType } : {}),
          ...(start !== undefined ? { start } : {}),
          ...(end !== undefined ? { end } : {}),
          newestFirst: scanBy === 'TimestampDescending',
          offset,
          limit: limit + 1,
        }),
      );
      return {
        AlarmHistoryItems: items.slice(0, limit).map(presentHistoryItem),
        ...(items.length > limit ? { NextToken: encodeToken(`a:${offset + limit}`) } : {}),
      };
    },
  };
}

/** The optional members of a definition, cleared so an update that leaves one out drops it. */
function clearedOptional(): Partial<MetricAlarmRecord> {
  return {
    description: undefined,
    metric: undefined,
    metrics: undefined,
    statistic: undefined,
    extendedStatistic: undefined,
    unit: undefined,
    datapointsToAlarm: undefined,
    treatMissingData: undefined,
    evaluateLowSampleCountPercentile: undefined,
  } as unknown as Partial<MetricAlarmRecord>;
}

async function setActionsEnabled(deps: CloudWatchDeps, input: Record<string, unknown>, scope: { accountId: string; region: string }, at: number, enabled: boolean) {
  if (input.AlarmNames === undefined) throw missing('AlarmNames');
  const names = checkAlarmNames(input.AlarmNames);
  await deps.store.write(async (tx) => {
    for (const name of new Set(names)) {
      const alarm = await tx.metricAlarms.get(scope.accountId, scope.region, name);
      // CloudWatch passes over names that name no alarm.
      if (!alarm || alarm.actionsEnabled === enabled) continue;
      const updated = { ...alarm, actionsEnabled: enabled, configurationUpdatedAt: at };
      await tx.metricAlarms.put(updated);
      await tx.metricAlarms.appendHistory(configurationItem('Update', updated, at, alarm));
    }
  });
  return {};
}
