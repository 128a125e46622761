/**
 * Tags of customer managed policies and instance profiles (users' and roles' are with their
 * operations): Tag…, Untag…, List…Tags, merged and removed as TagUser and UntagUser do.
 */
import type {
  ListInstanceProfileTagsRequest,
  ListInstanceProfileTagsResponse,
  ListPolicyTagsRequest,
  ListPolicyTagsResponse,
  TagInstanceProfileRequest,
  TagPolicyRequest,
  UntagInstanceProfileRequest,
  UntagPolicyRequest,
} from '@aws-sdk/client-iam';
import type { RequestContext } from '../core/request-context.js';
import type { IamDeps } from './deps.js';
import { customerPolicyOf, entityOf } from './lookup.js';
import { pageOf } from './pagination.js';
import { checkName, checkPolicyArn, checkTags, mergeTags, removeTags } from './validate.js';

const checkProfileName = (name: string | undefined) => checkName('instanceProfileName', name ?? '', 128);

export function taggingOperations({ store }: IamDeps) {
  return {
    async TagPolicy(input: TagPolicyRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const arn = checkPolicyArn(input.PolicyArn);
      const tags = checkTags(input.Tags);
      await store.write(async (tx) => {
        const policy = await customerPolicyOf(tx, ctx, arn);
        await tx.iamEntities.put({ ...policy, tags: mergeTags(policy.tags, tags) });
      });
      return {};
    },

    async UntagPolicy(input: UntagPolicyRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const arn = checkPolicyArn(input.PolicyArn);
      await store.write(async (tx) => {
        const policy = await customerPolicyOf(tx, ctx, arn);
        await tx.iamEntities.put({ ...policy, tags: removeTags(policy.tags, input.TagKeys) });
      });
      return {};
    },

    async ListPolicyTags(input: ListPolicyTagsRequest, ctx: RequestContext): Promise<ListPolicyTagsResponse> {
      const arn = checkPolicyArn(input.PolicyArn);
      const policy = await store.read((tx) => customerPolicyOf(tx, ctx, arn));
      const { items, ...page } = pageOf(policy.tags, input);
      return { Tags: items, ...page };
    },

    async TagInstanceProfile(input: TagInstanceProfileRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkProfileName(input.InstanceProfileName);
      const tags = checkTags(input.Tags);
      await store.write(async (tx) => {
        const profile = await entityOf(tx, ctx, 'instanceProfile', name);
        await tx.iamEntities.put({ ...profile, tags: mergeTags(profile.tags, tags) });
      });
      return {};
    },

    async UntagInstanceProfile(input: UntagInstanceProfileRequest, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkProfileName(input.InstanceProfileName);
      await store.write(async (tx) => {
        const profile = await entityOf(tx, ctx, 'instanceProfile', name);
        await tx.iamEntities.put({ ...profile, tags: removeTags(profile.tags, input.TagKeys) });
      });
      return {};
    },

    async ListInstanceProfileTags(input: ListInstanceProfileTagsRequest, ctx: RequestContext): Promise<ListInstanceProfileTagsResponse> {
      const name = checkProfileName(input.InstanceProfileName);
      const profile = await store.read((tx) => entityOf(tx, ctx, 'instanceProfile', name));
      const { items, ...page } = pageOf(profile.tags, input);
      return { Tags: items, ...page };
    },
  };
}
