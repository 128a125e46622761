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
import type { RequestContext } from '../core/request-context.js';
import type { RepositoryRecord } from '../store/registry.js';
import { versionOf, type RegistryTables } from '../store/types.js';
import { checkRegistryId, existingRepository, repositoryTarget } from './access.js';
import type { EcrDeps } from './deps.js';
import { repositoryExists, repositoryNotEmpty, tooManyTags } from './errors.js';
import { decodeToken, encodeToken, invalidToken } from './pagination.js';
import { presentRepository } from './present.js';
import { checkEncryption, checkMutability } from './settings-checks.js';
import { checkTags, maxTags } from './tags.js';
import { checkListSize, checkMaxResults, checkRepositoryName, refuseTogether } from './validate.js';

// Other ECR modules import the repository-name check from here.

const defaultPageSize = 100;

function newRepository(input: Wire<CreateRepositoryRequest>, ctx: RequestContext, name: string): RepositoryRecord {
  const tags = checkTags(input.tags);
  if (tags.length > maxTags) throw tooManyTags(name, tags.length);
  return {
    arn: `arn:aws:ecr:${ctx.scope.region}:${ctx.scope.accountId}:repository/${name}`,
    accountId: ctx.scope.accountId,
    region: ctx.scope.region,
    name,
    registryId: ctx.scope.accountId,
    createdAt: epochSeconds(ctx.now),
    ...checkMutability(input.imageTagMutability, input.imageTagMutabilityExclusionFilters),
    scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false,
    encryptionConfiguration: checkEncryption(input.encryptionConfiguration, ctx.scope),
    tags,
  };
}

async function describeByName(tx: RegistryTables, ctx: RequestContext, names: string[]): Promise<RepositoryRecord[]> {
  checkListSize(names, 'repositoryNames', 1, 100);
  const records = [];
  for (const [index, name] of names.entries()) records.push(await existingRepository(tx, ctx, checkRepositoryName(name, `repositoryNames[${index}]`)));
  return records;
}

/** The store pages repositories by a sequence number, which the token carries. */
function repositoryCursor(token: string): string {
  const [cursor, ...rest] = decodeToken(token);
  if (typeof cursor !== 'string' || !/^[0-9]+$/.test(cursor) || rest.length > 0) throw invalidToken();
  return cursor;
}

export function repositoryOperations(deps: EcrDeps) {
  return {
    async CreateRepository(input: Wire<CreateRepositoryRequest>, ctx: RequestContext): Promise<Wire<CreateRepositoryResponse>> {
      const name = repositoryTarget(input, ctx);
      const record = newRepository(input, ctx, name);
      return deps.store.write(async (tx) => {
        if (await tx.registry.findRepository(ctx.scope.accountId, ctx.scope.region, name)) throw repositoryExists(name, ctx.scope);
        await tx.registry.putRepository(record);
        return { repository: presentRepository(deps.registry, record) };
      });
    },

    async DescribeRepositories(input: Wire<DescribeRepositoriesRequest>, ctx: RequestContext): Promise<Wire<DescribeRepositoriesResponse>> {
      checkRegistryId(input.registryId, ctx);
      if (input.repositoryNames !== undefined) {
        if (input.maxResults !== undefined) refuseTogether('maxResults', 'repositoryNames');
        if (input.nextToken !== undefined) refuseTogether('nextToken', 'repositoryNames');
        const names = input.repositoryNames;
        const records = await deps.store.read((tx) => describeByName(tx, ctx, names));
        return { repositories: records.map((record) => presentRepository(deps.registry, record)) };
      }
      const limit = checkMaxResults(input.maxResults, defaultPageSize);
      const after = input.nextToken === undefined ? undefined : repositoryCursor(input.nextToken);
      const page = await deps.store.read((tx) => tx.registry.listRepositories(ctx.scope, { limit, ...(after !== undefined ? { after } : {}) }));
      return {
        repositories: page.items.map((record) => presentRepository(deps.registry, record)),
        ...(page.next ? { nextToken: encodeToken([page.next]) } : {}),
      };
    },

    async DeleteRepository(input: Wire<DeleteRepositoryRequest>, ctx: RequestContext): Promise<Wire<DeleteRepositoryResponse>> {
      const name = repositoryTarget(input, ctx);
      return deps.store.write(async (tx) => {
        const record = await existingRepository(tx, ctx, name);
        if (!input.force && (await tx.registry.listManifests(record.arn)).length > 0) throw repositoryNotEmpty(name, ctx.scope);
        await tx.registry.deleteRepository(record.arn, versionOf(record));
        return { repository: presentRepository(deps.registry, record) };
      });
    },
  };
}
