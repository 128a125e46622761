/** CreateRepository, DescribeRepositories and DeleteRepository. */
import type {
  CreateRepositoryRequest,
  CreateRepositoryResponse,
  DeleteRepositoryRequest,
  DeleteRepositoryResponse,
  DescribeRepositoriesRequest,
  DescribeRepositoriesResponse,
} from '@aws-sdk/client-ecr';
import { epochSeconds, type Wire } from '../core/wire.js';
import type { RequestContext } from '../edge/context.js';
import { repositoryNameProblem } from '../registry/names.js';
import type { RepositoryRecord, TagMutability } from '../store/registry.js';
import { checkRegistryId, existingRepository } from './access.js';
import type { EcrDeps } from './deps.js';
import { invalidParameter, repositoryExists, repositoryNotEmpty } from './errors.js';
import { presentRepository } from './present.js';

const mutabilities: readonly TagMutability[] = ['MUTABLE', 'IMMUTABLE', 'MUTABLE_WITH_EXCLUSION', 'IMMUTABLE_WITH_EXCLUSION'];

export function checkRepositoryName(name: string | undefined, field = 'repositoryName'): string {
  if (name === undefined) throw invalidParameter(`${field} is required`);
  const problem = repositoryNameProblem(name);
  if (problem) throw invalidParameter(`Invalid parameter at '${field}' failed to satisfy constraint: '${name}' ${problem}`);
  return name;
}

export function checkMutability(value: string | undefined): TagMutability {
  if (value === undefined) return 'MUTABLE';
  if (!(mutabilities as readonly string[]).includes(value)) throw invalidParameter(`imageTagMutability must be one of ${mutabilities.join(', ')}, got '${value}'`);
  return value as TagMutability;
}

export function repositoryOperations(deps: EcrDeps) {
  return {
    async CreateRepository(input: Wire<CreateRepositoryRequest>, ctx: RequestContext): Promise<Wire<CreateRepositoryResponse>> {
      checkRegistryId(input.registryId, ctx);
      const name = checkRepositoryName(input.repositoryName);
      const imageTagMutability = checkMutability(input.imageTagMutability);
      return deps.store.write(async (tx) => {
        if (await tx.registry.findRepository(ctx.scope.accountId, ctx.scope.region, name)) throw repositoryExists(name, ctx.scope);
        const record: RepositoryRecord = {
          arn: `arn:aws:ecr:${ctx.scope.region}:${ctx.scope.accountId}:repository/${name}`,
          accountId: ctx.scope.accountId,
          region: ctx.scope.region,
          name,
          registryId: ctx.scope.accountId,
          createdAt: epochSeconds(ctx.now),
          imageTagMutability,
          ...(input.imageTagMutabilityExclusionFilters
            ? { imageTagMutabilityExclusionFilters: input.imageTagMutabilityExclusionFilters as RepositoryRecord['imageTagMutabilityExclusionFilters'] }
            : {}),
          scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false,
          encryptionConfiguration: { encryptionType: input.encryptionConfiguration?.encryptionType ?? 'AES256', ...(input.encryptionConfiguration?.kmsKey ? { kmsKey: input.encryptionConfiguration.kmsKey } : {}) },
          tags: (input.tags ?? []) as RepositoryRecord['tags'],
        };
        await tx.registry.putRepository(record);
        return { repository: presentRepository(deps.registry, record) };
      });
    },

    async DescribeRepositories(input: Wire<DescribeRepositoriesRequest>, ctx: RequestContext): Promise<Wire<DescribeRepositoriesResponse>> {
      checkRegistryId(input.registryId, ctx);
      return deps.store.read(async (tx) => {
        if (input.repositoryNames !== undefined) {
          const records = [];
          for (const name of input.repositoryNames) records.push(await existingRepository(tx, ctx, name));
          return { repositories: records.map((record) => presentRepository(deps.registry, record)) };
        }
        const page = await tx.registry.listRepositories(ctx.scope, { limit: input.maxResults ?? 1000, ...(input.nextToken ? { after: input.nextToken } : {}) });
        return { repositories: page.items.map((record) => presentRepository(deps.registry, record)), ...(page.next ? { nextToken: page.next } : {}) };
      });
    },

    async DeleteRepository(input: Wire<DeleteRepositoryRequest>, ctx: RequestContext): Promise<Wire<DeleteRepositoryResponse>> {
      checkRegistryId(input.registryId, ctx);
      const name = checkRepositoryName(input.repositoryName);
      return deps.store.write(async (tx) => {
        const record = await existingRepository(tx, ctx, name);
        if (!input.force && (await tx.registry.listManifests(record.arn)).length > 0) throw repositoryNotEmpty(name, ctx.scope);
        await tx.registry.deleteRepository(record.arn);
        return { repository: presentRepository(deps.registry, record) };
      });
    },
  };
}
