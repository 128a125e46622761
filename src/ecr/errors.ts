/** ECR's errors, worded as ECR words them, as the SDK's own exception classes. */
import {
  InvalidParameterException,
  RepositoryAlreadyExistsException,
  RepositoryNotEmptyException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { modelled } from '../core/errors.js';
import type { RegistryScope } from '../registry/repositories.js';

export const invalidParameter = (message: string) => modelled(InvalidParameterException, message);

export const repositoryNotFound = (name: string, scope: RegistryScope) =>
  modelled(RepositoryNotFoundException, `The repository with name '${name}' does not exist in the registry with id '${scope.accountId}'`);

export const repositoryExists = (name: string, scope: RegistryScope) =>
  modelled(RepositoryAlreadyExistsException, `The repository with name '${name}' already exists in the registry with id '${scope.accountId}'`);

export const repositoryNotEmpty = (name: string, scope: RegistryScope) =>
  modelled(
    RepositoryNotEmptyException,
    `The repository with name '${name}' in registry with id '${scope.accountId}' cannot be deleted because it still contains images; delete them first or pass force`,
  );
