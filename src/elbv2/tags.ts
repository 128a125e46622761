/**
 * AddTags, RemoveTags and DescribeTags for load balancers, target groups, listeners and rules.
 * Tags live in each resource's record.
 */
import {
  DuplicateTagKeysException,
  TooManyTagsException,
  type AddTagsInput,
  type DescribeTagsInput,
  type DescribeTagsOutput,
  type RemoveTagsInput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { Arn } from '../core/arn.js';
import { modelled } from '../core/errors.js';
import type { RequestContext } from '../core/request-context.js';
import type { ElbTag } from '../store/contract/elbv2.js';
import type { StoreTx } from '../store/types.js';
import type { Elbv2Deps } from './deps.js';
import { validationError } from './errors.js';
import { elbService } from './ids.js';
import { listenerOf, loadBalancerOf, ruleOf, targetGroupOf } from './lookup.js';

const tagQuota = 50;
const taggable = ['loadbalancer', 'targetgroup', 'listener', 'listener-rule'] as const;
type Taggable = (typeof taggable)[number];

/** Tags as given, checked: keys 1–128 characters and not `aws:`, values up to 256, no key twice. */
export function checkTags(tags: readonly { Key?: string; Value?: string }[]): ElbTag[] {
  const seen = new Set<string>();
  for (const tag of tags) {
    const key = tag.Key ?? '';
    if (key.length < 1 || key.length > 128) {
      throw validationError(`1 validation error detected: Value '${key}' at 'tags.member.key' failed to satisfy constraint: Member must have length between 1 and 128`, { field: 'Tags' });
    }
    if (key.toLowerCase().startsWith('aws:')) throw validationError(`Tag key '${key}' cannot start with the reserved prefix 'aws:'`, { field: 'Tags' });
    if ((tag.Value ?? '').length > 256) {
      throw validationError(`1 validation error detected: Value '${tag.Value}' at 'tags.member.value' failed to satisfy constraint: Member must have length less than or equal to 256`, { field: 'Tags' });
    }
    if (seen.has(key)) throw modelled(DuplicateTagKeysException, `Tag key '${key}' specified more than once`);
    seen.add(key);
  }
  if (tags.length > tagQuota) throw modelled(TooManyTagsException, 'The quota for the number of tags that can be assigned to a load balancer has been reached');
  return tags.map((tag) => ({ Key: tag.Key as string, ...(tag.Value !== undefined ? { Value: tag.Value } : {}) }));
}

function typeOfResource(text: string): Taggable {
  const arn = Arn.parse(text);
  const type = arn?.service === elbService ? (taggable as readonly string[]).find((kind) => kind === arn.resourceType) : undefined;
  if (!type) throw validationError(`'${text}' is not a valid resource ARN`, { field: 'ResourceArns' });
  return type as Taggable;
}

/** Reads a taggable record's tags, and writes them back. */
async function tagged(tx: StoreTx, ctx: RequestContext, arn: string): Promise<{ tags: ElbTag[]; save(tags: ElbTag[]): Promise<void> }> {
  switch (typeOfResource(arn)) {
    case 'loadbalancer': {
      const record = await loadBalancerOf(tx, ctx, arn);
      return { tags: record.tags, save: (tags) => tx.loadBalancers.put({ ...record, tags }) };
    }
    case 'targetgroup': {
      const record = await targetGroupOf(tx, ctx, arn);
      return { tags: record.tags, save: (tags) => tx.targetGroups.put({ ...record, tags }) };
    }
    case 'listener': {
      const record = await listenerOf(tx, ctx, arn);
      return { tags: record.tags, save: (tags) => tx.listeners.put({ ...record, tags }) };
    }
    case 'listener-rule': {
      const record = await ruleOf(tx, ctx, arn);
      return { tags: record.tags, save: (tags) => tx.rules.put({ ...record, tags }) };
    }
  }
}

function checkResourceArns(arns: readonly string[]): void {
  if (arns.length > 20) {
    throw validationError("1 validation error detected: Value at 'resourceArns' failed to satisfy constraint: Member must have length less than or equal to 20", { field: 'ResourceArns' });
  }
  for (const arn of arns) typeOfResource(arn);
}

export function tagOperations({ store }: Elbv2Deps) {
  return {
    async AddTags(input: AddTagsInput, ctx: RequestContext): Promise<Record<string, never>> {
      const arns = input.ResourceArns ?? [];
      checkResourceArns(arns);
      const added = checkTags(input.Tags ?? []);
      await store.write(async (tx) => {
        for (const arn of arns) {
          const resource = await tagged(tx, ctx, arn);
          const byKey = new Map(resource.tags.map((tag) => [tag.Key, tag]));
          for (const tag of added) byKey.set(tag.Key, tag);
          if (byKey.size > tagQuota) throw modelled(TooManyTagsException, 'The quota for the number of tags that can be assigned to a load balancer has been reached');
          await resource.save([...byKey.values()]);
        }
      });
      return {};
    },

    async RemoveTags(input: RemoveTagsInput, ctx: RequestContext): Promise<Record<string, never>> {
      const arns = input.ResourceArns ?? [];
      checkResourceArns(arns);
      const keys = new Set(input.TagKeys ?? []);
      await store.write(async (tx) => {
        for (const arn of arns) {
          const resource = await tagged(tx, ctx, arn);
          await resource.save(resource.tags.filter((tag) => !keys.has(tag.Key)));
        }
      });
      return {};
    },

    async DescribeTags(input: DescribeTagsInput, ctx: RequestContext): Promise<DescribeTagsOutput> {
      const arns = input.ResourceArns ?? [];
      checkResourceArns(arns);
      return store.read(async (tx) => {
        const TagDescriptions = [];
        for (const arn of arns) TagDescriptions.push({ ResourceArn: arn, Tags: (await tagged(tx, ctx, arn)).tags });
        return { TagDescriptions };
      });
    },
  };
}
