/** AddTagsToResource, RemoveTagsFromResource and ListTagsForResource, for ResourceType Parameter (by name or ARN). */
import type { AddTagsToResourceRequest, ListTagsForResourceRequest, ListTagsForResourceResult, RemoveTagsFromResourceRequest } from '@aws-sdk/client-ssm';
import type { RequestContext } from '../core/request-context.js';
import type { Wire } from '../core/wire.js';
import type { StoreTx } from '../store/types.js';
import type { SsmDeps } from './deps.js';
import { invalidResourceId, invalidResourceType, tooManyTags } from './errors.js';
import { findParameter } from './lookup.js';
import { checkLength, checkTags, maxTags, requireMember } from './validate.js';

function checkResource(input: { ResourceType?: string | undefined; ResourceId?: string | undefined }): string {
  const type = requireMember(input.ResourceType, 'resourceType');
  const id = checkLength(requireMember(input.ResourceId, 'resourceId'), 'resourceId', 1, 2048);
  // Berth's Parameter Store has parameters only; the other taggable types belong to services it does not serve.
  if (type !== 'Parameter') throw invalidResourceType();
  return id;
}

async function parameterOf(tx: StoreTx, ctx: RequestContext, id: string) {
  const parameter = await findParameter(tx, ctx.scope, id);
  if (!parameter) throw invalidResourceId(id);
  return parameter;
}

export function taggingOperations(deps: SsmDeps) {
  return {
    async AddTagsToResource(input: Wire<AddTagsToResourceRequest>, ctx: RequestContext): Promise<Record<string, never>> {
      const id = checkResource(input);
      const added = checkTags(requireMember(input.Tags, 'tags'));
      return deps.store.write(async (tx) => {
        const parameter = await parameterOf(tx, ctx, id);
        const byKey = new Map(parameter.tags.map((tag) => [tag.Key, tag]));
        for (const tag of added) byKey.set(tag.Key, tag);
        if (byKey.size > maxTags) throw tooManyTags();
        await tx.ssmParameters.put({ ...parameter, tags: [...byKey.values()] });
        return {};
      });
    },

    async RemoveTagsFromResource(input: Wire<RemoveTagsFromResourceRequest>, ctx: RequestContext): Promise<Record<string, never>> {
      const id = checkResource(input);
      const keys = new Set(requireMember(input.TagKeys, 'tagKeys'));
      return deps.store.write(async (tx) => {
        const parameter = await parameterOf(tx, ctx, id);
        const tags = parameter.tags.filter((tag) => !keys.has(tag.Key));
        if (tags.length !== parameter.tags.length) await tx.ssmParameters.put({ ...parameter, tags });
        return {};
      });
    },

    async ListTagsForResource(input: Wire<ListTagsForResourceRequest>, ctx: RequestContext): Promise<Wire<ListTagsForResourceResult>> {
      const id = checkResource(input);
      return deps.store.read(async (tx) => ({ TagList: (await parameterOf(tx, ctx, id)).tags }));
    },
  };
}
