/**
 * Managed FARGATE capacity. A FARGATE task has no container instance a user registered: the control
 * plane gives it to one of the Fargate capacity hosts connected to the agent channel (on a single
 * node, the local agent), choosing the host with the most free memory that fits the task's size.
 *
 * Level-triggered: each pass re-reads the tasks still waiting for a host and acts on what it finds,
 * so a pass missed for any reason is made up by the next (on a timer, on every new FARGATE task,
 * when a host connects and when a FARGATE task stops and frees room).
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Clock } from '../core/clock.js';
import type { Store, TaskRecord } from '../store/types.js';
import type { TaskChangeFeed } from '../ecs/task-changes.js';
import type { AgentHub, FargateHost } from '../ecs/agents/hub.js';

export interface HostLoad extends FargateHost {
  key: string;
  usedCpu: number;
  usedMemory: number;
}

const sizeOf = (task: Pick<TaskRecord, 'cpu' | 'memory'>) => ({ cpu: Number(task.cpu ?? 0) || 0, memory: Number(task.memory ?? 0) || 0 });

/** The host with the most free memory (then CPU) that fits the task, if any. Pure. */
export function chooseFargateHost(hosts: readonly HostLoad[], task: Pick<TaskRecord, 'cpu' | 'memory'>): HostLoad | undefined {
  const need = sizeOf(task);
  let best: HostLoad | undefined;
  for (const host of hosts) {
    const freeMemory = host.memory - host.usedMemory;
    const freeCpu = host.cpu - host.usedCpu;
    if (freeMemory < need.memory || freeCpu < need.cpu) continue;
    if (!best || freeMemory > best.memory - best.usedMemory || (freeMemory === best.memory - best.usedMemory && freeCpu > best.cpu - best.usedCpu)) {
      best = host;
    }
  }
  return best;
}

export interface FargateDispatcherDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  hub: AgentHub;
  taskChanges: TaskChangeFeed;
  intervalMs?: number;
}

export class FargateDispatcher {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly deps: FargateDispatcherDeps) {}

  start(): void {
    this.unsubscribe.push(
      this.deps.taskChanges.subscribe((tasks) => {
        if (tasks.some((task) => task.launchType === 'FARGATE' && task.fargateHost === undefined)) this.kick();
      }),
      this.deps.hub.onEvent((event) => {
        if (event.type === 'fargate-hosts-changed' || (event.type === 'task-stopped' && event.task.launchType === 'FARGATE')) this.kick();
      }),
    );
    this.timer = setInterval(() => this.kick(), this.deps.intervalMs ?? 5_000).unref();
    this.kick();
  }

  async stop(): Promise<void> {
    for (const stop of this.unsubscribe.splice(0)) stop();
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Runs a pass now, or right after the one in progress. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((error: unknown) => this.deps.log.error({ err: error }, 'FARGATE capacity pass failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async loads(): Promise<HostLoad[]> {
    const loads: HostLoad[] = [];
    for (const host of this.deps.hub.fargateHosts()) {
      const tasks = await this.deps.store.read((tx) => tx.tasks.forAgent(host.key));
      const used = tasks.map(sizeOf).reduce((sum, size) => ({ cpu: sum.cpu + size.cpu, memory: sum.memory + size.memory }), { cpu: 0, memory: 0 });
      loads.push({ ...host, usedCpu: used.cpu, usedMemory: used.memory });
    }
    return loads;
  }

  private async pass(): Promise<void> {
    const waiting = await this.deps.store.read((tx) => tx.tasks.unassignedFargate(500));
    if (waiting.length === 0) return;
    const hosts = await this.loads();
    const changed: TaskRecord[] = [];
    for (const candidate of waiting) {
      const host = candidate.desiredStatus === 'STOPPED' ? undefined : chooseFargateHost(hosts, candidate);
      if (candidate.desiredStatus !== 'STOPPED' && !host) continue;
      const saved = await this.deps.store.write(async (tx) => {
        const task = await tx.tasks.get(candidate.taskArn);
        if (!task || task.fargateHost !== undefined || task.lastStatus === 'STOPPED') return undefined;
        const now = this.deps.clock.now().getTime() / 1000;
        // Stopped before any host took it: nothing ran, so the control plane finishes it itself.
        const next: TaskRecord =
          task.desiredStatus === 'STOPPED' || !host
            ? { ...task, lastStatus: 'STOPPED', stoppingAt: task.stoppingAt ?? now, stoppedAt: now, executionStoppedAt: now, version: (task.version ?? 0) + 1 }
            : {
                ...task,
                fargateHost: host.hostId,
                ...(host.availabilityZone ? { availabilityZone: host.availabilityZone } : {}),
                version: (task.version ?? 0) + 1,
              };
        await tx.tasks.put(next);
        return next;
      });
      if (!saved) continue;
      if (host && saved.fargateHost !== undefined) {
        const size = sizeOf(saved);
        host.usedCpu += size.cpu;
        host.usedMemory += size.memory;
      }
      changed.push(saved);
    }
    if (changed.length > 0) {
      this.deps.log.debug({ count: changed.length }, 'FARGATE tasks given to capacity hosts');
      this.deps.taskChanges.publish(changed);
    }
  }
}
