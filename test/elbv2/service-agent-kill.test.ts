/**
 * kill -9 of an agent whose tasks sit behind a real ALB, under steady load. The agent runs as a
 * process of its own (`berth agent`), on the local Docker engine; a second agent, in this process,
 * is the other host. What the agent leaves is what a real one leaves: its task containers keep
 * running (they are Docker's), and nothing stops them until an agent on that host comes back.
 *
 * What the control plane makes of it: the instance shows `agentConnected` false at once (its
 * channel closed); once it has been disconnected for `agentLostAfterSeconds` (passed on the
 * server's clock, not waited out) the service starts replacements on the other instance, and as
 * each turns healthy stops a lost task, saying so, and deregisters its target, which drains (ELB's
 * `draining`, Target.DeregistrationInProgress) and goes. Requests through the listener never fail:
 * the orphaned containers serve until healthy replacements stand in for them. When the agent comes back on the
 * same data directory, it stops the replaced tasks and the state converges.
 *
 * Health checks (every 5 s, healthy after 2) and the deregistration delay (5 s) run on real time
 * in the data plane: every wait polls against a deadline.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateServiceCommand, DescribeContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { AdvancingClock } from '../../src/core/clock.js';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startAgentProcess } from '../helpers/agent-process.js';
import { dockerAvailable } from '../helpers/images.js';
import { killProcess } from '../helpers/server-process.js';
import { describeService, messagesOf, serviceContainers, serviceTasks, steady } from '../helpers/service-faults.js';
import { dataPlane, startServiceBench, type ServiceBench } from './service-bench.js';
import { countedInEvents, LoadGenerator, targetHealth, webContainer, type DescribedTarget } from './service-load.js';

const skip = (await dockerAvailable()) ? false : 'no Docker engine reachable';

const desiredCount = 2;
/** The server's grace for a disconnected agent (`--agent-lost-after`, its default). */
const lostAfterSeconds = 60;

