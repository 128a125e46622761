/**
 * The AWS/ECS and ECS/ContainerInsights metrics of one period, computed as ECS computes them, from
 * each running task's container usage (what its agent sampled from Docker) and what the cluster's
 * records say. Pure: no I/O, no clock; controllers/ecs-metrics.ts gathers the input and puts.
 *
 * A task's reservation: its task-level cpu (units) and memory (MiB); without them, the sum over its
 * containers of cpu, and of memory (else memoryReservation). A task that reserves no CPU (an EC2
 * task whose containers leave cpu out, which Docker then runs with 2 shares) is measured against
 * its host's registered CPU instead, and likewise for memory, so its utilization is its share of
 * the machine rather than a division by zero.
 *
 * CPU used, in units: the CPU time a task's containers used between two samples ÷ the wall time
 * between them × 1024 (one vCPU is 1024 units). Memory used: Docker's usage minus the page cache
 * (cgroup v1 `cache`, v2 `inactive_file`), as ECS's agent counts it.
 *
 * AWS/ECS (unit Percent):
 *   CPUUtilization, MemoryUtilization {ClusterName, ServiceName}: one statistic set per period over
 *     the service's tasks, each task's used ÷ reserved × 100: Average is ECS's
 *     (Σ used × 100) ÷ (reserved per task × tasks), Minimum and Maximum the least and most busy task.
 *   CPUUtilization, MemoryUtilization {ClusterName}: Σ used by the cluster's EC2/EXTERNAL tasks ÷ Σ
 *     registered on its container instances × 100.
 *   CPUReservation, MemoryReservation {ClusterName}: Σ (registered − remaining) ÷ Σ registered × 100.
 * ECS/ContainerInsights, when the cluster's containerInsights setting is enabled (or enhanced):
 *   {ClusterName, ServiceName}, {ClusterName, TaskDefinitionFamily} and {ClusterName}: CpuUtilized,
 *   CpuReserved (units, None), MemoryUtilized, MemoryReserved (Megabytes), NetworkRxBytes,
 *   NetworkTxBytes (Bytes/Second), RunningTaskCount, PendingTaskCount (Count); DesiredTaskCount
 *   per service; TaskCount and ServiceCount per cluster.
 *
 * Worked example: service "web" of cluster "default", two tasks of cpu 256 / memory 512 on an
 * instance of 2048 units and 3840 MiB. Task A used 2.5 s of CPU over a 10 s period (256 units),
 * task B 1.25 s (128 units); A uses 256 MiB, B 128 MiB.
 *   CPUUtilization{default, web}: per task 100 % and 50 % → SampleCount 2, Sum 150, Min 50, Max 100
 *     (Average 75 = (256 + 128) × 100 ÷ (256 × 2)).
 *   MemoryUtilization{default, web}: 50 % and 25 % → Average 37.5.
 *   CPUUtilization{default} = 384 ÷ 2048 × 100 = 18.75; CPUReservation{default} = 512 ÷ 2048 × 100 = 25.
 */
import type { PublishedPoint } from '../cloudwatch/publisher.js';
import type { Dimension } from '../cloudwatch/storage/types.js';

export interface Reservation {
  /** CPU units; 0 when none is reserved. */
  cpu: number;
  /** MiB; 0 when none is reserved. */
  memory: number;
}

export interface ContainerReservation {
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
}

/** A task's reservation: task-level values first, else the sum over its containers. */
export function taskReservation(task: { cpu?: string | number; memory?: string | number }, containers: readonly ContainerReservation[]): Reservation {
  const taskCpu = Number(task.cpu ?? NaN);
  const taskMemory = Number(task.memory ?? NaN);
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  return {
    cpu: Number.isFinite(taskCpu) && taskCpu > 0 ? taskCpu : sum(containers.map((container) => container.cpu ?? 0)),
    memory: Number.isFinite(taskMemory) && taskMemory > 0 ? taskMemory : sum(containers.map((container) => container.memory ?? container.memoryReservation ?? 0)),
  };
}

/** CPU units used on average between two samples: CPU nanoseconds used ÷ wall nanoseconds × 1024. */
export function cpuUnitsUsed(cpuNanosecondsUsed: number, wallMilliseconds: number): number {
  if (wallMilliseconds <= 0 || cpuNanosecondsUsed < 0) return 0;
  return (cpuNanosecondsUsed / (wallMilliseconds * 1e6)) * 1024;
}

