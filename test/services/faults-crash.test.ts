/**
 * kill -9 of the control plane in the middle of a rolling deployment. The server runs as its own
 * process; the agent, in this process, runs real containers and reconnects once the server is back
 * on the same data directory and port. The deployment finishes as if nothing had happened: no task
 * launched twice, none lost, none left behind.
 *
 * A restarted server schedules only once the killed one's leader lease has expired (15 s). Each
 * server here starts with its clock that much further ahead of the one before, so it finds the
 * lease expired as a server started after that wait would, without the wait.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  DescribeServiceDeploymentsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  UpdateServiceCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { defaultControlTiming } from '../../src/control-timing.js';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { testCredentials } from '../helpers/berth.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { freePort } from '../helpers/ports.js';
import { killProcess, startServerProcess } from '../helpers/server-process.js';
import { describeService, revisionOf, serviceContainers, serviceTasks, sleep, steady } from '../helpers/service-faults.js';
import { TaskDriver } from '../helpers/tasks.js';

const skip = (await dockerAvailable()) ? false : 'no Docker engine reachable';

const desiredCount = 4;
/** The service scheduler's leader lease (the default). */
const leaseMs = defaultControlTiming.serviceLeaseSeconds * 1000;

describe('control plane killed mid-deployment', { skip }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-svc-crash-'));
  const family = `crash-${randomBytes(4).toString('hex')}`;
  let port: number;
  let url: string;
  let server: ChildProcess | undefined;
  let ecs: ECSClient;
  let agent: TestAgent | undefined;
  let clockAheadMs = 0;

  before(async () => {
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = await startServerProcess(dataDir, port, { clockAheadMs });
    ecs = new ECSClient({ endpoint: url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = await startTestAgent({ url });
  });
  after(async () => {
    await agent?.close();
    ecs?.destroy();
    if (server) await killProcess(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('kill -9 while a rollout is IN_PROGRESS: after a restart it completes with exactly the desired tasks of the new revision', async () => {
    const image = await buildBusyboxImage();
    const tasks = new TaskDriver(ecs);
    const container = { name: 'app', image, memory: 16, stopTimeout: 2 };
    const v1 = await tasks.register({ family, containerDefinitions: [{ ...container, command: ['sleep', '3600'] }] });
    // Revision 2 is healthy only after its first check, 5 s after it starts: the rollout takes two such rounds.
    const v2 = await tasks.register({
      family,
      containerDefinitions: [{ ...container, command: ['sleep', '3601'], healthCheck: { command: ['CMD-SHELL', 'true'], interval: 5, timeout: 2, retries: 1 } }],
    });
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'default',
        serviceName: 'web',
        taskDefinition: v1,
        desiredCount,
        launchType: 'EC2',
        deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 150 },
      }),
    );
    await steady(ecs, 'default', 'web', desiredCount, v1);
    const owner = agent!.agent.registration.owner;

    const instanceArn = agent!.agent.registration.containerInstanceArn!;
    /** kill -9, a while down, then up again on the same data directory and port, with the agent back. */
    const crash = async () => {
      await killProcess(server!);
      server = undefined;
      // Containers outlive their control plane.
      const whileDown = await serviceContainers(owner, family);
      assert.ok(whileDown.some((entry) => entry.revision === 2) && whileDown.some((entry) => entry.revision === 1), 'both revisions run while the server is down');
      await sleep(2_000);
      clockAheadMs += leaseMs;
      server = await startServerProcess(dataDir, port, { clockAheadMs });
      await eventually(
        async () => {
          const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'default', containerInstances: [instanceArn] }));
          return containerInstances?.[0]?.agentConnected ? true : undefined;
        },
        20_000,
        'the agent reconnects',
      );
    };
    /** Waits for a moment of the rollout, as DescribeServices and DescribeTasks show it. */
    const rolloutWhen = (what: string, condition: (tasks: Task[]) => boolean) =>
      eventually(
        async () => {
          const described = await describeService(ecs, 'default', 'web');
          const tasks = await serviceTasks(ecs, 'default', 'web');
          return described.deployments?.length === 2 && described.deployments[0]!.rolloutState === 'IN_PROGRESS' && condition(tasks) ? { described, tasks } : undefined;
        },
        30_000,
        what,
      );
    const newRunning = (tasks: Task[]) => tasks.filter((task) => revisionOf(task) === 2 && task.lastStatus === 'RUNNING');
    const oldWanted = (tasks: Task[]) => tasks.filter((task) => revisionOf(task) === 1 && task.desiredStatus === 'RUNNING');

    await ecs.send(new UpdateServiceCommand({ cluster: 'default', service: 'web', taskDefinition: v2 }));
    // First crash: the first new tasks running beside all the old ones.
    const before = await rolloutWhen('new tasks running beside all old ones', (tasks) => newRunning(tasks).length >= 2 && oldWanted(tasks).length === desiredCount);
    await crash();
    // Second crash: old tasks retired, others still wanted, new ones running.
    const middle = await rolloutWhen(
      'old tasks retired while others still run',
      (tasks) => tasks.some((task) => revisionOf(task) === 1 && task.desiredStatus === 'STOPPED') && oldWanted(tasks).length >= 1 && newRunning(tasks).length >= 2,
    );
    assert.equal(middle.described.deployments![0]!.id, before.described.deployments![0]!.id, 'the same rollout carried on after the first crash');
    await crash();

    const settled = await steady(ecs, 'default', 'web', desiredCount, v2, 60_000);
    // A few more passes of the scheduler: nothing may change.
    await sleep(3_000);
    const after = await describeService(ecs, 'default', 'web');
    assert.equal(after.deployments!.length, 1, 'a single deployment');
    assert.equal(after.deployments![0]!.id, settled.deployments![0]!.id);
    assert.equal(after.deployments![0]!.rolloutState, 'COMPLETED');
    assert.equal(after.deployments![0]!.taskDefinition, v2);
    assert.equal(after.deployments![0]!.id, before.described.deployments![0]!.id, 'the deployment begun before the crash is the one that completed');
    assert.equal(after.runningCount, desiredCount);

    const all = await serviceTasks(ecs, 'default', 'web');
    const running = all.filter((task) => task.lastStatus === 'RUNNING');
    assert.equal(running.length, desiredCount, 'exactly the desired count RUNNING');
    assert.ok(running.every((task) => revisionOf(task) === 2 && task.desiredStatus === 'RUNNING'), 'all of revision 2');
    const newTasks = all.filter((task) => revisionOf(task) === 2);
    assert.deepEqual(
      newTasks.filter((task) => task.lastStatus === 'STOPPED').map((task) => `${task.stopCode}: ${task.stoppedReason}`),
      [],
      'no task of revision 2 failed or was stopped',
    );
    assert.equal(newTasks.length, desiredCount, 'no revision-2 task was launched twice');
    for (const task of newRunning(before.tasks)) assert.ok(running.some((kept) => kept.taskArn === task.taskArn), `task ${task.taskArn} started before the crash is kept`);
    const oldTasks = all.filter((task) => revisionOf(task) === 1);
    assert.equal(oldTasks.length, desiredCount, 'no revision-1 task was replaced');
    for (const task of oldTasks) {
      assert.equal(task.lastStatus, 'STOPPED');
      assert.equal(task.stopCode, 'ServiceSchedulerInitiated', `${task.taskArn}: ${task.stoppedReason}`);
    }

    const containers = await serviceContainers(owner, family);
    assert.deepEqual(
      containers.map((entry) => entry.taskArn).sort(),
      running.map((task) => task.taskArn!).sort(),
      'Docker runs exactly one container per RUNNING task, all of revision 2',
    );
    assert.ok(containers.every((entry) => entry.revision === 2));

    const { serviceDeployments } = await ecs.send(new ListServiceDeploymentsCommand({ cluster: 'default', service: 'web' }));
    // Newest first: the rollout to revision 2, then the service's creation.
    assert.equal(serviceDeployments?.length, 2);
    const rollout = serviceDeployments[0];
    assert.ok(rollout?.serviceDeploymentArn, 'the rollout is listed');
    const { serviceDeployments: described } = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [rollout.serviceDeploymentArn] }));
    assert.equal(described?.[0]?.status, 'SUCCESSFUL');
    assert.equal(described?.[0]?.targetServiceRevision?.runningTaskCount, desiredCount);
  });
});
