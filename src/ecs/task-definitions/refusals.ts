/**
 * The launch-time refusal of fields Berth does not honour (the table is `field-support.ts`): RunTask,
 * StartTask, CreateService and UpdateService call `refuseUnsupportedFields` before placing anything,
 * so the user learns it from the launch, not from a placement failure or an empty variable; RunTask
 * and StartTask check their own members with `refuseUnsupportedLaunchInputs` before any look-up.
 */
import { UnsupportedFeatureException, type TaskOverride } from '@aws-sdk/client-ecs';
import { modelled, withHelp } from '../../core/errors.js';
import type { Wire } from '../../core/wire.js';
import type { TaskDefinitionRecord } from '../../store/types.js';
import { launchInputFields, overrideFieldsByPath, taskDefinitionFields, type FieldRule, type Refusal } from './field-support.js';

/** One refused use: the concrete field path (`containerDefinitions[0].secrets`), the value shown, and why. */
export interface RefusedUse extends Refusal {
  field: string;
  shown?: string;
}

/** Each value at a rule's path in `root`, with its concrete path. */
function valuesAt(root: unknown, path: string): { field: string; value: unknown }[] {
  let found: { field: string; value: unknown }[] = [{ field: '', value: root }];
  for (const segment of path.split('.')) {
    const list = segment.endsWith('[]');
    const key = list ? segment.slice(0, -2) : segment;
    found = found.flatMap(({ field, value }) => {
      const child = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
      const at = field === '' ? key : `${field}.${key}`;
      if (!list) return [{ field: at, value: child }];
      return Array.isArray(child) ? child.map((item, index) => ({ field: `${at}[${index}]`, value: item })) : [];
    });
  }
  return found;
}

/** Left out, null, an empty list or object, or AWS's default: not a use of the field. */
function isUsed(value: unknown, rule: FieldRule): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return !('default' in rule) || value !== rule.default;
}

function refusalsBy(rules: Readonly<Record<string, FieldRule>>, root: unknown): RefusedUse[] {
  const refused: RefusedUse[] = [];
  for (const [path, rule] of Object.entries(rules)) {
    if (!rule.refused && !rule.refusedValue) continue;
    for (const { field, value } of valuesAt(root, path)) {
      if (!isUsed(value, rule)) continue;
      const refusal = rule.refused ?? rule.refusedValue!(value);
      if (refusal) refused.push({ field, ...refusal, ...(rule.showValue ? { shown: String(value) } : {}) });
    }
  }
  return refused;
}

/** Every refused use in a task definition and (RunTask's, StartTask's) overrides. Pure. */
export function unsupportedUses(definition: TaskDefinitionRecord, overrides?: Wire<TaskOverride>): RefusedUse[] {
  return [...refusalsBy(taskDefinitionFields, definition), ...(overrides ? refusalsBy(overrideFieldsByPath, { overrides }) : [])];
}

/** UnsupportedFeatureException naming every refused use, with the field(s) and what to do in berthHelp. */
export function refuseUnsupportedFields(definition: TaskDefinitionRecord, overrides?: Wire<TaskOverride>): void {
  refuse(unsupportedUses(definition, overrides));
}

/** The same for RunTask's and StartTask's own members (volumeConfigurations, enableExecuteCommand). */
export function refuseUnsupportedLaunchInputs(input: object): void {
  refuse(refusalsBy(launchInputFields, input));
}

function refuse(uses: RefusedUse[]): void {
  if (uses.length === 0) return;
  const named = uses.map((use) => (use.shown !== undefined ? `${use.field} ${use.shown}` : use.field));
  const list = named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
  const message = `${list} ${named.length === 1 ? 'is' : 'are'} not supported by Berth yet.`;
  const hint = [...new Set(uses.map((use) => `${use.field}: ${use.reason}. ${use.hint}`))].join(' ');
  throw withHelp(modelled(UnsupportedFeatureException, message), { field: uses.map((use) => use.field).join(', '), hint });
}
