/** TagResource, UntagResource and ListTagsForResource on repository ARNs. */
import type {
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  TagResourceRequest,
  TagResourceResponse,
  UntagResourceRequest,
  UntagResourceResponse,
} from '@aws-sdk/client-ecr';
import { withHelp } from '../core/errors.js';
import type { Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import { repositoryNameProblem } from '../registry/names.js';
import { existingRepository, updateRepository } from './access.js';
import type { EcrDeps } from './deps.js';
import { constraintFailed, invalidTagParameter, repositoryNotFound } from './errors.js';
import { checkTags, mergeTags } from './tags.js';
import { requireMember } from './validate.js';

const repositoryArnPattern = /^arn:[a-z-]+:ecr:([a-z0-9-]+):([0-9]{12}):repository\/(.+)$/;

/** The repository an ARN names, when it is in the caller's account and region; others are not found, as they are not the caller's. */
function repositoryNameOf(arn: string | undefined, ctx: RequestContext): string {
  const value = requireMember(arn, 'resourceArn');
  const match = repositoryArnPattern.exec(value);
  const [, region, accountId, name] = match ?? [];
  if (!region || !accountId || !name || repositoryNameProblem(name)) {
    throw withHelp(constraintFailed('resourceArn', 'Invalid ARN'), {
      field: 'resourceArn',
      resource: value,
      hint: 'A repository ARN looks like arn:aws:ecr:<region>:<account>:repository/<name>.',
    });
  }
  if (accountId !== ctx.scope.accountId || region !== ctx.scope.region) throw repositoryNotFound(name, accountId);
  return name;
}

function checkTagKeys(keys: string[] | undefined): Set<string> {
  const list = requireMember(keys, 'tagKeys');
  list.forEach((key, index) => {
    if (key.length < 1 || key.length > 128) throw invalidTagParameter(`tagKeys[${index}] '${key}' must be 1 to 128 characters long`);
  });
  return new Set(list);
}

export function taggingOperations(deps: EcrDeps) {
  return {
    async TagResource(input: Wire<TagResourceRequest>, ctx: RequestContext): Promise<Wire<TagResourceResponse>> {
      const name = repositoryNameOf(input.resourceArn, ctx);
      const added = checkTags(requireMember(input.tags, 'tags'));
      await updateRepository(deps, ctx, name, (record) => ({ ...record, tags: mergeTags(record.name, record.tags, added) }));
      return {};
    },

    async UntagResource(input: Wire<UntagResourceRequest>, ctx: RequestContext): Promise<Wire<UntagResourceResponse>> {
      const name = repositoryNameOf(input.resourceArn, ctx);
      const keys = checkTagKeys(input.tagKeys);
      await updateRepository(deps, ctx, name, (record) => ({ ...record, tags: record.tags.filter((tag) => !keys.has(tag.Key)) }));
      return {};
    },

    async ListTagsForResource(input: Wire<ListTagsForResourceRequest>, ctx: RequestContext): Promise<Wire<ListTagsForResourceResponse>> {
      const name = repositoryNameOf(input.resourceArn, ctx);
      const record = await deps.store.read((tx) => existingRepository(tx, ctx, name));
      return { tags: record.tags };
    },
  };
}
