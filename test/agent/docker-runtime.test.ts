/**
 * DockerRuntime against the real Docker engine. Every container, network and volume made here
 * carries this run's owner label or name and is removed afterwards.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import Docker from 'dockerode';
import { containerSpec, dockerNameFor, pauseSpec, type ContainerSpecInput, type ResolvedVolume } from '../../src/agent/runtime/container-spec.js';
import { DockerEngineError, DockerRuntime, DockerUnreachableError, socketPathFromEnvironment } from '../../src/agent/runtime/docker-runtime.js';
import { ensurePauseImage, pauseImageReference, pauseRootfsTar } from '../../src/agent/runtime/pause-image.js';
import { labels, type ContainerSpec, type RuntimeEvent } from '../../src/agent/runtime/types.js';
import type { AssignedTask } from '../../src/agent-channel-protocol/messages.js';
import type { Wire } from '../../src/core/wire.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';

const available = await dockerAvailable();
const skip = available ? false : `Docker engine not reachable at ${socketPathFromEnvironment()}: start dockerd to run these tests`;

const owner = `berth-test-${randomUUID()}`;
const taskArn = `arn:aws:ecs:us-east-1:000000000000:task/test/${randomUUID().replace(/-/g, '')}`;
const runId = randomBytes(4).toString('hex');

describe('DockerRuntime on the real engine', { skip }, () => {
  const runtime = new DockerRuntime();
  const docker = new Docker({ socketPath: socketPathFromEnvironment() });
  const networks: string[] = [];
  const volumes: string[] = [];
  const images: string[] = [];
  let image = '';
  let events: EventWatcher;

  before(async () => {
    image = await buildBusyboxImage();
    events = watchEvents(runtime);
  });

  after(async () => {
    events?.close();
    for (const container of await runtime.listManaged(owner)) await runtime.remove(container.id);
    for (const name of networks) await docker.getNetwork(name).remove().catch(() => undefined);
    for (const name of volumes) await runtime.removeVolume(name);
    for (const reference of images) await docker.getImage(reference).remove({ force: true }).catch(() => undefined);
  });

  /** A busybox container of this run's task. */
  function request(name: string, command: string[], extra: Partial<ContainerSpec> = {}): ContainerSpec {
    return {
      name: `berth-test-${runId}-${name}`,
      image,
      command,
      labels: { [labels.owner]: owner, [labels.taskArn]: taskArn, [labels.containerName]: name, [labels.role]: 'app' },
      network: { mode: 'bridge' },
      ...extra,
    };
  }

  async function run(name: string, command: string[], extra?: Partial<ContainerSpec>): Promise<string> {
    const id = await runtime.create(request(name, command, extra));
    await runtime.start(id);
    return id;
  }

  /** Creates and starts one of a task's containers as the agent would, from containerSpec. */
  async function createAndStart(task: AssignedTask, containerName: string, input: Partial<ContainerSpecInput> = {}): Promise<string> {
    const spec = containerSpec({
      task,
      containerName,
      owner,
      dockerName: dockerNameFor(task, containerName, runId),
      network: { mode: 'bridge' },
      extraEnvironment: {},
      volumes: new Map(),
      containerIds: new Map(),
      ...input,
    });
    const id = await runtime.create(spec);
    await runtime.start(id);
    return id;
  }

  it('reports the engine it talks to', async () => {
    const info = await runtime.info();
    assert.match(info.version, /^\d+\.\d+/);
    assert.match(info.apiVersion, /^1\.\d+$/);
    assert.ok(info.cpus > 0 && info.memoryBytes > 0);
    assert.equal(info.os, 'linux');
  });

  it('creates, starts, inspects, lists by owner, stops and removes a container', async () => {
    // docker-init passes SIGTERM on to sleep, so the stop below is quick.
    const id = await runtime.create(request('lifecycle', ['sleep', '300'], { init: true }));
    const created = await runtime.inspect(id);
    assert.equal(created?.state, 'created');
    assert.equal(created?.name, `berth-test-${runId}-lifecycle`);
    assert.equal(created?.startedAt, undefined);

    await runtime.start(id);
    await runtime.start(id); // already started: not an error
    const running = await runtime.inspect(id);
    assert.equal(running?.state, 'running');
    assert.equal(running?.labels[labels.owner], owner);
    assert.equal(running?.labels[labels.taskArn], taskArn);
    assert.equal(running?.exitCode, undefined);
    assert.equal(running?.oomKilled, false);
    assert.equal(running?.image, image);
    assert.match(running?.imageDigest ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.ok(running?.startedAt instanceof Date);
    assert.equal(running?.networks[0]?.network, 'bridge');
    assert.match(running?.networks[0]?.ipAddress ?? '', /^\d+\.\d+\.\d+\.\d+$/);

    const managed = await runtime.listManaged(owner);
    assert.ok(managed.some((container) => container.id === id));
    assert.deepEqual(await runtime.listManaged(`${owner}-someone-else`), []);

    const sample = await runtime.stats(id);
    assert.ok(sample && 'memory_stats' in sample);

    await runtime.stop(id, 5);
    const stopped = await runtime.inspect(id);
    assert.equal(stopped?.state, 'exited');
    assert.equal(stopped?.exitCode, 143);
    assert.ok(stopped?.finishedAt instanceof Date);
    await runtime.stop(id, 5); // already stopped: not an error

    await runtime.remove(id);
    assert.equal(await runtime.inspect(id), undefined);
    await runtime.remove(id); // gone: not an error
    await runtime.stop(id, 1);
    assert.equal(await runtime.stats(id), undefined);
  });

  it('escalates a stop to SIGKILL when the process ignores SIGTERM', async () => {
    const id = await run('ignores-term', ['sh', '-c', 'trap "" TERM; while true; do sleep 1; done']);
    const started = performance.now();
    await runtime.stop(id, 1);
    const elapsed = performance.now() - started;
    const stopped = await runtime.inspect(id);
    assert.equal(stopped?.state, 'exited');
    assert.equal(stopped?.exitCode, 137);
    assert.ok(elapsed >= 900, `stop returned after ${elapsed} ms, before its 1 s timeout`);
  });

  it('reports a container killed for exceeding its memory limit as oomKilled', async () => {
    const limit = 6 * 1024 * 1024;
    const id = await run('oom', ['sh', '-c', 'x=$(dd if=/dev/zero bs=1M count=64 | tr "\\0" a); sleep 1'], { resources: { memoryBytes: limit, memorySwapBytes: limit } });
    await events.waitFor(id);
    const observed = await runtime.inspect(id);
    assert.equal(observed?.state, 'exited');
    assert.equal(observed?.oomKilled, true);
    assert.equal(observed?.exitCode, 137);
  });

  it('reports an exit code and the error of a container that could not start', async () => {
    const exits = await run('exits', ['sh', '-c', 'exit 3']);
    await events.waitFor(exits);
    assert.equal((await runtime.inspect(exits))?.exitCode, 3);

    const id = await runtime.create(request('no-such-command', ['/no/such/command']));
    await assert.rejects(runtime.start(id), (error: Error) => {
      assert.ok(error instanceof DockerEngineError);
      assert.match(error.message, /no such file or directory/);
      return true;
    });
    const failed = await runtime.inspect(id);
    assert.match(failed?.error ?? '', /no such file or directory/);
  });

  it('rejects a pull with the engine\'s message', async () => {
    await assert.rejects(runtime.pull('berth-test/no-such-image:nope'), (error: Error) => {
      assert.ok(error instanceof DockerEngineError, `${error.name}: ${error.message}`);
      assert.match(error.message, /^pull berth-test\/no-such-image:nope: \S/);
      assert.doesNotMatch(error.message, /HTTP code/);
      return true;
    });
  });

  it('pulls from a registry, and rejects when the stream reports an error after progress began', async () => {
    const registry = await fakeRegistry();
    try {
      const good = `${registry.host}/berth-test/pause:${runId}`;
      images.push(good);
      await runtime.pull(good);
      assert.equal(await runtime.hasImage(good), true);
      assert.equal(await runtime.imageDigest(good), registry.manifestDigest);
      const fromPulled = await runtime.create(request('pulled', ['/pause'], { image: good }));
      assert.equal((await runtime.inspect(fromPulled))?.imageDigest, registry.manifestDigest);
      await runtime.remove(fromPulled);

      const corrupt = `${registry.host}/berth-test/corrupt:${runId}`;
      await assert.rejects(runtime.pull(corrupt), (error: Error) => {
        assert.ok(error instanceof DockerEngineError, `${error.name}: ${error.message}`);
        assert.match(error.message, /^pull .*corrupt.*: .*verification failed/i);
        return true;
      });
      assert.equal(await runtime.hasImage(corrupt), false);
    } finally {
      await registry.close();
    }
  });

  it('binds a dynamic host port and reports it', async () => {
    const id = await run(
      'web',
      ['sh', '-c', 'echo hello-from-berth > /tmp/index.html && exec httpd -f -p 8080 -h /tmp'],
      { ports: [{ containerPort: 8080, protocol: 'tcp' }] },
    );
    const observed = await runtime.inspect(id);
    const binding = observed?.ports.find((port) => port.containerPort === 8080 && port.bindIP === '0.0.0.0');
    assert.ok(binding, `no IPv4 binding in ${JSON.stringify(observed?.ports)}`);
    assert.equal(binding.protocol, 'tcp');
    assert.ok(binding.hostPort >= 1024, `host port ${binding.hostPort}`);
    assert.equal(await fetchWithRetry(`http://127.0.0.1:${binding.hostPort}/index.html`), 'hello-from-berth\n');
  });

  it('runs the pause image and shares its network namespace with the task\'s containers', async () => {
    const info = await runtime.info();
    assert.equal(await ensurePauseImage(runtime, info.architecture), pauseImageReference);
    assert.equal(await ensurePauseImage(runtime, info.architecture), pauseImageReference);
    assert.match((await runtime.imageDigest(pauseImageReference)) ?? '', /^sha256:/);

    const networkName = `berth-test-${runId}`;
    networks.push(networkName);
    const subnet = `10.223.${randomBytes(1)[0]}.0/24`;
    const ensured = await runtime.ensureNetwork(networkName, subnet);
    assert.deepEqual(ensured, { subnet, gateway: subnet.replace('.0/24', '.1') });
    assert.deepEqual(await runtime.ensureNetwork(networkName, subnet), ensured);
    assert.equal(await runtime.networkGateway(networkName), ensured.gateway);
    assert.match((await runtime.networkGateway('bridge')) ?? '', /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(await runtime.networkGateway(`${networkName}-absent`), undefined);

    const address = subnet.replace('.0/24', '.10');
    const pause = pauseSpec({
      task: assignedTask('awsvpc', []),
      owner,
      dockerName: `berth-test-${runId}-pause`,
      image: pauseImageReference,
      networkName,
      ipv4Address: address,
      hostname: 'task-host',
    });
    const pauseId = await runtime.create(pause);
    await runtime.start(pauseId);
    const observedPause = await runtime.inspect(pauseId);
    assert.equal(observedPause?.state, 'running');
    assert.equal(observedPause?.labels[labels.role], 'pause');
    assert.deepEqual(
      observedPause?.networks.map(({ network: name, ipAddress, gateway }) => ({ name, ipAddress, gateway })),
      [{ name: networkName, ipAddress: address, gateway: ensured.gateway }],
    );
    assert.match(observedPause?.networks[0]?.macAddress ?? '', /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);

    // The task's own containers, as the agent makes them: awsvpc joins the pause container's namespace.
    const task = assignedTask('awsvpc', [
      { name: 'server', image, command: ['sh', '-c', 'echo shared > /tmp/index.html && exec httpd -f -p 8080 -h /tmp'], portMappings: [{ containerPort: 8080 }] },
      {
        name: 'client',
        image,
        command: ['sh', '-c', 'test "$(hostname)" = task-host || exit 2; for i in $(seq 50); do wget -q -O - http://127.0.0.1:8080/index.html | grep -q shared && exit 0; sleep 0.1; done; exit 1'],
      },
    ]);
    const network = { mode: 'awsvpc' as const, pauseContainerId: pauseId };
    await createAndStart(task, 'server', { network });
    const client = await createAndStart(task, 'client', { network });
    assert.equal((await events.waitFor(client)).exitCode, 0);

    const stopStarted = performance.now();
    await runtime.stop(pauseId, 30);
    assert.ok(performance.now() - stopStarted < 10_000, 'the pause container stops at once');
  });

  it('runs a container made by containerSpec with the fields the engine must accept', async () => {
    const hostDirectory = mkdtempSync(join(tmpdir(), 'berth-runtime-test-'));
    chmodSync(hostDirectory, 0o755); // readable by the container's user, nobody
    writeFileSync(join(hostDirectory, 'marker'), 'from the host');
    const volume = `berth-test-${runId}-data`;
    volumes.push(volume);
    await runtime.ensureVolume(volume, undefined, {}, { [labels.owner]: owner });
    const checks = [
      'test "$(id -u)" = 65534 || exit 11',
      'test "$(hostname)" = web-1 || exit 12',
      'grep -q "10.0.0.5[[:space:]]*db.internal" /etc/hosts || exit 13',
      'grep -q "nameserver 10.0.0.2" /etc/resolv.conf || exit 14',
      'test "$GREETING" = overridden || exit 15',
      'test "$(ulimit -n)" = 1024 || exit 16',
      'test "$(cat /host/marker)" = "from the host" || exit 17',
      'touch /host/x 2>/dev/null && exit 18',
      'test "$(cat /data/seed)" = seed || exit 19',
      'touch /data/x 2>/dev/null && exit 20',
      'touch /root-is-read-only 2>/dev/null && exit 21',
      'echo ok > /scratch/index.html || exit 22',
      'exec httpd -f -p 8080 -h /scratch',
    ];
    const task = assignedTask('bridge', [
      { name: 'data', image, command: ['sh', '-c', 'echo seed > /data/seed'], mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] },
      {
        name: 'web',
        image,
        command: ['sh', '-c', checks.join('\n')],
        cpu: 128,
        memory: 64,
        memoryReservation: 32,
        user: '65534',
        hostname: 'web-1',
        environment: [{ name: 'GREETING', value: 'hello' }],
        extraHosts: [{ hostname: 'db.internal', ipAddress: '10.0.0.5' }],
        dnsServers: ['10.0.0.2'],
        dnsSearchDomains: ['example.internal'],
        ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 2048 }],
        readonlyRootFilesystem: true,
        mountPoints: [{ sourceVolume: 'host', containerPath: '/host', readOnly: true }],
        volumesFrom: [{ sourceContainer: 'data', readOnly: true }],
        linuxParameters: {
          initProcessEnabled: true,
          capabilities: { drop: ['NET_RAW'] },
          tmpfs: [{ containerPath: '/scratch', size: 8, mountOptions: ['rw', 'noexec'] }],
          sharedMemorySize: 32,
        },
        portMappings: [{ containerPort: 8080 }],
        healthCheck: { command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/index.html'], interval: 1, timeout: 2, retries: 2 },
        stopTimeout: 2,
        dockerLabels: { team: 'runtime-tests' },
      },
    ]);
    task.overrides = { containerOverrides: [{ name: 'web', environment: [{ name: 'GREETING', value: 'overridden' }] }] };
    try {
      const resolved = new Map<string, ResolvedVolume>([['data', { dockerVolume: volume }], ['host', { hostPath: hostDirectory }]]);
      const data = await createAndStart(task, 'data', { volumes: resolved });
      assert.equal((await events.waitFor(data)).exitCode, 0);
      const web = await createAndStart(task, 'web', { volumes: resolved, containerIds: new Map([['data', data]]) });
      const settled = await events.waitFor(web, ['health_status: healthy', 'die']);
      assert.equal(settled.action, 'health_status: healthy', `the container exited with ${settled.exitCode}`);
      const observed = await runtime.inspect(web);
      assert.equal(observed?.health, 'healthy');
      assert.equal(observed?.labels.team, 'runtime-tests');
      const binding = observed?.ports.find((port) => port.containerPort === 8080 && port.bindIP === '0.0.0.0');
      assert.ok(binding && binding.hostPort > 0, JSON.stringify(observed?.ports));
      assert.equal(await fetchWithRetry(`http://127.0.0.1:${binding.hostPort}/index.html`), 'ok\n');
      await runtime.stop(web, 2);
      assert.equal((await runtime.inspect(web))?.exitCode, 143);
    } finally {
      for (const container of await runtime.listManaged(owner)) await runtime.remove(container.id);
      rmSync(hostDirectory, { recursive: true, force: true });
    }
  });

  it('creates and removes volumes idempotently', async () => {
    const name = `berth-test-${runId}-volume`;
    volumes.push(name);
    await runtime.ensureVolume(name, undefined, {}, { [labels.owner]: owner });
    await runtime.ensureVolume(name, 'local', {}, { [labels.owner]: owner });
    const inspected = await docker.getVolume(name).inspect();
    assert.equal(inspected.Labels?.[labels.owner], owner);
    await runtime.removeVolume(name);
    await runtime.removeVolume(name);
    await assert.rejects(docker.getVolume(name).inspect(), (error: { statusCode?: number }) => error.statusCode === 404);
  });

  it('delivers a die event with the exit code and labels', async () => {
    const id = await run('dies', ['sh', '-c', 'exit 7']);
    const event = await events.waitFor(id);
    assert.equal(event.action, 'die');
    assert.equal(event.exitCode, 7);
    assert.equal(event.labels[labels.owner], owner);
    assert.equal(event.labels.name, undefined, "Docker's own attributes are not labels");
  });

  it('imports an image from a tar of its root filesystem', async () => {
    const reference = `berth-test/imported:${runId}`;
    images.push(reference);
    await runtime.importImage(reference, pauseRootfsTar(), ['/pause', 'ignored-argument']);
    const inspected = await docker.getImage(reference).inspect();
    assert.deepEqual(inspected.Config.Cmd, ['/pause', 'ignored-argument']);
    assert.equal(await runtime.imageDigest(reference), inspected.Id);
  });
});

