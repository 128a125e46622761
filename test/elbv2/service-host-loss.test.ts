/**
 * A host lost under an ALB: kill -9 of its agent (a `berth agent` process) and of every container it
 * ran, as when the machine itself goes down, under steady load. The load balancer's health checks
 * find the targets gone (`unhealthy`, Target.FailedHealthChecks); once the service's health check
 * grace period is over (passed on the server's clock) the service stops the tasks with ECS's reason
 * and event, starts replacements on the other instance, and traffic through the listener recovers:
 * after the replacements turn healthy, no request fails.
 *
 * The agent-lost grace is set far beyond the test so that the tasks are failed by their targets'
 * health, the path this test is about (service-agent-kill.test.ts covers the agent alone dying).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateServiceCommand, DescribeContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { labels } from '../../src/agent/runtime/types.js';
import { AdvancingClock } from '../../src/core/clock.js';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startAgentProcess } from '../helpers/agent-process.js';
import { dockerAvailable } from '../helpers/images.js';
import { killProcess } from '../helpers/server-process.js';
import { describeService, docker, messagesOf, serviceTasks, sleep, steady } from '../helpers/service-faults.js';
import { dataPlane, startServiceBench, type ServiceBench } from './service-bench.js';
import { LoadGenerator, targetHealth, webContainer } from './service-load.js';

const skip = (await dockerAvailable()) ? false : 'no Docker engine reachable';

const desiredCount = 2;
const graceSeconds = 120;

describe(`a host lost under an ALB: its agent and containers killed (${dataPlane} data plane)`, { skip }, () => {
  let bench: ServiceBench;
  const clock = new AdvancingClock();
  const lostDir = mkdtempSync(join(tmpdir(), 'berth-agent-lost-host-'));
  let killed: ChildProcess | undefined;
  let other: TestAgent | undefined;

  before(async () => {
    bench = await startServiceBench({ clock, config: { agentLostAfterSeconds: 3600 }, listener: { name: 'web', port: 8080 } });
  });
  after(async () => {
    await bench?.deleteService('web');
    if (killed) await killProcess(killed);
    // The dead host's containers (stopped now) go with an agent on its data directory.
    const cleaner = bench ? await startTestAgent(bench.berth, { dataDir: lostDir, clock }).catch(() => undefined) : undefined;
    await cleaner?.close();
    await other?.close();
    await bench?.close();
    rmSync(lostDir, { recursive: true, force: true });
  });

  test('its targets turn unhealthy, the service replaces its tasks on the other instance, and traffic recovers', async (t) => {
    const { berth, ecs, elb, tasks, image, targetGroupArn, url } = bench;
    const agent = await startAgentProcess(berth.url, lostDir);
    killed = agent.child;
    const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'default', containerInstances: [agent.instanceArn] }));
    const lostInstanceId = containerInstances![0]!.ec2InstanceId!;
    const definition = await tasks.register({ family: 'web', networkMode: 'bridge', requiresCompatibilities: ['EC2'], containerDefinitions: [webContainer(image, 'v1')] });
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'default',
        serviceName: 'web',
        taskDefinition: definition,
        desiredCount,
        launchType: 'EC2',
        healthCheckGracePeriodSeconds: graceSeconds,
        loadBalancers: [{ targetGroupArn, containerName: 'web', containerPort: 80 }],
      }),
    );
    await steady(ecs, 'default', 'web', desiredCount, definition, 60_000, { berth, clock });
    const original = await serviceTasks(ecs, 'default', 'web', 'RUNNING');
    assert.ok(original.every((task) => task.containerInstanceArn === agent.instanceArn));
    other = await startTestAgent(berth, { clock });
    const otherInstanceId = other.agent.registration.owner;

    const load = new LoadGenerator(url);
    let recovered: { failuresBefore: number; served: string[] };
    try {
      await eventually(async () => ((await load.recentPages()).length === desiredCount ? true : undefined), 10_000, 'both tasks serving');
      // The host goes down: its agent, then every container it ran.
      await killProcess(agent.child);
      killed = undefined;
      const containers = await docker.listContainers({ filters: { label: [`${labels.owner}=${lostInstanceId}`] } });
      await Promise.all(containers.map((container) => docker.getContainer(container.Id).kill().catch(() => undefined)));

      // ELB's view: both targets unhealthy, their health checks failing.
      const unhealthy = await eventually(
        async () => {
          const described = await targetHealth(elb, targetGroupArn);
          return described.length === desiredCount && described.every((target) => target.state === 'unhealthy') ? described : undefined;
        },
        30_000,
        'both targets unhealthy',
      );
      for (const target of unhealthy) assert.equal(target.reason, 'Target.FailedHealthChecks');
      // Within the grace period the service waits; past it, it replaces them.
      await berth.server.services.settle();
      assert.equal((await serviceTasks(ecs, 'default', 'web', 'RUNNING')).filter((task) => task.desiredStatus === 'RUNNING').length, desiredCount);
      clock.advance(graceSeconds * 1000);
      await berth.server.services.settle();

      await eventually(
        async () => {
          const described = await targetHealth(elb, targetGroupArn);
          return described.length === desiredCount && described.every((target) => target.id === otherInstanceId && target.state === 'healthy') ? described : undefined;
        },
        60_000,
        'the replacements healthy on the other instance, the lost targets gone',
      );
      // Recovered: from now on every request succeeds, served by the replacements.
      const failuresBefore = load.failures.length;
      await sleep(1_000);
      const served = await load.recentPages(2_000);
      assert.equal(load.failures.length, failuresBefore, `no request failed since the replacements are healthy: ${load.failures.slice(failuresBefore).join('\n')}`);
      recovered = { failuresBefore, served };
    } finally {
      await load.stop();
    }
    t.diagnostic(load.summary());
    assert.equal(recovered.served.length, desiredCount, recovered.served.join(', '));
    const runningNow = (await serviceTasks(ecs, 'default', 'web', 'RUNNING')).filter((task) => task.desiredStatus === 'RUNNING');
    assert.equal(runningNow.length, desiredCount);
    assert.ok(runningNow.every((task) => task.containerInstanceArn === other!.agent.registration.containerInstanceArn));

    // ECS's reason on the failed tasks, and its events.
    for (const task of original) {
      assert.equal((await tasks.describe(task.taskArn!)).stoppedReason, `Task failed ELB health checks in (target-group ${targetGroupArn})`);
    }
    const events = messagesOf(await describeService(ecs, 'default', 'web'));
    t.diagnostic(`events, oldest first:\n${events.join('\n')}`);
    const unhealthyEvents = events.filter((message) =>
      new RegExp(`^\\(service web\\) \\(instance ${lostInstanceId}\\) \\(port \\d+\\) is unhealthy in \\(target-group .+\\) due to \\(reason Health checks failed\\)\\.$`).test(message),
    );
    assert.equal(unhealthyEvents.length, desiredCount, events.join('\n'));
    assert.ok(events.includes(`(service web) deregistered 2 targets in (target-group ${targetGroupArn})`), events.join('\n'));
  });
});
