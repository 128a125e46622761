/**
 * `berth status`: what runs on a Berth, through its own API: the endpoint and whether it answers,
 * each cluster's container instances, its tasks by lastStatus, and its services with their
 * primary deployment's rollout state.
 */
import {
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  paginateListClusters,
  paginateListContainerInstances,
  paginateListServices,
  paginateListTasks,
  type DesiredStatus,
} from '@aws-sdk/client-ecs';
import { Command } from 'commander';
import { cliCredentials, endpointOf, healthOf, withClientOptions, type ClientFlags } from './client-options.js';
import { table } from './table.js';

export interface InstanceStatus {
  id: string;
  arn: string;
  ec2InstanceId?: string;
  status: string;
  agentConnected: boolean;
  runningTasksCount: number;
  pendingTasksCount: number;
}

export interface ServiceStatus {
  name: string;
  status: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  rolloutState?: string;
}

export interface ClusterStatus {
  name: string;
  arn: string;
  status: string;
  containerInstances: InstanceStatus[];
  /** Tasks (desired RUNNING, and those stopped that the cluster still lists) by lastStatus. */
  tasks: Record<string, number>;
  services: ServiceStatus[];
}

export interface BerthStatus {
  endpoint: string;
  version?: string;
  region: string;
  clusters: ClusterStatus[];
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
}

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

async function clusterStatus(client: ECSClient, cluster: string): Promise<ClusterStatus> {
  const [described] = (await client.send(new DescribeClustersCommand({ clusters: [cluster] }))).clusters ?? [];
  const instanceArns = (await collect(paginateListContainerInstances({ client }, { cluster }))).flatMap((page) => page.containerInstanceArns ?? []);
  const containerInstances: InstanceStatus[] = [];
  for (const batch of chunks(instanceArns, 100)) {
    const answer = await client.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: batch }));
    for (const instance of answer.containerInstances ?? []) {
      const arn = instance.containerInstanceArn ?? '';
      containerInstances.push({
        id: arn.slice(arn.lastIndexOf('/') + 1),
        arn,
        ...(instance.ec2InstanceId ? { ec2InstanceId: instance.ec2InstanceId } : {}),
        status: instance.status ?? '',
        agentConnected: instance.agentConnected ?? false,
        runningTasksCount: instance.runningTasksCount ?? 0,
        pendingTasksCount: instance.pendingTasksCount ?? 0,
      });
    }
  }
  const tasks: Record<string, number> = {};
  for (const desiredStatus of ['RUNNING', 'STOPPED'] as DesiredStatus[]) {
    const taskArns = (await collect(paginateListTasks({ client }, { cluster, desiredStatus }))).flatMap((page) => page.taskArns ?? []);
    for (const batch of chunks(taskArns, 100)) {
      for (const task of (await client.send(new DescribeTasksCommand({ cluster, tasks: batch }))).tasks ?? []) {
        const status = task.lastStatus ?? 'UNKNOWN';
        tasks[status] = (tasks[status] ?? 0) + 1;
      }
    }
  }
  const serviceArns = (await collect(paginateListServices({ client }, { cluster }))).flatMap((page) => page.serviceArns ?? []);
  const services: ServiceStatus[] = [];
  for (const batch of chunks(serviceArns, 10)) {
    for (const service of (await client.send(new DescribeServicesCommand({ cluster, services: batch }))).services ?? []) {
      const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
      services.push({
        name: service.serviceName ?? '',
        status: service.status ?? '',
        desiredCount: service.desiredCount ?? 0,
        runningCount: service.runningCount ?? 0,
        pendingCount: service.pendingCount ?? 0,
        ...(primary?.rolloutState ? { rolloutState: primary.rolloutState } : {}),
      });
    }
  }
  return { name: described?.clusterName ?? cluster, arn: described?.clusterArn ?? cluster, status: described?.status ?? '', containerInstances, tasks, services };
}

export async function berthStatus(client: ECSClient, endpoint: string, region: string, version?: string): Promise<BerthStatus> {
  const clusterArns = (await collect(paginateListClusters({ client }, {}))).flatMap((page) => page.clusterArns ?? []);
  const clusters: ClusterStatus[] = [];
  for (const arn of clusterArns) clusters.push(await clusterStatus(client, arn));
  return { endpoint, ...(version ? { version } : {}), region, clusters };
}

const taskOrder = ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'];

export function formatStatus(status: BerthStatus): string[] {
  const lines = [`Berth ${status.version ?? ''} answers at ${status.endpoint} (region ${status.region}).`.replace('Berth  ', 'Berth ')];
  if (status.clusters.length === 0) lines.push('', 'No clusters.');
  for (const cluster of status.clusters) {
    lines.push('', `cluster ${cluster.name} (${cluster.status})`);
    if (cluster.containerInstances.length === 0) lines.push('  container instances: none');
    else {
      lines.push('  container instances:');
      lines.push(
        ...table(
          ['ID', 'INSTANCE', 'STATUS', 'AGENT', 'RUNNING', 'PENDING'],
          cluster.containerInstances.map((instance) => [
            instance.id,
            instance.ec2InstanceId ?? '-',
            instance.status,
            instance.agentConnected ? 'connected' : 'disconnected',
            String(instance.runningTasksCount),
            String(instance.pendingTasksCount),
          ]),
          '    ',
        ),
      );
    }
    const counts = Object.entries(cluster.tasks).sort(([a], [b]) => taskOrder.indexOf(a) - taskOrder.indexOf(b));
    lines.push(`  tasks: ${counts.length === 0 ? 'none' : counts.map(([state, count]) => `${count} ${state}`).join(', ')}`);
    if (cluster.services.length === 0) lines.push('  services: none');
    else {
      lines.push('  services:');
      lines.push(
        ...table(
          ['NAME', 'STATUS', 'DESIRED', 'RUNNING', 'PENDING', 'ROLLOUT'],
          cluster.services.map((service) => [
            service.name,
            service.status,
            String(service.desiredCount),
            String(service.runningCount),
            String(service.pendingCount),
            service.rolloutState ?? '-',
          ]),
          '    ',
        ),
      );
    }
  }
  return lines;
}

export function statusCommand(): Command {
  return withClientOptions(
    new Command('status')
      .summary('what runs: endpoint, clusters, container instances, tasks and services')
      .description('say what runs on a Berth: whether its endpoint answers, each cluster with its container instances, tasks by lastStatus, and services with their rollout state')
      .option('--json', 'print the status as JSON'),
  ).action(async (flags: ClientFlags & { json?: boolean }) => {
    const endpoint = endpointOf(flags);
    const health = await healthOf(endpoint);
    if (!health) {
      process.stderr.write(`berth: no Berth answers at ${endpoint}/_berth/health: start one with 'berth up', or pass --endpoint.\n`);
      process.exit(1);
    }
    const credentials = await cliCredentials(flags.dataDir, flags.accountId, flags.keyFile);
    const client = new ECSClient({ endpoint, region: flags.region, credentials, maxAttempts: 2 });
    try {
      const status = await berthStatus(client, endpoint, flags.region, health.version);
      process.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : `${formatStatus(status).join('\n')}\n`);
    } finally {
      client.destroy();
    }
  });
}