/** Docker's memory_stats as ECS's agent counts it: usage minus the page cache (cgroup v1 `cache`, v2 `inactive_file`). */
export function memoryBytesUsed(memoryStats: { usage?: number; stats?: Record<string, number> } | undefined): number {
  if (!memoryStats || typeof memoryStats.usage !== 'number') return 0;
  const cache = memoryStats.stats?.cache ?? memoryStats.stats?.inactive_file ?? 0;
  return Math.max(0, memoryStats.usage - cache);
}

/** One running task's usage over the period. */
export interface TaskUsage {
  serviceName?: string;
  family: string;
  launchType: string;
  reservation: Reservation;
  /** What a task that reserves nothing is measured against: its host's registered CPU units and MiB. */
  host: Reservation;
  cpuUnitsUsed: number;
  memoryMiBUsed: number;
  /** Bytes per second received and sent, when its agent could tell. */
  networkRxBytesPerSecond?: number;
  networkTxBytesPerSecond?: number;
}

export interface ClusterInput {
  accountId: string;
  region: string;
  clusterName: string;
  containerInsights: boolean;
  /** The cluster's ACTIVE container instances. */
  instances: readonly { registered: Reservation; remaining: Reservation }[];
  /** Its RUNNING tasks that have a usage sample for the period. */
  usage: readonly TaskUsage[];
  /** Task counts per service (and per family for tasks of no service). */
  services: readonly { serviceName: string; desired: number; running: number; pending: number }[];
  /** Every task's family and last status (RUNNING, PENDING, …), for the task counts. */
  tasks: readonly { family: string; serviceName?: string; lastStatus: string }[];
}

interface Statistics {
  sampleCount: number;
  sum: number;
  minimum: number;
  maximum: number;
}

function statisticsOf(values: readonly number[]): Statistics | undefined {
  if (values.length === 0) return undefined;
  return { sampleCount: values.length, sum: values.reduce((a, b) => a + b, 0), minimum: Math.min(...values), maximum: Math.max(...values) };
}

const percent = (used: number, of: number) => (of > 0 ? (used * 100) / of : 0);

/** A task's CPU and memory utilization (percent of what it reserves, or of its host when it reserves nothing). */
export function taskUtilization(task: TaskUsage): { cpu: number; memory: number } {
  return {
    cpu: percent(task.cpuUnitsUsed, task.reservation.cpu > 0 ? task.reservation.cpu : task.host.cpu),
    memory: percent(task.memoryMiBUsed, task.reservation.memory > 0 ? task.reservation.memory : task.host.memory),
  };
}

/** Every point of one cluster for the period, stamped `timestamp`. */
export function ecsMetricPoints(cluster: ClusterInput, timestamp: number): PublishedPoint[] {
  const points: PublishedPoint[] = [];
  const clusterDimension: Dimension = { name: 'ClusterName', value: cluster.clusterName };
  const value = (namespace: string, metricName: string, dimensions: Dimension[], number: number, unit: PublishedPoint['unit']) =>
    points.push({ namespace, metricName, dimensions, timestamp, value: { kind: 'value', value: number }, unit });

  // AWS/ECS per service: a statistic set over the service's tasks.
  const byService = new Map<string, TaskUsage[]>();
  for (const task of cluster.usage) if (task.serviceName !== undefined) byService.set(task.serviceName, [...(byService.get(task.serviceName) ?? []), task]);
  for (const [serviceName, tasks] of byService) {
    const dimensions = [clusterDimension, { name: 'ServiceName', value: serviceName }];
    const utilizations = tasks.map(taskUtilization);
    for (const [metricName, values] of [
      ['CPUUtilization', utilizations.map((u) => u.cpu)],
      ['MemoryUtilization', utilizations.map((u) => u.memory)],
    ] as const) {
      const statistics = statisticsOf(values);
      if (statistics) points.push({ namespace: 'AWS/ECS', metricName, dimensions, timestamp, value: { kind: 'statistics', ...statistics }, unit: 'Percent' });
    }
  }

  // AWS/ECS per cluster: against the container instances' registered resources.
  const registered = cluster.instances.reduce((total, instance) => ({ cpu: total.cpu + instance.registered.cpu, memory: total.memory + instance.registered.memory }), { cpu: 0, memory: 0 });
  const remaining = cluster.instances.reduce((total, instance) => ({ cpu: total.cpu + instance.remaining.cpu, memory: total.memory + instance.remaining.memory }), { cpu: 0, memory: 0 });
  if (registered.cpu > 0 && registered.memory > 0) {
    const onInstances = cluster.usage.filter((task) => task.launchType !== 'FARGATE');
    const used = onInstances.reduce((total, task) => ({ cpu: total.cpu + task.cpuUnitsUsed, memory: total.memory + task.memoryMiBUsed }), { cpu: 0, memory: 0 });
    value('AWS/ECS', 'CPUUtilization', [clusterDimension], percent(used.cpu, registered.cpu), 'Percent');
    value('AWS/ECS', 'MemoryUtilization', [clusterDimension], percent(used.memory, registered.memory), 'Percent');
    value('AWS/ECS', 'CPUReservation', [clusterDimension], percent(registered.cpu - remaining.cpu, registered.cpu), 'Percent');
    value('AWS/ECS', 'MemoryReservation', [clusterDimension], percent(registered.memory - remaining.memory, registered.memory), 'Percent');
  }

  if (cluster.containerInsights) points.push(...containerInsights(cluster, clusterDimension, timestamp));
  return points;
}

