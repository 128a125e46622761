import * as ecrModel from '@aws-sdk/client-ecr';
import { defineJsonService, type JsonHandler, type JsonService } from '../edge/protocols/aws-json.js';
import { authorizationOperations } from './authorization.js';
import type { EcrDeps } from './deps.js';
import { registryOperations } from './describe-registry.js';
import { policyOperations } from './policies.js';
import { repositoryOperations } from './repositories.js';
import { settingsOperations } from './settings.js';
import { taggingOperations } from './tagging.js';

export const ecrTargetPrefix = 'AmazonEC2ContainerRegistry_V20150921';

/** The Amazon ECR API, for the operations Berth serves; images move over it or over /v2/, into the same registry. */
export function ecrService(deps: EcrDeps): JsonService {
  const operations: Record<string, JsonHandler> = {
    ...repositoryOperations(deps),
    ...settingsOperations(deps),
    ...policyOperations(deps),
    ...taggingOperations(deps),
    ...registryOperations(),
    ...authorizationOperations(deps),
  };
  return defineJsonService(ecrModel as Record<string, unknown>, { id: 'ecr', signingName: 'ecr', targetPrefix: ecrTargetPrefix, jsonVersion: '1.1' }, operations);
}
