/**
 * Tags of log groups: the older TagLogGroup, UntagLogGroup and ListTagsLogGroup (by name) and
 * TagResource, UntagResource and ListTagsForResource (by ARN). At most 50 tags per group.
 */
import type {
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  ListTagsLogGroupRequest,
  ListTagsLogGroupResponse,
  TagLogGroupRequest,
  TagResourceRequest,
  UntagLogGroupRequest,
  UntagResourceRequest,
} from '@aws-sdk/client-cloudwatch-logs';
import { ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { modelled, withHelp } from '../core/errors.js';
import type { Scope } from '../core/principal.js';
import type { RequestContext } from '../core/request-context.js';
import type { Wire } from '../core/wire.js';
import type { LogsDeps } from './deps.js';
import { invalidParameter, tooManyTags } from './errors.js';
import { existingGroup } from './groups.js';
import { groupNameOfArn } from './names.js';
import { checkGroupName, checkLength, checkTagKeys, checkTags, maxTags, required } from './validate.js';

function groupOfArn(scope: Scope, arn: string | undefined): string {
  const given = checkLength(required(arn, 'resourceArn'), 'resourceArn', 1, 1011);
  if (!given.startsWith('arn:')) throw invalidParameter(`${given} is not an ARN.`, 'resourceArn');
  const name = groupNameOfArn(scope, given);
  if (name === undefined) {
    throw withHelp(modelled(ResourceNotFoundException, 'The specified resource does not exist.'), {
      resource: given,
      hint: 'Berth tags log groups of the account and Region the request is signed for: arn:aws:logs:<region>:<account>:log-group:<name>.',
    });
  }
  return name;
}

export function taggingOperations(deps: LogsDeps) {
  const addTags = async (scope: Scope, name: string, added: Record<string, string>) => {
    await deps.store.write(async (tx) => {
      const group = await existingGroup(tx, scope, name);
      const tags = { ...group.tags, ...added };
      if (Object.keys(tags).length > maxTags) throw tooManyTags(name);
      await tx.logGroups.put({ ...group, tags });
    });
    return {};
  };
  const removeTags = async (scope: Scope, name: string, keys: readonly string[]) => {
    await deps.store.write(async (tx) => {
      const group = await existingGroup(tx, scope, name);
      const tags = Object.fromEntries(Object.entries(group.tags).filter(([key]) => !keys.includes(key)));
      if (Object.keys(tags).length !== Object.keys(group.tags).length) await tx.logGroups.put({ ...group, tags });
    });
    return {};
  };
  const tagsOf = (scope: Scope, name: string) => deps.store.read(async (tx) => ({ tags: (await existingGroup(tx, scope, name)).tags }));

  return {
    async TagLogGroup(input: Wire<TagLogGroupRequest>, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkGroupName(input.logGroupName);
      return addTags(ctx.scope, name, checkTags(required(input.tags, 'tags')));
    },
    async UntagLogGroup(input: Wire<UntagLogGroupRequest>, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkGroupName(input.logGroupName);
      return removeTags(ctx.scope, name, checkTagKeys(required(input.tags, 'tags'), 'tags'));
    },
    async ListTagsLogGroup(input: Wire<ListTagsLogGroupRequest>, ctx: RequestContext): Promise<Wire<ListTagsLogGroupResponse>> {
      return tagsOf(ctx.scope, checkGroupName(input.logGroupName));
    },
    async TagResource(input: Wire<TagResourceRequest>, ctx: RequestContext): Promise<Record<string, never>> {
      const name = groupOfArn(ctx.scope, input.resourceArn);
      return addTags(ctx.scope, name, checkTags(required(input.tags, 'tags')));
    },
    async UntagResource(input: Wire<UntagResourceRequest>, ctx: RequestContext): Promise<Record<string, never>> {
      const name = groupOfArn(ctx.scope, input.resourceArn);
      return removeTags(ctx.scope, name, checkTagKeys(required(input.tagKeys, 'tagKeys'), 'tagKeys'));
    },
    async ListTagsForResource(input: Wire<ListTagsForResourceRequest>, ctx: RequestContext): Promise<Wire<ListTagsForResourceResponse>> {
      return tagsOf(ctx.scope, groupOfArn(ctx.scope, input.resourceArn));
    },
  };
}
