/**
 * The behaviour every ContainerRuntime must have, as the task engine relies on it. A runtime's
 * test file calls `containerRuntimeConformance(name, open)`: the Docker runtime's is
 * runtime-conformance-docker.test.ts (the real engine), the simulated one's
 * runtime-conformance-simulated.test.ts.
 *
 * A runtime runs no particular program, so the harness says how a container of the suite ends by
 * itself (`exit`) and gives the suite a command that runs until it is stopped.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ContainerSpec } from '../../src/agent/runtime/spec.js';
import { labels, PullCancelledError, RuntimeUnavailableError, type ContainerRuntime, type RuntimeEvent } from '../../src/agent/runtime/types.js';

export interface RuntimeUnderTest {
  runtime: ContainerRuntime;
  /** An image the runtime has. */
  image: string;
  /** A command, in `image`, that runs until the container is stopped and ends promptly on SIGTERM. */
  runUntilStopped: string[];
  /** Makes a running container of `runUntilStopped` end by itself with `exitCode`, as its process would; resolves once it has. */
  exit(id: string, exitCode: number): Promise<void>;
  /** A reference whose pull fails (its registry does not have it, or cannot be reached). */
  unpullable: string;
  /** A reference for importImage, which `close` removes. */
  importReference: string;
  /** A bridge network for the suite to make (`close` removes it), and a subnet free for it. */
  network: { name: string; subnet: string };
  close(): Promise<void>;
}

const eventDeadlineMs = 30_000;

/** Every runtime event, and a wait for one (bounded by a deadline of the test's own, not of the runtime). */
class EventLog {
  readonly seen: RuntimeEvent[] = [];
  private readonly waiting = new Set<() => void>();
  private broken: Error | undefined;
  private readonly cancel: () => void;

  constructor(runtime: ContainerRuntime) {
    this.cancel = runtime.events(
      (event) => {
        this.seen.push(event);
        for (const waiter of this.waiting) waiter();
      },
      (error) => {
        this.broken = error;
        for (const waiter of this.waiting) waiter();
      },
    );
  }

  of(id: string): RuntimeEvent[] {
    return this.seen.filter((event) => event.containerId === id);
  }

