/**
 * Samples the running tasks' containers from the container runtime once per interval and sends
 * the samples to the control plane in one `stats` message (ECS's agent does the same in its
 * telemetry session): cumulative CPU time, memory without the page cache, network bytes. The
 * control plane turns two samples into CloudWatch's CPUUtilization and MemoryUtilization.
 *
 * One message per interval, whatever the number of tasks; a sample that takes longer than the
 * interval delays the next rather than overlapping it.
 */
import type { Logger } from 'pino';
import type { ContainerStats, TaskStats } from '../agent-channel-protocol/messages.js';
import { memoryBytesUsed } from '../metrics/ecs-utilization.js';

export interface StatsReporterDeps {
  containers(): { taskArn: string; containers: { name: string; id: string }[] }[];
  /** One sample of docker stats (the Engine API's answer), or undefined when the container is gone. */
  stats(id: string): Promise<Record<string, unknown> | undefined>;
  send(tasks: TaskStats[]): void;
  intervalMs: number;
  log: Logger;
}

const numberAt = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const objectAt = (value: unknown): Record<string, unknown> | undefined => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined);

/** One container's sample from docker stats' answer; undefined when it carries no CPU figure (a stopped container). */
export function containerStatsOf(name: string, sample: Record<string, unknown>, fallbackTime: number): ContainerStats | undefined {
  const cpuNanoseconds = numberAt(objectAt(objectAt(sample.cpu_stats)?.cpu_usage)?.total_usage);
  if (cpuNanoseconds === undefined) return undefined;
  const read = typeof sample.read === 'string' ? Date.parse(sample.read) : NaN;
  // Docker answers "0001-01-01T00:00:00Z" for a container that is not running.
  const sampledAt = Number.isFinite(read) && read > 0 ? read : fallbackTime;
  const stats: ContainerStats = { name, sampledAt, cpuNanoseconds, memoryBytes: memoryBytesUsed(objectAt(sample.memory_stats) as Parameters<typeof memoryBytesUsed>[0]) };
  const networks = objectAt(sample.networks);
  if (networks) {
    let rx = 0;
    let tx = 0;
    for (const network of Object.values(networks)) {
      rx += numberAt(objectAt(network)?.rx_bytes) ?? 0;
      tx += numberAt(objectAt(network)?.tx_bytes) ?? 0;
    }
    stats.networkRxBytes = rx;
    stats.networkTxBytes = tx;
  }
  return stats;
}

export class StatsReporter {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(private readonly deps: StatsReporterDeps) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.sampleAndSend()
        .catch((error: unknown) => this.deps.log.warn({ err: error }, 'container stats could not be sampled'))
        .finally(() => this.schedule());
    }, this.deps.intervalMs);
    this.timer.unref();
  }

  /** Samples every running container at once and sends what came back. */
  async sampleAndSend(): Promise<void> {
    const tasks = await Promise.all(
      this.deps.containers().map(async (task) => {
        const samples = await Promise.all(
          task.containers.map(async (container) => {
            const sample = await this.deps.stats(container.id).catch(() => undefined);
            return sample ? containerStatsOf(container.name, sample, Date.now()) : undefined;
          }),
        );
        return { taskArn: task.taskArn, containers: samples.filter((sample): sample is ContainerStats => sample !== undefined) };
      }),
    );
    const sampled = tasks.filter((task) => task.containers.length > 0);
    if (sampled.length > 0 && !this.stopped) this.deps.send(sampled);
  }
}
