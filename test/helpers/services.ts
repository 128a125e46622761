/** Services in tests: creating one below the API (for controller-level tests) and reading one back. */
import { DescribeClustersCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { randomIds } from '../../src/core/ids.js';
import { recordDeployment } from '../../src/service-scheduler/deployments.js';
import { withDefaults } from '../../src/service-scheduler/model.js';
import type { DeploymentConfiguration } from '@aws-sdk/client-ecs';
import type { ServiceRecord } from '../../src/store/types.js';
import type { TestBerth } from './berth.js';

/**
 * Writes a service and its first deployment straight into the store, as CreateService would, for
 * tests of the controller that must not depend on the API layer.
 */
export async function createServiceInStore(
  berth: TestBerth,
  spec: { serviceName: string; taskDefinition: string; desiredCount: number; cluster?: string; deploymentConfiguration?: DeploymentConfiguration },
): Promise<void> {
  const cluster = spec.cluster ?? 'default';
  const prefix = `arn:aws:ecs:${berth.config.region}:${berth.config.accountId}`;
  const now = Date.now() / 1000;
  await berth.server.store.write(async (tx) => {
    const definition = await tx.taskDefinitions.get(`${prefix}:task-definition/${spec.taskDefinition}`);
    if (!definition) throw new Error(`no task definition ${spec.taskDefinition}`);
    const service: ServiceRecord = {
      serviceArn: `${prefix}:service/${cluster}/${spec.serviceName}`,
      serviceName: spec.serviceName,
      clusterArn: `${prefix}:cluster/${cluster}`,
      status: 'ACTIVE',
      desiredCount: spec.desiredCount,
      schedulingStrategy: 'REPLICA',
      launchType: 'EC2',
      createdAt: now,
      deployments: [],
      events: [],
      tags: [],
      deploymentConfiguration: withDefaults(spec.deploymentConfiguration, 'REPLICA'),
      version: 1,
    };
    await recordDeployment(tx, service, { taskDefinition: definition.taskDefinitionArn, launchType: 'EC2' }, definition, { now, ids: randomIds });
  });
  berth.server.services.kick();
}

export async function clusterCounts(ecs: ECSClient, cluster = 'default') {
  const { clusters } = await ecs.send(new DescribeClustersCommand({ clusters: [cluster] }));
  return clusters![0]!;
}
