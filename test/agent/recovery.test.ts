/**
 * Restarts and outages are normal events: an agent that stops or is killed, a control plane that
 * restarts, a Docker engine that goes away. Tasks keep running, nothing starts twice, and the
 * agent catches up on whatever happened while it was away.
 */
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateClusterCommand, DescribeContainerInstancesCommand, ECSClient, StopTaskCommand, type ContainerInstance } from '@aws-sdk/client-ecs';
import { DockerRuntime } from '../../src/agent/runtime/docker-runtime.js';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { startServerProcess } from '../helpers/server-process.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { freePort } from '../helpers/ports.js';
import { TaskDriver } from '../helpers/tasks.js';

const docker = await dockerAvailable();

function containersOfTask(taskArn: string): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=com.amazonaws.ecs.task-arn=${taskArn}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

/** False also for a container that is gone (stopped containers are removed at once in these tests). */
const isRunning = (id: string) =>
  execFileSync('docker', ['ps', '-q', '--no-trunc', '--filter', `id=${id}`, '--filter', 'status=running'], { encoding: 'utf8' }).trim() === id;

async function instanceOf(ecs: ECSClient, cluster: string, arn: string): Promise<ContainerInstance> {
  const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [arn] }));
  return containerInstances![0]!;
}

/** A Unix socket that forwards to the Docker engine until it is cut: the engine "vanishes" for whoever uses it. */
class EngineProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  constructor(readonly path: string) {}
  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = createConnection('/var/run/docker.sock');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.path, resolve));
  }
  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

