/** Finding repositories for ECR operations, in the caller's account and region. */
import type { RequestContext } from '../core/request-context.js';
import type { RepositoryRecord } from '../store/registry.js';
import type { RegistryTables } from '../store/types.js';
import { invalidParameter, repositoryNotFound } from './errors.js';
import type { EcrDeps } from './deps.js';
import { checkRepositoryName } from './validate.js';

/** ECR takes registryId only as the caller's own account: cross-account access needs repository policies Berth does not enforce yet. */
export function checkRegistryId(registryId: string | undefined, ctx: RequestContext): void {
  if (registryId !== undefined && registryId !== ctx.scope.accountId) {
    throw invalidParameter(`registryId '${registryId}' is not the caller's account '${ctx.scope.accountId}'; Berth serves each account its own registry`);
  }
}

export async function existingRepository(tx: RegistryTables, ctx: RequestContext, name: string): Promise<RepositoryRecord> {
  const repository = await tx.registry.findRepository(ctx.scope.accountId, ctx.scope.region, name);
  if (!repository) throw repositoryNotFound(name, ctx.scope.accountId);
  return repository;
}

/** The registryId and repositoryName members every repository operation takes, checked. */
export function repositoryTarget(input: { registryId?: string | undefined; repositoryName?: string | undefined }, ctx: RequestContext): string {
  checkRegistryId(input.registryId, ctx);
  return checkRepositoryName(input.repositoryName);
}

/** Rewrites a repository's record in one transaction; answers the record as written. */
export async function updateRepository(
  deps: EcrDeps,
  ctx: RequestContext,
  name: string,
  change: (record: RepositoryRecord) => RepositoryRecord,
): Promise<RepositoryRecord> {
  return deps.store.write(async (tx) => {
    const updated = change(await existingRepository(tx, ctx, name));
    await tx.registry.putRepository(updated);
    return updated;
  });
}
