/**
 * A service whose tasks keep failing to start (their image cannot be pulled), with no circuit
 * breaker to end its deployment: the scheduler keeps relaunching, but after the third consecutive
 * failure it waits, 5 s and then longer, and the service's events say it "is unable to
 * consistently start tasks successfully" (once, not at every pass), as ECS's throttling does.
 * The waits pass on the server's clock, which the test moves; the failures happen on Docker.
 * Tasks that ran and then exited are not held back: ECS throttles only tasks that never run.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CreateClusterCommand, CreateServiceCommand, DeleteServiceCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import { AdvancingClock } from '../../src/core/clock.js';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { dockerAvailable } from '../helpers/images.js';
import { describeService, messagesOf, serviceTasks } from '../helpers/service-faults.js';
import { TaskDriver } from '../helpers/tasks.js';

const skip = (await dockerAvailable()) ? false : 'no Docker engine reachable';

describe('relaunch back-off on Docker', { skip }, () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  let agent: TestAgent;
  const clock = new AdvancingClock();

  before(async () => {
    berth = await startBerth({}, { clock });
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = await startTestAgent(berth, { clock });
  });
  after(async () => {
    await ecs?.send(new DeleteServiceCommand({ cluster: 'default', service: 'crashing', force: true })).catch(() => undefined);
    await agent?.close();
    await berth?.close();
  });

  test('a task that keeps failing to start is relaunched at once twice, then after a growing delay, and the events say so once', async () => {
    const tasks = new TaskDriver(ecs);
    const missing = `127.0.0.1:1/berth-test/missing-${randomBytes(4).toString('hex')}:1`;
    const definition = await tasks.register({
      family: `crashing-${randomBytes(4).toString('hex')}`,
      containerDefinitions: [{ name: 'app', image: missing, memory: 16 }],
    });
    await ecs.send(new CreateServiceCommand({ cluster: 'default', serviceName: 'crashing', taskDefinition: definition, desiredCount: 1, launchType: 'EC2' }));

    const launches = async () => (await serviceTasks(ecs, 'default', 'crashing')).sort((a, b) => a.createdAt!.getTime() - b.createdAt!.getTime());
    /** Waits for `count` launches, all failed. */
    const failedLaunches = (count: number) =>
      eventually(
        async () => {
          const all = await launches();
          return all.length === count && all.every((task) => task.lastStatus === 'STOPPED') ? all : all.length > count ? all : undefined;
        },
        30_000,
        `${count} failed launches of the crashing task`,
      );
    const moveTo = (ms: number) => {
      const ahead = ms - clock.now().getTime();
      if (ahead > 0) clock.advance(ahead);
    };
    /** After `failed`, the next launch waits `seconds` from the last failure: held a second before, made once it is over. */
    const nextLaunchWaits = async (failed: Task[], seconds: number) => {
      assert.equal(failed.length, (await launches()).length, 'no launch beyond the failed ones');
      const due = stoppedAt(failed[failed.length - 1]!) + seconds * 1000;
      moveTo(due - 1_000);
      await berth.server.services.settle();
      // Unless real time itself has reached the end of the wait meanwhile, nothing was launched.
      if (clock.now().getTime() < due) assert.equal((await launches()).length, failed.length, `held back ${seconds} s after failure ${failed.length}`);
      moveTo(due);
      await berth.server.services.settle();
    };

    // Three failures without delay between them, then waits of 5 s and 10 s.
    const three = await failedLaunches(3);
    await nextLaunchWaits(three, 5);
    const four = await failedLaunches(4);
    await nextLaunchWaits(four, 10);
    const launched = await eventually(async () => {
      const all = await launches();
      return all.length >= 5 ? all : undefined;
    }, 30_000, 'the fifth launch');
    const failures = launched.filter((task) => task.lastStatus === 'STOPPED');
    for (const task of failures) {
      assert.equal(task.stopCode, 'TaskFailedToStart', `${task.taskArn}: ${task.stoppedReason}`);
      assert.match(task.stoppedReason ?? '', /^CannotPullContainerError: /);
      assert.equal(task.startedAt, undefined, 'it never ran');
    }
    const waitBefore = (index: number) => (launched[index]!.createdAt!.getTime() - stoppedAt(launched[index - 1]!)) / 1000;
    assert.ok(waitBefore(1) < 5 && waitBefore(2) < 5, `the first relaunches are not held back: ${waitBefore(1)} s, ${waitBefore(2)} s`);
    assert.ok(waitBefore(3) >= 5, `after three failures the next launch waits 5 s: it waited ${waitBefore(3)} s`);
    assert.ok(waitBefore(4) >= 10, `after four, 10 s: it waited ${waitBefore(4)} s`);

    const messages = messagesOf(await describeService(ecs, 'default', 'crashing'));
    const throttled = messages.filter((message) => message.startsWith('(service crashing) is unable to consistently start tasks successfully.'));
    assert.equal(throttled.length, 1, `said once while it keeps happening:\n${messages.join('\n')}`);
    const firstThrottled = messages.indexOf(throttled[0]!);
    const thirdFailure = messages.findIndex((message) => message.startsWith(`(service crashing) (task ${launched[2]!.taskArn!.split('/').pop()}) failed: `));
    assert.ok(thirdFailure >= 0 && firstThrottled > thirdFailure, `said after the third failure:\n${messages.join('\n')}`);
  });
});

function stoppedAt(task: Task): number {
  assert.ok(task.stoppedAt, `${task.taskArn} has stopped`);
  return task.stoppedAt.getTime();
}
