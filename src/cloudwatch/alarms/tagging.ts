/** TagResource, UntagResource and ListTagsForResource, for alarms (Berth has no other taggable CloudWatch resource). */
import { ResourceNotFoundException } from '@aws-sdk/client-cloudwatch';
import { modelled, withHelp } from '../../core/errors.js';
import type { Scope } from '../../core/principal.js';
import type { Handler } from '../../edge/protocols/operation.js';
import type { StoreTx } from '../../store/types.js';
import type { CloudWatchDeps } from '../deps.js';
import { badValue, invalidValue, missing } from '../errors.js';
import { checkTags } from './definition.js';
import { alarmNameOf } from './names.js';

function checkArn(value: unknown): string {
  if (value === undefined || value === '') throw missing('ResourceARN');
  const arn = String(value);
  if (arn.length > 1024 || !arn.startsWith('arn:')) throw badValue(arn, 'ResourceARN');
  return arn;
}

async function alarmOf(tx: StoreTx, scope: Scope, arn: string) {
  const name = alarmNameOf(arn, scope);
  const alarm = name === undefined ? undefined : await tx.metricAlarms.get(scope.accountId, scope.region, name);
  if (!alarm) {
    throw withHelp(modelled(ResourceNotFoundException, 'The specified resource does not exist.'), {
      field: 'ResourceARN',
      resource: arn,
      hint: `Tags go on alarms of this account and region: arn:aws:cloudwatch:${scope.region}:${scope.accountId}:alarm:<name>.`,
    });
  }
  return alarm;
}

export function taggingOperations(deps: CloudWatchDeps): Record<string, Handler> {
  return {
    TagResource: async (input: Record<string, unknown>, ctx) => {
      const arn = checkArn(input.ResourceARN);
      if (input.Tags === undefined) throw missing('Tags');
      const added = checkTags(input.Tags);
      await deps.store.write(async (tx) => {
        const alarm = await alarmOf(tx, ctx.scope, arn);
        const byKey = new Map(alarm.tags.map((tag) => [tag.Key, tag]));
        for (const tag of added) byKey.set(tag.Key, tag);
        if (byKey.size > 50) throw invalidValue('The resource would have more than 50 tags.', { field: 'Tags', resource: arn });
        await tx.metricAlarms.put({ ...alarm, tags: [...byKey.values()] });
      });
      return {};
    },
    UntagResource: async (input: Record<string, unknown>, ctx) => {
      const arn = checkArn(input.ResourceARN);
      if (input.TagKeys === undefined) throw missing('TagKeys');
      const keys = (input.TagKeys as unknown[]).map(String);
      await deps.store.write(async (tx) => {
        const alarm = await alarmOf(tx, ctx.scope, arn);
        await tx.metricAlarms.put({ ...alarm, tags: alarm.tags.filter((tag) => !keys.includes(tag.Key)) });
      });
      return {};
    },
    ListTagsForResource: async (input: Record<string, unknown>, ctx) => {
      const arn = checkArn(input.ResourceARN);
      const alarm = await deps.store.read((tx) => alarmOf(tx, ctx.scope, arn));
      return { Tags: alarm.tags };
    },
  };
}
