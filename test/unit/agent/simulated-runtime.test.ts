import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labels, type ContainerSpec, type RuntimeEvent } from '../../../src/agent/runtime/types.js';
import { SimulatedEngineError, SimulatedRuntime } from '../../../src/agent/simulated/simulated-runtime.js';
import { ManualClock } from '../../../src/core/clock.js';

const owner = 'arn:aws:ecs:us-east-1:123456789012:container-instance/default/0001';
const taskArn = 'arn:aws:ecs:us-east-1:123456789012:task/default/0001';

function request(name: string, spec: Partial<ContainerSpec> = {}, containerLabels: Record<string, string> = {}): ContainerSpec {
  return {
    name,
    image: 'nginx',
    labels: { [labels.taskArn]: taskArn, [labels.containerName]: name, [labels.owner]: owner, [labels.role]: 'app', ...containerLabels },
    network: { mode: 'bridge' },
    ...spec,
  };
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function withImage(runtime = new SimulatedRuntime()): Promise<SimulatedRuntime> {
  await runtime.pull('nginx');
  return runtime;
}

async function rejectsWithStatus(promise: Promise<unknown>, statusCode: number, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof SimulatedEngineError);
    assert.equal(error.statusCode, statusCode);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('SimulatedRuntime', () => {
  it('reports configurable capacity and the simulated version', async () => {
    const defaults = await new SimulatedRuntime().info();
    assert.equal(defaults.version, 'simulated');
    assert.equal(defaults.cpus, 4);
    assert.equal(defaults.memoryBytes, 8 * 1024 ** 3);
    assert.equal(defaults.os, 'linux');
    const sized = await new SimulatedRuntime({ cpus: 16, memoryBytes: 2 ** 34 }).info();
    assert.equal(sized.cpus, 16);
    assert.equal(sized.memoryBytes, 2 ** 34);
  });

  it('has an image after pulling any reference, under any spelling of its name', async () => {
    const runtime = new SimulatedRuntime();
    assert.equal(await runtime.hasImage('nginx'), false);
    await runtime.pull('nginx');
    assert.equal(await runtime.hasImage('nginx:latest'), true);
    assert.equal(await runtime.hasImage('docker.io/library/nginx:latest'), true);
    assert.equal(await runtime.hasImage('nginx:1.27'), false);
    assert.match((await runtime.imageDigest('nginx')) ?? '', /^sha256:[0-9a-f]{64}$/);
    await runtime.pull('123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1', { username: 'AWS', password: 'secret' });
    assert.equal(await runtime.hasImage('123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1'), true);
    await runtime.importImage('berth/pause:1', Buffer.alloc(0), ['/pause']);
    assert.equal(await runtime.hasImage('berth/pause:1'), true);
  });

  it('creates, starts, stops and removes containers', async () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const runtime = await withImage(new SimulatedRuntime({ clock }));
    const id = await runtime.create(request('web'));
    assert.match(id, /^[0-9a-f]{64}$/);

    const created = await runtime.inspect(id);
    assert.equal(created?.state, 'created');
    assert.equal(created?.name, 'web');
    assert.equal(created?.image, 'nginx');
    assert.equal(created?.labels[labels.taskArn], taskArn);
    assert.equal(created?.startedAt, undefined);

    clock.advance(1000);
    await runtime.start(id);
    const running = await runtime.inspect(id);
    assert.equal(running?.state, 'running');
    assert.deepEqual(running?.startedAt, new Date('2026-01-01T00:00:01Z'));
    assert.equal(running?.oomKilled, false);

    clock.advance(1000);
    await runtime.stop(id, 30);
    const stopped = await runtime.inspect(id);
    assert.equal(stopped?.state, 'exited');
    assert.equal(stopped?.exitCode, 0);
    assert.deepEqual(stopped?.finishedAt, new Date('2026-01-01T00:00:02Z'));

    assert.deepEqual(await runtime.inspect('web'), stopped, 'a container can be named by its name');
    await runtime.remove(id);
    assert.equal(await runtime.inspect(id), undefined);
  });

  it('refuses what Docker refuses', async () => {
    const runtime = new SimulatedRuntime();
    await rejectsWithStatus(runtime.create(request('web')), 404, /No such image: nginx/);
    await runtime.pull('nginx');
    await runtime.create(request('web'));
    await rejectsWithStatus(runtime.create(request('web')), 409, /already in use/);
    const other = await runtime.create(request('other', { network: { mode: 'network', name: 'task-net' } }));
    await rejectsWithStatus(runtime.start(other), 404, /network task-net not found/);
    await rejectsWithStatus(runtime.start('nope'), 404, /No such container/);
    // As Docker's runtime: stopping or removing what is gone is no error.
    await runtime.stop('nope', 1);
    await runtime.remove('nope');
    assert.equal(await runtime.removeVolume('nope'), true);
  });

  it('emits create, start, die and destroy after the calls that caused them', async () => {
    const runtime = await withImage();
    const events: RuntimeEvent[] = [];
    const unsubscribe = runtime.events(
      (event) => events.push(event),
      () => assert.fail('the simulated event stream never breaks'),
    );
    const id = await runtime.create(request('web'));
    await runtime.start(id);
    assert.equal(events.length, 0, 'no event arrives synchronously');
    await nextTurn();
    await runtime.stop(id, 10);
    await runtime.remove(id);
    await nextTurn();
    assert.deepEqual(
      events.map((event) => event.action),
      ['create', 'start', 'die', 'destroy'],
    );
    assert.ok(events.every((event) => event.containerId === id && event.labels[labels.owner] === owner));

    unsubscribe();
    await runtime.create(request('after'));
    await nextTurn();
    assert.equal(events.length, 4);
  });

  it('ends containers on demand and kills running ones it removes', async () => {
    const runtime = await withImage();
    const events: string[] = [];
    runtime.events(
      (event) => events.push(event.action),
      () => undefined,
    );
    const exiting = await runtime.create(request('exiting'));
    await runtime.start(exiting);
    runtime.exit(exiting, 3);
    assert.equal((await runtime.inspect(exiting))?.exitCode, 3);

    const removed = await runtime.create(request('removed'));
    await runtime.start(removed);
    await runtime.remove(removed);
    await nextTurn();
    assert.deepEqual(events, ['create', 'start', 'die', 'create', 'start', 'die', 'destroy']);
  });

  it('turns containers with a health check healthy after they start', async () => {
    const runtime = await withImage();
    const events: string[] = [];
    runtime.events(
      (event) => events.push(event.action),
      () => undefined,
    );
    const checked = await runtime.create(request('checked', { healthCheck: { command: ['CMD-SHELL', 'true'], intervalSeconds: 30, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 0 } }));
    const unchecked = await runtime.create(request('unchecked', { healthCheck: { command: ['NONE'], intervalSeconds: 30, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 0 } }));
    await runtime.start(checked);
    await runtime.start(unchecked);
    assert.equal((await runtime.inspect(checked))?.health, 'starting');
    assert.equal((await runtime.inspect(unchecked))?.health, undefined);
    await nextTurn();
    await nextTurn();
    assert.equal((await runtime.inspect(checked))?.health, 'healthy');
    assert.ok(events.includes('health_status: healthy'));
  });

  it('lists the task containers of one owner only', async () => {
    const runtime = await withImage();
    await runtime.create(request('mine'));
    await runtime.create(request('theirs', {}, { [labels.owner]: 'someone-else' }));
    await runtime.create({ name: 'unlabelled', image: 'nginx', labels: { [labels.owner]: owner }, network: { mode: 'bridge' } });
    assert.deepEqual(
      (await runtime.listManaged(owner)).map((container) => container.name),
      ['mine'],
    );
    assert.deepEqual(await runtime.listManaged('nobody'), []);
  });

  it('gives pause containers sequential addresses on their network and takes them back', async () => {
    const runtime = await withImage();
    assert.equal(await runtime.networkGateway('bridge'), '172.17.0.1');
    assert.equal(await runtime.networkGateway('task-net'), undefined);
    assert.deepEqual(await runtime.ensureNetwork('task-net', '10.88.0.0/16'), { gateway: '10.88.0.1', subnet: '10.88.0.0/16' });
    assert.deepEqual(await runtime.ensureNetwork('task-net', '10.99.0.0/16'), { gateway: '10.88.0.1', subnet: '10.88.0.0/16' }, 'an existing network is kept');
    assert.equal(await runtime.networkGateway('task-net'), '10.88.0.1');

    const pause = (name: string) => request(name, { network: { mode: 'network', name: 'task-net' } }, { [labels.role]: 'pause' });
    const first = await runtime.create(pause('pause-1'));
    const second = await runtime.create(pause('pause-2'));
    assert.deepEqual((await runtime.inspect(first))?.networks, [{ network: 'task-net', ipAddress: '', macAddress: '', gateway: '' }]);
    await runtime.start(first);
    await runtime.start(second);
    assert.deepEqual((await runtime.inspect(first))?.networks, [{ network: 'task-net', ipAddress: '10.88.0.2', macAddress: '02:42:0a:58:00:02', gateway: '10.88.0.1' }]);
    assert.equal((await runtime.inspect(second))?.networks[0]?.ipAddress, '10.88.0.3');

    const app = await runtime.create(request('app', { network: { mode: 'container', containerId: first } }));
    await runtime.start(app);
    assert.deepEqual((await runtime.inspect(app))?.networks, []);

    await runtime.stop(first, 1);
    const third = await runtime.create(pause('pause-3'));
    await runtime.start(third);
    assert.equal((await runtime.inspect(third))?.networks[0]?.ipAddress, '10.88.0.2', 'a released address is reused');

    const orphan = await runtime.create(request('orphan', { network: { mode: 'container', containerId: first } }));
    await rejectsWithStatus(runtime.start(orphan), 409, /non running container/);
  });

  it('publishes bridge ports on host ports from 32768 up and refuses a taken one', async () => {
    const runtime = await withImage();
    const bridge = (name: string, hostPort?: number) =>
      request(name, { ports: [{ containerPort: 80, protocol: 'tcp', ...(hostPort ? { hostPort } : {}) }, { containerPort: 53, protocol: 'udp' }] });
    const a = await runtime.create(bridge('a'));
    const b = await runtime.create(bridge('b'));
    assert.deepEqual((await runtime.inspect(a))?.ports, [], 'ports are published at start');
    await runtime.start(a);
    await runtime.start(b);
    assert.deepEqual((await runtime.inspect(a))?.ports, [
      { containerPort: 80, hostPort: 32768, protocol: 'tcp', bindIP: '0.0.0.0' },
      { containerPort: 53, hostPort: 32768, protocol: 'udp', bindIP: '0.0.0.0' },
    ]);
    assert.deepEqual(
      (await runtime.inspect(b))?.ports.map((port) => port.hostPort),
      [32769, 32769],
    );
    assert.equal((await runtime.inspect(a))?.networks[0]?.ipAddress, '172.17.0.2');

    const fixed = await runtime.create(bridge('fixed', 8080));
    const clash = await runtime.create(bridge('clash', 8080));
    await runtime.start(fixed);
    await rejectsWithStatus(runtime.start(clash), 500, /0\.0\.0\.0:8080 failed: port is already allocated/);
    assert.equal((await runtime.inspect(clash))?.state, 'created');
    await runtime.stop(fixed, 1);
    await runtime.start(clash);
    assert.equal((await runtime.inspect(clash))?.ports[0]?.hostPort, 8080);

    const host = await runtime.create(request('host', { network: { mode: 'host' }, ports: [{ containerPort: 80, protocol: 'tcp' }] }));
    await runtime.start(host);
    assert.deepEqual((await runtime.inspect(host))?.ports, [], 'host mode publishes nothing');
  });

  it('samples Docker-like stats for running containers only', async () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const runtime = await withImage(new SimulatedRuntime({ clock, cpus: 2 }));
    const id = await runtime.create(request('web', { resources: { memoryBytes: 256 * 1024 * 1024 } }));
    assert.equal(await runtime.stats(id), undefined);
    await runtime.start(id);
    clock.advance(10_000);
    const stats = await runtime.stats(id);
    assert.equal(stats?.['id'], id);
    assert.equal(stats?.['name'], '/web');
    assert.equal(stats?.['read'], '2026-01-01T00:00:10.000Z');
    assert.deepEqual((stats?.['memory_stats'] as { limit: number }).limit, 256 * 1024 * 1024);
    assert.equal((stats?.['cpu_stats'] as { online_cpus: number }).online_cpus, 2);
    const eth0 = (stats?.['networks'] as Record<string, { rx_bytes: number }>)['eth0'];
    assert.ok(eth0 && eth0.rx_bytes > 0);
    await runtime.stop(id, 1);
    assert.equal(await runtime.stats(id), undefined);
  });

  it('stays cheap with many simulated instances', async () => {
    const runtimes = Array.from({ length: 500 }, () => new SimulatedRuntime());
    for (const [index, runtime] of runtimes.entries()) {
      await runtime.pull('nginx');
      for (let container = 0; container < 20; container++) {
        const id = await runtime.create(request(`c${container}`, { ports: [{ containerPort: 80, protocol: 'tcp' }] }, { [labels.owner]: `instance-${index}` }));
        await runtime.start(id);
      }
    }
    const listed = await runtimes[499]!.listManaged('instance-499');
    assert.equal(listed.length, 20);
    assert.ok(listed.every((container) => container.state === 'running'));
  });
});
