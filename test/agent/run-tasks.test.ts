import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateClusterCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';

const docker = await dockerAvailable();

describe('tasks run on the Docker engine', { skip: docker ? false : 'no Docker engine reachable' }, () => {
  let berth: TestBerth;
  let agent: TestAgent;
  let ecs: ECSClient;
  let image: string;

  before(async () => {
    image = await buildBusyboxImage();
    berth = await startBerth();
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = await startTestAgent(berth);
  });
  after(async () => {
    await agent?.close();
    await berth?.close();
  });

  async function describeTask(arn: string): Promise<Task> {
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: [arn] }));
    assert.ok(tasks?.[0]);
    return tasks[0];
  }

  const until = (arn: string, status: string, timeoutMs = 30_000) =>
    eventually(async () => {
      const task = await describeTask(arn);
      return task.lastStatus === status ? task : undefined;
    }, timeoutMs, `task ${status}`);

  test('the agent registers its host with real resources, attributes and a live connection', async () => {
    const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({ cluster: 'default' }));
    assert.equal(containerInstanceArns?.length, 1);
    const instance = await eventually(async () => {
      const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'default', containerInstances: containerInstanceArns! }));
      return containerInstances?.[0]?.agentConnected ? containerInstances[0] : undefined;
    }, 10_000, 'agentConnected');
    const cpu = instance.registeredResources?.find((resource) => resource.name === 'CPU')?.integerValue ?? 0;
    assert.ok(cpu >= 1024 && cpu % 1024 === 0, `CPU units are cores × 1024, got ${cpu}`);
    const names = (instance.attributes ?? []).map((attribute) => attribute.name);
    for (const name of ['ecs.os-type', 'ecs.cpu-architecture', 'ecs.availability-zone', 'ecs.capability.task-eni', 'ecs.capability.container-health-check']) {
      assert.ok(names.includes(name), `attribute ${name}`);
    }
    assert.match(instance.versionInfo?.dockerVersion ?? '', /DockerVersion: \d+/);
  });

  test('a bridge task with a dynamic host port runs, answers, and stops with its exit code', async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        containerDefinitions: [
          {
            name: 'web',
            image,
            memory: 64,
            essential: true,
            command: ['sh', '-c', 'mkdir -p /www && echo hello-from-berth > /www/index.html && exec httpd -f -p 8080 -h /www'],
            portMappings: [{ containerPort: 8080 }],
            // httpd runs as PID 1 and ignores SIGTERM: the agent must escalate to SIGKILL after stopTimeout.
            stopTimeout: 2,
          },
        ],
      }),
    );
    const { tasks } = await ecs.send(new RunTaskCommand({ cluster: 'default', taskDefinition: 'web', launchType: 'EC2' }));
    const arn = tasks![0]!.taskArn!;
    const running = await until(arn, 'RUNNING');
    const container = running.containers![0]!;
    assert.equal(container.lastStatus, 'RUNNING');
    assert.ok(container.runtimeId);
    const hostPort = container.networkBindings?.[0]?.hostPort;
    assert.ok(hostPort && hostPort > 0, 'a dynamic host port is reported');
    const body = await eventually(async () => {
      const response = await fetch(`http://127.0.0.1:${hostPort}/`);
      return response.ok ? response.text() : undefined;
    }, 10_000, 'httpd answers');
    assert.equal(body.trim(), 'hello-from-berth');
    assert.ok(running.startedAt && running.pullStartedAt);

    await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn, reason: 'done testing' }));
    const stopped = await until(arn, 'STOPPED');
    assert.equal(stopped.stopCode, 'UserInitiated');
    assert.equal(stopped.stoppedReason, 'done testing');
    assert.equal(stopped.containers![0]!.lastStatus, 'STOPPED');
    assert.equal(stopped.containers![0]!.exitCode, 137);
    assert.ok(stopped.stoppedAt && stopped.stoppingAt);
  });
});
