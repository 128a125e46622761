import * as ecsModel from '@aws-sdk/client-ecs';
import { defineJsonService, type JsonHandler, type JsonService } from '../edge/protocols/aws-json.js';
import { clusterOperations } from './clusters.js';
import { containerInstanceOperations } from './container-instances.js';
import type { EcsDeps } from './deps.js';
import { accountSettingOperations } from './account-settings.js';
import { attributeOperations } from './attributes.js';
import { serviceDeploymentOperations } from './services/deployments-api.js';
import { serviceOperations } from './services/operations.js';
import { pollEndpointOperations } from './poll-endpoint.js';
import { taggingOperations } from './tagging.js';
import { taskOperations } from './tasks/operations.js';
import { stateChangeOperations } from './tasks/state-changes.js';
import { taskDefinitionOperations } from './task-definitions/index.js';

export const ecsTargetPrefix = 'AmazonEC2ContainerServiceV20141113';

/** The ECS API: each resource's module contributes its operations. */
export function ecsService(deps: EcsDeps): JsonService {
  const operations: Record<string, JsonHandler> = {
    ...clusterOperations(deps),
    ...containerInstanceOperations(deps),
    ...pollEndpointOperations(deps),
    ...taggingOperations(deps),
    ...attributeOperations(deps),
    ...accountSettingOperations(deps),
    ...taskOperations(deps),
    ...stateChangeOperations(deps),
    ...taskDefinitionOperations(deps),
    ...serviceOperations(deps),
    ...serviceDeploymentOperations(deps),
  };
  return defineJsonService(ecsModel as Record<string, unknown>, { id: 'ecs', signingName: 'ecs', targetPrefix: ecsTargetPrefix, jsonVersion: '1.1' }, operations);
}
