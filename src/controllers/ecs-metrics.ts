/**
 * Publishes the AWS/ECS (and, where enabled, ECS/ContainerInsights) metrics once per metric period,
 * from the usage samples agents send (metrics/task-usage.ts, kept in the store by whichever control
 * plane each agent is connected to) and the cluster records, with the arithmetic of
 * metrics/ecs-utilization.ts.
 *
 * Once per period (period-metrics.ts, as the load balancer metrics): one point per metric, stamped
 * with the start of the period that just ended, each task's usage being its rate between its
 * agent's last two samples. Clusters looked at: those with a live service, a connected container
 * instance, or a task with samples. Leased: one process sharing the store publishes, and deletes
 * the samples of tasks it did not find running.
 */
import type { ContainerOverride, Resource } from '@aws-sdk/client-ecs';
import type { Wire } from '../core/wire.js';
import { ecsMetricPoints, taskReservation, type ClusterInput, type Reservation, type TaskUsage } from '../metrics/ecs-utilization.js';
import { measuredUsage } from '../metrics/task-usage.js';
import { agentKeyOf } from '../store/contract/ecs.js';
import type { ContainerInstanceRecord, StoreTx, TaskRecord, TaskUsageRecord } from '../store/types.js';
import { PeriodMetrics, type EndedPeriod, type PeriodMetricsDeps } from './period-metrics.js';

export type EcsMetricsDeps = PeriodMetricsDeps;

const pageLimit = 100;

/** Every item of a paged listing. */
async function all<T>(list: (page: { limit: number; after?: string }) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const items: T[] = [];
  let after: string | undefined;
  do {
    const page = await list({ limit: pageLimit, ...(after !== undefined ? { after } : {}) });
    items.push(...page.items);
    after = page.next;
  } while (after !== undefined);
  return items;
}

const resourceOf = (resources: readonly Wire<Resource>[] | undefined, name: string) => resources?.find((resource) => resource.name === name)?.integerValue ?? 0;
const resourcesOf = (resources: readonly Wire<Resource>[] | undefined): Reservation => ({ cpu: resourceOf(resources, 'CPU'), memory: resourceOf(resources, 'MEMORY') });

/** The cluster a task ARN names (arn:aws:ecs:<region>:<account>:task/<cluster>/<id>), as a cluster ARN. */
function clusterArnOfTask(taskArn: string): string | undefined {
  const match = /^(arn:[^:]+:ecs:[^:]*:[^:]*:)task\/([^/]+)\/[^/]+$/.exec(taskArn);
  return match ? `${match[1]}cluster/${match[2]}` : undefined;
}

export class EcsMetrics extends PeriodMetrics<EcsMetricsDeps> {
  /** The period boundary triggers a pass; the watch gives the runner's listing at start and its lease retries. */
  readonly watch = { kinds: ['cluster'] as const, keysOf: () => [] };

  constructor(deps: EcsMetricsDeps) {
    super('ecs-metrics', deps);
  }

  /** Nothing to read before the period is marked: the samples are read with the clusters, in publish. */
  protected async read(): Promise<void> {}

  protected async publish(ended: EndedPeriod): Promise<void> {
    const { metrics, store } = this.deps;
    // Samples older than this are an agent gone silent (ECS's agent sends every 20 s).
    const receivedSince = ended.nowMs - Math.max(3 * ended.periodMs, 60_000);
    const { clusters, samples } = await store.read(async (tx) => {
      const samples = await tx.taskUsage.list();
      return { clusters: await this.clusterInputs(tx, samples, receivedSince), samples };
    });
    // The samples of tasks not running (stopped, or never known) go; one written since the read stays.
    const running = new Set(clusters.flatMap((cluster) => cluster.running));
    const stale = samples.filter((record) => !running.has(record.taskArn));
    if (stale.length > 0) await store.write((tx) => tx.taskUsage.delete(stale));
    for (const { input } of clusters) {
      const points = ecsMetricPoints(input, ended.startMs);
      if (points.length > 0) await metrics.putMetricPoints({ accountId: input.accountId, region: input.region }, points);
    }
  }

