/** Services in tests: task definitions and inputs shared by the service API tests, and a service written below the API for controller-level tests. */
import { DescribeClustersCommand, RegisterTaskDefinitionCommand, type DeploymentConfiguration, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import type { AdvancingClock } from '../../src/core/clock.js';
import { randomIds } from '../../src/core/ids.js';
import { recordDeployment } from '../../src/ecs/services/deployments.js';
import { withDefaults } from '../../src/ecs/services/model.js';
import { defaultSchedulerTiming } from '../../src/controllers/services/timing.js';
import type { ServiceRecord } from '../../src/store/types.js';
import type { TestBerth } from './berth.js';

export const account = '000000000000';
export const serviceArn = (cluster: string, name: string) => `arn:aws:ecs:us-east-1:${account}:service/${cluster}/${name}`;
export const awsvpc = { awsvpcConfiguration: { subnets: ['subnet-local'], assignPublicIp: 'ENABLED' as const } };
export const targetGroupArn = `arn:aws:elasticloadbalancing:us-east-1:${account}:targetgroup/web/0123456789abcdef`;

/**
 * web: bridge, container "web" on port 80 (EC2 and EXTERNAL only).
 * fg: awsvpc at a Fargate size, container "app" on port 8080 (EC2 and FARGATE).
 */
export async function registerServiceDefinitions(ecs: ECSClient): Promise<void> {
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64, portMappings: [{ containerPort: 80 }] }],
    }),
  );
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'fg',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'app', image: 'busybox', portMappings: [{ containerPort: 8080 }] }],
    }),
  );
}

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
}

export async function clusterCounts(ecs: ECSClient, cluster = 'default') {
  const { clusters } = await ecs.send(new DescribeClustersCommand({ clusters: [cluster] }));
  return clusters![0]!;
}

/**
 * Moves the server's clock to where every one of `running` (tasks RUNNING, as described) has been
 * running for the proving window, and runs the scheduler's passes. Idempotent: it moves the clock
 * again only once a task has started since.
 */
export async function proveRunning(berth: TestBerth, clock: AdvancingClock, running: readonly Task[]): Promise<void> {
  const started = running.flatMap((task) => (task.startedAt ? [task.startedAt.getTime()] : []));
  if (started.length === 0) return;
  const ahead = Math.max(...started) + defaultSchedulerTiming.provenAfterSeconds * 1000 - clock.now().getTime();
  if (ahead > 0) clock.advance(ahead);
  await berth.server.services.settle();
}
