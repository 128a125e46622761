import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  PutClusterCapacityProvidersCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
  type CreateServiceCommandInput,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { account, awsvpc, registerServiceDefinitions, serviceArn, targetGroupArn } from '../helpers/services.js';
import { ecsTarget, signedRequest } from '../helpers/wire.js';

describe('services', () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  const cluster = 'svc';
  const create = (input: Partial<CreateServiceCommandInput> & { serviceName: string }) =>
    ecs.send(new CreateServiceCommand({ cluster, taskDefinition: 'web', desiredCount: 1, ...input }));

  before(async () => {
    berth = await startBerth();
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: cluster, capacityProviders: ['FARGATE', 'FARGATE_SPOT'] }));
    await registerServiceDefinitions(ecs);
  });
  after(async () => berth.close());

  it('creates a replica service on EC2 with its first deployment, and describes it', async () => {
    const created = await create({ serviceName: 'api', desiredCount: 2, tags: [{ key: 'team', value: 'core' }] });
    const service = created.service!;
    assert.equal(service.serviceArn, serviceArn(cluster, 'api'));
    assert.equal(service.serviceName, 'api');
    assert.equal(service.clusterArn, `arn:aws:ecs:us-east-1:${account}:cluster/${cluster}`);
    assert.equal(service.status, 'ACTIVE');
    assert.equal(service.desiredCount, 2);
    assert.equal(service.launchType, 'EC2');
    assert.equal(service.taskDefinition, `arn:aws:ecs:us-east-1:${account}:task-definition/web:1`);
    assert.equal(service.schedulingStrategy, 'REPLICA');
    assert.deepEqual(service.deploymentController, { type: 'ECS' });
    assert.deepEqual(service.deploymentConfiguration, {
      deploymentCircuitBreaker: { enable: false, rollback: false },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    });
    assert.deepEqual(service.placementStrategy, [
      { type: 'spread', field: 'attribute:ecs.availability-zone' },
      { type: 'spread', field: 'instanceId' },
    ]);
    assert.deepEqual(service.placementConstraints, []);
    assert.equal(service.createdBy, `arn:aws:iam::${account}:root`);
    assert.equal(service.propagateTags, 'NONE');
    assert.equal(service.enableECSManagedTags, false);
    assert.equal(service.enableExecuteCommand, false);
    assert.equal(service.healthCheckGracePeriodSeconds, 0);
    assert.ok(service.createdAt instanceof Date);
    assert.equal(service.deployments?.length, 1);
    const primary = service.deployments![0]!;
    assert.match(primary.id ?? '', /^ecs-svc\/\d{19}$/);
    assert.equal(primary.status, 'PRIMARY');
    assert.equal(primary.desiredCount, 2);
    assert.equal(primary.taskDefinition, service.taskDefinition);
    assert.equal(primary.launchType, 'EC2');
    assert.equal(typeof primary.runningCount, 'number');
    assert.equal(typeof primary.pendingCount, 'number');
    assert.match(service.currentServiceDeployment ?? '', new RegExp(`^arn:aws:ecs:us-east-1:${account}:service-deployment/${cluster}/api/[\\w-]{22}$`));
    assert.equal(service.currentServiceRevisions?.length, 1);
    assert.match(service.currentServiceRevisions![0]!.arn ?? '', new RegExp(`service-revision/${cluster}/api/\\d{19}$`));
    assert.equal(service.currentServiceRevisions![0]!.requestedTaskCount, 2);

    const described = await ecs.send(new DescribeServicesCommand({ cluster, services: ['api', serviceArn(cluster, 'api'), 'ghost'] }));
    assert.equal(described.services?.length, 2);
    assert.equal(described.services?.[0]?.tags, undefined, 'tags only with include TAGS');
    assert.deepEqual(described.failures, [{ arn: serviceArn(cluster, 'ghost'), reason: 'MISSING' }]);
    const withTags = await ecs.send(new DescribeServicesCommand({ cluster, services: ['api'], include: ['TAGS'] }));
    assert.deepEqual(withTags.services?.[0]?.tags, [{ key: 'team', value: 'core' }]);
  });

  it('keeps internal bookkeeping out of the wire', async () => {
    const response = await signedRequest(berth.url, { target: ecsTarget('DescribeServices'), body: JSON.stringify({ cluster, services: ['api'] }) });
    assert.equal(response.status, 200);
    const service = (response.json.services as Record<string, unknown>[])[0]!;
    for (const internal of ['version', 'steadyState', 'deletedAt', 'lastCompletedRevisionArn', 'lastCompletedDeploymentId', 'tags']) {
      assert.equal(internal in service, false, `${internal} is internal`);
    }
    const deployment = (service.deployments as Record<string, unknown>[])[0]!;
    for (const internal of ['breakerFailures', 'serviceDeploymentArn', 'serviceRevisionArn']) assert.equal(internal in deployment, false, `${internal} is internal`);
  });

  it('creates Fargate services from a launch type, a strategy or the cluster default strategy', async () => {
    const fargate = await create({ serviceName: 'fg-launch', taskDefinition: 'fg', launchType: 'FARGATE', networkConfiguration: awsvpc });
    assert.equal(fargate.service?.launchType, 'FARGATE');
    assert.deepEqual(fargate.service?.placementStrategy, [], 'no default placement on Fargate');
    assert.equal(fargate.service?.deployments?.[0]?.platformVersion, '1.4.0');
    assert.deepEqual(fargate.service?.networkConfiguration, awsvpc);

    const strategy = [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }];
    const spot = await create({ serviceName: 'fg-spot', taskDefinition: 'fg', capacityProviderStrategy: strategy, networkConfiguration: awsvpc });
    assert.equal(spot.service?.launchType, undefined);
    assert.deepEqual(spot.service?.capacityProviderStrategy, [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }]);

    await ecs.send(new CreateClusterCommand({ clusterName: 'defaulted' }));
    await ecs.send(
      new PutClusterCapacityProvidersCommand({
        cluster: 'defaulted',
        capacityProviders: ['FARGATE'],
        defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
      }),
    );
    const defaulted = await ecs.send(
      new CreateServiceCommand({ cluster: 'defaulted', serviceName: 'fg', taskDefinition: 'fg', desiredCount: 0, networkConfiguration: awsvpc }),
    );
    assert.deepEqual(defaulted.service?.capacityProviderStrategy, [{ capacityProvider: 'FARGATE', weight: 1, base: 0 }]);
  });

  it('validates CreateService input field by field', async () => {
    const invalid = (input: Partial<CreateServiceCommandInput> & { serviceName: string }, pattern: RegExp) =>
      rejects(create(input), 'InvalidParameterException', pattern);
    await invalid({ serviceName: 'bad name!' }, /serviceName/);
    await invalid({ serviceName: 'x'.repeat(256) }, /serviceName/);
    await invalid({ serviceName: 'no-count', desiredCount: undefined }, /desiredCount/);
    await invalid({ serviceName: 'neg', desiredCount: -1 }, /desiredCount/);
    await invalid({ serviceName: 'no-td', taskDefinition: undefined }, /taskDefinition/);
    await invalid({ serviceName: 'cd', deploymentController: { type: 'CODE_DEPLOY' } }, /CODE_DEPLOY.*not supported/);
    await invalid({ serviceName: 'ext', deploymentController: { type: 'EXTERNAL' } }, /EXTERNAL.*not supported/);
    await invalid({ serviceName: 'strategy', schedulingStrategy: 'SOMETIMES' as never }, /schedulingStrategy/);
    await invalid({ serviceName: 'both', launchType: 'EC2', capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] }, /both/);
    await invalid({ serviceName: 'lt', launchType: 'MAINFRAME' as never }, /launchType/);
    await invalid({ serviceName: 'cp', taskDefinition: 'fg', capacityProviderStrategy: [{ capacityProvider: 'NOPE', weight: 1 }], networkConfiguration: awsvpc }, /not associated/);
    await invalid({ serviceName: 'compat', launchType: 'FARGATE' }, /does not support launch_type FARGATE/);
    await invalid({ serviceName: 'vpc', taskDefinition: 'fg', launchType: 'FARGATE' }, /Network Configuration must be provided/);
    await invalid({ serviceName: 'novpc', networkConfiguration: awsvpc }, /network mode 'bridge'/);
    await invalid({ serviceName: 'pv', platformVersion: '1.4.0' }, /platform version must be null when specifying an EC2 launch type/);
    await rejects(
      create({ serviceName: 'pv2', taskDefinition: 'fg', launchType: 'FARGATE', networkConfiguration: awsvpc, platformVersion: '9.9.9' }),
      'PlatformUnknownException',
    );
    await invalid({ serviceName: 'max', deploymentConfiguration: { maximumPercent: 50 } }, /maximumPercent/);
    await invalid({ serviceName: 'min', deploymentConfiguration: { minimumHealthyPercent: 101 } }, /minimumHealthyPercent/);
    await invalid({ serviceName: 'minmax', deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 100 } }, /less than/);
    await invalid({ serviceName: 'grace', healthCheckGracePeriodSeconds: -1 }, /healthCheckGracePeriodSeconds/);
    await invalid({ serviceName: 'prop', propagateTags: 'EVERYTHING' as never }, /propagateTags/);
    await invalid({ serviceName: 'tags', tags: [{ key: 'aws:reserved', value: 'x' }] }, /tags\[0\]/);
    await invalid({ serviceName: 'many-tags', tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }, /at most 50/);
    await invalid({ serviceName: 'token', clientToken: 'x'.repeat(37) }, /clientToken/);
    await invalid({ serviceName: 'pc', placementConstraints: Array.from({ length: 11 }, () => ({ type: 'distinctInstance' as const })) }, /at most 10/);
    await invalid({ serviceName: 'pc-expr', placementConstraints: [{ type: 'memberOf', expression: 'attribute:tier ==' }] }, /placementConstraints/);
    await invalid({ serviceName: 'ps', placementStrategy: Array.from({ length: 6 }, () => ({ type: 'random' as const })) }, /placementStrategy/);
    await invalid({ serviceName: 'ps-field', placementStrategy: [{ type: 'binpack', field: 'disk' }] }, /placementStrategy/);
    await invalid(
      { serviceName: 'fg-pc', taskDefinition: 'fg', launchType: 'FARGATE', networkConfiguration: awsvpc, placementConstraints: [{ type: 'distinctInstance' }] },
      /Placement constraints are not supported with FARGATE/,
    );
    await rejects(create({ serviceName: 'ghost-td', taskDefinition: 'nope' }), 'ClientException', /nope/);
    await rejects(create({ serviceName: 'ghost-cluster', cluster: 'ghost' }), 'ClusterNotFoundException');
    // The request's own checks come first: a bad launchType on a missing cluster is the launchType's fault.
    await rejects(create({ serviceName: 'ghost-cluster', cluster: 'ghost', launchType: 'BOGUS' as 'EC2' }), 'InvalidParameterException', /launchType/);
    await rejects(
      create({ serviceName: 'ghost-cluster', cluster: 'ghost', launchType: 'EC2', capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }] }),
      'InvalidParameterException',
      /^Specifying both a launchType and capacityProviderStrategy is not supported\.$/,
    );
    await rejects(create({ serviceName: 'sc', serviceConnectConfiguration: { enabled: true } }), 'UnsupportedFeatureException', /Service Connect/);
    await rejects(create({ serviceName: 'bg', deploymentConfiguration: { strategy: 'BLUE_GREEN' } }), 'UnsupportedFeatureException', /BLUE_GREEN/);
  });

  it('validates load balancers, service registries and the role against the task definition', async () => {
    const lb = (overrides: Record<string, unknown>) => ({ targetGroupArn, containerName: 'web', containerPort: 80, ...overrides });
    // Valid in shape, but no such target group exists (services-load-balancers.test.ts covers the rest).
    await rejects(
      create({ serviceName: 'lb', loadBalancers: [lb({})], role: 'ecsServiceRole', healthCheckGracePeriodSeconds: 30 }),
      'InvalidParameterException',
      /^Unable to assume role and validate the specified targetGroupArn\. Please verify that the ECS service role being passed has the proper permissions\.$/,
    );
    const invalid = (input: Partial<CreateServiceCommandInput> & { serviceName: string }, pattern: RegExp) =>
      rejects(create(input), 'InvalidParameterException', pattern);
    await invalid({ serviceName: 'lb-container', loadBalancers: [lb({ containerName: 'nope' })] }, /The container nope does not exist in the task definition/);
    await invalid({ serviceName: 'lb-port', loadBalancers: [lb({ containerPort: 81 })] }, /did not have a container port 81 defined/);
    await invalid({ serviceName: 'lb-target', loadBalancers: [lb({ targetGroupArn: 'arn:aws:s3:::bucket' })] }, /targetGroupArn/);
    await invalid({ serviceName: 'lb-none', loadBalancers: [lb({ targetGroupArn: undefined })] }, /targetGroupArn.*or a loadBalancerName/);
    await invalid({ serviceName: 'lb-name', loadBalancers: [lb({ containerName: undefined })] }, /loadBalancers\[0\]\.containerName/);
    await invalid({ serviceName: 'role', role: 'ecsServiceRole' }, /role/);
    await invalid(
      { serviceName: 'role-vpc', taskDefinition: 'fg', networkConfiguration: awsvpc, loadBalancers: [lb({ containerName: 'app', containerPort: 8080 })], role: 'r' },
      /You cannot specify an IAM role for services that require a service linked role/,
    );
    const registry = `arn:aws:servicediscovery:us-east-1:${account}:service/srv-0123456789`;
    await rejects(
      create({ serviceName: 'sd', serviceRegistries: [{ registryArn: registry, containerName: 'web', containerPort: 80 }] }),
      'UnsupportedFeatureException',
      /^serviceRegistries: AWS Cloud Map service discovery is not supported by Berth yet\.$/,
    );
    await rejects(create({ serviceName: 'exec', enableExecuteCommand: true }), 'UnsupportedFeatureException', /^enableExecuteCommand: ECS Exec is not supported by Berth yet\.$/);
    const plain = await create({ serviceName: 'exec-off', enableExecuteCommand: false });
    assert.equal(plain.service?.enableExecuteCommand, false);
    await invalid({ serviceName: 'sd-two', serviceRegistries: [{ registryArn: registry }, { registryArn: registry }] }, /one service registry/);
    await invalid({ serviceName: 'sd-arn', serviceRegistries: [{ registryArn: 'nope' }] }, /registryArn/);
  });

  it('follows the DAEMON scheduling rules', async () => {
    const daemon = await ecs.send(new CreateServiceCommand({ cluster, serviceName: 'agent', taskDefinition: 'web', schedulingStrategy: 'DAEMON' }));
    assert.equal(daemon.service?.schedulingStrategy, 'DAEMON');
    assert.equal(daemon.service?.desiredCount, 0);
    assert.deepEqual(daemon.service?.placementStrategy, []);
    assert.equal(daemon.service?.deploymentConfiguration?.maximumPercent, 100);
    assert.equal(daemon.service?.deploymentConfiguration?.minimumHealthyPercent, 0);
    const daemonCreate = (input: Partial<CreateServiceCommandInput> & { serviceName: string }) =>
      ecs.send(new CreateServiceCommand({ cluster, taskDefinition: 'web', schedulingStrategy: 'DAEMON', ...input }));
    await rejects(daemonCreate({ serviceName: 'd1', desiredCount: 1 }), 'InvalidParameterException', /does not support a desired count/);
    await rejects(daemonCreate({ serviceName: 'd2', placementStrategy: [{ type: 'random' }] }), 'InvalidParameterException', /does not support placement strategies/);
    await rejects(
      daemonCreate({ serviceName: 'd3', taskDefinition: 'fg', launchType: 'FARGATE', networkConfiguration: awsvpc }),
      'InvalidParameterException',
      /does not support the FARGATE launch type/,
    );
    await rejects(
      daemonCreate({ serviceName: 'd4', capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] }),
      'InvalidParameterException',
      /capacity provider strategy is not supported/,
    );
    await rejects(daemonCreate({ serviceName: 'd5', deploymentConfiguration: { maximumPercent: 200 } }), 'InvalidParameterException', /above 100 for maximumPercent/);
    await rejects(
      ecs.send(new UpdateServiceCommand({ cluster, service: 'agent', desiredCount: 2 })),
      'InvalidParameterException',
      /does not support a desired count/,
    );
  });

  it('is idempotent per clientToken and refuses a second service of the same name', async () => {
    const input = { serviceName: 'idem', clientToken: 'token-1', desiredCount: 1 };
    const first = await create(input);
    const again = await create(input);
    assert.equal(again.service?.serviceArn, first.service?.serviceArn);
    assert.equal(again.service?.deployments?.[0]?.id, first.service?.deployments?.[0]?.id, 'no second deployment');
    await rejects(create({ ...input, desiredCount: 2 }), 'InvalidParameterException', /^Creation of service was not idempotent\.$/);
    await rejects(create({ serviceName: 'idem' }), 'InvalidParameterException', /^Creation of service was not idempotent\.$/);
    await rejects(create({ serviceName: 'other', clientToken: 'token-1' }), 'InvalidParameterException', /not idempotent/);
  });

  it('lists services with filters and pages of 10 by default', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'listing' }));
    for (let i = 0; i < 12; i++) {
      await ecs.send(new CreateServiceCommand({ cluster: 'listing', serviceName: `s${i}`, taskDefinition: 'web', desiredCount: 0 }));
    }
    await ecs.send(new CreateServiceCommand({ cluster: 'listing', serviceName: 'd', taskDefinition: 'web', schedulingStrategy: 'DAEMON' }));
    await ecs.send(
      new CreateServiceCommand({ cluster: 'listing', serviceName: 'f', taskDefinition: 'fg', desiredCount: 0, launchType: 'FARGATE', networkConfiguration: awsvpc }),
    );
    const first = await ecs.send(new ListServicesCommand({ cluster: 'listing' }));
    assert.equal(first.serviceArns?.length, 10);
    assert.ok(first.nextToken);
    const rest = await ecs.send(new ListServicesCommand({ cluster: 'listing', nextToken: first.nextToken }));
    assert.equal(rest.serviceArns?.length, 4);
    assert.equal(rest.nextToken, undefined);
    const daemons = await ecs.send(new ListServicesCommand({ cluster: 'listing', schedulingStrategy: 'DAEMON' }));
    assert.deepEqual(daemons.serviceArns, [serviceArn('listing', 'd')]);
    const fargate = await ecs.send(new ListServicesCommand({ cluster: 'listing', launchType: 'FARGATE' }));
    assert.deepEqual(fargate.serviceArns, [serviceArn('listing', 'f')]);
    const managed = await ecs.send(new ListServicesCommand({ cluster: 'listing', resourceManagementType: 'ECS' }));
    assert.deepEqual(managed.serviceArns, []);
    await rejects(ecs.send(new ListServicesCommand({ cluster: 'listing', maxResults: 101 })), 'InvalidParameterException', /maxResults/);
    await rejects(ecs.send(new ListServicesCommand({ cluster: 'listing', launchType: 'NOPE' as never })), 'InvalidParameterException', /launchType/);
    await rejects(ecs.send(new ListServicesCommand({ cluster: 'ghost' })), 'ClusterNotFoundException');
    await rejects(ecs.send(new DescribeServicesCommand({ cluster: 'listing', services: Array.from({ length: 11 }, (_, i) => `s${i}`) })), 'InvalidParameterException', /services/);
  });

  it('tags services by ARN', async () => {
    const arn = serviceArn(cluster, 'api');
    await ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'env', value: 'test' }] }));
    const listed = await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    assert.deepEqual(listed.tags, [
      { key: 'team', value: 'core' },
      { key: 'env', value: 'test' },
    ]);
    await ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));
    const described = await ecs.send(new DescribeServicesCommand({ cluster, services: ['api'], include: ['TAGS'] }));
    assert.deepEqual(described.services?.[0]?.tags, [{ key: 'env', value: 'test' }]);
    await rejects(
      ecs.send(new TagResourceCommand({ resourceArn: `arn:aws:ecs:us-east-1:${account}:service/api`, tags: [{ key: 'a', value: 'b' }] })),
      'InvalidParameterException',
      /Long arn format/,
    );
    await rejects(
      ecs.send(new TagResourceCommand({ resourceArn: serviceArn(cluster, 'ghost'), tags: [{ key: 'a', value: 'b' }] })),
      'ResourceNotFoundException',
    );
  });

  it('deletes services: scaled to 0 or forced, DRAINING, then replaceable once INACTIVE', async () => {
    await create({ serviceName: 'doomed', desiredCount: 3 });
    await rejects(
      ecs.send(new DeleteServiceCommand({ cluster, service: 'doomed' })),
      'InvalidParameterException',
      /^The service cannot be stopped while it is scaled above 0\.$/,
    );
    const deleted = await ecs.send(new DeleteServiceCommand({ cluster, service: 'doomed', force: true }));
    assert.equal(deleted.service?.status, 'DRAINING');
    assert.equal(deleted.service?.desiredCount, 0);
    for (const deployment of deleted.service?.deployments ?? []) assert.equal(deployment.desiredCount, 0);

    const again = await ecs.send(new DeleteServiceCommand({ cluster, service: 'doomed' }));
    assert.ok(['DRAINING', 'INACTIVE'].includes(again.service?.status ?? ''), 'a repeated delete answers with the service');
    const described = await ecs.send(new DescribeServicesCommand({ cluster, services: ['doomed'] }));
    assert.ok(['DRAINING', 'INACTIVE'].includes(described.services?.[0]?.status ?? ''));
    const listed = await ecs.send(new ListServicesCommand({ cluster, maxResults: 100 }));
    assert.ok(!listed.serviceArns?.includes(serviceArn(cluster, 'doomed')), 'a deleted service is not listed');
    await rejects(ecs.send(new UpdateServiceCommand({ cluster, service: 'doomed', desiredCount: 1 })), 'ServiceNotActiveException', /^Service was not ACTIVE\.$/);
    if (described.services?.[0]?.status === 'DRAINING') {
      await rejects(create({ serviceName: 'doomed' }), 'InvalidParameterException', /still Draining/);
    }

    await create({ serviceName: 'scaled', desiredCount: 1 });
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'scaled', desiredCount: 0 }));
    const scaled = await ecs.send(new DeleteServiceCommand({ cluster, service: serviceArn(cluster, 'scaled') }));
    assert.equal(scaled.service?.status, 'DRAINING');
    await ecs.send(new CreateServiceCommand({ cluster, serviceName: 'daemon-del', taskDefinition: 'web', schedulingStrategy: 'DAEMON' }));
    const daemon = await ecs.send(new DeleteServiceCommand({ cluster, service: 'daemon-del' }));
    assert.equal(daemon.service?.status, 'DRAINING', 'a daemon service needs no force');

    await rejects(ecs.send(new DeleteServiceCommand({ cluster, service: 'ghost' })), 'ServiceNotFoundException', /^Service not found\.$/);
    await rejects(ecs.send(new UpdateServiceCommand({ cluster, service: 'ghost', desiredCount: 1 })), 'ServiceNotFoundException');
  });

  it('replaces an INACTIVE service under the same ARN', async () => {
    const old = await create({ serviceName: 'phoenix', desiredCount: 0 });
    await ecs.send(new DeleteServiceCommand({ cluster, service: 'phoenix' }));
    // What the scheduler does once the service's tasks are gone.
    await berth.server.store.write(async (tx) => {
      const record = (await tx.services.get(serviceArn(cluster, 'phoenix')))!;
      await tx.services.put({ ...record, status: 'INACTIVE', deletedAt: Date.now() / 1000 });
    });
    const reborn = await create({ serviceName: 'phoenix', desiredCount: 2 });
    assert.equal(reborn.service?.serviceArn, old.service?.serviceArn);
    assert.equal(reborn.service?.status, 'ACTIVE');
    assert.equal(reborn.service?.desiredCount, 2);
    assert.equal(reborn.service?.deployments?.length, 1);
    assert.notEqual(reborn.service?.deployments?.[0]?.id, old.service?.deployments?.[0]?.id);
  });

  it('keeps DeleteCluster from removing a cluster with active services', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'held' }));
    await ecs.send(new CreateServiceCommand({ cluster: 'held', serviceName: 'keep', taskDefinition: 'web', desiredCount: 0 }));
    await rejects(ecs.send(new DeleteClusterCommand({ cluster: 'held' })), 'ClusterContainsServicesException');
  });

  it('refuses an INACTIVE task definition', async () => {
    const registered = await ecs.send(
      new RegisterTaskDefinitionCommand({ family: 'retired', containerDefinitions: [{ name: 'r', image: 'busybox', memory: 32 }] }),
    );
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: registered.taskDefinition!.taskDefinitionArn! }));
    await rejects(create({ serviceName: 'retired', taskDefinition: 'retired:1' }), 'ClientException', /INACTIVE/);
  });
});
