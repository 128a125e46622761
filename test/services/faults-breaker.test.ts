/**
 * The deployment circuit breaker on real containers: a revision whose tasks cannot run (the
 * essential container exits at once, or after running a moment; the image cannot be pulled; the container fails its health
 * check once healthCheckGracePeriodSeconds is over) trips the breaker, the service
 * rolls back to the revision that last completed, and users can see why, in the stopped tasks, the
 * service's events and the service deployment.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ListServiceDeploymentsCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type CreateServiceCommandInput,
  type Deployment,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import { AdvancingClock } from '../../src/core/clock.js';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { describeService, messagesOf, passProvingWindow, revisionOf, serviceContainers, serviceTasks, sleep, steady, type Proving } from '../helpers/service-faults.js';
import { TaskDriver } from '../helpers/tasks.js';

const taskId = (task: Task) => task.taskArn!.split('/').pop()!;
const healthCheckFailed = 'Task failed container health checks.';

const skip = (await dockerAvailable()) ? false : 'no Docker engine reachable';

const desiredCount = 2;
/** ECS's threshold for 2 desired tasks: half of them, but at least 3. */
const threshold = 3;

describe('deployment circuit breaker on Docker', { skip }, () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  let agent: TestAgent;
  let tasks: TaskDriver;
  let image: string;
  const services: string[] = [];
  // The good revision's proving window passes on this clock; the failing revisions' tasks fail in real time.
  const clock = new AdvancingClock();
  let proving: Proving;

  before(async () => {
    image = await buildBusyboxImage();
    berth = await startBerth({}, { clock });
    proving = { berth, clock };
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = await startTestAgent(berth, { clock });
    tasks = new TaskDriver(ecs);
  });
  after(async () => {
    for (const service of services) await ecs?.send(new DeleteServiceCommand({ cluster: 'default', service, force: true })).catch(() => undefined);
    await agent?.close();
    await berth?.close();
  });

  /**
   * A service on a good revision, steady; then an update to `bad`. Returns what was seen along the
   * way (every deployment DescribeServices showed) and where the service ended.
   */
  async function failedRollout(
    serviceName: string,
    bad: Omit<ContainerDefinition, 'name' | 'memory'>,
    options: { service?: Partial<CreateServiceCommandInput>; watch?: (service: Awaited<ReturnType<typeof describeService>>) => Promise<void> } = {},
  ) {
    services.push(serviceName);
    const family = `${serviceName}-${randomBytes(4).toString('hex')}`;
    const good = await tasks.register({ family, containerDefinitions: [{ name: 'app', image, memory: 16, stopTimeout: 2, command: ['sleep', '3600'] }] });
    const broken = await tasks.register({ family, containerDefinitions: [{ name: 'app', memory: 16, ...bad }] });
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'default',
        serviceName,
        taskDefinition: good,
        desiredCount,
        launchType: 'EC2',
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
        ...options.service,
      }),
    );
    const initial = await steady(ecs, 'default', serviceName, desiredCount, good, 30_000, proving);
    const goodTasks = (await serviceTasks(ecs, 'default', serviceName, 'RUNNING')).map((task) => task.taskArn!);

    await ecs.send(new UpdateServiceCommand({ cluster: 'default', service: serviceName, taskDefinition: broken }));
    // Watch the deployments while the breaker trips and the rollback runs.
    const seen = new Map<string, Deployment>();
    const settled = await (async () => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const described = await describeService(ecs, 'default', serviceName);
        await options.watch?.(described);
        for (const deployment of described.deployments ?? []) {
          const key = `${deployment.id}/${deployment.rolloutState}`;
          if (!seen.has(key)) seen.set(key, deployment);
        }
        const [only, ...others] = described.deployments ?? [];
        if (
          others.length === 0 &&
          only?.taskDefinition === good &&
          only.rolloutState === 'COMPLETED' &&
          described.runningCount === desiredCount &&
          described.events?.[0]?.message === `(service ${serviceName}) has reached a steady state.`
        ) {
          return described;
        }
        // Once the rollback's tasks run, their proving window passes on the clock.
        await passProvingWindow(ecs, 'default', described, desiredCount, good, proving);
        if (Date.now() > deadline) throw new Error(`no rollback within 60 s: ${JSON.stringify(described.deployments)}\n${messagesOf(described).join('\n')}`);
        await sleep(50);
      }
    })();
    const all = await serviceTasks(ecs, 'default', serviceName);
    const failed = all.filter((task) => task.taskDefinitionArn === broken);
    return { family, good, broken, initial, goodTasks, seen: [...seen.values()], settled, all, failed };
  }

  /** What both faults share: the breaker tripped, the rollback completed and the service deployment says so. */
  async function assertRolledBack(serviceName: string, outcome: Awaited<ReturnType<typeof failedRollout>>) {
    const { good, broken, initial, settled, seen, all, failed } = outcome;
    const messages = messagesOf(settled);
    const failedDeployment = seen.find((deployment) => deployment.taskDefinition === broken);
    assert.ok(failedDeployment?.id, 'the failed deployment was seen');
    const id = failedDeployment.id;
    assert.ok(
      messages.some((message) => message === `(service ${serviceName}) (deployment ${id}) deployment failed: tasks failed to start.`),
      `the breaker tripped:\n${messages.join('\n')}`,
    );
    const tripped = messages.indexOf(`(service ${serviceName}) (deployment ${id}) deployment failed: tasks failed to start.`);
    const rollingBack = messages.indexOf(`(service ${serviceName}) rolling back to deployment ${initial.deployments![0]!.id}.`);
    assert.ok(rollingBack > tripped, `then a rollback to the last completed deployment:\n${messages.join('\n')}`);
    assert.equal(messages[messages.length - 1], `(service ${serviceName}) has reached a steady state.`);

    // Ended: a single COMPLETED deployment of the good revision, its tasks RUNNING, in ECS and in Docker.
    assert.equal(settled.deployments!.length, 1);
    assert.equal(settled.taskDefinition, good, "the service's task definition is the good one again");
    const running = all.filter((task) => task.lastStatus === 'RUNNING');
    assert.equal(running.length, desiredCount);
    assert.ok(running.every((task) => task.taskDefinitionArn === good && task.startedBy === settled.deployments![0]!.id));
    const containers = await serviceContainers(agent.agent.registration.owner, outcome.family);
    assert.deepEqual(containers.map((entry) => entry.taskArn).sort(), running.map((task) => task.taskArn!).sort(), 'Docker runs the good tasks and nothing else');

    // At least the threshold of tasks failed, and none was launched once the breaker had tripped.
    assert.ok(failed.length >= threshold, `${failed.length} tasks of the failed revision`);
    assert.ok(failed.every((task) => task.lastStatus === 'STOPPED'));
    const trippedAt = settled.events!.find((event) => event.message === `(service ${serviceName}) (deployment ${id}) deployment failed: tasks failed to start.`)!.createdAt!;
    for (const task of failed) assert.ok(task.createdAt! <= trippedAt, `task ${task.taskArn} launched at ${task.createdAt?.toISOString()}, after the breaker tripped at ${trippedAt.toISOString()}`);
    // Those that failed, rather than being stopped by the rollback, each count as one failure; the
    // scheduler itself stops a task that fails its health checks.
    const failures = failed.filter((task) => task.stopCode !== 'ServiceSchedulerInitiated' || task.stoppedReason === healthCheckFailed);
    assert.ok(failures.length >= threshold, `${failures.length} failed tasks`);

    // The service deployment tells the story: rolled back by the circuit breaker.
    const { serviceDeployments: listed } = await ecs.send(new ListServiceDeploymentsCommand({ cluster: 'default', service: serviceName }));
    assert.equal(listed?.length, 2, 'the creation and the failed update');
    const { serviceDeployments } = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [listed![0]!.serviceDeploymentArn!] }));
    const record = serviceDeployments?.[0];
    assert.ok(record, 'the failed update is described');
    assert.equal(record.status, 'ROLLBACK_SUCCESSFUL');
    assert.match(record.statusReason ?? '', /circuit breaker/);
    assert.ok(record.rollback?.startedAt, 'the rollback is recorded');
    assert.match(record.rollback?.reason ?? '', /circuit breaker/);
    assert.equal(record.deploymentCircuitBreaker?.status, 'TRIGGERED');
    assert.equal(record.deploymentCircuitBreaker?.threshold, threshold);
    assert.ok((record.deploymentCircuitBreaker?.failureCount ?? 0) >= threshold, `failureCount ${record.deploymentCircuitBreaker?.failureCount}`);
    const revisions = [record.targetServiceRevision?.arn, record.rollback?.serviceRevisionArn].filter((arn): arn is string => arn !== undefined);
    assert.equal(revisions.length, 2);
    const { serviceRevisions } = await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: revisions }));
    const definitionOf = (arn: string) => serviceRevisions?.find((revision) => revision.serviceRevisionArn === arn)?.taskDefinition;
    assert.equal(definitionOf(revisions[0]!), broken, 'the target was the failed revision');
    assert.equal(definitionOf(revisions[1]!), good, 'the rollback went to the good one');
    return { failedDeployment, messages, running, failures };
  }

  /**
   * What DescribeServices showed while it happened: the rollback as the PRIMARY deployment, saying
   * why. The failed deployment shows only while tasks of it remain (here: briefly, or not at all);
   * whenever it showed after failing, it said the circuit breaker failed it.
   */
  function assertSeenRollingBack(seen: Deployment[], good: string, broken: string) {
    const rollbackView = seen.find((deployment) => deployment.status === 'PRIMARY' && deployment.taskDefinition === good && deployment.rolloutState === 'IN_PROGRESS');
    assert.match(rollbackView?.rolloutStateReason ?? '', /^ECS deployment circuit breaker: rolling back to deploymentId ecs-svc\/\d+\.$/);
    for (const deployment of seen.filter((candidate) => candidate.taskDefinition === broken)) {
      assert.ok(deployment.rolloutState === 'IN_PROGRESS' || deployment.rolloutState === 'FAILED', `the failed deployment showed ${deployment.rolloutState}`);
      if (deployment.rolloutState === 'FAILED') {
        assert.equal(deployment.rolloutStateReason, 'ECS deployment circuit breaker: tasks failed to start.');
        assert.equal(deployment.status, 'ACTIVE');
      }
    }
  }

  test('an essential container that exits at once: the breaker trips and the service rolls back', async () => {
    const outcome = await failedRollout('exits', { image, command: ['sh', '-c', 'exit 1'] });
    const { messages, failures } = await assertRolledBack('exits', outcome);
    assertSeenRollingBack(outcome.seen, outcome.good, outcome.broken);
    for (const task of failures) {
      assert.equal(task.stopCode, 'EssentialContainerExited', `${task.taskArn}: ${task.stoppedReason}`);
      assert.equal(task.stoppedReason, 'Essential container in task exited');
      assert.equal(task.containers?.[0]?.exitCode, 1);
      assert.equal(revisionOf(task), 2);
    }
    // Each failure is named in the events, with its reason.
    for (const task of failures) {
      assert.ok(messages.includes(`(service exits) (task ${taskId(task)}) failed: Essential container in task exited (app: exit code 1)`), messages.join('\n'));
    }
    assertOldTasksGaveWay(outcome.all, outcome.goodTasks);
  });

  test('a container that runs for a moment and then exits: its tasks count as failures though each was RUNNING, and the breaker trips', async () => {
    const outcome = await failedRollout('crashes', { image, command: ['sh', '-c', 'sleep 2; exit 1'] });
    const { failures } = await assertRolledBack('crashes', outcome);
    for (const task of failures) {
      assert.equal(task.stopCode, 'EssentialContainerExited', `${task.taskArn}: ${task.stoppedReason}`);
      assert.ok(task.startedAt, `${task.taskArn} ran before it exited`);
      assert.equal(task.containers?.[0]?.exitCode, 1);
    }
  });

  test('an image that cannot be pulled: CannotPullContainerError in the tasks and events, and a rollback', async () => {
    const missing = `127.0.0.1:1/berth-test/missing-${randomBytes(4).toString('hex')}:1`;
    const outcome = await failedRollout('nopull', { image: missing });
    const { messages, failures } = await assertRolledBack('nopull', outcome);
    assertSeenRollingBack(outcome.seen, outcome.good, outcome.broken);
    for (const task of failures) {
      assert.equal(task.stopCode, 'TaskFailedToStart', `${task.taskArn}: ${task.stoppedReason}`);
      assert.match(task.stoppedReason ?? '', /^CannotPullContainerError: /);
      assert.match(task.containers?.[0]?.reason ?? '', /^CannotPullContainerError: .*127\.0\.0\.1:1/);
      assert.equal(task.containers?.[0]?.exitCode, undefined, 'a container never created has no exit code');
    }
    for (const task of failures) {
      const event = messages.find((message) => message.startsWith(`(service nopull) (task ${taskId(task)}) failed: `));
      assert.equal(event, `(service nopull) (task ${taskId(task)}) failed: ${task.stoppedReason} (app)`, messages.join('\n'));
      assert.match(event ?? '', /failed: CannotPullContainerError: .*127\.0\.0\.1:1/);
    }
    assertOldTasksGaveWay(outcome.all, outcome.goodTasks);
  });

  test('a container that fails its health check: left alone for healthCheckGracePeriodSeconds, then replaced until the breaker trips and the service rolls back', async () => {
    const grace = 8;
    // Seen UNHEALTHY while the scheduler still wanted it: the grace period, not a slow check, held the stop off.
    const unhealthyButKept = new Set<string>();
    const outcome = await failedRollout(
      'unhealthy',
      { image, command: ['sleep', '3600'], stopTimeout: 1, healthCheck: { command: ['CMD-SHELL', 'false'], interval: 5, timeout: 2, retries: 1 } },
      {
        service: { healthCheckGracePeriodSeconds: grace },
        watch: async () => {
          const listed = await serviceTasks(ecs, 'default', 'unhealthy', 'RUNNING');
          for (const task of listed) if (task.healthStatus === 'UNHEALTHY' && task.desiredStatus === 'RUNNING') unhealthyButKept.add(task.taskArn!);
        },
      },
    );
    const { messages, failures } = await assertRolledBack('unhealthy', outcome);
    assertSeenRollingBack(outcome.seen, outcome.good, outcome.broken);
    assert.ok(unhealthyButKept.size > 0, 'a task of the failing revision was seen UNHEALTHY and still wanted, within its grace period');
    for (const task of failures) {
      assert.equal(task.stopCode, 'ServiceSchedulerInitiated', `${task.taskArn}: ${task.stoppedReason}`);
      assert.equal(task.stoppedReason, healthCheckFailed);
      assert.equal(task.healthStatus, 'UNHEALTHY');
      const heldFor = (task.stoppingAt!.getTime() - task.startedAt!.getTime()) / 1000;
      assert.ok(heldFor >= grace, `${task.taskArn} was stopped ${heldFor} s after it started, within the ${grace} s grace period`);
      assert.ok(messages.includes(`(service unhealthy) (task ${taskId(task)}) failed container health checks.`), messages.join('\n'));
    }
    assertOldTasksGaveWay(outcome.all, outcome.goodTasks);
  });

  /**
   * A rollback is a new deployment of the good revision: the tasks running before the update are
   * replaced by its own, which never failed.
   */
  function assertOldTasksGaveWay(all: Task[], goodTasks: string[]) {
    for (const arn of goodTasks) {
      const task = all.find((candidate) => candidate.taskArn === arn);
      assert.ok(task, `task ${arn} is known`);
      if (task.lastStatus === 'STOPPED') assert.equal(task.stopCode, 'ServiceSchedulerInitiated', `${arn}: ${task.stoppedReason}`);
    }
    const goodStopped = all.filter((task) => revisionOf(task) === 1 && task.lastStatus === 'STOPPED');
    for (const task of goodStopped) assert.equal(task.stopCode, 'ServiceSchedulerInitiated', `${task.taskArn} of the good revision: ${task.stoppedReason}`);
  }
});