function containerInsights(cluster: ClusterInput, clusterDimension: Dimension, timestamp: number): PublishedPoint[] {
  const points: PublishedPoint[] = [];
  const namespace = 'ECS/ContainerInsights';
  const value = (metricName: string, dimensions: Dimension[], number: number, unit: PublishedPoint['unit']) =>
    points.push({ namespace, metricName, dimensions, timestamp, value: { kind: 'value', value: number }, unit });
  const usageOf = (dimensions: Dimension[], tasks: readonly TaskUsage[]) => {
    const sum = (pick: (task: TaskUsage) => number) => tasks.reduce((total, task) => total + pick(task), 0);
    value('CpuUtilized', dimensions, sum((task) => task.cpuUnitsUsed), 'None');
    value('CpuReserved', dimensions, sum((task) => task.reservation.cpu), 'None');
    value('MemoryUtilized', dimensions, sum((task) => task.memoryMiBUsed), 'Megabytes');
    value('MemoryReserved', dimensions, sum((task) => task.reservation.memory), 'Megabytes');
    if (tasks.some((task) => task.networkRxBytesPerSecond !== undefined)) {
      value('NetworkRxBytes', dimensions, sum((task) => task.networkRxBytesPerSecond ?? 0), 'Bytes/Second');
      value('NetworkTxBytes', dimensions, sum((task) => task.networkTxBytesPerSecond ?? 0), 'Bytes/Second');
    }
  };
  const counts = (dimensions: Dimension[], tasks: readonly { lastStatus: string }[]) => {
    value('RunningTaskCount', dimensions, tasks.filter((task) => task.lastStatus === 'RUNNING').length, 'Count');
    value('PendingTaskCount', dimensions, tasks.filter((task) => ['PROVISIONING', 'PENDING', 'ACTIVATING'].includes(task.lastStatus)).length, 'Count');
  };

  for (const service of cluster.services) {
    const dimensions = [clusterDimension, { name: 'ServiceName', value: service.serviceName }];
    usageOf(dimensions, cluster.usage.filter((task) => task.serviceName === service.serviceName));
    value('RunningTaskCount', dimensions, service.running, 'Count');
    value('PendingTaskCount', dimensions, service.pending, 'Count');
    value('DesiredTaskCount', dimensions, service.desired, 'Count');
  }
  const families = [...new Set(cluster.tasks.map((task) => task.family))].sort();
  for (const family of families) {
    const dimensions = [clusterDimension, { name: 'TaskDefinitionFamily', value: family }];
    usageOf(dimensions, cluster.usage.filter((task) => task.family === family));
    counts(dimensions, cluster.tasks.filter((task) => task.family === family));
  }
  usageOf([clusterDimension], cluster.usage);
  value('TaskCount', [clusterDimension], cluster.tasks.filter((task) => task.lastStatus === 'RUNNING').length, 'Count');
  value('ServiceCount', [clusterDimension], cluster.services.length, 'Count');
  return points;
}
