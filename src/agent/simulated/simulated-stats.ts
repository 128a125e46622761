/**
 * A Docker-shaped stats sample for a simulated container: the fields the metadata endpoint and stats
 * consumers read, with counters that grow with uptime (about 1% of one CPU, 100 bytes/s each way).
 */

export interface StatsInput {
  id: string;
  name: string;
  startedAt: Date;
  now: Date;
  cpus: number;
  memoryLimit: number;
  /** Whether the container has a network namespace of its own, so Docker would count its traffic. */
  ownNetwork: boolean;
}

const memoryUsage = 16 * 1024 * 1024;

function cpuStats(uptimeMs: number, nowMs: number, cpus: number): Record<string, unknown> {
  const total = Math.round(uptimeMs * 1e6 * 0.01);
  return {
    cpu_usage: { total_usage: total, usage_in_kernelmode: Math.round(total / 5), usage_in_usermode: Math.round((total * 4) / 5) },
    system_cpu_usage: Math.round(nowMs * 1e6 * cpus),
    online_cpus: cpus,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

export function simulatedStats(input: StatsInput): Record<string, unknown> {
  const nowMs = input.now.getTime();
  const previousMs = nowMs - 1000;
  const uptimeMs = Math.max(0, nowMs - input.startedAt.getTime());
  const bytes = Math.round(uptimeMs / 10);
  return {
    read: input.now.toISOString(),
    preread: new Date(previousMs).toISOString(),
    id: input.id,
    name: `/${input.name}`,
    num_procs: 0,
    pids_stats: { current: 1 },
    blkio_stats: { io_service_bytes_recursive: [], io_serviced_recursive: [] },
    storage_stats: {},
    cpu_stats: cpuStats(uptimeMs, nowMs, input.cpus),
    precpu_stats: cpuStats(Math.max(0, uptimeMs - 1000), previousMs, input.cpus),
    memory_stats: { usage: Math.min(memoryUsage, input.memoryLimit), limit: input.memoryLimit, stats: {} },
    ...(input.ownNetwork
      ? {
          networks: {
            eth0: {
              rx_bytes: bytes,
              rx_packets: Math.round(bytes / 100),
              rx_errors: 0,
              rx_dropped: 0,
              tx_bytes: bytes,
              tx_packets: Math.round(bytes / 100),
              tx_errors: 0,
              tx_dropped: 0,
            },
          },
        }
      : {}),
  };
}
