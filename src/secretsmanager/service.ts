import * as secretsManagerModel from '@aws-sdk/client-secrets-manager';
import { defineJsonService, type JsonHandler, type JsonService } from '../edge/protocols/aws-json.js';
import type { SecretsManagerDeps } from './deps.js';
import { lifecycleOperations } from './lifecycle.js';
import { listOperations } from './list.js';
import { resourcePolicyOperations } from './resource-policies.js';
import { secretOperations } from './secrets.js';
import { taggingOperations } from './tagging.js';
import { valueOperations } from './values.js';

export const secretsManagerTargetPrefix = 'secretsmanager';

/** The AWS Secrets Manager API, for the operations Berth serves. */
export function secretsManagerService(deps: SecretsManagerDeps): JsonService {
  const operations: Record<string, JsonHandler> = {
    ...secretOperations(deps),
    ...valueOperations(deps),
    ...lifecycleOperations(deps),
    ...listOperations(deps),
    ...taggingOperations(deps),
    ...resourcePolicyOperations(deps),
  };
  return defineJsonService(
    secretsManagerModel as Record<string, unknown>,
    { id: 'secretsmanager', signingName: 'secretsmanager', targetPrefix: secretsManagerTargetPrefix, jsonVersion: '1.1' },
    operations,
  );
}
