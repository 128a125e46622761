import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  ListServiceDeploymentsCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type ECSClient,
  type Service,
  type UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { account, awsvpc, registerServiceDefinitions, serviceArn, targetGroupArn } from '../helpers/services.js';

const webArn = (revision: number) => `arn:aws:ecs:us-east-1:${account}:task-definition/web:${revision}`;

describe('service deployments', () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  const cluster = 'deploy';
  const create = (serviceName: string, extra: Record<string, unknown> = {}) =>
    ecs.send(new CreateServiceCommand({ cluster, serviceName, taskDefinition: 'web:1', desiredCount: 1, ...extra })).then((out) => out.service!);
  const update = (service: string, input: Partial<UpdateServiceCommandInput>) =>
    ecs.send(new UpdateServiceCommand({ cluster, service, ...input })).then((out) => out.service!);
  const listDeployments = (service: string) => ecs.send(new ListServiceDeploymentsCommand({ cluster, service })).then((out) => out.serviceDeployments ?? []);

  before(async () => {
    berth = await startBerth();
    // These tests check what the API records; the scheduler, which would act on it (and retire
    // deployments that have no tasks at once), is tested in test/services.
    await berth.server.services.stop();
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: cluster, capacityProviders: ['FARGATE', 'FARGATE_SPOT'] }));
    await registerServiceDefinitions(ecs);
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        containerDefinitions: [{ name: 'web', image: 'busybox:1.36', memory: 64, portMappings: [{ containerPort: 80 }] }],
      }),
    );
  });
  after(async () => berth.close());

  it('scales without a new deployment: the PRIMARY deployment follows the desired count', async () => {
    const created = await create('scale');
    const scaled = await update('scale', { desiredCount: 4 });
    assert.equal(scaled.desiredCount, 4);
    assert.equal(scaled.deployments?.length, 1);
    assert.equal(scaled.deployments?.[0]?.id, created.deployments?.[0]?.id);
    assert.equal(scaled.deployments?.[0]?.desiredCount, 4);
    assert.equal(scaled.currentServiceDeployment, created.currentServiceDeployment);
    assert.equal(scaled.currentServiceRevisions?.[0]?.requestedTaskCount, 4);
    assert.equal((await listDeployments('scale')).length, 1);
  });

  it('stores settings that apply to tasks started from now on, without a new deployment', async () => {
    const created = await create('settings');
    const updated = await update('settings', {
      deploymentConfiguration: { maximumPercent: 150, deploymentCircuitBreaker: { enable: true, rollback: true } },
      healthCheckGracePeriodSeconds: 60,
      propagateTags: 'SERVICE',
      enableECSManagedTags: true,
      placementStrategy: [{ type: 'binpack', field: 'memory' }],
      placementConstraints: [{ type: 'distinctInstance' }],
      availabilityZoneRebalancing: 'DISABLED',
    });
    assert.deepEqual(updated.deploymentConfiguration, {
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 150,
      minimumHealthyPercent: 100,
    });
    assert.equal(updated.healthCheckGracePeriodSeconds, 60);
    assert.equal(updated.propagateTags, 'SERVICE');
    assert.equal(updated.enableECSManagedTags, true);
    assert.deepEqual(updated.placementStrategy, [{ type: 'binpack', field: 'memory' }]);
    assert.deepEqual(updated.placementConstraints, [{ type: 'distinctInstance' }]);
    assert.equal(updated.availabilityZoneRebalancing, 'DISABLED');
    assert.deepEqual(updated.deployments?.map((deployment) => deployment.id), created.deployments?.map((deployment) => deployment.id));
    await rejects(update('settings', { deploymentConfiguration: { minimumHealthyPercent: 150 } }), 'InvalidParameterException', /minimumHealthyPercent/);
    await rejects(update('settings', { placementStrategy: [{ type: 'spread', field: 'nowhere' }] }), 'InvalidParameterException', /placementStrategy/);
    await rejects(update('settings', { deploymentController: { type: 'CODE_DEPLOY' } }), 'InvalidParameterException', /CODE_DEPLOY/);
  });

  it('starts a new deployment for a new task definition, keeping the old one ACTIVE', async () => {
    const created = await create('roll');
    const updated = await update('roll', { taskDefinition: 'web' });
    assert.equal(updated.taskDefinition, webArn(2));
    assert.equal(updated.deployments?.length, 2);
    const [primary, previous] = updated.deployments!;
    assert.equal(primary?.status, 'PRIMARY');
    assert.equal(primary?.taskDefinition, webArn(2));
    assert.equal(primary?.desiredCount, 1);
    assert.equal(previous?.status, 'ACTIVE');
    assert.equal(previous?.id, created.deployments?.[0]?.id);
    assert.equal(previous?.taskDefinition, webArn(1));
    assert.notEqual(updated.currentServiceDeployment, created.currentServiceDeployment);
    assert.equal(updated.currentServiceRevisions?.length, 2);

    const listed = await listDeployments('roll');
    assert.deepEqual(
      listed.map((brief) => brief.serviceDeploymentArn),
      [updated.currentServiceDeployment, created.currentServiceDeployment],
      'newest first',
    );
    assert.equal(listed[1]?.status, 'STOPPED', 'a newer service deployment supersedes one still under way');
    assert.match(listed[1]?.statusReason ?? '', /newer service deployment/);
    assert.equal(listed[0]?.targetServiceRevisionArn, updated.currentServiceRevisions?.[0]?.arn);
    assert.equal(listed[0]?.serviceArn, serviceArn(cluster, 'roll'));
    assert.ok(listed[0]?.createdAt instanceof Date);
  });

  it('starts a new deployment when forced, or when the network, load balancers or platform change', async () => {
    const forced = await update('scale', { forceNewDeployment: true });
    assert.equal(forced.deployments?.length, 2);
    assert.equal(forced.deployments?.[0]?.taskDefinition, forced.deployments?.[1]?.taskDefinition);

    await create('balanced');
    await rejects(
      update('balanced', { loadBalancers: [{ targetGroupArn, containerName: 'web', containerPort: 80 }] }),
      'InvalidParameterException',
      /Unable to assume role and validate the specified targetGroupArn/,
    );
    await rejects(
      update('balanced', { loadBalancers: [{ targetGroupArn, containerName: 'web', containerPort: 443 }] }),
      'InvalidParameterException',
      /did not have a container port 443 defined/,
    );

    await create('vpc', { taskDefinition: 'fg', launchType: 'FARGATE', networkConfiguration: awsvpc });
    const moved = await update('vpc', { networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-other'] } } });
    assert.equal(moved.deployments?.length, 2);
    assert.deepEqual(moved.deployments?.[0]?.networkConfiguration, { awsvpcConfiguration: { subnets: ['subnet-other'] } });
    const samePlatform = await update('vpc', { platformVersion: 'LATEST' });
    assert.equal(samePlatform.deployments?.length, 2, 'LATEST is the platform already in use');
    await rejects(update('scale', { platformVersion: '1.4.0' }), 'InvalidParameterException', /platform version must be null/);
    await rejects(update('vpc', { taskDefinition: 'web:1' }), 'InvalidParameterException', /FARGATE/);
  });

  it('changes the capacity provider strategy only with a forced new deployment', async () => {
    await create('spot', { taskDefinition: 'fg', launchType: 'FARGATE', networkConfiguration: awsvpc });
    const strategy = [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }];
    await rejects(update('spot', { capacityProviderStrategy: strategy }), 'InvalidParameterException', /you must force a new deployment/);
    const moved = await update('spot', { capacityProviderStrategy: strategy, forceNewDeployment: true });
    assert.equal(moved.launchType, undefined);
    assert.deepEqual(moved.capacityProviderStrategy, [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }]);
    assert.deepEqual(moved.deployments?.[0]?.capacityProviderStrategy, [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }]);
    const back = await update('spot', { capacityProviderStrategy: [], forceNewDeployment: true });
    assert.equal(back.launchType, 'FARGATE');
    assert.equal(back.capacityProviderStrategy, undefined);
  });

  it('describes service deployments and revisions', async () => {
    const service = (await ecs.send(new DescribeServicesCommand({ cluster, services: ['roll'] }))).services![0]! as Service;
    const [currentArn, supersededArn] = (await listDeployments('roll')).map((brief) => brief.serviceDeploymentArn!);
    const missing = `arn:aws:ecs:us-east-1:${account}:service-deployment/${cluster}/roll/AAAAAAAAAAAAAAAAAAAAAA`;
    const described = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [currentArn!, supersededArn!, missing] }));
    assert.deepEqual(described.failures, [{ arn: missing, reason: 'MISSING' }]);
    const [current, superseded] = described.serviceDeployments!;
    assert.equal(current?.serviceDeploymentArn, currentArn);
    assert.equal(current?.serviceArn, service.serviceArn);
    assert.equal(current?.clusterArn, service.clusterArn);
    assert.equal(current?.targetServiceRevision?.arn, service.currentServiceRevisions?.[0]?.arn);
    assert.equal(current?.targetServiceRevision?.requestedTaskCount, 1);
    assert.equal(typeof current?.targetServiceRevision?.runningTaskCount, 'number');
    assert.deepEqual(current?.sourceServiceRevisions?.map((revision) => revision.arn), [service.currentServiceRevisions?.[1]?.arn]);
    assert.equal(current?.deploymentConfiguration?.maximumPercent, 200);
    assert.equal(current?.deploymentCircuitBreaker?.status, 'DISABLED');
    assert.equal(superseded?.status, 'STOPPED');
    assert.ok(superseded?.stoppedAt instanceof Date);

    const revisionArns = service.currentServiceRevisions!.map((revision) => revision.arn!);
    const missingRevision = `arn:aws:ecs:us-east-1:${account}:service-revision/${cluster}/roll/1234567890123456789`;
    const revisions = await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [...revisionArns, missingRevision] }));
    assert.deepEqual(revisions.failures, [{ arn: missingRevision, reason: 'MISSING' }]);
    assert.deepEqual(revisions.serviceRevisions?.map((revision) => revision.taskDefinition), [webArn(2), webArn(1)]);
    const revision = revisions.serviceRevisions![0]!;
    assert.equal(revision.serviceArn, service.serviceArn);
    assert.equal(revision.launchType, 'EC2');
    assert.deepEqual(revision.containerImages, [{ containerName: 'web', image: 'busybox:1.36' }]);
    assert.deepEqual(revision.loadBalancers, []);
    assert.ok(revision.createdAt instanceof Date);

    await rejects(ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: ['not-an-arn'] })), 'InvalidParameterException', /not an ARN/);
    await rejects(ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [] })), 'InvalidParameterException', /serviceRevisionArns/);
    await rejects(
      ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: Array.from({ length: 21 }, () => missingRevision) })),
      'InvalidParameterException',
      /at most 20/,
    );
  });

  it('lists service deployments by status and creation time, in pages', async () => {
    await create('history');
    for (let i = 0; i < 3; i++) await update('history', { forceNewDeployment: true });
    const all = await listDeployments('history');
    assert.equal(all.length, 4);
    const stopped = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service: 'history', status: ['STOPPED'] }));
    assert.deepEqual(stopped.serviceDeployments?.map((brief) => brief.status), ['STOPPED', 'STOPPED', 'STOPPED']);
    const page = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service: 'history', maxResults: 3 }));
    assert.equal(page.serviceDeployments?.length, 3);
    const rest = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service: 'history', maxResults: 3, nextToken: page.nextToken }));
    assert.deepEqual(rest.serviceDeployments?.map((brief) => brief.serviceDeploymentArn), [all[3]?.serviceDeploymentArn]);
    const future = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service: 'history', createdAt: { after: new Date(Date.now() + 60_000) } }));
    assert.deepEqual(future.serviceDeployments, []);
    const past = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service: 'history', createdAt: { before: new Date(Date.now() + 60_000) } }));
    assert.equal(past.serviceDeployments?.length, 4);
    await rejects(ecs.send(new ListServiceDeploymentsCommand({ cluster, service: 'ghost' })), 'ServiceNotFoundException');
    await rejects(ecs.send(new ListServiceDeploymentsCommand({ cluster, service: 'history', status: ['DONE' as never] })), 'InvalidParameterException', /status\[0\]/);
    await rejects(ecs.send(new ListServiceDeploymentsCommand({ cluster, service: 'history', maxResults: 101 })), 'InvalidParameterException', /maxResults/);
  });

  it('refuses to stop a service deployment that is unknown, finished, or has nothing to roll back to', async () => {
    const missing = `arn:aws:ecs:us-east-1:${account}:service-deployment/${cluster}/roll/AAAAAAAAAAAAAAAAAAAAAA`;
    await rejects(ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: missing })), 'ServiceDeploymentNotFoundException');
    await rejects(ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: 'nope' })), 'InvalidParameterException', /serviceDeploymentArn/);
    const [current, superseded] = (await listDeployments('roll')).map((brief) => brief.serviceDeploymentArn!);
    await rejects(ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: superseded! })), 'ConflictException', /STOPPED/);
    await rejects(ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: current!, stopType: 'ABORT' })), 'InvalidParameterException', /ABORT/);
    const fresh = await create('fresh');
    await rejects(
      ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: fresh.currentServiceDeployment!, stopType: 'ROLLBACK' })),
      'ConflictException',
      /no completed deployment/,
    );
  });

  it('rolls an ongoing service deployment back to the last completed revision on request', async () => {
    const created = await create('undo');
    // What the scheduler records once the first deployment reaches a steady state.
    await berth.server.store.write(async (tx) => {
      const record = (await tx.services.get(serviceArn(cluster, 'undo')))!;
      const first = record.deployments[0]!;
      await tx.services.put({
        ...record,
        deployments: [{ ...first, rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${first.id} completed.` }],
        lastCompletedRevisionArn: first.serviceRevisionArn,
        lastCompletedDeploymentId: first.id,
      });
      const serviceDeployment = (await tx.serviceDeployments.get(first.serviceDeploymentArn))!;
      await tx.serviceDeployments.put({ ...serviceDeployment, status: 'SUCCESSFUL', finishedAt: Date.now() / 1000 });
    });
    const updated = await update('undo', { taskDefinition: 'web:2' });
    const stopped = await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: updated.currentServiceDeployment!, stopType: 'ROLLBACK' }));
    assert.equal(stopped.serviceDeploymentArn, updated.currentServiceDeployment);

    const service = (await ecs.send(new DescribeServicesCommand({ cluster, services: ['undo'] }))).services![0]!;
    assert.equal(service.currentServiceDeployment, updated.currentServiceDeployment, 'a rollback carries on the same service deployment');
    const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
    assert.equal(primary?.taskDefinition, webArn(1));
    assert.match(primary?.rolloutStateReason ?? '', new RegExp(`deploymentId ${created.deployments![0]!.id!.replace('/', '\\/')}`));
    const failed = service.deployments?.find((deployment) => deployment.id === updated.deployments?.[0]?.id);
    assert.equal(failed?.rolloutState, 'FAILED');
    assert.match(failed?.rolloutStateReason ?? '', /StopServiceDeployment/);

    const [rolling] = (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [updated.currentServiceDeployment!] }))).serviceDeployments!;
    assert.ok(['ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'].includes(rolling?.status ?? ''), rolling?.status);
    assert.ok(rolling?.rollback?.startedAt instanceof Date);
    assert.equal(rolling?.rollback?.serviceRevisionArn, primary && service.currentServiceRevisions?.[0]?.arn);
    if (rolling?.status === 'ROLLBACK_IN_PROGRESS') {
      const again = await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: updated.currentServiceDeployment! }));
      assert.equal(again.serviceDeploymentArn, updated.currentServiceDeployment, 'a rollback under way carries on');
    }
  });
});
