/** Task definition fields Berth honours on the real Docker engine (secrets, log drivers, cpu architecture), through the ECS and Secrets Manager APIs. */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { execFile } from 'node:child_process';
import { arch } from 'node:os';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import {
  CreateClusterCommand,
  DescribeContainerInstancesCommand,
  ListContainerInstancesCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ContainerDefinition,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { executionRoleFor } from '../helpers/execution-role.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { TaskDriver } from '../helpers/tasks.js';

const dockerUp = await dockerAvailable();
const run = promisify(execFile);
const envOf = async (containerId: string, name: string) =>
  (await run('docker', ['exec', containerId, 'sh', '-c', `echo "$${name}"`], { encoding: 'utf8', timeout: 20_000 })).stdout.trim();

describe('honoured task definition fields on Docker', { skip: dockerUp ? false : 'no Docker engine reachable' }, () => {
  let berth: TestBerth;
  let agent: TestAgent;
  let fargate: TestAgent;
  let ecs: ECSClient;
  let tasks: TaskDriver;
  let image: string;
  const started: string[] = [];

  before(async () => {
    image = await buildBusyboxImage();
    berth = await startBerth();
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = await startTestAgent(berth);
    fargate = await startTestAgent(berth, { mode: 'fargate' });
    tasks = new TaskDriver(ecs);
  });
  after(async () => {
    for (const arn of started) await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn })).catch(() => undefined);
    for (const arn of started) await tasks.until(arn, 'STOPPED').catch(() => undefined);
    await fargate?.close();
    await agent?.close();
    await berth?.close();
  });

  const runSleeper = async (family: string, extra: Partial<ContainerDefinition>) => {
    const definition = await tasks.register({
      family,
      // ECS reads secrets with the task execution role, which must be allowed to read them.
      ...(extra.secrets ? { executionRoleArn: await executionRoleFor(berth, { secrets: true }) } : {}),
      containerDefinitions: [{ name: 'app', image, memory: 32, command: ['sleep', '300'], stopTimeout: 1, ...extra }],
    });
    const arn = await tasks.run(definition);
    started.push(arn);
    return arn;
  };

  test('secrets reach the container as environment variables: whole value, a JSON key, a version stage', async () => {
    const secrets = berth.secretsManager();
    const { ARN: tokenArn } = await secrets.send(new CreateSecretCommand({ Name: 'app/token', SecretString: 'first-token' }));
    await secrets.send(new PutSecretValueCommand({ SecretId: 'app/token', SecretString: 'current-token' }));
    const { ARN: dbArn } = await secrets.send(new CreateSecretCommand({ Name: 'app/db', SecretString: JSON.stringify({ username: 'admin', port: 5432 }) }));
    const arn = await runSleeper('with-secrets', {
      environment: [{ name: 'PLAIN', value: 'visible' }],
      secrets: [
        { name: 'TOKEN', valueFrom: tokenArn! },
        { name: 'PREVIOUS_TOKEN', valueFrom: `${tokenArn}::AWSPREVIOUS:` },
        { name: 'DB_USER', valueFrom: `${dbArn}:username::` },
        { name: 'DB_PORT', valueFrom: `${dbArn}:port::` },
      ],
    });
    const running = await tasks.until(arn, 'RUNNING');
    const id = running.containers![0]!.runtimeId!;
    assert.equal(await envOf(id, 'TOKEN'), 'current-token');
    assert.equal(await envOf(id, 'PREVIOUS_TOKEN'), 'first-token');
    assert.equal(await envOf(id, 'DB_USER'), 'admin');
    assert.equal(await envOf(id, 'DB_PORT'), '5432');
    assert.equal(await envOf(id, 'PLAIN'), 'visible');
  });

  test('a secret or JSON key that cannot be read stops the task with ECS\'s ResourceInitializationError', async () => {
    const { ARN: dbArn } = await berth.secretsManager().send(new CreateSecretCommand({ Name: 'app/partial', SecretString: JSON.stringify({ username: 'admin' }) }));
    const noKey = await tasks.until(await runSleeper('missing-key', { secrets: [{ name: 'PASSWORD', valueFrom: `${dbArn}:password::` }] }), 'STOPPED');
    assert.equal(noKey.stopCode, 'TaskFailedToStart');
    assert.equal(
      noKey.stoppedReason,
      'ResourceInitializationError: unable to pull secrets or registry auth: retrieved secret from Secrets Manager did not contain json key password',
    );
    const gone = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:app/never-created';
    const missing = await tasks.until(await runSleeper('missing-secret', { secrets: [{ name: 'X', valueFrom: gone }] }), 'STOPPED');
    assert.equal(
      missing.stoppedReason,
      `ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secret from asm: failed to fetch secret ${gone} from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.`,
    );
    assert.equal(missing.containers?.[0]?.runtimeId, undefined, 'no container is created without its secrets');
  });

  test('the agent advertises the log drivers its engine ships, and a syslog logConfiguration reaches Docker', async () => {
    const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({ cluster: 'default' }));
    const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'default', containerInstances: containerInstanceArns! }));
    const names = (containerInstances?.[0]?.attributes ?? []).map((attribute) => attribute.name);
    assert.ok(names.includes('com.amazonaws.ecs.capability.logging-driver.syslog'), 'the syslog driver is advertised');
    assert.ok(names.includes('com.amazonaws.ecs.capability.logging-driver.awslogs'), 'awslogs is: the agent collects it');
    assert.ok(names.includes('ecs.capability.execution-role-awslogs'), 'with the execution role');

    const received: string[] = [];
    const listener: Socket = createSocket('udp4');
    listener.on('message', (message) => received.push(message.toString()));
    await new Promise<void>((resolve) => listener.bind(0, '127.0.0.1', resolve));
    try {
      const definition = await tasks.register({
        family: 'syslog',
        containerDefinitions: [
          {
            name: 'app',
            image,
            memory: 32,
            command: ['sh', '-c', 'while true; do echo hello-syslog; sleep 1; done'],
            stopTimeout: 1,
            logConfiguration: { logDriver: 'syslog', options: { 'syslog-address': `udp://127.0.0.1:${listener.address().port}`, tag: 'berth-test' } },
          },
        ],
      });
      const arn = await tasks.run(definition);
      started.push(arn);
      await tasks.until(arn, 'RUNNING');
      const line = await eventually(async () => received.find((text) => text.includes('hello-syslog')), 20_000, 'a syslog message');
      assert.match(line, /berth-test/);
    } finally {
      listener.close();
    }
  });

  test('runtimePlatform.cpuArchitecture: EC2 placement needs an instance of it, and a FARGATE host of another stops the task', async () => {
    const other = arch() === 'arm64' ? 'X86_64' : 'ARM64';
    const definition = await tasks.register({
      family: 'other-architecture',
      requiresCompatibilities: ['FARGATE', 'EC2'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      runtimePlatform: { cpuArchitecture: other, operatingSystemFamily: 'LINUX' },
      containerDefinitions: [{ name: 'app', image, command: ['sleep', '300'], stopTimeout: 2 }],
    });
    const network = { awsvpcConfiguration: { subnets: ['subnet-local'] } };
    const onEc2 = await ecs.send(new RunTaskCommand({ cluster: 'default', taskDefinition: definition, launchType: 'EC2', networkConfiguration: network }));
    assert.equal(onEc2.tasks?.length, 0);
    assert.match(onEc2.failures?.[0]?.detail ?? '', /ecs\.cpu-architecture/);
    const { tasks: [task] = [] } = await ecs.send(new RunTaskCommand({ cluster: 'default', taskDefinition: definition, launchType: 'FARGATE', networkConfiguration: network }));
    started.push(task!.taskArn!);
    const stopped = await tasks.until(task!.taskArn!, 'STOPPED');
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.match(stopped.stoppedReason ?? '', new RegExp(`^ResourceInitializationError: the task definition's runtimePlatform.cpuArchitecture is ${other}, and this host's architecture is `));
  });

  test('pidMode host and ipcMode none reach Docker: the container sees the host\'s processes', async () => {
    const definition = await tasks.register({
      family: 'host-pid',
      pidMode: 'host',
      ipcMode: 'none',
      containerDefinitions: [{ name: 'app', image, memory: 32, command: ['sleep', '300'], stopTimeout: 1 }],
    });
    const arn = await tasks.run(definition);
    started.push(arn);
    const id = (await tasks.until(arn, 'RUNNING')).containers![0]!.runtimeId!;
    const pidOne = (await run('docker', ['exec', id, 'cat', '/proc/1/comm'], { encoding: 'utf8', timeout: 20_000 })).stdout.trim();
    assert.notEqual(pidOne, 'sleep', 'PID 1 is the host\'s, not the container\'s own command');
    const ipc = (await run('docker', ['inspect', '--format', '{{.HostConfig.IpcMode}}', id], { encoding: 'utf8', timeout: 20_000 })).stdout.trim();
    assert.equal(ipc, 'none');
  });

  test('systemControls and dnsSearchDomains: per container in bridge mode, on the task\'s namespace in awsvpc', async () => {
    const read = async (id: string, path: string) => (await run('docker', ['exec', id, 'cat', path], { encoding: 'utf8', timeout: 20_000 })).stdout.trim();
    for (const networkMode of ['bridge', 'awsvpc'] as const) {
      const definition = await tasks.register({
        family: `sysctl-${networkMode}`,
        networkMode,
        containerDefinitions: [
          {
            name: 'app',
            image,
            memory: 32,
            command: ['sleep', '300'],
            stopTimeout: 1,
            systemControls: [{ namespace: 'net.core.somaxconn', value: '777' }, { namespace: 'kernel.shm_rmid_forced', value: '1' }],
            dnsSearchDomains: ['fields.internal'],
          },
        ],
      });
      const extra = networkMode === 'awsvpc' ? { networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-local'] } } } : {};
      const arn = await tasks.run(definition, extra);
      started.push(arn);
      const id = (await tasks.until(arn, 'RUNNING')).containers![0]!.runtimeId!;
      assert.equal(await read(id, '/proc/sys/net/core/somaxconn'), '777', networkMode);
      assert.equal(await read(id, '/proc/sys/kernel/shm_rmid_forced'), '1', networkMode);
      assert.match(await read(id, '/etc/resolv.conf'), /^search fields\.internal$/m, `${networkMode}: dnsSearchDomains`);
    }
  });
});