  private async clusterInputs(tx: StoreTx, samples: readonly TaskUsageRecord[], receivedSince: number): Promise<{ input: ClusterInput; running: string[] }[]> {
    const arns = new Set<string>();
    for (const service of await tx.services.listLive()) arns.add(service.clusterArn);
    for (const instance of await tx.containerInstances.listConnected()) arns.add(instance.clusterArn);
    for (const { taskArn } of samples) {
      const clusterArn = clusterArnOfTask(taskArn);
      if (clusterArn) arns.add(clusterArn);
    }
    const bySample = new Map(samples.map((record) => [record.taskArn, record]));
    const inputs = [];
    for (const clusterArn of arns) {
      const cluster = await tx.clusters.get(clusterArn);
      if (!cluster || cluster.status !== 'ACTIVE') continue;
      const [, , , region = '', accountId = ''] = clusterArn.split(':');
      const instances = (await tx.containerInstances.all(clusterArn)).filter((instance) => instance.status === 'ACTIVE' || instance.status === 'DRAINING');
      const tasks = await all((page) => tx.tasks.list({ clusterArn, activeOnly: true }, page));
      const services = await all((page) => tx.services.list({ clusterArn }, page));
      const insights = (cluster.settings ?? []).some((setting) => setting.name === 'containerInsights' && (setting.value === 'enabled' || setting.value === 'enhanced'));
      const usage = await this.usageOf(tx, tasks, instances, bySample, receivedSince);
      const serviceOf = (task: TaskRecord) => (task.group?.startsWith('service:') ? task.group.slice('service:'.length) : undefined);
      const input: ClusterInput = {
        accountId,
        region,
        clusterName: cluster.clusterName,
        containerInsights: insights,
        instances: instances.map((instance) => ({ registered: resourcesOf(instance.registeredResources), remaining: resourcesOf(instance.remainingResources) })),
        usage,
        services: services
          .filter((service) => service.status === 'ACTIVE')
          .map((service) => {
            const own = tasks.filter((task) => serviceOf(task) === service.serviceName);
            return {
              serviceName: service.serviceName,
              desired: service.desiredCount,
              running: own.filter((task) => task.lastStatus === 'RUNNING').length,
              pending: own.filter((task) => ['PROVISIONING', 'PENDING', 'ACTIVATING'].includes(task.lastStatus ?? '')).length,
            };
          }),
        tasks: tasks.map((task) => {
          const serviceName = serviceOf(task);
          return { family: familyOf(task), lastStatus: task.lastStatus ?? '', ...(serviceName !== undefined ? { serviceName } : {}) };
        }),
      };
      inputs.push({ input, running: tasks.map((task) => task.taskArn) });
    }
    return inputs;
  }

  /** The running tasks that have a measured usage, with their reservations. */
  private async usageOf(
    tx: StoreTx,
    tasks: readonly TaskRecord[],
    instances: readonly ContainerInstanceRecord[],
    samples: ReadonlyMap<string, TaskUsageRecord>,
    receivedSince: number,
  ): Promise<TaskUsage[]> {
    const hosts = new Map(instances.map((instance) => [instance.containerInstanceArn, resourcesOf(instance.registeredResources)]));
    const usages: TaskUsage[] = [];
    for (const task of tasks) {
      const agentKey = agentKeyOf(task);
      if (task.lastStatus !== 'RUNNING' || agentKey === undefined) continue;
      const measured = measuredUsage(samples.get(task.taskArn), agentKey, receivedSince);
      if (!measured) continue;
      const definition = task.taskDefinitionArn ? await tx.taskDefinitions.get(task.taskDefinitionArn) : undefined;
      const overrides = new Map((task.overrides?.containerOverrides ?? []).map((override: Wire<ContainerOverride>) => [override.name, override]));
      const containers = (definition?.containerDefinitions ?? []).map((container) => {
        const override = overrides.get(container.name);
        const memory = override?.memory ?? container.memory;
        const memoryReservation = override?.memoryReservation ?? container.memoryReservation;
        const cpu = override?.cpu ?? container.cpu;
        return { ...(cpu !== undefined ? { cpu } : {}), ...(memory !== undefined ? { memory } : {}), ...(memoryReservation !== undefined ? { memoryReservation } : {}) };
      });
      const serviceName = task.group?.startsWith('service:') ? task.group.slice('service:'.length) : undefined;
      usages.push({
        ...(serviceName !== undefined ? { serviceName } : {}),
        family: familyOf(task),
        launchType: task.launchType ?? 'EC2',
        reservation: taskReservation({ ...(task.cpu !== undefined ? { cpu: task.cpu } : {}), ...(task.memory !== undefined ? { memory: task.memory } : {}) }, containers),
        host: (task.containerInstanceArn ? hosts.get(task.containerInstanceArn) : undefined) ?? { cpu: 0, memory: 0 },
        cpuUnitsUsed: measured.cpuUnitsUsed,
        memoryMiBUsed: measured.memoryMiBUsed,
        ...(measured.networkRxBytesPerSecond !== undefined ? { networkRxBytesPerSecond: measured.networkRxBytesPerSecond } : {}),
        ...(measured.networkTxBytesPerSecond !== undefined ? { networkTxBytesPerSecond: measured.networkTxBytesPerSecond } : {}),
      });
    }
    return usages;
  }
}

/** A task's family, from its task definition ARN (…:task-definition/<family>:<revision>). */
function familyOf(task: TaskRecord): string {
  return /task-definition\/([^:]+):/.exec(task.taskDefinitionArn ?? '')?.[1] ?? '';
}
