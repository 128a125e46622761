import * as ecrModel from '@aws-sdk/client-ecr';
import { defineJsonService, type JsonHandler, type JsonService } from '../edge/protocols/aws-json.js';
import { authorizationOperations } from './authorization.js';
import { lifecycleOperations } from './lifecycle/operations.js';
import type { EcrDeps } from './deps.js';
import { repositoryOperations } from './repositories.js';

export const ecrTargetPrefix = 'AmazonEC2ContainerRegistry_V20150921';

/** The Amazon ECR API, for the operations Berth serves; the images themselves move over /v2/. */
export function ecrService(deps: EcrDeps): JsonService {
  const operations: Record<string, JsonHandler> = {
    ...repositoryOperations(deps),
    ...authorizationOperations(deps),
    ...lifecycleOperations(deps),
  };
  return defineJsonService(ecrModel as Record<string, unknown>, { id: 'ecr', signingName: 'ecr', targetPrefix: ecrTargetPrefix, jsonVersion: '1.1' }, operations);
}
