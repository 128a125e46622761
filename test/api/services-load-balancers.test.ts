/**
 * CreateService and UpdateService with load balancers, through the real SDKs: the target group must
 * exist in the caller's account and region, be attached to a load balancer and have the target type
 * the task definition's network mode needs; Classic Load Balancers are refused; DescribeServices
 * presents the load balancers and the grace period as given.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand, type CreateServiceCommandInput, type ECSClient } from '@aws-sdk/client-ecs';
import { CreateTargetGroupCommand, type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { awsvpc, registerServiceDefinitions } from '../helpers/services.js';
import { createForwardingListener, createLoadBalancer, elbClient } from '../elbv2/elbv2-client.js';

describe('services with load balancers: validation', () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  let elb: ElasticLoadBalancingV2Client;
  const cluster = 'lbs';
  let instanceGroup: string;
  let ipGroup: string;
  let detached: string;
  let elsewhere: string;

  const group = async (client: ElasticLoadBalancingV2Client, name: string, targetType: 'instance' | 'ip') =>
    (await client.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 80, TargetType: targetType }))).TargetGroups![0]!.TargetGroupArn!;

  before(async () => {
    berth = await startBerth();
    ecs = berth.ecs();
    elb = elbClient(berth);
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    await registerServiceDefinitions(ecs);
    await ecs.send(
      new RegisterTaskDefinitionCommand({ family: 'host', networkMode: 'host', containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64, portMappings: [{ containerPort: 80 }] }] }),
    );
    instanceGroup = await group(elb, 'by-instance', 'instance');
    ipGroup = await group(elb, 'by-ip', 'ip');
    detached = await group(elb, 'detached', 'instance');
    const lb = await createLoadBalancer(elb, 'front');
    await createForwardingListener(elb, lb, instanceGroup, 8080);
    await createForwardingListener(elb, lb, ipGroup, 8081);
    const west = elbClient(berth, 'us-west-2');
    elsewhere = await group(west, 'west', 'instance');
    await createForwardingListener(west, await createLoadBalancer(west, 'west'), elsewhere, 8080);
    west.destroy();
  });
  after(async () => {
    elb?.destroy();
    await berth?.close();
  });

  const create = (input: Partial<CreateServiceCommandInput> & { serviceName: string }) =>
    ecs.send(new CreateServiceCommand({ cluster, taskDefinition: 'web', desiredCount: 0, ...input }));
  const invalid = (input: Partial<CreateServiceCommandInput> & { serviceName: string }, pattern: RegExp) => rejects(create(input), 'InvalidParameterException', pattern);

  it('accepts target groups that suit the network mode, and describes them as given', async () => {
    const bridge = await create({
      serviceName: 'bridge',
      loadBalancers: [{ targetGroupArn: instanceGroup, containerName: 'web', containerPort: 80 }],
      healthCheckGracePeriodSeconds: 45,
    });
    assert.deepEqual(bridge.service?.loadBalancers, [{ targetGroupArn: instanceGroup, containerName: 'web', containerPort: 80 }]);
    assert.equal(bridge.service?.healthCheckGracePeriodSeconds, 45);
    const host = await create({ serviceName: 'host', taskDefinition: 'host', loadBalancers: [{ targetGroupArn: instanceGroup, containerName: 'web', containerPort: 80 }] });
    assert.equal(host.service?.loadBalancers?.length, 1);
    const vpc = await create({
      serviceName: 'vpc',
      taskDefinition: 'fg',
      launchType: 'FARGATE',
      networkConfiguration: awsvpc,
      loadBalancers: [{ targetGroupArn: ipGroup, containerName: 'app', containerPort: 8080 }],
    });
    assert.deepEqual(vpc.service?.loadBalancers, [{ targetGroupArn: ipGroup, containerName: 'app', containerPort: 8080 }]);
  });

  it('refuses a target group that does not exist, or exists in another region, with ECS words', async () => {
    const missing = instanceGroup.replace(/[0-9a-f]{16}$/, '0000000000000000');
    const message = /^Unable to assume role and validate the specified targetGroupArn\. Please verify that the ECS service role being passed has the proper permissions\.$/;
    await invalid({ serviceName: 'missing', loadBalancers: [{ targetGroupArn: missing, containerName: 'web', containerPort: 80 }] }, message);
    await invalid({ serviceName: 'west', loadBalancers: [{ targetGroupArn: elsewhere, containerName: 'web', containerPort: 80 }] }, message);
  });

  it('refuses a target type that does not suit the network mode', async () => {
    await invalid(
      { serviceName: 'ip-bridge', loadBalancers: [{ targetGroupArn: ipGroup, containerName: 'web', containerPort: 80 }] },
      new RegExp(`^The provided target group ${ipGroup.replace(/[/.]/g, '\\$&')} has target type ip, which is incompatible with the bridge network mode specified in the task definition\\.$`),
    );
    await invalid(
      {
        serviceName: 'instance-vpc',
        taskDefinition: 'fg',
        launchType: 'FARGATE',
        networkConfiguration: awsvpc,
        loadBalancers: [{ targetGroupArn: instanceGroup, containerName: 'app', containerPort: 8080 }],
      },
      /has target type instance, which is incompatible with the awsvpc network mode/,
    );
  });

  it('refuses a target group no load balancer uses', async () => {
    await invalid(
      { serviceName: 'detached', loadBalancers: [{ targetGroupArn: detached, containerName: 'web', containerPort: 80 }] },
      new RegExp(`^The target group with targetGroupArn ${detached.replace(/[/.]/g, '\\$&')} does not have an associated load balancer\\.$`),
    );
  });

  it('refuses Classic Load Balancers, more than five entries, and containers or ports not in the task definition', async () => {
    await rejects(
      create({ serviceName: 'classic', loadBalancers: [{ loadBalancerName: 'old', containerName: 'web', containerPort: 80 }] }),
      'UnsupportedFeatureException',
      /Classic Load Balancers are not supported by Berth/,
    );
    const entry = { targetGroupArn: instanceGroup, containerName: 'web', containerPort: 80 };
    await invalid({ serviceName: 'six', loadBalancers: Array.from({ length: 6 }, () => entry) }, /loadBalancers/);
    await invalid({ serviceName: 'port', loadBalancers: [{ ...entry, containerPort: 81 }] }, /did not have a container port 81 defined/);
  });

  it('UpdateService checks new load balancers, and a new task definition against the ones it keeps', async () => {
    await create({ serviceName: 'plain' });
    const updated = await ecs.send(
      new UpdateServiceCommand({ cluster, service: 'plain', loadBalancers: [{ targetGroupArn: instanceGroup, containerName: 'web', containerPort: 80 }] }),
    );
    assert.equal(updated.service?.loadBalancers?.length, 1);
    assert.equal(updated.service?.deployments?.length, 2, 'new load balancers start a deployment');
    await rejects(
      ecs.send(new UpdateServiceCommand({ cluster, service: 'plain', loadBalancers: [{ targetGroupArn: detached, containerName: 'web', containerPort: 80 }] })),
      'InvalidParameterException',
      /does not have an associated load balancer/,
    );
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web-vpc',
        networkMode: 'awsvpc',
        containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64, portMappings: [{ containerPort: 80 }] }],
      }),
    );
    await rejects(
      ecs.send(new UpdateServiceCommand({ cluster, service: 'plain', taskDefinition: 'web-vpc', networkConfiguration: awsvpc })),
      'InvalidParameterException',
      /has target type instance, which is incompatible with the awsvpc network mode/,
    );
  });
});