  waitFor(id: string, action: string): Promise<RuntimeEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.broken) return finish(() => reject(this.broken));
        const event = this.of(id).find((candidate) => candidate.action === action);
        if (event) finish(() => resolve(event));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no ${action} event for ${id} within ${eventDeadlineMs / 1000} s`))), eventDeadlineMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.waiting.delete(check);
        settle();
      };
      this.waiting.add(check);
      check();
    });
  }

  close(): void {
    this.cancel();
  }
}

const isAddress = (value: string | undefined) => /^\d+\.\d+\.\d+\.\d+$/.test(value ?? '');

export function containerRuntimeConformance(runtimeName: string, open: () => Promise<RuntimeUnderTest>, skip: string | false = false): void {
  describe(`container runtime conformance: ${runtimeName}`, { skip }, () => {
    const owner = `berth-conformance-${randomUUID()}`;
    const taskArn = `arn:aws:ecs:us-east-1:000000000000:task/conformance/${randomUUID().replace(/-/g, '')}`;
    const runId = randomBytes(4).toString('hex');
    const volumes: string[] = [];
    let subject: RuntimeUnderTest;
    let runtime: ContainerRuntime;
    let events: EventLog;

    before(async () => {
      subject = await open();
      runtime = subject.runtime;
      events = new EventLog(runtime);
    });

    after(async () => {
      events?.close();
      if (!runtime) return;
      for (const container of await runtime.listManaged(owner)) await runtime.remove(container.id);
      for (const volume of volumes) await runtime.removeVolume(volume);
      await subject.close();
    });

    /** A container of this run's task that runs until stopped. */
    function spec(name: string, extra: Partial<ContainerSpec> = {}): ContainerSpec {
      return {
        name: `berth-conformance-${runId}-${name}`,
        image: subject.image,
        command: subject.runUntilStopped,
        labels: { [labels.owner]: owner, [labels.taskArn]: taskArn, [labels.containerName]: name, [labels.role]: 'app', team: 'conformance' },
        network: { mode: 'bridge' },
        ...extra,
      };
    }

    async function run(name: string, extra?: Partial<ContainerSpec>): Promise<string> {
      const id = await runtime.create(spec(name, extra));
      await runtime.start(id);
      return id;
    }

    const refusal = (error: unknown) => {
      assert.ok(error instanceof Error, String(error));
      assert.ok(!(error instanceof RuntimeUnavailableError), `a refusal, not an outage: ${error.message}`);
      return true;
    };

    it('describes itself', async () => {
      const info = await runtime.info();
      assert.ok(info.version.length > 0);
      assert.match(info.apiVersion, /^\d+\.\d+$/);
      assert.ok(info.cpus > 0 && info.memoryBytes > 0);
      assert.equal(info.os, 'linux');
      assert.ok(info.architecture.length > 0);
    });

    it('has the images it has, and none other', async () => {
      assert.equal(await runtime.hasImage(subject.image), true);
      assert.match((await runtime.imageDigest(subject.image)) ?? '', /^sha256:[0-9a-f]{64}$/);
      const absent = `berth-conformance/absent-${runId}:1`;
      assert.equal(await runtime.hasImage(absent), false);
      assert.equal(await runtime.imageDigest(absent), undefined);
    });

    it('rejects a pull that fails with a message naming the image, and has no image after it', async () => {
      await assert.rejects(runtime.pull(subject.unpullable), (error: unknown) => {
        refusal(error);
        assert.ok(!(error instanceof PullCancelledError));
        assert.ok((error as Error).message.includes(subject.unpullable), (error as Error).message);
        return true;
      });
      assert.equal(await runtime.hasImage(subject.unpullable), false);
    });

    it('abandons a pull whose signal is aborted with PullCancelledError', async () => {
      const abort = new AbortController();
      abort.abort();
      await assert.rejects(runtime.pull(subject.unpullable, undefined, abort.signal), PullCancelledError);
    });

    it('imports an image from a tar of a root filesystem', async () => {
      const { pauseRootfsTar } = await import('../../src/agent/runtime/pause-image.js');
      await runtime.importImage(subject.importReference, pauseRootfsTar(), ['/pause']);
      assert.equal(await runtime.hasImage(subject.importReference), true);
      assert.match((await runtime.imageDigest(subject.importReference)) ?? '', /^sha256:[0-9a-f]{64}$/);
    });

    it('creates, starts, inspects, stops and removes a container; repeats are no errors', async () => {
      const id = await runtime.create(spec('lifecycle'));
      const created = await runtime.inspect(id);
      assert.equal(created?.id, id);
      assert.equal(created?.state, 'created');
      assert.equal(created?.name, `berth-conformance-${runId}-lifecycle`);
      assert.equal(created?.image, subject.image);
      assert.equal(created?.labels.team, 'conformance');
      assert.equal(created?.labels[labels.owner], owner);
      assert.equal(created?.startedAt, undefined);
      assert.equal(created?.exitCode, undefined);

      await runtime.start(id);
      await runtime.start(id);
      const running = await runtime.inspect(id);
      assert.equal(running?.state, 'running');
      assert.ok(running?.startedAt instanceof Date);
      assert.equal(running?.exitCode, undefined);
      assert.equal(running?.oomKilled, false);
      assert.match(running?.imageDigest ?? '', /^sha256:[0-9a-f]{64}$/);
      assert.equal(running?.networks[0]?.network, 'bridge');
      assert.ok(isAddress(running?.networks[0]?.ipAddress), JSON.stringify(running?.networks));

      await runtime.stop(id, 10);
      const stopped = await runtime.inspect(id);
      assert.equal(stopped?.state, 'exited');
      assert.equal(typeof stopped?.exitCode, 'number');
      assert.ok(stopped?.finishedAt instanceof Date);
      assert.deepEqual(stopped?.ports, []);
      await runtime.stop(id, 10);

      await runtime.remove(id);
      assert.equal(await runtime.inspect(id), undefined);
      await runtime.remove(id);
      await runtime.stop(id, 1);
      assert.equal(await runtime.stats(id), undefined);
    });

    it('refuses a taken name, an absent image, a missing network, and starting a missing container', async () => {
      await runtime.create(spec('taken'));
      await assert.rejects(runtime.create(spec('taken')), refusal);
      await assert.rejects(runtime.create(spec('no-image', { image: `berth-conformance/absent-${runId}:1` })), refusal);
      // Docker 20.10 finds a missing network out at start; a runtime may refuse it at create already.
      const onMissingNetwork = async () => runtime.start(await runtime.create(spec('no-network', { network: { mode: 'network', name: `berth-conformance-absent-${runId}` } })));
      await assert.rejects(onMissingNetwork(), refusal);
      await assert.rejects(runtime.start(`berth-conformance-${runId}-never-created`), refusal);
      assert.equal(await runtime.inspect(`berth-conformance-${runId}-never-created`), undefined);
    });

    it('reports the exit code of a container that ends by itself, in inspect and in its die event', async () => {
      const id = await run('exits');
      await subject.exit(id, 3);
      const observed = await runtime.inspect(id);
      assert.equal(observed?.state, 'exited');
      assert.equal(observed?.exitCode, 3);
      assert.ok(observed?.finishedAt instanceof Date);
      const died = await events.waitFor(id, 'die');
      assert.equal(died.exitCode, 3);
      assert.equal(died.labels[labels.owner], owner);
      assert.equal(died.labels.team, 'conformance');
    });

    it('reports create, start, die and destroy in that order, with the container\'s labels, and stops when cancelled', async () => {
      const id = await run('events');
      await runtime.stop(id, 10);
      await runtime.remove(id);
      await events.waitFor(id, 'destroy');
      const actions = events.of(id).map((event) => event.action).filter((action) => ['create', 'start', 'die', 'destroy'].includes(action));
      assert.deepEqual(actions, ['create', 'start', 'die', 'destroy']);
      assert.ok(events.of(id).every((event) => event.labels[labels.taskArn] === taskArn));

      const late: RuntimeEvent[] = [];
      const cancel = runtime.events((event) => late.push(event), () => undefined);
      cancel();
      const later = await runtime.create(spec('after-cancel'));
      await events.waitFor(later, 'create');
      assert.deepEqual(late.filter((event) => event.containerId === later), []);
    });

    it('lists the containers of an owner, of one task when asked', async () => {
      const id = await runtime.create(spec('listed'));
      const otherTask = `${taskArn}-other`;
      const other = await runtime.create(spec('other-task', { labels: { ...spec('x').labels, [labels.taskArn]: otherTask } }));
      const theirs = await runtime.create(spec('theirs', { labels: { ...spec('x').labels, [labels.owner]: `${owner}-else` } }));
      const untasked = await runtime.create(spec('untasked', { labels: { [labels.owner]: owner } }));
      try {
        const all = (await runtime.listManaged(owner)).map((container) => container.id);
        assert.ok(all.includes(id) && all.includes(other));
        assert.ok(!all.includes(theirs), 'another owner\'s container');
        assert.ok(!all.includes(untasked), 'a container without a task label');
        const ofTask = (await runtime.listManaged(owner, taskArn)).map((container) => container.id);
        assert.ok(ofTask.includes(id) && !ofTask.includes(other));
        assert.deepEqual(await runtime.listManaged(`${owner}-nobody`), []);
      } finally {
        await runtime.remove(theirs);
        await runtime.remove(untasked);
      }
    });

    it('turns a container with a passing health check healthy; one without has no health', async () => {
      const checked = await run('healthy', {
        healthCheck: { command: ['CMD-SHELL', 'true'], intervalSeconds: 1, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 0 },
      });
      const unchecked = await run('unchecked');
      await events.waitFor(checked, 'health_status: healthy');
      assert.equal((await runtime.inspect(checked))?.health, 'healthy');
      assert.equal((await runtime.inspect(unchecked))?.health, undefined);
    });

    it('samples stats of a running container, its memory limit included', async () => {
      const limit = 64 * 1024 * 1024;
      const id = await run('stats', { resources: { memoryBytes: limit } });
      const sample = await runtime.stats(id);
      assert.ok(sample, 'a sample');
      assert.equal((sample['memory_stats'] as { limit?: number }).limit, limit);
      assert.ok(sample['cpu_stats'] && typeof sample['read'] === 'string');
    });

    it('publishes a port on an ephemeral host port while the container runs', async () => {
      const id = await run('ports', { ports: [{ containerPort: 8080, protocol: 'tcp' }] });
      const running = await runtime.inspect(id);
      const binding = running?.ports.find((port) => port.containerPort === 8080 && port.bindIP === '0.0.0.0');
      assert.ok(binding, JSON.stringify(running?.ports));
      assert.equal(binding.protocol, 'tcp');
      assert.ok(binding.hostPort >= 1024, String(binding.hostPort));
      await runtime.stop(id, 10);
      assert.deepEqual((await runtime.inspect(id))?.ports, []);
    });

    it('makes a network once, puts a container on it at the address asked for, and lets another join its namespace', async () => {
      const { name, subnet } = subject.network;
      const gateway = subnet.replace(/\.0\/24$/, '.1');
      const address = subnet.replace(/\.0\/24$/, '.10');
      assert.deepEqual(await runtime.ensureNetwork(name, subnet, { [labels.owner]: owner }), { subnet, gateway });
      assert.deepEqual(await runtime.ensureNetwork(name, subnet), { subnet, gateway });
      assert.equal(await runtime.networkGateway(name), gateway);
      assert.ok(isAddress(await runtime.networkGateway('bridge')));
      assert.equal(await runtime.networkGateway(`${name}-absent`), undefined);

      const holder = await run('holder', { network: { mode: 'network', name, ipv4Address: address } });
      const attached = (await runtime.inspect(holder))?.networks ?? [];
      assert.deepEqual(attached.map(({ network, ipAddress, gateway: via }) => ({ network, ipAddress, gateway: via })), [{ network: name, ipAddress: address, gateway }]);
      assert.match(attached[0]?.macAddress ?? '', /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);

      const joined = await run('joined', { network: { mode: 'container', containerId: holder } });
      assert.equal((await runtime.inspect(joined))?.state, 'running');
      assert.deepEqual((await runtime.inspect(joined))?.networks, []);
      await runtime.stop(joined, 10);
      await runtime.remove(joined);
      await runtime.remove(holder);
    });

    it('keeps a volume while a container mounts it, and removes it after; removing it twice is no error', async () => {
      const volume = `berth-conformance-${runId}-data`;
      volumes.push(volume);
      await runtime.ensureVolume(volume, undefined, {}, { [labels.owner]: owner });
      await runtime.ensureVolume(volume, 'local', {}, { [labels.owner]: owner });
      assert.equal(await runtime.hasVolume(volume), true);
      const id = await runtime.create(spec('mounts', { mounts: [{ source: { volume }, containerPath: '/data', readOnly: false }] }));
      assert.equal(await runtime.removeVolume(volume), false);
      assert.equal(await runtime.hasVolume(volume), true);
      await runtime.remove(id);
      assert.equal(await runtime.removeVolume(volume), true);
      assert.equal(await runtime.hasVolume(volume), false);
      assert.equal(await runtime.removeVolume(volume), true);
    });
  });
}