describe('DockerRuntime when the engine is down or wedged', () => {
  it('rejects at once when nothing listens on the socket', async () => {
    const runtime = new DockerRuntime({ socketPath: `/tmp/berth-no-engine-${runId}.sock` });
    const started = performance.now();
    await assert.rejects(runtime.info(), (error: Error) => {
      assert.ok(error instanceof DockerUnreachableError);
      assert.match(error.message, /not reachable \(ENOENT\)/);
      return true;
    });
    await assert.rejects(runtime.pull('busybox:latest'), DockerUnreachableError);
    const failure = await new Promise<Error>((resolve) => runtime.events(() => assert.fail('no events expected'), resolve));
    assert.ok(failure instanceof DockerUnreachableError);
    assert.ok(performance.now() - started < 2_000);
  });

  it('gives up on an engine that accepts the connection but never answers', async () => {
    const socketPath = `/tmp/berth-wedged-engine-${runId}.sock`;
    const wedged = createServer(() => undefined);
    await new Promise<void>((resolve) => wedged.listen(socketPath, resolve));
    try {
      const runtime = new DockerRuntime({ socketPath, requestTimeoutMs: 300 });
      await assert.rejects(runtime.inspect('anything'), (error: Error) => {
        assert.ok(error instanceof DockerUnreachableError);
        assert.match(error.message, /^inspect container anything: the Docker engine at .* did not answer within 0.3 s\.$/);
        return true;
      });
    } finally {
      wedged.closeAllConnections();
      await new Promise((resolve) => wedged.close(resolve));
    }
  });

  it('abandons a pull whose progress stops', async () => {
    const socketPath = `/tmp/berth-stalling-engine-${runId}.sock`;
    const stalling = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"status":"Pulling from library/busybox","id":"latest"}\n');
    });
    await new Promise<void>((resolve) => stalling.listen(socketPath, resolve));
    try {
      const runtime = new DockerRuntime({ socketPath, pullInactivityMs: 300 });
      await assert.rejects(runtime.pull('busybox:latest'), (error: Error) => {
        assert.ok(error instanceof DockerUnreachableError);
        assert.match(error.message, /^pull busybox:latest: the Docker engine sent no progress for 0.3 s/);
        return true;
      });
    } finally {
      stalling.closeAllConnections();
      await new Promise((resolve) => stalling.close(resolve));
    }
  });
});

