import * as ecrModel from '@aws-sdk/client-ecr';
import { defineJsonService, type JsonHandler, type JsonService } from '../edge/protocols/aws-json.js';
import { authorizationOperations } from './authorization.js';
import { batchDeleteImageOperations } from './batch-delete-image.js';
import { batchGetImageOperations } from './batch-get-image.js';
import type { EcrDeps } from './deps.js';
import { describeImageOperations } from './describe-images.js';
import { registryOperations } from './describe-registry.js';
import { layerOperations } from './layers.js';
import { lifecycleOperations } from './lifecycle/operations.js';
import { policyOperations } from './policies.js';
import { putImageOperations } from './put-image.js';
import { repositoryOperations } from './repositories.js';
import { settingsOperations } from './settings.js';
import { taggingOperations } from './tagging.js';
import { uploadOperations } from './uploads.js';

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
    ...describeImageOperations(deps),
    ...batchGetImageOperations(deps),
    ...batchDeleteImageOperations(deps),
    ...putImageOperations(deps),
    ...layerOperations(deps),
    ...uploadOperations(deps),
    ...lifecycleOperations(deps),
  };
  return defineJsonService(ecrModel as Record<string, unknown>, { id: 'ecr', signingName: 'ecr', targetPrefix: ecrTargetPrefix, jsonVersion: '1.1' }, operations);
}
