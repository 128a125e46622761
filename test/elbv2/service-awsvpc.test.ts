/**
 * An awsvpc service behind a real ALB, on real Docker containers: each task has its own address on
 * the berth-awsvpc network, and the service registers that address and the container port in a
 * target group of target type `ip`, as ECS does. Traffic through the listener reaches the tasks;
 * a scale-in deregisters one, which drains (in-flight requests finish, none fails) and is gone.
 * And the checks ECS makes first: a target group of type `instance` for an awsvpc task definition
 * (and `ip` for a bridge one) is refused with ECS's error, through the SDK and the aws CLI.
 *
 * The data plane's health checks (every 5 s, healthy after 2) and the deregistration delay (5 s,
 * ended early once nothing is in flight) run on real time: every wait polls against a deadline.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  InvalidParameterException,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { CreateRuleCommand, CreateTargetGroupCommand, DescribeListenersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AdvancingClock } from '../../src/core/clock.js';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { cliEnvironment, hasAwsCli, run } from '../helpers/aws-cli.js';
import { dockerAvailable } from '../helpers/images.js';
import { describeService, serviceTasks, steady } from '../helpers/service-faults.js';
import { awsvpc } from '../helpers/services.js';
import { dataPlane, startServiceBench, type ServiceBench } from './service-bench.js';
import { countedInEvents, get, LoadGenerator, targetHealth, webContainer, type DescribedTarget } from './service-load.js';

const skip = (await dockerAvailable()) ? false : 'no Docker engine reachable';

describe(`an awsvpc service behind an ALB (${dataPlane} data plane): ip targets`, { skip }, () => {
  let bench: ServiceBench;
  let agent: TestAgent;
  let instanceGroup: string;
  const clock = new AdvancingClock();

  before(async () => {
    bench = await startServiceBench({ clock, listener: { name: 'vpc', port: 8080, targetGroup: { TargetType: 'ip' } } });
    agent = await startTestAgent(bench.berth, { clock });
    const { elb, loadBalancerArn } = bench;
    // An instance target group the same load balancer also forwards to (a rule), so that only its target type is wrong.
    const { TargetGroups } = await elb.send(new CreateTargetGroupCommand({ Name: 'vpc-instance', Protocol: 'HTTP', Port: 80, TargetType: 'instance' }));
    instanceGroup = TargetGroups![0]!.TargetGroupArn!;
    const { Listeners } = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }));
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: Listeners![0]!.ListenerArn,
        Priority: 10,
        Conditions: [{ Field: 'path-pattern', Values: ['/instance/*'] }],
        Actions: [{ Type: 'forward', TargetGroupArn: instanceGroup }],
      }),
    );
  });
  after(async () => {
    await bench?.deleteService('vpc');
    await agent?.close();
    await bench?.close();
  });

  test('a target group whose target type does not suit the network mode is refused with ECS\'s error', async () => {
    const { berth, ecs, tasks, image, targetGroupArn: ipGroup } = bench;
    const vpcDefinition = await tasks.register({ family: 'vpc', networkMode: 'awsvpc', containerDefinitions: [webContainer(image, 'v1', { networkMode: 'awsvpc' })] });
    const bridgeDefinition = await tasks.register({ family: 'bridged', networkMode: 'bridge', containerDefinitions: [webContainer(image, 'v1')] });
    await assert.rejects(
      ecs.send(
        new CreateServiceCommand({
          cluster: 'default',
          serviceName: 'wrong',
          taskDefinition: vpcDefinition,
          desiredCount: 1,
          launchType: 'EC2',
          networkConfiguration: awsvpc,
          loadBalancers: [{ targetGroupArn: instanceGroup, containerName: 'web', containerPort: 80 }],
        }),
      ),
      (error: Error) => {
        assert.ok(error instanceof InvalidParameterException, `${error.name}: ${error.message}`);
        assert.equal(
          error.message,
          `The provided target group ${instanceGroup} has target type instance, which is incompatible with the awsvpc network mode specified in the task definition.`,
        );
        return true;
      },
    );
    await assert.rejects(
      ecs.send(
        new CreateServiceCommand({
          cluster: 'default',
          serviceName: 'wrong',
          taskDefinition: bridgeDefinition,
          desiredCount: 1,
          launchType: 'EC2',
          loadBalancers: [{ targetGroupArn: ipGroup, containerName: 'web', containerPort: 80 }],
        }),
      ),
      (error: Error) => {
        assert.ok(error instanceof InvalidParameterException, `${error.name}: ${error.message}`);
        assert.equal(error.message, `The provided target group ${ipGroup} has target type ip, which is incompatible with the bridge network mode specified in the task definition.`);
        return true;
      },
    );
    if (hasAwsCli) {
      const refused = await run(
        'aws',
        [
          '--endpoint-url', berth.url, 'ecs', 'create-service', '--cluster', 'default', '--service-name', 'wrong', '--task-definition', vpcDefinition,
          '--desired-count', '1', '--launch-type', 'EC2',
          '--network-configuration', 'awsvpcConfiguration={subnets=[subnet-local]}',
          '--load-balancers', `targetGroupArn=${instanceGroup},containerName=web,containerPort=80`,
        ],
        { env: cliEnvironment },
      ).then(
        () => undefined,
        (error: { stderr: string }) => error.stderr,
      );
      assert.match(refused ?? 'it succeeded', /InvalidParameterException/);
      assert.ok(refused?.includes('has target type instance, which is incompatible with the awsvpc network mode specified in the task definition.'), refused);
    }
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: 'default', services: ['wrong'] }));
    assert.deepEqual(services, [], 'no service was created');
  });

  test('each task is registered as its own address and the container port, serves through the listener, and drains on scale-in', async (t) => {
    const { berth, ecs, elb, tasks, image, targetGroupArn: ipGroup, url } = bench;
    const definition = await tasks.register({ family: 'vpc', networkMode: 'awsvpc', containerDefinitions: [webContainer(image, 'v1', { networkMode: 'awsvpc' })] });
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'default',
        serviceName: 'vpc',
        taskDefinition: definition,
        desiredCount: 2,
        launchType: 'EC2',
        networkConfiguration: awsvpc,
        loadBalancers: [{ targetGroupArn: ipGroup, containerName: 'web', containerPort: 80 }],
      }),
    );
    const initial = await steady(ecs, 'default', 'vpc', 2, definition, 60_000, { berth, clock });
    const running = await serviceTasks(ecs, 'default', 'vpc', 'RUNNING');
    const addressOf = new Map(
      running.map((task) => {
        const eni = task.attachments!.find((attachment) => attachment.type === 'ElasticNetworkInterface')!;
        return [eni.details!.find((detail) => detail.name === 'privateIPv4Address')!.value!, task.taskArn!];
      }),
    );
    assert.equal(addressOf.size, 2);
    for (const address of addressOf.keys()) assert.match(address, /^10\.221\./);

    // DescribeTargetHealth: the two private addresses on the container port, healthy.
    const targets = await eventually(
      async () => {
        const described = await targetHealth(elb, ipGroup);
        return described.length === 2 && described.every((target) => target.state === 'healthy') ? described : undefined;
      },
      30_000,
      'two healthy ip targets',
    );
    assert.deepEqual(targets.map((target) => `${target.id}:${target.port}`).sort(), [...addressOf.keys()].map((address) => `${address}:80`).sort());
    assert.equal(countedInEvents(initial, 'registered', ipGroup), 2, 'registered 2 targets, in the events');

    // Traffic through the listener reaches both tasks.
    const seen = new Set<string>();
    for (let index = 0; index < 4; index++) {
      const reply = await get(undefined, url);
      assert.equal(reply.status, 200, reply.body);
      seen.add(reply.body);
    }
    assert.equal(seen.size, 2, [...seen].join(', '));

    // Scale in under load: one target drains, no request fails, and it is gone.
    const load = new LoadGenerator(url);
    const states: DescribedTarget[][] = [];
    try {
      await ecs.send(new UpdateServiceCommand({ cluster: 'default', service: 'vpc', desiredCount: 1 }));
      const remaining = await eventually(
        async () => {
          const described = await targetHealth(elb, ipGroup);
          states.push(described);
          return described.length === 1 && described[0]!.state === 'healthy' ? described[0] : undefined;
        },
        30_000,
        'one target left',
      );
      const drained = targets.find((target) => target.id !== remaining.id)!;
      const drainingSeen = states.flat().find((target) => target.id === drained.id && target.state === 'draining');
      assert.ok(drainingSeen, `the deregistered target was draining: ${JSON.stringify(states.map((list) => list.map((target) => `${target.id} ${target.state}`)))}`);
      assert.equal(drainingSeen.reason, 'Target.DeregistrationInProgress');
      const stoppedArn = addressOf.get(drained.id)!;
      await eventually(async () => ((await tasks.describe(stoppedArn)).lastStatus === 'STOPPED' ? true : undefined), 30_000, 'the drained task STOPPED');
      // One task answers now.
      const pages = await load.recentPages();
      assert.equal(pages.length, 1, pages.join(', '));
    } finally {
      await load.stop();
    }
    t.diagnostic(load.summary());
    assert.deepEqual(load.failures, [], 'zero failed requests');
    const final = await describeService(ecs, 'default', 'vpc');
    assert.equal(countedInEvents(final, 'deregistered', ipGroup), 1, (final.events ?? []).map((event) => event.message).join('\n'));
    assert.ok((final.events ?? []).some((event) => event.message === '(service vpc) has begun draining connections on 1 tasks.'));
  });
});
