/** PutLifecyclePolicy, GetLifecyclePolicy, DeleteLifecyclePolicy, StartLifecyclePolicyPreview and GetLifecyclePolicyPreview. */
import {
  LifecyclePolicyNotFoundException,
  LifecyclePolicyPreviewNotFoundException,
  type DeleteLifecyclePolicyRequest,
  type DeleteLifecyclePolicyResponse,
  type GetLifecyclePolicyPreviewRequest,
  type GetLifecyclePolicyPreviewResponse,
  type GetLifecyclePolicyRequest,
  type GetLifecyclePolicyResponse,
  type PutLifecyclePolicyRequest,
  type PutLifecyclePolicyResponse,
  type StartLifecyclePolicyPreviewRequest,
  type StartLifecyclePolicyPreviewResponse,
} from '@aws-sdk/client-ecr';
import { modelled } from '../../core/errors.js';
import { epochSeconds, type Wire } from '../../core/wire.js';
import type { RequestContext } from '../../core/request-context.js';
import type { RepositoryRecord } from '../../store/registry.js';
import { existingRepository, repositoryTarget } from '../access.js';
import type { EcrDeps } from '../deps.js';
import { invalidParameter } from '../errors.js';
import { parseLifecyclePolicy } from './policy.js';
import type { LifecyclePolicy } from './types.js';
import { expiringImages } from './repository-images.js';

const policyNotFound = (repository: RepositoryRecord) =>
  modelled(
    LifecyclePolicyNotFoundException,
    `Lifecycle policy does not exist for the repository with name '${repository.name}' in the registry with id '${repository.registryId}'`,
  );

function checkPolicy(text: string | undefined): { text: string; policy: LifecyclePolicy } {
  if (text === undefined) throw invalidParameter('lifecyclePolicyText is required');
  const parsed = parseLifecyclePolicy(text);
  if ('error' in parsed) throw invalidParameter(parsed.error);
  return { text, policy: parsed };
}

const tagStatuses = ['TAGGED', 'UNTAGGED', 'ANY'];

