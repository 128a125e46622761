/**
 * An ECS service behind a real Application Load Balancer, on real Docker containers: three busybox
 * httpd tasks in bridge mode with dynamic host ports, registered by the service as instance
 * targets, answering round robin through the listener; then a rolling deployment to a revision
 * serving another page, under steady load, with not one failed request.
 *
 * The data plane's health checks (every 5 s, healthy after 2) and the deregistration delay (5 s,
 * ended early by the data plane once nothing is in flight) run on real time, so every wait below
 * polls against a deadline; the scheduler's proving window passes on the server's clock.
 */
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { CreateServiceCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { AdvancingClock } from '../../src/core/clock.js';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { dockerAvailable } from '../helpers/images.js';
import { describeService, serviceTasks, steady, type Proving } from '../helpers/service-faults.js';
import { proveRunning } from '../helpers/services.js';
import { dataPlane, startServiceBench, type ServiceBench } from './service-bench.js';
import { countedInEvents as counted, get, LoadGenerator, targetHealth as describeTargets, webContainer } from './service-load.js';

const skip = (await dockerAvailable()) ? false : 'no Docker engine reachable';

const serviceName = 'web';
const desiredCount = 3;
const listenerPort = 8080;

describe(`a service behind an ALB (${dataPlane} data plane) rolls out on Docker with zero failed requests`, { skip }, () => {
  let bench: ServiceBench;
  let agent: TestAgent;
  const clock = new AdvancingClock();
  let proving: Proving;

  before(async () => {
    bench = await startServiceBench({ clock, listener: { name: 'web', port: listenerPort } });
    proving = { berth: bench.berth, clock };
    agent = await startTestAgent(bench.berth, { clock });
  });
  after(async () => {
    await bench?.deleteService(serviceName);
    await agent?.close();
    await bench?.close();
  });

  const targetHealth = () => describeTargets(bench.elb, bench.targetGroupArn);
  const countedInEvents = (service: Parameters<typeof counted>[0], verb: 'registered' | 'deregistered') => counted(service, verb, bench.targetGroupArn);

  test('three bridge tasks on dynamic ports turn healthy and answer round robin; a rolling deployment under load fails no request', async (t) => {
    const { berth, ecs, tasks, image, targetGroupArn, url } = bench;
    const v1 = await tasks.register({ family: 'web', networkMode: 'bridge', requiresCompatibilities: ['EC2'], containerDefinitions: [webContainer(image, 'v1')] });
    const v2 = await tasks.register({ family: 'web', networkMode: 'bridge', requiresCompatibilities: ['EC2'], containerDefinitions: [webContainer(image, 'v2')] });
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'default',
        serviceName,
        taskDefinition: v1,
        desiredCount,
        launchType: 'EC2',
        loadBalancers: [{ targetGroupArn, containerName: 'web', containerPort: 80 }],
      }),
    );
    const initial = await steady(ecs, 'default', serviceName, desiredCount, v1, 60_000, proving);

    // Three instance targets, on three distinct ephemeral ports, all healthy.
    const targets = await eventually(
      async () => {
        const described = await targetHealth();
        return described.length === desiredCount && described.every((target) => target.state === 'healthy') ? described : undefined;
      },
      30_000,
      'three healthy targets',
    );
    for (const target of targets) {
      assert.match(target.id, /^i-[0-9a-f]+$/);
      assert.ok(target.port >= 1024, `port ${target.port} is ephemeral`);
    }
    assert.equal(new Set(targets.map((target) => target.port)).size, desiredCount, JSON.stringify(targets));
    assert.equal(countedInEvents(initial, 'registered'), desiredCount, 'registered 3 targets, in the events');

    // Round robin: six requests in a row reach each of the three tasks twice.
    const probe = new Agent({ keepAlive: true });
    const pages: string[] = [];
    for (let index = 0; index < 2 * desiredCount; index++) {
      const reply = await get(probe, url);
      assert.equal(reply.status, 200, reply.body);
      pages.push(reply.body);
    }
    probe.destroy();
    assert.ok(pages.every((page) => page.startsWith('v1 ')), pages.join(', '));
    assert.equal(new Set(pages).size, desiredCount, `three tasks answer: ${pages.join(', ')}`);
    assert.deepEqual(pages.slice(desiredCount), pages.slice(0, desiredCount), `in turn: ${pages.join(', ')}`);
    const oldTasks = (await serviceTasks(ecs, 'default', serviceName, 'RUNNING')).map((task) => task.taskArn!);

    // The rollout, under steady load.
    const load = new LoadGenerator(url);
    const startedAt = Date.now();
    await ecs.send(new UpdateServiceCommand({ cluster: 'default', service: serviceName, taskDefinition: v2 }));
    await eventually(
      async () => {
        const described = await describeService(ecs, 'default', serviceName);
        const [only, ...others] = described.deployments ?? [];
        if (others.length === 0 && only?.taskDefinition === v2 && only.rolloutState === 'COMPLETED' && described.runningCount === desiredCount) return described;
        // Once the new tasks run (their targets healthy), their proving window passes on the clock.
        const fresh = (await serviceTasks(ecs, 'default', serviceName, 'RUNNING')).filter((task) => task.taskDefinitionArn === v2 && task.lastStatus === 'RUNNING');
        if (fresh.length === desiredCount) await proveRunning(berth, clock, fresh);
        return undefined;
      },
      120_000,
      'the deployment of v2 COMPLETED',
    );
    const duration = (Date.now() - startedAt) / 1000;
    // Only the new revision answers now.
    await eventually(
      async () => {
        const recent = await load.recentPages();
        return recent.length > 0 && recent.every((page) => page.startsWith('v2 ')) ? recent : undefined;
      },
      30_000,
      'only v2 pages served',
    );
    const { requests, seconds } = await load.stop();
    t.diagnostic(`deployment duration (UpdateService to COMPLETED): ${duration.toFixed(1)} s`);
    t.diagnostic(load.summary());

    assert.ok(requests / seconds >= 50, `a steady load: ${requests} requests in ${seconds} s`);
    assert.deepEqual(load.failures, [], 'zero failed requests');
    const v2Pages = [...load.pages.keys()].filter((page) => page.startsWith('v2 '));
    assert.equal(v2Pages.length, desiredCount, `three new tasks served: ${v2Pages.join(', ')}`);

    // The old tasks stop (drained first); the target group holds the three new ones, healthy.
    await eventually(
      async () => {
        const old = (await serviceTasks(ecs, 'default', serviceName)).filter((task) => oldTasks.includes(task.taskArn!));
        return old.length === desiredCount && old.every((task) => task.lastStatus === 'STOPPED') ? old : undefined;
      },
      30_000,
      'the v1 tasks STOPPED',
    );
    const after = await eventually(
      async () => {
        const described = await targetHealth();
        return described.length === desiredCount ? described : undefined;
      },
      30_000,
      'three targets left',
    );
    assert.ok(after.every((target) => target.state === 'healthy'), JSON.stringify(after));
    assert.equal(after.filter((target) => targets.some((old) => old.port === target.port)).length, 0, 'the old targets are gone');

    const final = await describeService(ecs, 'default', serviceName);
    const balancing = (final.events ?? []).map((event) => event.message ?? '').filter((message) => / (de)?registered \d+ targets | draining /.test(message));
    t.diagnostic(`load balancing events, newest first:\n${balancing.join('\n')}`);
    assert.equal(countedInEvents(final, 'registered'), 2 * desiredCount, (final.events ?? []).map((event) => event.message).join('\n'));
    assert.equal(countedInEvents(final, 'deregistered'), desiredCount, (final.events ?? []).map((event) => event.message).join('\n'));
    const drained = (final.events ?? []).reduce((sum, event) => sum + Number(/^\(service web\) has begun draining connections on (\d+) tasks\.$/.exec(event.message ?? '')?.[1] ?? 0), 0);
    assert.equal(drained, desiredCount, balancing.join('\n'));
  });
});
