/**
 * Chaos: containers of a REPLICA service are killed behind Berth's back (`docker kill`) at random
 * while the service runs and while it rolls out a new revision. The service never runs more than
 * maximumPercent of its desired count, in Docker or in ECS's view, replaces every task it loses,
 * and settles back to its desired count.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CreateClusterCommand, CreateServiceCommand, DeleteServiceCommand, UpdateServiceCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import { AdvancingClock } from '../../src/core/clock.js';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { runCommand } from '../helpers/commands.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { describeTasks, messagesOf, revisionOf, serviceContainers, serviceTasks, sleep, steady, type Proving } from '../helpers/service-faults.js';
import { TaskDriver } from '../helpers/tasks.js';

const skip = (await dockerAvailable()) ? false : 'no Docker engine reachable';

const desiredCount = 10;
const minimumHealthyPercent = 50;
const maximumPercent = 150;
const ceiling = Math.floor((desiredCount * maximumPercent) / 100);
const chaosMs = 36_000;
/** The rollout to revision 2 starts this long into the chaos. */
const updateAfterMs = 10_000;

interface Kill {
  taskArn: string;
  containerId: string;
  revision: number;
  /** Epoch ms, on the server's clock. */
  at: number;
}

describe('service chaos on Docker', { skip }, () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  let agent: TestAgent;
  const family = `chaos-${randomBytes(4).toString('hex')}`;
  // Proving windows before and after the chaos pass on this clock; the times the test compares with the server's are read from it too.
  const clock = new AdvancingClock();
  let proving: Proving;

  before(async () => {
    berth = await startBerth({}, { clock });
    proving = { berth, clock };
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = await startTestAgent(berth, { clock });
  });
  after(async () => {
    await ecs?.send(new DeleteServiceCommand({ cluster: 'default', service: 'web', force: true })).catch(() => undefined);
    await agent?.close();
    await berth?.close();
  });

  test(`containers killed at random: never above ${maximumPercent}% of ${desiredCount}, every lost task replaced, back to ${desiredCount} RUNNING`, async (t) => {
    const image = await buildBusyboxImage();
    const tasks = new TaskDriver(ecs);
    const container = { name: 'app', image, memory: 16, stopTimeout: 2 };
    const v1 = await tasks.register({ family, containerDefinitions: [{ ...container, command: ['sleep', '3600'] }] });
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'default',
        serviceName: 'web',
        taskDefinition: v1,
        desiredCount,
        launchType: 'EC2',
        deploymentConfiguration: { minimumHealthyPercent, maximumPercent },
      }),
    );
    await steady(ecs, 'default', 'web', desiredCount, v1, 30_000, proving);
    const owner = agent.agent.registration.owner;
    assert.equal((await serviceContainers(owner, family)).length, desiredCount);

    // Sampling: what Docker runs for the service, and the service's tasks not yet STOPPED.
    const peak = { containers: 0, tasks: 0, samples: 0 };
    const overruns: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [running, all] = await Promise.all([serviceContainers(owner, family), serviceTasks(ecs, 'default', 'web')]);
        const notStopped = all.filter((task) => task.lastStatus !== 'STOPPED');
        peak.containers = Math.max(peak.containers, running.length);
        peak.tasks = Math.max(peak.tasks, notStopped.length);
        peak.samples++;
        if (running.length > ceiling) {
          // Say what ECS thought of the tasks whose containers ran.
          const states = new Map(all.map((task) => [task.taskArn, task.lastStatus]));
          const seen = running.map((entry) => states.get(entry.taskArn) ?? 'unknown');
          overruns.push(`Docker ran ${running.length} containers of the service, of tasks ${[...new Set(seen)].map((state) => `${seen.filter((s) => s === state).length} ${state}`).join(', ')}`);
        }
        if (notStopped.length > ceiling) overruns.push(`the service had ${notStopped.length} tasks not STOPPED`);
        await sleep(200);
      }
    })();

    const kills: Kill[] = [];
    let v2 = '';
    let updatedAt = 0;
    const chaosStart = Date.now();
    try {
      while (Date.now() - chaosStart < chaosMs) {
        if (!v2 && Date.now() - chaosStart >= updateAfterMs) {
          v2 = await tasks.register({ family, containerDefinitions: [{ ...container, command: ['sleep', '3601'] }] });
          updatedAt = clock.now().getTime();
          await ecs.send(new UpdateServiceCommand({ cluster: 'default', service: 'web', taskDefinition: v2 }));
        }
        const running = await serviceContainers(owner, family);
        const victim = running[Math.floor(Math.random() * running.length)];
        if (victim) {
          const at = clock.now().getTime();
          const killed = await runCommand('docker', ['kill', victim.id]).then(
            () => true,
            () => false, // it exited meanwhile (stopped by the scheduler): not a kill
          );
          if (killed) kills.push({ taskArn: victim.taskArn, containerId: victim.id, revision: victim.revision, at });
        }
        await sleep(1_000 + Math.random() * 2_000);
      }
      const settled = await steady(ecs, 'default', 'web', desiredCount, v2, 60_000, proving);
      sampling = false;
      await sampler;
      assert.deepEqual(overruns, [], `never above ${maximumPercent}% of ${desiredCount} (${ceiling})`);

      assert.ok(kills.length >= 10, `the chaos killed ${kills.length} containers`);
      assert.ok(kills.some((kill) => kill.revision === 1 && kill.at < updatedAt), 'containers of revision 1 were killed before the rollout');
      assert.ok(kills.some((kill) => kill.revision === 2), 'containers of revision 2 were killed');
      assert.ok(peak.samples >= 50, `${peak.samples} samples taken`);

      // Where it ended: desired count of revision 2, RUNNING, in ECS's view and in Docker's.
      assert.equal(settled.runningCount, desiredCount);
      assert.equal(settled.desiredCount, desiredCount);
      const steadyAt = settled.events![0]!.createdAt!.getTime();
      assert.ok(steadyAt > kills[kills.length - 1]!.at, 'the steady-state event came after the last kill');
      const running = await serviceTasks(ecs, 'default', 'web', 'RUNNING');
      assert.equal(running.length, desiredCount);
      for (const task of running) {
        assert.equal(task.lastStatus, 'RUNNING');
        assert.equal(task.taskDefinitionArn, v2);
        assert.equal(task.startedBy, settled.deployments![0]!.id);
      }
      const containers = await serviceContainers(owner, family);
      assert.deepEqual(
        containers.map((entry) => entry.taskArn).sort(),
        running.map((task) => task.taskArn!).sort(),
        'Docker runs exactly one container for each RUNNING task, and nothing else',
      );

      // Every kill was seen for what it was, and every lost task was replaced exactly once.
      const all = await serviceTasks(ecs, 'default', 'web');
      const byArn = new Map(all.map((task) => [task.taskArn!, task]));
      const killedArns = new Set(kills.map((kill) => kill.taskArn));
      const observedKills: Task[] = [];
      for (const kill of kills) {
        const task = byArn.get(kill.taskArn) ?? (await describeTasks(ecs, 'default', [kill.taskArn]))[0];
        assert.ok(task, `killed task ${kill.taskArn} is known`);
        assert.equal(task.lastStatus, 'STOPPED', `killed task ${kill.taskArn} is STOPPED`);
        if (task.stopCode === 'EssentialContainerExited') {
          assert.equal(task.containers?.[0]?.exitCode, 137, 'SIGKILL is exit code 137');
          observedKills.push(task);
        } else {
          // Killed while the scheduler was already stopping it (a scale-in of the rollout).
          assert.equal(task.stopCode, 'ServiceSchedulerInitiated', `${kill.taskArn}: ${task.stopCode} ${task.stoppedReason}`);
          assert.ok(revisionOf(task) === 1, 'only retiring revision-1 tasks are stopped by the scheduler');
        }
      }
      assert.ok(observedKills.length >= kills.length - 3, `${observedKills.length} of ${kills.length} kills were seen as exits`);
      for (const task of all.filter((task) => task.stopCode === 'EssentialContainerExited')) {
        assert.ok(killedArns.has(task.taskArn!), `task ${task.taskArn} exited though it was not killed: ${task.stoppedReason}`);
      }
      assert.ok(!all.some((task) => task.stopCode === 'TaskFailedToStart'), 'no task failed to start');

      const ofRevision = (revision: number) => all.filter((task) => revisionOf(task) === revision);
      // Revision 2 is the PRIMARY from the update on: each of its tasks the chaos killed was replaced once, and no other was launched.
      const v2Killed = ofRevision(2).filter((task) => task.lastStatus === 'STOPPED');
      assert.ok(v2Killed.every((task) => killedArns.has(task.taskArn!)), 'no revision-2 task stopped unless killed');
      assert.equal(ofRevision(2).length, desiredCount + v2Killed.length, 'revision-2 tasks launched: the desired count plus one replacement per kill');
      // Revision 1 was replaced only for kills before the rollout began, and at most once each.
      const v1KilledBefore = kills.filter((kill) => kill.revision === 1 && kill.at < updatedAt).length;
      const v1Replacements = ofRevision(1).length - desiredCount;
      assert.ok(v1Replacements >= 0 && v1Replacements <= v1KilledBefore, `${v1Replacements} revision-1 replacements for ${v1KilledBefore} kills before the rollout`);
      assert.ok(ofRevision(1).every((task) => task.lastStatus === 'STOPPED'), 'revision 1 is gone');

      // The events name the tasks the chaos killed, and why they stopped.
      const messages = messagesOf(settled);
      const lastSeen = observedKills[observedKills.length - 1]!;
      const lastId = lastSeen.taskArn!.split('/').pop()!;
      assert.ok(messages.includes(`(service web) (task ${lastId}) failed: Essential container in task exited (app: exit code 137)`), messages.join('\n'));
      t.diagnostic(`chaos: ${kills.length} kills, ${peak.samples} samples, peak ${peak.containers} containers / ${peak.tasks} tasks not STOPPED (ceiling ${ceiling})`);
    } finally {
      sampling = false;
      await sampler.catch(() => undefined);
    }
  });
});