describe(`kill -9 of an agent whose service tasks sit behind an ALB (${dataPlane} data plane)`, { skip }, () => {
  let bench: ServiceBench;
  const clock = new AdvancingClock();
  const killedDir = mkdtempSync(join(tmpdir(), 'berth-agent-killed-'));
  let killed: ChildProcess | undefined;
  let other: TestAgent | undefined;
  /** The killed agent, back on its data directory in this process. */
  let revived: TestAgent | undefined;

  before(async () => {
    bench = await startServiceBench({ clock, config: { agentLostAfterSeconds: lostAfterSeconds }, listener: { name: 'web', port: 8080 } });
  });
  after(async () => {
    await bench?.deleteService('web');
    if (killed) await killProcess(killed);
    // Whatever the killed agent left running goes with an agent on its data directory.
    if (!revived && bench) revived = await startTestAgent(bench.berth, { dataDir: killedDir, clock }).catch(() => undefined);
    await revived?.close();
    await other?.close();
    await bench?.close();
    rmSync(killedDir, { recursive: true, force: true });
  });

  const instance = async (arn: string) => (await bench.ecs.send(new DescribeContainerInstancesCommand({ cluster: 'default', containerInstances: [arn] }))).containerInstances![0]!;

  test('its targets drain and go, the service replaces its tasks on the other instance, and no request fails', async (t) => {
    const { berth, ecs, elb, tasks, image, targetGroupArn, url } = bench;
    const agent = await startAgentProcess(berth.url, killedDir);
    killed = agent.child;
    const killedInstance = await instance(agent.instanceArn);
    assert.equal(killedInstance.agentConnected, true);
    const definition = await tasks.register({ family: 'web', networkMode: 'bridge', requiresCompatibilities: ['EC2'], containerDefinitions: [webContainer(image, 'v1')] });
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'default',
        serviceName: 'web',
        taskDefinition: definition,
        desiredCount,
        launchType: 'EC2',
        loadBalancers: [{ targetGroupArn, containerName: 'web', containerPort: 80 }],
      }),
    );
    await steady(ecs, 'default', 'web', desiredCount, definition, 60_000, { berth, clock });
    const original = await serviceTasks(ecs, 'default', 'web', 'RUNNING');
    assert.ok(original.every((task) => task.containerInstanceArn === agent.instanceArn), 'every task on the agent to be killed');
    const before = await eventually(
      async () => {
        const described = await targetHealth(elb, targetGroupArn);
        return described.length === desiredCount && described.every((target) => target.state === 'healthy') ? described : undefined;
      },
      30_000,
      'two healthy targets',
    );
    assert.ok(before.every((target) => target.id === killedInstance.ec2InstanceId), JSON.stringify(before));

    // The other host joins; then, under load, kill -9 of the first agent.
    other = await startTestAgent(berth, { clock });
    const otherInstance = await instance(other.agent.registration.containerInstanceArn!);
    const load = new LoadGenerator(url);
    const seen: DescribedTarget[][] = [];
    try {
      await killProcess(agent.child);
      killed = undefined;
      await eventually(async () => ((await instance(agent.instanceArn)).agentConnected === false ? true : undefined), 10_000, 'the instance shows its agent disconnected');
      // What a real agent leaves: its containers keep running, and keep serving.
      assert.equal((await serviceContainers(killedInstance.ec2InstanceId!, 'web')).length, desiredCount, 'its task containers still run');
      await eventually(async () => ((await load.recentPages()).length > 0 ? true : undefined), 10_000, 'traffic while the agent is gone');

      // Not yet lost: nothing is replaced before the grace is over.
      await berth.server.services.settle();
      assert.equal((await serviceTasks(ecs, 'default', 'web', 'RUNNING')).length, desiredCount);
      clock.advance((lostAfterSeconds + 1) * 1000);
      await berth.server.services.settle();

      // The service replaces both tasks on the other instance, and their targets turn healthy.
      const after = await eventually(
        async () => {
          const described = await targetHealth(elb, targetGroupArn);
          seen.push(described);
          const fresh = described.filter((target) => target.id === otherInstance.ec2InstanceId);
          return described.length === desiredCount && fresh.length === desiredCount && fresh.every((target) => target.state === 'healthy') ? described : undefined;
        },
        60_000,
        'the replacements healthy and the old targets gone',
      );
      assert.equal(after.length, desiredCount);
      const drained = seen.flat().filter((target) => target.id === killedInstance.ec2InstanceId && target.state === 'draining');
      assert.ok(drained.length > 0, `the killed agent's targets drained: ${JSON.stringify(seen.map((list) => list.map((target) => `${target.id}:${target.port} ${target.state}`)))}`);
      assert.ok(drained.every((target) => target.reason === 'Target.DeregistrationInProgress'));

      const replaced = await steady(ecs, 'default', 'web', desiredCount, definition, 60_000, { berth, clock });
      const running = await serviceTasks(ecs, 'default', 'web', 'RUNNING');
      const live = running.filter((task) => task.desiredStatus === 'RUNNING');
      assert.equal(live.length, desiredCount);
      assert.ok(live.every((task) => task.containerInstanceArn === otherInstance.containerInstanceArn), 'the replacements run on the other instance');
      const events = messagesOf(replaced);
      t.diagnostic(`events, oldest first:\n${events.join('\n')}`);
      // One "is replacing" event per lost task stopped: each stops as a healthy replacement stands in for it.
      const replacing = events.filter((message) => message.startsWith('(service web) is replacing '));
      const pattern = new RegExp(`^\\(service web\\) is replacing (\\d+) tasks whose container instance agent has been disconnected for over ${lostAfterSeconds} seconds: (\\(task [0-9a-f]+\\) ?)+\\.$`);
      for (const message of replacing) assert.match(message, pattern);
      assert.equal(replacing.reduce((sum, message) => sum + Number(pattern.exec(message)![1]), 0), desiredCount, events.join('\n'));
      assert.equal(countedInEvents(replaced, 'deregistered', targetGroupArn), desiredCount, events.join('\n'));
      // The replacements started before the lost tasks stopped.
      const started = events.lastIndexOf(events.filter((message) => message.startsWith('(service web) has started ')).at(-1)!);
      assert.ok(started < events.indexOf(replacing[0]!), events.join('\n'));

      // Traffic reaches only the replacements now.
      const pages = await eventually(
        async () => {
          const recent = await load.recentPages();
          return recent.length === desiredCount ? recent : undefined;
        },
        20_000,
        'the two replacements serving',
      );
      const oldPages = [...load.pages.keys()].filter((page) => !pages.includes(page));
      assert.equal(oldPages.length, desiredCount, `the killed agent's tasks served before: ${oldPages.join(', ')}`);
    } finally {
      await load.stop();
    }
    t.diagnostic(load.summary());
    assert.deepEqual(load.failures, [], 'zero failed requests');

    // The agent comes back on its data directory: it stops the replaced tasks, and the state converges.
    revived = await startTestAgent(berth, { dataDir: killedDir, clock });
    await eventually(async () => ((await instance(agent.instanceArn)).agentConnected ? true : undefined), 20_000, 'the agent connected again');
    const stopped = await eventually(
      async () => {
        const described = await tasks.describe(original[0]!.taskArn!);
        const second = await tasks.describe(original[1]!.taskArn!);
        return described.lastStatus === 'STOPPED' && second.lastStatus === 'STOPPED' ? [described, second] : undefined;
      },
      30_000,
      'the replaced tasks STOPPED',
    );
    for (const task of stopped) assert.equal(task.stoppedReason, 'Task stopped because its container instance agent was disconnected for too long; a replacement was started elsewhere.');
    const final = await describeService(ecs, 'default', 'web');
    assert.equal(final.runningCount, desiredCount);
    assert.equal((await targetHealth(elb, targetGroupArn)).length, desiredCount);
  });
});
