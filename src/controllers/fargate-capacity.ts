/**
 * Managed FARGATE capacity. A FARGATE task has no container instance a user registered: the control
 * plane gives it to one of the Fargate capacity hosts connected to the agent channel (on a single
 * node, the local agent), choosing the host with the most free memory that fits the task's size.
 *
 * A controller with one key: placing tasks is one bin-packing over the hosts this process's agent
 * channel holds, so each reconcile re-reads every task still waiting for a host and places what
 * fits. Any FARGATE task change makes it dirty (a new task waits; a stopped one frees room). Hosts
 * connecting are not store changes: while tasks are left waiting, it requeues itself shortly.
 * No lease: each process places tasks on the hosts connected to it.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Clock } from '../core/clock.js';
import type { AgentHub, FargateHost } from '../ecs/agent-channel/hub.js';
import type { Store, TaskRecord } from '../store/types.js';
import { done, requeueAfter, type ControllerWatch, type Reconciled } from './controller.js';
import { RunnableController } from './runnable.js';
import type { ControllerTelemetry } from '../telemetry/telemetry.js';

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

export interface FargateCapacityDeps {
  /** Where the runner reports reconcile times and queue depths. */
  telemetry?: ControllerTelemetry;
  store: Store;
  clock: Clock;
  log: Logger;
  hub: Pick<AgentHub, 'fargateHosts'>;
  /** How soon tasks left waiting for room are looked at again (1 s by default). */
  waitingRetryMs?: number;
}

const key = 'unassigned-fargate-tasks';

export class FargateCapacity extends RunnableController {
  readonly watch: ControllerWatch = {
    kinds: ['task'],
    keysOf: (changes) => (changes.some((change) => change.labels.launchType === 'FARGATE') ? [key] : []),
  };
  readonly resync = { everyMs: 30_000 };

  constructor(private readonly deps: FargateCapacityDeps) {
    super('fargate-capacity', deps);
  }

  async listKeys(): Promise<string[]> {
    return [key];
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

  async reconcile(): Promise<Reconciled> {
    const waiting = await this.deps.store.read((tx) => tx.tasks.unassignedFargate(500));
    if (waiting.length === 0) return done;
    const hosts = await this.loads();
    let placed = 0;
    let left = 0;
    for (const candidate of waiting) {
      const host = candidate.desiredStatus === 'STOPPED' ? undefined : chooseFargateHost(hosts, candidate);
      if (candidate.desiredStatus !== 'STOPPED' && !host) {
        left++;
        continue;
      }
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
      placed++;
    }
    if (placed > 0) this.deps.log.debug({ count: placed }, 'FARGATE tasks given to capacity hosts');
    // More than one read's worth waited and some were placed: carry on at once. Tasks that found
    // no host wait for room without spinning.
    if (waiting.length === 500 && placed > 0) return requeueAfter(0);
    return left > 0 ? requeueAfter(this.deps.waitingRetryMs ?? 1_000) : done;
  }
}
