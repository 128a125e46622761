/** What a task definition says is what the containers do: checked on the real Docker engine through the ECS API. */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import Docker from 'dockerode';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import {
  CreateClusterCommand,
  DescribeContainerInstancesCommand,
  ListContainerInstancesCommand,
  StopTaskCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { executionRoleFor } from '../helpers/execution-role.js';
import { socketPathFromEnvironment } from '../../src/agent/runtime/docker-runtime.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { privateRegistryAvailable, startPrivateRegistry } from '../helpers/private-registry.js';
import { startStallingRegistry } from '../helpers/stalling-registry.js';
import { TaskDriver } from '../helpers/tasks.js';

const dockerUp = await dockerAvailable();
const engine = new Docker({ socketPath: socketPathFromEnvironment() });

// Asynchronous: the agent (and its metadata endpoint) runs in this process and must keep answering.
const run = promisify(execFile);
const dockerExec = async (containerId: string, script: string) =>
  (await run('docker', ['exec', containerId, 'sh', '-c', script], { encoding: 'utf8', timeout: 20_000 })).stdout;

describe('task definitions on Docker', { skip: dockerUp ? false : 'no Docker engine reachable' }, () => {
  let berth: TestBerth;
  let agent: TestAgent;
  let fargate: TestAgent;
  let ecs: ECSClient;
  let tasks: TaskDriver;
  let image: string;

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
    await fargate?.close();
    await agent?.close();
    await berth?.close();
  });

  test('the agent registers its host with real resources, attributes and a live connection', async () => {
    const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({ cluster: 'default' }));
    assert.equal(containerInstanceArns?.length, 1, 'the FARGATE host is not a container instance');
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
    const definition = await tasks.register({
      family: 'web',
      containerDefinitions: [
        {
          name: 'web',
          image,
          memory: 64,
          command: ['sh', '-c', 'mkdir -p /www && echo hello-from-berth > /www/index.html && exec httpd -f -p 8080 -h /www'],
          portMappings: [{ containerPort: 8080 }],
          // httpd runs as PID 1 and ignores SIGTERM: the agent must escalate to SIGKILL after stopTimeout.
          stopTimeout: 2,
        },
      ],
    });
    const arn = await tasks.run(definition);
    const running = await tasks.until(arn, 'RUNNING');
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
    const stopped = await tasks.until(arn, 'STOPPED');
    assert.equal(stopped.stopCode, 'UserInitiated');
    assert.equal(stopped.stoppedReason, 'done testing');
    assert.equal(stopped.containers![0]!.lastStatus, 'STOPPED');
    assert.equal(stopped.containers![0]!.exitCode, 137);
    assert.ok(stopped.stoppedAt && stopped.stoppingAt);
  });

  test('an essential container that exits stops its task with EssentialContainerExited and the exit code', async () => {
    const definition = await tasks.register({
      family: 'exits',
      containerDefinitions: [
        { name: 'main', image, memory: 32, command: ['sh', '-c', 'sleep 1; exit 3'] },
        { name: 'side', image, memory: 32, essential: false, command: ['sleep', '300'], stopTimeout: 1 },
      ],
    });
    const stopped = await tasks.until(await tasks.run(definition), 'STOPPED');
    assert.equal(stopped.stopCode, 'EssentialContainerExited');
    assert.equal(stopped.stoppedReason, 'Essential container in task exited');
    const main = stopped.containers!.find((container) => container.name === 'main')!;
    assert.equal(main.exitCode, 3);
    assert.equal(main.lastStatus, 'STOPPED');
    assert.equal(stopped.containers!.find((container) => container.name === 'side')!.lastStatus, 'STOPPED');
    assert.ok(stopped.startedAt && stopped.stoppedAt && stopped.executionStoppedAt);
  });

  test('a non-essential container may finish while the task keeps running', async () => {
    const definition = await tasks.register({
      family: 'sidecar-done',
      containerDefinitions: [
        { name: 'main', image, memory: 32, command: ['sleep', '300'], stopTimeout: 1 },
        { name: 'once', image, memory: 32, essential: false, command: ['true'] },
      ],
    });
    const arn = await tasks.run(definition);
    const task = await tasks.until(arn, 'RUNNING', 30_000, (t) => t.containers?.find((c) => c.name === 'once')?.lastStatus === 'STOPPED');
    assert.equal(task.containers!.find((c) => c.name === 'once')!.exitCode, 0);
    await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn }));
    await tasks.until(arn, 'STOPPED');
  });

  test('an image that cannot be pulled fails the task with CannotPullContainerError', async () => {
    const definition = await tasks.register({
      family: 'no-image',
      containerDefinitions: [{ name: 'main', image: 'berth-test/never-built:404', memory: 32 }],
    });
    const stopped = await tasks.until(await tasks.run(definition), 'STOPPED');
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.match(stopped.stoppedReason ?? '', /^CannotPullContainerError: /);
    assert.match(stopped.containers![0]!.reason ?? '', /^CannotPullContainerError: /);
    assert.equal(stopped.startedAt, undefined);
  });

  test('a container killed for memory reports OutOfMemoryError', async () => {
    const definition = await tasks.register({
      family: 'oom',
      containerDefinitions: [
        { name: 'hog', image, memory: 6, command: ['sh', '-c', 'x=$(dd if=/dev/zero bs=1M count=64 2>/dev/null | tr "\\0" a); sleep 5'] },
      ],
    });
    const stopped = await tasks.until(await tasks.run(definition), 'STOPPED');
    const hog = stopped.containers![0]!;
    assert.match(hog.reason ?? '', /^OutOfMemoryError: /);
    assert.equal(hog.exitCode, 137);
  });

  test('dependsOn and health checks: SUCCESS and HEALTHY gate the start, and health is reported', async () => {
    const definition = await tasks.register({
      family: 'ordered',
      containerDefinitions: [
        { name: 'init', image, memory: 32, essential: false, command: ['sh', '-c', 'echo ready > /shared/flag'], mountPoints: [{ sourceVolume: 'scratch', containerPath: '/shared' }] },
        {
          name: 'db',
          image,
          memory: 32,
          command: ['sh', '-c', 'sleep 1; touch /tmp/up; exec sleep 300'],
          healthCheck: { command: ['CMD-SHELL', 'test -f /tmp/up'], interval: 5, timeout: 2, retries: 3, startPeriod: 0 },
          stopTimeout: 1,
        },
        {
          name: 'app',
          image,
          memory: 32,
          command: ['sh', '-c', 'cat /shared/flag > /tmp/seen; exec sleep 300'],
          mountPoints: [{ sourceVolume: 'scratch', containerPath: '/shared' }],
          dependsOn: [
            { containerName: 'init', condition: 'SUCCESS' },
            { containerName: 'db', condition: 'HEALTHY' },
          ],
          stopTimeout: 1,
        },
      ],
      volumes: [{ name: 'scratch' }],
    });
    const arn = await tasks.run(definition);
    const running = await tasks.until(arn, 'RUNNING', 60_000);
    const db = running.containers!.find((c) => c.name === 'db')!;
    assert.equal(db.healthStatus, 'HEALTHY');
    assert.equal(running.healthStatus, 'HEALTHY');
    const app = running.containers!.find((c) => c.name === 'app')!;
    assert.equal((await dockerExec(app.runtimeId!, 'cat /tmp/seen')).trim(), 'ready', 'the task volume is shared and init ran first');
    await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn }));
    await tasks.until(arn, 'STOPPED');
  });

  test('a dependency that can no longer be met fails the task', async () => {
    const definition = await tasks.register({
      family: 'broken-init',
      containerDefinitions: [
        { name: 'init', image, memory: 32, essential: false, command: ['false'] },
        { name: 'app', image, memory: 32, command: ['sleep', '300'], dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }] },
      ],
    });
    const stopped = await tasks.until(await tasks.run(definition), 'STOPPED');
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.match(stopped.stoppedReason ?? '', /SUCCESS/);
  });

  test('container settings reach Docker: environment, overrides, user, workdir, labels, limits, read-only root, init, tmpfs, extra hosts', async () => {
    const definition = await tasks.register({
      family: 'settings',
      containerDefinitions: [
        {
          name: 'main',
          image,
          memory: 64,
          memoryReservation: 32,
          cpu: 128,
          command: ['sleep', '300'],
          environment: [{ name: 'GREETING', value: 'from-definition' }, { name: 'KEPT', value: 'yes' }],
          user: '65534',
          workingDirectory: '/tmp',
          readonlyRootFilesystem: true,
          dockerLabels: { team: 'berth' },
          ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 2048 }],
          linuxParameters: { initProcessEnabled: true, tmpfs: [{ containerPath: '/scratch', size: 16 }], capabilities: { drop: ['NET_RAW'] } },
          extraHosts: [{ hostname: 'db.internal', ipAddress: '10.9.8.7' }],
        },
      ],
    });
    const arn = await tasks.run(definition, {
      overrides: { containerOverrides: [{ name: 'main', environment: [{ name: 'GREETING', value: 'from-override' }] }] },
    });
    const running = await tasks.until(arn, 'RUNNING');
    const id = running.containers![0]!.runtimeId!;
    // The container's own process shows its limits; a `docker exec` shell may not inherit them.
    const out = await dockerExec(id, 'echo $GREETING $KEPT $(id -u) $(pwd); grep "open files" /proc/1/limits; grep db.internal /etc/hosts; touch /x 2>/dev/null || echo read-only; touch /scratch/y && echo tmpfs-ok; echo $ECS_CONTAINER_METADATA_URI_V4');
    assert.match(out, /^from-override yes 65534 \/tmp$/m);
    assert.match(out, /^Max open files\s+1024\s+2048\s/m);
    assert.match(out, /10\.9\.8\.7\s+db\.internal/);
    assert.match(out, /^read-only$/m);
    assert.match(out, /^tmpfs-ok$/m);
    assert.match(out, /^http:\/\/[0-9.]+:\d+\/v4\/[0-9a-f]+$/m);
    const inspect = JSON.parse(execFileSync('docker', ['inspect', id], { encoding: 'utf8' }))[0];
    assert.equal(inspect.HostConfig.Memory, 64 * 1024 * 1024);
    assert.equal(inspect.HostConfig.MemoryReservation, 32 * 1024 * 1024);
    assert.equal(inspect.HostConfig.CpuShares, 128);
    assert.equal(inspect.HostConfig.Init, true);
    assert.equal(inspect.Config.Labels.team, 'berth');
    assert.equal(inspect.Config.Labels['com.amazonaws.ecs.task-arn'], arn);
    await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn }));
    await tasks.until(arn, 'STOPPED');
  });

  test('task-level cpu and memory on EC2: every container of the task runs inside one cgroup holding its limits', async () => {
    const info = await engine.info();
    const v1 = info.CgroupVersion === '1';
    const definition = await tasks.register({
      family: 'task-cgroup',
      cpu: '512',
      memory: '96',
      containerDefinitions: ['a', 'b'].map((name) => ({ name, image, command: ['sleep', '300'], stopTimeout: 1 })),
    });
    const arn = await tasks.run(definition);
    const running = await tasks.until(arn, 'RUNNING');
    const taskId = arn.slice(arn.lastIndexOf('/') + 1);
    const first = JSON.parse((await run('docker', ['inspect', running.containers![0]!.runtimeId!], { encoding: 'utf8' })).stdout)[0];
    const parent: string = first.HostConfig.CgroupParent;
    assert.match(parent, new RegExp(`^/berth/[0-9a-f]{16}/${taskId}$`), 'the task cgroup sits in the agent\'s own directory');
    const memoryDir = v1 ? `/sys/fs/cgroup/memory${parent}` : `/sys/fs/cgroup${parent}`;
    const cpuDir = v1 ? `/sys/fs/cgroup/cpu${parent}` : memoryDir;
    if (v1) {
      assert.equal(readFileSync(`${memoryDir}/memory.limit_in_bytes`, 'utf8').trim(), String(96 * 1024 * 1024));
      assert.equal(readFileSync(`${cpuDir}/cpu.cfs_quota_us`, 'utf8').trim(), '50000');
      assert.equal(readFileSync(`${cpuDir}/cpu.cfs_period_us`, 'utf8').trim(), '100000');
    } else {
      assert.equal(readFileSync(`${memoryDir}/memory.max`, 'utf8').trim(), String(96 * 1024 * 1024));
      assert.equal(readFileSync(`${cpuDir}/cpu.max`, 'utf8').trim(), '50000 100000');
    }
    for (const container of running.containers!) {
      const inspect = JSON.parse((await run('docker', ['inspect', container.runtimeId!], { encoding: 'utf8' })).stdout)[0];
      assert.equal(inspect.HostConfig.CgroupParent, parent);
      const ownCgroup = readdirSync(memoryDir).find((entry) => entry.includes(container.runtimeId!));
      assert.ok(ownCgroup, `container ${container.name} has its cgroup inside the task's`);
    }
    await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn }));
    await tasks.until(arn, 'STOPPED');
    await eventually(async () => (existsSync(memoryDir) || existsSync(cpuDir) ? undefined : true), 20_000, 'the task cgroup to be removed');
  });

  test('Docker volumes: shared scope outlives its tasks (autoprovision), task scope goes with its task, a missing shared volume fails the task', async () => {
    const shared = `berth-test-shared-${Date.now()}`;
    const volumeExists = async (name: string) => (await run('docker', ['volume', 'ls', '-q', '--filter', `name=^${name}$`], { encoding: 'utf8' })).stdout.trim() === name;
    try {
      const writer = await tasks.register({
        family: 'volume-writer',
        volumes: [
          { name: shared, dockerVolumeConfiguration: { scope: 'shared', autoprovision: true, driver: 'local', labels: { team: 'berth' } } },
          { name: 'own', dockerVolumeConfiguration: { scope: 'task', driver: 'local' } },
        ],
        containerDefinitions: [
          {
            name: 'main',
            image,
            memory: 16,
            command: ['sh', '-c', 'echo kept > /data/note; echo mine > /own/note; exec sleep 300'],
            stopTimeout: 1,
            mountPoints: [
              { sourceVolume: shared, containerPath: '/data' },
              { sourceVolume: 'own', containerPath: '/own' },
            ],
          },
        ],
      });
      const first = await tasks.run(writer);
      await tasks.until(first, 'RUNNING');
      const labels = JSON.parse((await run('docker', ['volume', 'inspect', '--format', '{{json .Labels}}', shared], { encoding: 'utf8' })).stdout);
      assert.equal(labels.team, 'berth', 'the volume carries the definition labels');
      const ownVolume = (await run('docker', ['volume', 'ls', '-q', '--filter', 'label=com.amazonaws.ecs.task-arn=' + first], { encoding: 'utf8' })).stdout.trim();
      assert.ok(ownVolume, 'the task-scoped volume exists while its task runs');
      await ecs.send(new StopTaskCommand({ cluster: 'default', task: first }));
      await tasks.until(first, 'STOPPED');
      await eventually(async () => ((await volumeExists(ownVolume)) ? undefined : true), 15_000, 'the task-scoped volume to go with its task');
      assert.ok(await volumeExists(shared), 'the shared volume outlives its task');

      const reader = await tasks.register({
        family: 'volume-reader',
        volumes: [{ name: shared, dockerVolumeConfiguration: { scope: 'shared', autoprovision: false } }],
        containerDefinitions: [{ name: 'main', image, memory: 16, command: ['sh', '-c', 'test "$(cat /data/note)" = kept'], mountPoints: [{ sourceVolume: shared, containerPath: '/data' }] }],
      });
      const read = await tasks.until(await tasks.run(reader), 'STOPPED');
      assert.equal(read.containers![0]!.exitCode, 0, 'a later task reads what the first wrote');

      const absent = await tasks.register({
        family: 'volume-absent',
        volumes: [{ name: 'never-made', dockerVolumeConfiguration: { scope: 'shared', autoprovision: false } }],
        containerDefinitions: [{ name: 'main', image, memory: 16, command: ['true'], mountPoints: [{ sourceVolume: 'never-made', containerPath: '/data' }] }],
      });
      const failed = await tasks.until(await tasks.run(absent), 'STOPPED');
      assert.equal(failed.stopCode, 'TaskFailedToStart');
      assert.match(failed.stoppedReason ?? '', /^ResourceInitializationError: .*'never-made' does not exist.*autoprovision/);
      assert.equal(await volumeExists('never-made'), false, 'Docker was not left to create it');
    } finally {
      await run('docker', ['volume', 'rm', '--force', shared]).catch(() => undefined);
    }
  });

  test('the task metadata endpoint v4 answers inside a bridge container', async () => {
    const definition = await tasks.register({
      family: 'metadata',
      containerDefinitions: [{ name: 'main', image, memory: 32, command: ['sleep', '300'], stopTimeout: 1 }],
    });
    const arn = await tasks.run(definition);
    const running = await tasks.until(arn, 'RUNNING');
    const id = running.containers![0]!.runtimeId!;
    const task = JSON.parse(await dockerExec(id, 'wget -q -O - "$ECS_CONTAINER_METADATA_URI_V4/task"')) as Record<string, unknown>;
    assert.equal(task.TaskARN, arn);
    assert.equal(task.Family, 'metadata');
    assert.equal(task.KnownStatus, 'RUNNING');
    const container = JSON.parse(await dockerExec(id, 'wget -q -O - "$ECS_CONTAINER_METADATA_URI_V4"')) as Record<string, unknown>;
    assert.equal(container.DockerId, id);
    assert.equal(container.Name, 'main');
    const stats = JSON.parse(await dockerExec(id, 'wget -q -O - "$ECS_CONTAINER_METADATA_URI_V4/stats"')) as Record<string, unknown>;
    assert.ok(stats.memory_stats, 'Docker stats are passed through');
    await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn }));
    await tasks.until(arn, 'STOPPED');
  });

  test('host and none network modes', async () => {
    const host = await tasks.register({
      family: 'hostnet',
      networkMode: 'host',
      containerDefinitions: [{ name: 'main', image, memory: 32, command: ['sleep', '300'], stopTimeout: 1 }],
    });
    const none = await tasks.register({
      family: 'nonet',
      networkMode: 'none',
      containerDefinitions: [{ name: 'main', image, memory: 32, command: ['sleep', '300'], stopTimeout: 1 }],
    });
    for (const [definition, expected] of [[host, 'host'], [none, 'none']] as const) {
      const arn = await tasks.run(definition);
      const running = await tasks.until(arn, 'RUNNING');
      const mode = execFileSync('docker', ['inspect', '-f', '{{.HostConfig.NetworkMode}}', running.containers![0]!.runtimeId!], { encoding: 'utf8' }).trim();
      assert.equal(mode, expected);
      await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn }));
      await tasks.until(arn, 'STOPPED');
    }
  });

  test('awsvpc on EC2: the task has its own address, and its containers share localhost', async () => {
    const definition = await tasks.register({
      family: 'vpc',
      networkMode: 'awsvpc',
      containerDefinitions: [
        { name: 'web', image, memory: 32, command: ['sh', '-c', 'echo vpc-ok > /i.html; exec httpd -f -p 8080 -h /'], portMappings: [{ containerPort: 8080 }], stopTimeout: 1 },
        { name: 'client', image, memory: 32, command: ['sleep', '300'], stopTimeout: 1 },
      ],
    });
    const arn = await tasks.run(definition, { networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-local'] } } });
    const running = await tasks.until(arn, 'RUNNING');
    const eni = running.attachments!.find((attachment) => attachment.type === 'ElasticNetworkInterface')!;
    assert.equal(eni.status, 'ATTACHED');
    const address = eni.details!.find((detail) => detail.name === 'privateIPv4Address')!.value!;
    assert.match(address, /^10\.221\./);
    assert.match(eni.details!.find((detail) => detail.name === 'macAddress')!.value!, /^02:42:/);
    for (const container of running.containers!) assert.equal(container.networkInterfaces?.[0]?.privateIpv4Address, address);
    const client = running.containers!.find((c) => c.name === 'client')!;
    const viaLocalhost = await eventually(async () => (await dockerExec(client.runtimeId!, 'wget -q -O - http://127.0.0.1:8080/i.html')).trim() || undefined, 10_000, 'localhost');
    assert.equal(viaLocalhost, 'vpc-ok');
    const fromHost = await eventually(async () => {
      const response = await fetch(`http://${address}:8080/i.html`);
      return response.ok ? (await response.text()).trim() : undefined;
    }, 10_000, 'the task address answers');
    assert.equal(fromHost, 'vpc-ok');
    await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn }));
    const stopped = await tasks.until(arn, 'STOPPED');
    assert.equal(stopped.attachments![0]!.status, 'DELETED');
  });

  test('FARGATE runs on managed capacity with task-level limits and no container instance', async () => {
    const definition = await tasks.register({
      family: 'serverless',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'main', image, command: ['sleep', '300'], stopTimeout: 2 }],
    });
    const arn = await tasks.run(definition, {
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-local'], assignPublicIp: 'ENABLED' } },
    });
    const running = await tasks.until(arn, 'RUNNING');
    assert.equal(running.launchType, 'FARGATE');
    assert.equal(running.containerInstanceArn, undefined);
    assert.equal(running.availabilityZone, 'us-east-1a', 'the zone of the capacity host that runs it');
    const inspect = JSON.parse(execFileSync('docker', ['inspect', running.containers![0]!.runtimeId!], { encoding: 'utf8' }))[0];
    assert.equal(inspect.HostConfig.Memory, 512 * 1024 * 1024, 'the task memory is the hard limit');
    assert.equal(inspect.HostConfig.NanoCpus, 0.25 * 1e9, 'the task cpu (256 units) is the CPU limit');
    assert.equal(inspect.Config.Env.includes('AWS_EXECUTION_ENV=AWS_ECS_FARGATE'), true);
    await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn }));
    await tasks.until(arn, 'STOPPED');
  });

  test('StopTask twice, and StopTask of a task that never started', async () => {
    const definition = await tasks.register({
      family: 'twice',
      containerDefinitions: [{ name: 'main', image, memory: 32, command: ['sleep', '300'], stopTimeout: 1 }],
    });
    const arn = await tasks.run(definition);
    await tasks.until(arn, 'RUNNING');
    const first = await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn, reason: 'first' }));
    const second = await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn, reason: 'second' }));
    assert.equal(first.task?.desiredStatus, 'STOPPED');
    assert.equal(second.task?.stoppedReason, 'first');
    await tasks.until(arn, 'STOPPED');

    const early = await tasks.run(definition);
    await ecs.send(new StopTaskCommand({ cluster: 'default', task: early }));
    const stopped = await tasks.until(early, 'STOPPED');
    assert.equal(stopped.stopCode, 'UserInitiated');
  });

  test(
    'repositoryCredentials: images from a password-protected registry pull with the credentials of a Secrets Manager secret',
    { skip: privateRegistryAvailable() ? false : 'docker-registry and htpasswd are not installed' },
    async () => {
      const registry = await startPrivateRegistry();
      const pushed: string[] = [];
      try {
        const granted = await registry.push(image, 'private/app:1');
        const refused = await registry.push(image, 'private/app:2');
        pushed.push(granted, refused);
        const secrets = berth.secretsManager();
        const { ARN: goodArn } = await secrets.send(
          new CreateSecretCommand({ Name: 'registry/good', SecretString: JSON.stringify({ username: registry.username, password: registry.password }) }),
        );
        await secrets.send(new CreateSecretCommand({ Name: 'registry/wrong', SecretString: JSON.stringify({ username: registry.username, password: 'not-it' }) }));
        await secrets.send(new CreateSecretCommand({ Name: 'registry/not-json', SecretString: `${registry.username}:${registry.password}` }));
        // ECS reads repositoryCredentials with the task execution role, which must be allowed to read the secret.
        const executionRoleArn = await executionRoleFor(berth, { secrets: true });
        const runWith = async (family: string, reference: string, credentialsParameter?: string) =>
          tasks.run(
            await tasks.register({
              family,
              ...(credentialsParameter ? { executionRoleArn } : {}),
              containerDefinitions: [
                {
                  name: 'main',
                  image: reference,
                  memory: 16,
                  command: ['sleep', '300'],
                  stopTimeout: 1,
                  ...(credentialsParameter ? { repositoryCredentials: { credentialsParameter } } : {}),
                },
              ],
            }),
          );

        const anonymous = await tasks.until(await runWith('private-anonymous', refused), 'STOPPED');
        assert.match(anonymous.stoppedReason ?? '', /^CannotPullContainerError: .*(no basic auth credentials|unauthorized)/, 'the registry does require a login');
        const wrong = await tasks.until(await runWith('private-wrong', refused, 'registry/wrong'), 'STOPPED');
        assert.equal(wrong.stopCode, 'TaskFailedToStart');
        assert.match(wrong.stoppedReason ?? '', /^CannotPullContainerError: /);
        const absent = await tasks.until(await runWith('private-absent', refused, 'registry/absent'), 'STOPPED');
        assert.equal(absent.stopCode, 'TaskFailedToStart');
        assert.match(absent.stoppedReason ?? '', /^ResourceInitializationError: unable to pull secrets or registry auth: .*'registry\/absent'/);
        assert.equal(absent.pullStartedAt, undefined, 'no pull is tried without credentials');
        const malformed = await tasks.until(await runWith('private-malformed', refused, 'registry/not-json'), 'STOPPED');
        assert.match(malformed.stoppedReason ?? '', /^ResourceInitializationError: unable to pull secrets or registry auth: the secret is not JSON/);

        const arn = await runWith('private-good', granted, goodArn);
        const running = await tasks.until(arn, 'RUNNING');
        assert.match(running.containers![0]!.imageDigest ?? '', /^sha256:[0-9a-f]{64}$/);
        assert.ok(running.pullStartedAt && running.pullStoppedAt, 'the pull is timed');
        await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn }));
        await tasks.until(arn, 'STOPPED');
      } finally {
        await registry.close();
        await run('docker', ['rmi', '--force', ...pushed]).catch(() => undefined);
      }
    },
  );

  // The agent abandons its pull request; Docker 20.10 itself carries on fetching in the background
  // until the registry answers or fails, which no longer concerns the stopped task.
  test('StopTask during an image pull stops the task without waiting for the image', async () => {
    const registry = await startStallingRegistry();
    try {
      const definition = await tasks.register({
        family: 'slow-pull',
        containerDefinitions: [{ name: 'main', image: `${registry.host}/slow/app:1`, memory: 32 }],
      });
      const arn = await tasks.run(definition);
      await eventually(async () => registry.held() > 0 || undefined, 20_000, 'the engine to ask the registry for the manifest');
      const pulling = await tasks.describe(arn);
      assert.equal(pulling.lastStatus, 'PENDING');
      assert.ok(pulling.pullStartedAt, 'pullStartedAt is set while the image is being pulled');

      const stopAsked = Date.now();
      await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn, reason: 'changed my mind' }));
      const stopped = await tasks.until(arn, 'STOPPED');
      const tookMs = Date.now() - stopAsked;
      assert.ok(tookMs < 10_000, `the task stopped ${tookMs} ms after StopTask, without waiting for the pull`);
      assert.equal(stopped.stopCode, 'UserInitiated');
      assert.equal(stopped.stoppedReason, 'changed my mind');
      assert.equal(stopped.startedAt, undefined);
      assert.equal(stopped.containers![0]!.lastStatus, 'STOPPED');
      assert.equal(stopped.containers![0]!.runtimeId, undefined, 'no container was created');
    } finally {
      await registry.close();
    }
  });
});
