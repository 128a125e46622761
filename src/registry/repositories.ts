/** Finding the repository a registry request names, in the account and region of its token. */
import type { RepositoryRecord } from '../store/registry.js';
import type { RegistryTables } from '../store/types.js';
import { RegistryError } from './errors.js';
import { repositoryNameProblem } from './names.js';

export interface RegistryScope {
  accountId: string;
  region: string;
}

export async function existingRepository(tx: RegistryTables, scope: RegistryScope, name: string): Promise<RepositoryRecord> {
  const problem = repositoryNameProblem(name);
  if (problem) throw new RegistryError('NAME_INVALID', `invalid repository name '${name}': it ${problem}`, { name });
  const repository = await tx.registry.findRepository(scope.accountId, scope.region, name);
  if (!repository) {
    throw new RegistryError(
      'NAME_UNKNOWN',
      `The repository with name '${name}' does not exist in the registry with id '${scope.accountId}' (${scope.region}). Create it first: aws ecr create-repository --repository-name ${name}`,
      { name },
    );
  }
  return repository;
}
