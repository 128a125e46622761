/**
 * awslogs on real containers: the agent follows each container's output from Docker and writes it
 * with PutLogEvents as the task's execution role, to `prefix/container/task-id`. Every line
 * arrives once, in order, with Docker's timestamps: from a container that exits at once, and
 * across an agent restart mid-stream. A missing group (without awslogs-create-group) and a role
 * without CloudWatch Logs permissions fail the task as ECS does: the container cannot start.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { CreateLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { Task } from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AdvancingClock } from '../../src/core/clock.js';
import { stoppedHoldMs } from '../../src/agent/engine/stopped-hold.js';
import { eventually } from '../helpers/agent.js';
import { allEvents as eventsOf, awslogsOnDocker, runShipping } from '../helpers/awslogs-on-docker.js';
import { testCredentials } from '../helpers/berth.js';
import { dockerAvailable } from '../helpers/images.js';

const dockerUp = await dockerAvailable();
const run = promisify(execFile);
/** Lines a container has written so far, as the Docker engine kept them: real output, not Berth's. */
const linesWritten = async (containerId: string) =>
  (await run('docker', ['logs', containerId], { encoding: 'utf8', timeout: 20_000 })).stdout.split('\n').filter((line) => line !== '').length;
const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

describe('awslogs: the agent ships container output to CloudWatch Logs', { skip: dockerUp ? false : 'no Docker engine reachable' }, () => {
  /** The agent's clock: the bound on holding a task's STOPPED report is passed by moving it. */
  const clock = new AdvancingClock();
  const env = awslogsOnDocker({}, { clock });

  const taskIdOf = (arn: string) => arn.split('/').at(-1)!;

  /** Every event of a stream, oldest first. */
  const allEvents = (group: string, stream: string) => eventsOf(env.logs, group, stream);

  /** Waits until the stream holds `count` events (or more, which the caller's assertions catch). */
  const eventsOnceThere = (group: string, stream: string, count: number, timeoutMs = 30_000) =>
    eventually(
      async () => {
        const events = await allEvents(group, stream).catch(() => []);
        return events.length >= count ? events : undefined;
      },
      timeoutMs,
      `${count} events in ${group} ${stream}`,
    );

  /** Waits until the agent has every line of the task acknowledged: after that nothing more (no duplicate) is sent. */
  const allShipped = (arn: string) => eventually(async () => (env.agent.agent.awslogsShipped(arn) ? true : undefined), 30_000, `the output of ${arn} acknowledged`);
  /** The Docker id of the task's (only) container. */
  const containerOf = async (arn: string) => (await env.tasks.until(arn, 'RUNNING')).containers?.[0]?.runtimeId as string;
  /** Waits until a container has written at least `count` lines. */
  const writtenAtLeast = (id: string, count: number) =>
    eventually(async () => ((await linesWritten(id)) >= count ? true : undefined), 30_000, `${count} lines written by ${id}`);

  /** A role ECS tasks may assume, allowed `actions` on every resource (none: no permissions at all). */
  async function roleWith(name: string, actions: string[]): Promise<string> {
    const iam = new IAMClient({ endpoint: env.berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    try {
      const { Role } = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
      if (actions.length > 0) {
        const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] };
        await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'logs', PolicyDocument: JSON.stringify(policy) }));
      }
      return Role!.Arn!;
    } finally {
      iam.destroy();
    }
  }

  /**
   * Runs `count` lines, one each 0.1 s, to `group`; once some arrived, `interrupt` takes down what
   * ships them, waits until the container wrote 10 more (or all), and brings it back.
   */
  async function interruptedMidStream(family: string, group: string, count: number, interrupt: { down(): Promise<void>; up(): Promise<void> }) {
    await env.logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    const arn = await runShipping(env, family, group, { command: ['sh', '-c', `i=0; while [ $i -lt ${count} ]; do echo "line $i"; i=$((i+1)); sleep 0.1; done`] });
    const stream = `web/app/${taskIdOf(arn)}`;
    await eventsOnceThere(group, stream, 5);
    const container = await containerOf(arn);
    const shippedBefore = (await allEvents(group, stream)).length;
    await interrupt.down();
    await writtenAtLeast(container, Math.min(count, shippedBefore + 10));
    await interrupt.up();
    return { arn, stream };
  }

  /** Once the agent holds the task's output acknowledged (nothing more is sent), the stream has `line 0` to `line count-1`, each once, in order. */
  async function everyLineOnce(arn: string, group: string, stream: string, count: number): Promise<void> {
    await allShipped(arn);
    const messages = (await allEvents(group, stream)).map((event) => event.message);
    assert.deepEqual(messages, Array.from({ length: count }, (_, i) => `line ${i}`));
  }

  test('a container writing to stdout and stderr and exiting at once: every line arrives once, in order, in prefix/container/task-id', async () => {
    await env.logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/burst' }));
    const count = 150;
    const arn = await runShipping(env, 'burst', '/ecs/burst', { command: ['sh', '-c', `i=0; while [ $i -lt ${count} ]; do echo "out $i"; echo "err $i" >&2; i=$((i+1)); done`] });
    await env.tasks.until(arn, 'STOPPED');
    const stream = `web/app/${taskIdOf(arn)}`;
    const events = await eventsOnceThere('/ecs/burst', stream, 2 * count);
    // Any extra (duplicated) event would be sent before the agent holds the output acknowledged.
    await allShipped(arn);
    const settled = await allEvents('/ecs/burst', stream);
    assert.equal(settled.length, 2 * count, 'exactly the lines written');
    assert.deepEqual(
      settled.map((event) => event.message).filter((message) => message!.startsWith('out ')),
      Array.from({ length: count }, (_, i) => `out ${i}`),
      'stdout in order',
    );
    assert.deepEqual(
      settled.map((event) => event.message).filter((message) => message!.startsWith('err ')),
      Array.from({ length: count }, (_, i) => `err ${i}`),
      'stderr in order',
    );
    const times = settled.map((event) => event.timestamp!);
    assert.deepEqual([...times].sort((a, b) => a - b), times, 'chronological');
    assert.ok(Math.abs(times[0]! - Date.now()) < 120_000, "Docker's timestamps, not zero or made up");
    assert.equal(events.length >= 2 * count, true);
  });

  test('STOPPED waits for the last lines: right after DescribeTasks says STOPPED, GetLogEvents has every line', async () => {
    await env.logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/last-lines' }));
    const count = 2000;
    const arn = await runShipping(env, 'last-lines', '/ecs/last-lines', { command: ['sh', '-c', `i=0; while [ $i -lt ${count} ]; do echo "line $i"; i=$((i+1)); done`] });
    const stopped = await env.tasks.until(arn, 'STOPPED');
    // One read, no waiting: STOPPED is the promise that the output is there.
    const events = await allEvents('/ecs/last-lines', `web/app/${taskIdOf(arn)}`);
    assert.equal(events.length, count, `every line once STOPPED (${events.length} of ${count})`);
    assert.deepEqual(events.map((event) => event.message), Array.from({ length: count }, (_, i) => `line ${i}`));
    assert.equal(stopped.containers?.[0]?.exitCode, 0);
    assert.equal(stopped.stopCode, 'EssentialContainerExited');
  });

  test('output that cannot be shipped holds STOPPED only so long: the task shows DEPROVISIONING, then STOPPED once the bound passes', async () => {
    // The stream can be made (the container starts), and PutLogEvents is refused.
    const roleArn = await roleWith('exec-no-put', ['logs:CreateLogStream']);
    await env.logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/no-put' }));
    const arn = await runShipping(env, 'no-put', '/ecs/no-put', { command: ['echo', 'never shipped'] }, { role: roleArn });
    const held = await env.tasks.until(arn, 'DEPROVISIONING');
    assert.equal(held.containers?.[0]?.lastStatus, 'STOPPED', 'its container is down; the task waits for its output');
    assert.equal(env.agent.agent.awslogsShipped(arn), false);
    clock.advance(stoppedHoldMs);
    // Without the move, the hold would last its whole 30 s from the time the task was first held.
    const stopped = await env.tasks.until(arn, 'STOPPED', stoppedHoldMs / 2);
    assert.equal(stopped.containers?.[0]?.exitCode, 0);
  });

  test('an agent restart mid-stream loses and repeats nothing: it resumes from its checkpoint', async () => {
    const count = 60;
    // The container keeps writing while no agent follows it.
    const { arn, stream } = await interruptedMidStream('steady', '/ecs/steady', count, { down: () => env.agent.stop(), up: () => env.agent.restart() });
    await env.tasks.until(arn, 'STOPPED');
    await eventsOnceThere('/ecs/steady', stream, count);
    await everyLineOnce(arn, '/ecs/steady', stream, count);
  });

  const stoppedOf = (arn: string): Promise<Task> => env.tasks.until(arn, 'STOPPED');

  test('a log group that does not exist, without awslogs-create-group: the container cannot start, in Docker\'s words', async () => {
    const arn = await runShipping(env, 'no-group', '/ecs/missing', { command: ['echo', 'hello'] });
    const stopped = await stoppedOf(arn);
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.equal(
      stopped.stoppedReason,
      'CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.',
    );
  });

  test('awslogs-create-group makes the group, when the execution role may (logs:CreateLogGroup)', async () => {
    const roleArn = await roleWith('exec-logs-create', ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']);
    const arn = await runShipping(env, 'create-group', '/ecs/created', { command: ['echo', 'made'] }, { role: roleArn, extra: { 'awslogs-create-group': 'true' } });
    const events = await eventsOnceThere('/ecs/created', `web/app/${taskIdOf(arn)}`, 1);
    assert.deepEqual(events.map((event) => event.message), ['made']);
    const { logGroups } = await env.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/ecs/created' }));
    assert.equal(logGroups?.length, 1);
  });

  test('an execution role without CloudWatch Logs permissions: the container cannot start, with the AccessDeniedException', async () => {
    const roleArn = await roleWith('exec-no-logs', []);
    await env.logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/denied' }));
    const arn = await runShipping(env, 'no-logs', '/ecs/denied', { command: ['echo', 'hello'] }, { role: roleArn });
    const stopped = await stoppedOf(arn);
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.match(
      stopped.stoppedReason ?? '',
      new RegExp(`^CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: AccessDeniedException: User: arn:aws:sts::000000000000:assumed-role/exec-no-logs/${taskIdOf(arn)} is not authorized to perform: logs:CreateLogStream`),
    );
  });
  test('a line longer than Docker\'s 16 KiB is joined again, then split at the awslogs event size', async () => {
    await env.logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/long' }));
    const arn = await runShipping(env, 'long-line', '/ecs/long', { command: ['sh', '-c', "head -c 300000 /dev/zero | tr '\\0' a; echo; echo after"] });
    const events = await eventsOnceThere('/ecs/long', `web/app/${taskIdOf(arn)}`, 3);
    assert.deepEqual(
      events.map((event) => event.message!.length),
      [262_118, 300_000 - 262_118, 5],
    );
    assert.ok(events[0]!.message!.split('').every((c) => c === 'a'));
    assert.equal(events[2]!.message, 'after');
  });

  test('a container with a TTY (pseudoTerminal): its one unframed stream ships line by line', async () => {
    await env.logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/tty' }));
    const arn = await runShipping(env, 'tty', '/ecs/tty', { pseudoTerminal: true, command: ['sh', '-c', 'echo one; echo two >&2; echo three'] });
    const events = await eventsOnceThere('/ecs/tty', `web/app/${taskIdOf(arn)}`, 3);
    // A TTY ends lines with \r\n; Docker's awslogs driver keeps the \r too.
    assert.deepEqual(events.map((event) => event.message), ['one\r', 'two\r', 'three\r']);
  });

  test('a control-plane outage loses and repeats nothing: PutLogEvents is retried until it is back', async () => {
    const count = 40;
    // The container keeps writing while the control plane is away.
    const { arn, stream } = await interruptedMidStream('outage', '/ecs/outage', count, { down: () => env.berth.stop(), up: () => env.berth.restart() });
    await eventsOnceThere('/ecs/outage', stream, count, 60_000);
    await env.tasks.until(arn, 'STOPPED');
    await everyLineOnce(arn, '/ecs/outage', stream, count);
  });
});
