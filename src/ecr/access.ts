/** Finding repositories for ECR operations, in the caller's account and region. */
import type { RequestContext } from '../edge/context.js';
import type { RepositoryRecord } from '../store/registry.js';
import type { StoreTx } from '../store/types.js';
import { invalidParameter, repositoryNotFound } from './errors.js';

/** ECR takes registryId only as the caller's own account: cross-account access needs repository policies Berth does not enforce yet. */
export function checkRegistryId(registryId: string | undefined, ctx: RequestContext): void {
  if (registryId !== undefined && registryId !== ctx.scope.accountId) {
    throw invalidParameter(`registryId '${registryId}' is not the caller's account '${ctx.scope.accountId}'; Berth serves each account its own registry`);
  }
}

export async function existingRepository(tx: StoreTx, ctx: RequestContext, name: string): Promise<RepositoryRecord> {
  const repository = await tx.registry.findRepository(ctx.scope.accountId, ctx.scope.region, name);
  if (!repository) throw repositoryNotFound(name, ctx.scope);
  return repository;
}