describe('recovery', { skip: docker ? false : 'no Docker engine reachable' }, () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  let tasks: TaskDriver;
  let sleeper: string;

  before(async () => {
    const image = await buildBusyboxImage();
    berth = await startBerth();
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    tasks = new TaskDriver(ecs);
    sleeper = await tasks.register({ family: 'sleeper', containerDefinitions: [{ name: 'main', image, memory: 16, command: ['sleep', '600'], stopTimeout: 1 }] });
  });
  after(async () => {
    await berth?.close();
  });

  test('a stopped agent leaves its containers running; restarted, it re-adopts them and applies what changed meanwhile', async () => {
    const agent = await startTestAgent(berth);
    try {
      const keep = await tasks.run(sleeper);
      const stop = await tasks.run(sleeper);
      const keepId = (await tasks.until(keep, 'RUNNING')).containers![0]!.runtimeId!;
      const stopId = (await tasks.until(stop, 'RUNNING')).containers![0]!.runtimeId!;
      const instanceArn = agent.agent.registration.containerInstanceArn!;

      await agent.stop();
      assert.ok(isRunning(keepId) && isRunning(stopId), 'containers outlive their agent');
      await eventually(async () => ((await instanceOf(ecs, 'default', instanceArn)).agentConnected === false ? true : undefined), 10_000, 'agentConnected false');
      await ecs.send(new StopTaskCommand({ cluster: 'default', task: stop }));

      await agent.restart();
      assert.equal(agent.agent.registration.containerInstanceArn, instanceArn, 'the agent comes back as the same instance');
      await eventually(async () => ((await instanceOf(ecs, 'default', instanceArn)).agentConnected ? true : undefined), 10_000, 'agentConnected true');
      await tasks.until(stop, 'STOPPED');
      assert.equal(isRunning(stopId), false);
      const kept = await tasks.describe(keep);
      assert.equal(kept.lastStatus, 'RUNNING');
      assert.equal(kept.containers![0]!.runtimeId, keepId);
      assert.deepEqual(containersOfTask(keep).map((id) => keepId.startsWith(id)), [true], 'no second container was started');
      await ecs.send(new StopTaskCommand({ cluster: 'default', task: keep }));
      await tasks.until(keep, 'STOPPED');
    } finally {
      await agent.close();
    }
  });

  test('a container killed outside Berth stops its task for good: once cleaned up, it is never started again', async () => {
    const agent = await startTestAgent(berth);
    try {
      const arn = await tasks.run(sleeper);
      const id = (await tasks.until(arn, 'RUNNING')).containers![0]!.runtimeId!;
      execFileSync('docker', ['kill', id]);
      const stopped = await tasks.until(arn, 'STOPPED');
      assert.equal(stopped.stopCode, 'EssentialContainerExited');
      assert.equal(stopped.containers![0]!.exitCode, 137);
      // The clean-up (no delay here) removes the exited container; nothing may take its place.
      await eventually(async () => (containersOfTask(arn).length === 0 ? true : undefined), 10_000, 'the exited container is removed');
      for (let check = 0; check < 6; check++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.deepEqual(containersOfTask(arn), [], 'no container of the stopped task is created again');
      }
      assert.equal((await tasks.describe(arn)).lastStatus, 'STOPPED');
    } finally {
      await agent.close();
    }
  });

  test('kill -9 of the agent process: the restarted agent re-adopts its task, with no duplicate and no orphan', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'anywhere' }));
    const dataDir = mkdtempSync(join(tmpdir(), 'berth-agent-kill-'));
    const env = { ...process.env, AWS_ACCESS_KEY_ID: testCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey, BERTH_LOG_LEVEL: 'warn' };
    const args = ['bin/berth.js', 'agent', '--cluster', 'anywhere', '--endpoint', berth.url, '--data-dir', dataDir, '--cleanup-delay', '0'];
    const startProcess = async (): Promise<ChildProcess> => {
      const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('berth agent: running') && resolve());
        child.once('exit', (code) => reject(new Error(`berth agent exited with ${code}`)));
      });
      return child;
    };
    let child = await startProcess();
    try {
      const driver = new TaskDriver(ecs, 'anywhere');
      const arn = await driver.run(sleeper, { launchType: 'EXTERNAL' });
      const running = await driver.until(arn, 'RUNNING');
      const id = running.containers![0]!.runtimeId!;
      assert.match(running.containerInstanceArn ?? '', /container-instance\/anywhere\//);

      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      assert.ok(isRunning(id), 'the container survives kill -9 of its agent');

      child = await startProcess();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const after = await driver.describe(arn);
      assert.equal(after.lastStatus, 'RUNNING');
      assert.equal(after.containers![0]!.runtimeId, id);
      assert.equal(containersOfTask(arn).length, 1, 'exactly one container for the task');
      await ecs.send(new StopTaskCommand({ cluster: 'anywhere', task: arn }));
      await driver.until(arn, 'STOPPED');
      await eventually(async () => (containersOfTask(arn).length === 0 ? true : undefined), 15_000, 'the stopped container is cleaned up');
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a control-plane restart: tasks keep running, and what happened meanwhile is reported when it is back', async () => {
    const agent = await startTestAgent(berth);
    try {
      const image = await buildBusyboxImage();
      const brief = await tasks.register({ family: 'brief', containerDefinitions: [{ name: 'main', image, memory: 16, command: ['sh', '-c', 'sleep 2; exit 4'] }] });
      const long = await tasks.run(sleeper);
      const short = await tasks.run(brief);
      const longId = (await tasks.until(long, 'RUNNING')).containers![0]!.runtimeId!;
      await tasks.until(short, 'RUNNING');

      await berth.stop();
      await new Promise((resolve) => setTimeout(resolve, 3500));
      assert.ok(isRunning(longId));
      await berth.restart();

      const stopped = await tasks.until(short, 'STOPPED', 30_000);
      assert.equal(stopped.containers![0]!.exitCode, 4);
      assert.equal(stopped.stopCode, 'EssentialContainerExited');
      const instanceArn = agent.agent.registration.containerInstanceArn!;
      await eventually(async () => ((await instanceOf(ecs, 'default', instanceArn)).agentConnected ? true : undefined), 15_000, 'the agent reconnects');
      assert.equal((await tasks.describe(long)).lastStatus, 'RUNNING');
      await ecs.send(new StopTaskCommand({ cluster: 'default', task: long }));
      await tasks.until(long, 'STOPPED');
    } finally {
      await agent.close();
    }
  });

  test('kill -9 of the control-plane process: tasks keep running, and the agent catches up when it is back', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'berth-server-kill-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let server = await startServerProcess(dataDir, port);
    const client = new ECSClient({ endpoint: url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    let agent: TestAgent | undefined;
    try {
      await client.send(new CreateClusterCommand({ clusterName: 'default' }));
      agent = await startTestAgent({ url });
      const driver = new TaskDriver(client);
      const image = await buildBusyboxImage();
      const long = await driver.run(await driver.register({ family: 'long', containerDefinitions: [{ name: 'main', image, memory: 16, command: ['sleep', '600'], stopTimeout: 1 }] }));
      const brief = await driver.run(await driver.register({ family: 'brief', containerDefinitions: [{ name: 'main', image, memory: 16, command: ['sh', '-c', 'sleep 2; exit 4'] }] }));
      const longId = (await driver.until(long, 'RUNNING')).containers![0]!.runtimeId!;
      await driver.until(brief, 'RUNNING');

      server.kill('SIGKILL');
      await new Promise((resolve) => server.once('exit', resolve));
      await new Promise((resolve) => setTimeout(resolve, 3500));
      assert.ok(isRunning(longId), 'the task outlives its control plane');

      server = await startServerProcess(dataDir, port);
      const stopped = await driver.until(brief, 'STOPPED', 30_000);
      assert.equal(stopped.containers![0]!.exitCode, 4, 'the exit seen while the control plane was down is reported');
      assert.equal(stopped.stopCode, 'EssentialContainerExited');
      const instanceArn = agent.agent.registration.containerInstanceArn!;
      await eventually(async () => ((await instanceOf(client, 'default', instanceArn)).agentConnected ? true : undefined), 15_000, 'the agent reconnects');
      const kept = await driver.describe(long);
      assert.equal(kept.lastStatus, 'RUNNING');
      assert.equal(kept.containers![0]!.runtimeId, longId);
      assert.equal(containersOfTask(long).length, 1, 'no second container was started');

      const fresh = await driver.run(await driver.register({ family: 'long', containerDefinitions: [{ name: 'main', image, memory: 16, command: ['sleep', '600'], stopTimeout: 1 }] }));
      await driver.until(fresh, 'RUNNING');
      for (const arn of [long, fresh]) await client.send(new StopTaskCommand({ cluster: 'default', task: arn }));
      for (const arn of [long, fresh]) await driver.until(arn, 'STOPPED');
    } finally {
      await agent?.close();
      client.destroy();
      server.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('the Docker engine going away: the instance shows IMPAIRED, the agent retries, and recovers when it is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-engine-proxy-'));
    const proxy = new EngineProxy(join(dir, 'docker.sock'));
    await proxy.open();
    const agent = await startTestAgent(berth, { runtime: new DockerRuntime({ socketPath: proxy.path, requestTimeoutMs: 3000 }) });
    try {
      const arn = await tasks.run(sleeper);
      await tasks.until(arn, 'RUNNING');
      const instanceArn = agent.agent.registration.containerInstanceArn!;

      await proxy.cut();
      const impaired = await eventually(async () => {
        const instance = await instanceOf(ecs, 'default', instanceArn);
        return instance.healthStatus?.overallStatus === 'IMPAIRED' ? instance : undefined;
      }, 15_000, 'IMPAIRED');
      assert.equal(impaired.healthStatus?.details?.[0]?.type, 'CONTAINER_RUNTIME');
      assert.equal((await tasks.describe(arn)).lastStatus, 'RUNNING', 'a runtime outage does not stop tasks');

      await proxy.open();
      await eventually(async () => ((await instanceOf(ecs, 'default', instanceArn)).healthStatus?.overallStatus === 'OK' ? true : undefined), 15_000, 'OK again');
      await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn }));
      await tasks.until(arn, 'STOPPED');
    } finally {
      await agent.close();
      await proxy.cut().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