export function lifecycleOperations(deps: EcrDeps) {
  return {
    async PutLifecyclePolicy(input: Wire<PutLifecyclePolicyRequest>, ctx: RequestContext): Promise<Wire<PutLifecyclePolicyResponse>> {
      const name = repositoryTarget(input, ctx);
      const { text } = checkPolicy(input.lifecyclePolicyText);
      return deps.store.write(async (tx) => {
        const repository = await existingRepository(tx, ctx, name);
        const { lifecyclePolicyEvaluatedAt: _evaluated, ...rest } = repository;
        await tx.registry.putRepository({ ...rest, lifecyclePolicyText: text });
        return { registryId: repository.registryId, repositoryName: repository.name, lifecyclePolicyText: text };
      });
    },

    async GetLifecyclePolicy(input: Wire<GetLifecyclePolicyRequest>, ctx: RequestContext): Promise<Wire<GetLifecyclePolicyResponse>> {
      const name = repositoryTarget(input, ctx);
      return deps.store.read(async (tx) => {
        const repository = await existingRepository(tx, ctx, name);
        if (repository.lifecyclePolicyText === undefined) throw policyNotFound(repository);
        return {
          registryId: repository.registryId,
          repositoryName: repository.name,
          lifecyclePolicyText: repository.lifecyclePolicyText,
          // ECR shows a policy never evaluated yet as evaluated at the epoch (0).
          lastEvaluatedAt: repository.lifecyclePolicyEvaluatedAt ?? 0,
        };
      });
    },

    async DeleteLifecyclePolicy(input: Wire<DeleteLifecyclePolicyRequest>, ctx: RequestContext): Promise<Wire<DeleteLifecyclePolicyResponse>> {
      const name = repositoryTarget(input, ctx);
      return deps.store.write(async (tx) => {
        const repository = await existingRepository(tx, ctx, name);
        const { lifecyclePolicyText, lifecyclePolicyEvaluatedAt, ...rest } = repository;
        if (lifecyclePolicyText === undefined) throw policyNotFound(repository);
        await tx.registry.putRepository(rest);
        return {
          registryId: repository.registryId,
          repositoryName: repository.name,
          lifecyclePolicyText,
          lastEvaluatedAt: lifecyclePolicyEvaluatedAt ?? 0,
        };
      });
    },

    /** The preview is computed at once; ECR's answer still says IN_PROGRESS, and GetLifecyclePolicyPreview says COMPLETE. */
    async StartLifecyclePolicyPreview(input: Wire<StartLifecyclePolicyPreviewRequest>, ctx: RequestContext): Promise<Wire<StartLifecyclePolicyPreviewResponse>> {
      const name = repositoryTarget(input, ctx);
      return deps.store.write(async (tx) => {
        const repository = await existingRepository(tx, ctx, name);
        const text = input.lifecyclePolicyText ?? repository.lifecyclePolicyText;
        if (text === undefined) throw policyNotFound(repository);
        const { policy } = checkPolicy(text);
        const expiring = await expiringImages(tx, repository, policy, ctx.now);
        await tx.registry.putRepository({
          ...repository,
          lifecyclePreview: {
            policyText: text,
            ranAt: epochSeconds(ctx.now),
            results: expiring.map(({ imageDigest, imageTags, imagePushedAt, rulePriority }) => ({ imageDigest, imageTags, imagePushedAt, rulePriority })),
          },
        });
        return { registryId: repository.registryId, repositoryName: repository.name, lifecyclePolicyText: text, status: 'IN_PROGRESS' };
      });
    },

    async GetLifecyclePolicyPreview(input: Wire<GetLifecyclePolicyPreviewRequest>, ctx: RequestContext): Promise<Wire<GetLifecyclePolicyPreviewResponse>> {
      const name = repositoryTarget(input, ctx);
      const tagStatus = input.filter?.tagStatus;
      if (tagStatus !== undefined && !tagStatuses.includes(tagStatus)) throw invalidParameter(`filter.tagStatus must be one of ${tagStatuses.join(', ')}, got '${tagStatus}'`);
      const maxResults = input.maxResults ?? 100;
      if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) throw invalidParameter(`maxResults must be 1–100, got ${maxResults}`);
      return deps.store.read(async (tx) => {
        const repository = await existingRepository(tx, ctx, name);
        const preview = repository.lifecyclePreview;
        if (!preview) {
          throw modelled(
            LifecyclePolicyPreviewNotFoundException,
            `There is no lifecycle policy preview for the repository with name '${repository.name}' in the registry with id '${repository.registryId}'; start one with StartLifecyclePolicyPreview`,
          );
        }
        const wanted = (input.imageIds ?? []).map((id) => ({ digest: id.imageDigest, tag: id.imageTag }));
        const results = preview.results
          .filter((result) => tagStatus === undefined || tagStatus === 'ANY' || (tagStatus === 'TAGGED') === result.imageTags.length > 0)
          .filter((result) => wanted.length === 0 || wanted.some((id) => id.digest === result.imageDigest || (id.tag !== undefined && result.imageTags.includes(id.tag))));
        const start = input.nextToken === undefined ? 0 : Number(input.nextToken);
        if (!Number.isInteger(start) || start < 0 || start > results.length) throw invalidParameter('nextToken is not one this operation returned; pass it unchanged');
        const page = results.slice(start, start + maxResults);
        return {
          registryId: repository.registryId,
          repositoryName: repository.name,
          lifecyclePolicyText: preview.policyText,
          status: 'COMPLETE',
          previewResults: page.map((result) => ({
            imageDigest: result.imageDigest,
            imageTags: result.imageTags,
            imagePushedAt: result.imagePushedAt,
            action: { type: 'EXPIRE' },
            appliedRulePriority: result.rulePriority,
          })),
          ...(start + maxResults < results.length ? { nextToken: String(start + maxResults) } : {}),
          summary: { expiringImageTotalCount: preview.results.length },
        };
      });
    },
  };
}