interface EventWatcher {
  /** The first of `actions` (default: die) seen for the container since the watcher was made. */
  waitFor(id: string, actions?: string[]): Promise<RuntimeEvent>;
  close(): void;
}

/** Collects container events from the moment it is made, so a wait never misses a fast container. */
function watchEvents(runtime: DockerRuntime): EventWatcher {
  const seen: RuntimeEvent[] = [];
  const waiting = new Set<(event: RuntimeEvent) => void>();
  let broken: Error | undefined;
  const cancel = runtime.events(
    (event) => {
      seen.push(event);
      for (const waiter of waiting) waiter(event);
    },
    (error) => {
      broken = error;
    },
  );
  return {
    waitFor(id, actions = ['die']) {
      const matches = (event: RuntimeEvent) => event.containerId === id && actions.includes(event.action);
      if (broken) return Promise.reject(broken);
      const event = seen.find(matches);
      if (event) return Promise.resolve(event);
      return new Promise((resolve, reject) => {
        const waiter = (candidate: RuntimeEvent) => {
          if (!matches(candidate)) return;
          clearTimeout(timer);
          waiting.delete(waiter);
          resolve(candidate);
        };
        const timer = setTimeout(() => {
          waiting.delete(waiter);
          reject(new Error(`no ${actions.join(' or ')} event for ${id} within 20 s`));
        }, 20_000);
        waiting.add(waiter);
      });
    },
    close: cancel,
  };
}

function assignedTask(networkMode: 'bridge' | 'awsvpc', containerDefinitions: Wire<ContainerDefinition>[]): AssignedTask {
  return {
    taskArn,
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/test',
    desiredStatus: 'RUNNING',
    lastStatus: 'PENDING',
    launchType: networkMode === 'awsvpc' ? 'FARGATE' : 'EC2',
    definition: { family: 'runtime-test', revision: 1, networkMode, containerDefinitions },
    overrides: {},
    containers: containerDefinitions.map(({ name }) => ({ name })),
  };
}

async function fetchWithRetry(url: string): Promise<string> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      // Docker's port proxy may accept a connection before the container listens and then never
      // answer it: bound each attempt so a slow start is retried rather than hung on.
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      return await response.text();
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw lastError;
}

/**
 * A registry on loopback (which the engine treats as insecure, so plain HTTP) serving the pause
 * image as `berth-test/pause`, and as `berth-test/corrupt` an image of its own whose layer's bytes
 * do not match the layer's digest.
 */
async function fakeRegistry(): Promise<{ host: string; manifestDigest: string; close(): Promise<void> }> {
  const tar = pauseRootfsTar();
  const good = registryImage(tar);
  // Trailing bytes after the end-of-archive blocks make a layer no earlier pull can have left behind.
  const corrupt = registryImage(Buffer.concat([tar, randomBytes(512)]));
  const blobs = new Map<string, Buffer>([
    [good.configDigest, good.config],
    [good.layerDigest, good.layer],
    [corrupt.configDigest, corrupt.config],
    [corrupt.layerDigest, Buffer.from(corrupt.layer).fill(0x41, 40, 80)],
  ]);
  const server: Server = createServer((request, response) => {
    const url = request.url ?? '';
    const repository = /^\/v2\/berth-test\/(pause|corrupt)\/(manifests|blobs)\/(.+)$/.exec(url);
    let body: Buffer | undefined;
    let type = 'application/octet-stream';
    if (url === '/v2/') body = Buffer.from('{}');
    else if (repository?.[2] === 'manifests') {
      body = (repository[1] === 'pause' ? good : corrupt).manifest;
      type = 'application/vnd.docker.distribution.manifest.v2+json';
    } else if (repository?.[2] === 'blobs') body = blobs.get(repository[3] ?? '');
    if (!body) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"NOT_FOUND","message":"not found"}]}');
      return;
    }
    response.writeHead(200, { 'content-type': type, 'content-length': body.length, 'docker-content-digest': sha256(body) });
    response.end(request.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    host: `127.0.0.1:${port}`,
    manifestDigest: sha256(good.manifest),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function registryImage(tar: Buffer) {
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/pause'] }, rootfs: { type: 'layers', diff_ids: [sha256(tar)] } }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha256(config) },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: sha256(layer) }],
    }),
  );
  return { layer, layerDigest: sha256(layer), config, configDigest: sha256(config), manifest };
}

function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
