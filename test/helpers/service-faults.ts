/**
 * Service fault tests on the real Docker engine: what ECS users see of a service (DescribeServices,
 * ListTasks, DescribeTasks) and what Docker itself runs for it, found by the labels the agent sets.
 */
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type DesiredStatus,
  type ECSClient,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import Docker from 'dockerode';
import { socketPathFromEnvironment } from '../../src/agent/runtime/docker-runtime.js';
import { labels } from '../../src/agent/runtime/types.js';
import type { AdvancingClock } from '../../src/core/clock.js';
import { eventually } from './agent.js';
import type { TestBerth } from './berth.js';
import { proveRunning } from './services.js';

export const docker = new Docker({ socketPath: socketPathFromEnvironment() });

export interface ServiceContainer {
  id: string;
  taskArn: string;
  /** The task definition revision the container was created from. */
  revision: number;
}

/**
 * The app containers of a task definition family that the agent `owner` created, running ones
 * only unless `all`.
 */
export async function serviceContainers(owner: string, family: string, options: { all?: boolean } = {}): Promise<ServiceContainer[]> {
  const summaries = await docker.listContainers({
    all: options.all === true,
    filters: { label: [`${labels.owner}=${owner}`, `${labels.family}=${family}`, `${labels.role}=app`], ...(options.all ? {} : { status: ['running'] }) },
  });
  return summaries.map((summary) => ({
    id: summary.Id,
    taskArn: summary.Labels[labels.taskArn] ?? '',
    revision: Number(summary.Labels[labels.revision]),
  }));
}

export async function describeService(ecs: ECSClient, cluster: string, service: string): Promise<Service> {
  const { services, failures } = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const found = services?.[0];
  if (!found) throw new Error(`service ${service} not described: ${JSON.stringify(failures)}`);
  return found;
}

async function listTaskArns(ecs: ECSClient, cluster: string, serviceName: string, desiredStatus: DesiredStatus): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus, ...(nextToken ? { nextToken } : {}) }));
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

export async function describeTasks(ecs: ECSClient, cluster: string, arns: string[]): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let index = 0; index < arns.length; index += 100) {
    const { tasks: described } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(index, index + 100) }));
    tasks.push(...(described ?? []));
  }
  return tasks;
}

/** Every task the service has launched that ListTasks still knows of: meant to run, and stopped. */
export async function serviceTasks(ecs: ECSClient, cluster: string, service: string, desiredStatus?: DesiredStatus): Promise<Task[]> {
  const statuses: DesiredStatus[] = desiredStatus ? [desiredStatus] : ['RUNNING', 'STOPPED'];
  const arns = (await Promise.all(statuses.map((status) => listTaskArns(ecs, cluster, service, status)))).flat();
  return describeTasks(ecs, cluster, [...new Set(arns)]);
}

export const revisionOf = (task: Pick<Task, 'taskDefinitionArn'>) => Number(task.taskDefinitionArn?.split(':').pop());

/** The server's clock, which a test moves past the proving window instead of waiting it out. */
export interface Proving {
  berth: TestBerth;
  clock: AdvancingClock;
}

/**
 * Once the service's only deployment (of `taskDefinitionArn`, still IN_PROGRESS) has `count` tasks
 * RUNNING, moves the clock to where the last of them has been running for the proving window, and
 * runs the scheduler's passes. Tasks that started later, or that are not running yet, are not
 * proven by it; calling it again changes nothing until another task starts.
 */
export async function passProvingWindow(ecs: ECSClient, cluster: string, described: Service, count: number, taskDefinitionArn: string, proving: Proving): Promise<void> {
  const [deployment, ...others] = described.deployments ?? [];
  if (others.length > 0 || deployment?.taskDefinition !== taskDefinitionArn || deployment.rolloutState !== 'IN_PROGRESS' || described.runningCount !== count) return;
  const running = (await serviceTasks(ecs, cluster, described.serviceName!, 'RUNNING')).filter(
    (task) => task.lastStatus === 'RUNNING' && task.taskDefinitionArn === taskDefinitionArn && task.startedAt,
  );
  if (running.length === count) await proveRunning(proving.berth, proving.clock, running);
}

/**
 * Waits for the service to stand still: one deployment, COMPLETED, of `taskDefinitionArn`, with
 * `count` tasks running, and its latest event the steady-state one. With `proving`, the proving
 * window passes on the server's clock once the tasks run, instead of in real time.
 */
export function steady(
  ecs: ECSClient,
  cluster: string,
  service: string,
  count: number,
  taskDefinitionArn: string,
  timeoutMs = 30_000,
  proving?: Proving,
): Promise<Service> {
  return eventually(
    async () => {
      const described = await describeService(ecs, cluster, service);
      const [deployment, ...others] = described.deployments ?? [];
      const done =
        others.length === 0 &&
        deployment?.rolloutState === 'COMPLETED' &&
        deployment.taskDefinition === taskDefinitionArn &&
        described.runningCount === count &&
        described.pendingCount === 0 &&
        described.events?.[0]?.message === `(service ${service}) has reached a steady state.`;
      if (!done && proving) await passProvingWindow(ecs, cluster, described, count, taskDefinitionArn, proving);
      return done ? described : undefined;
    },
    timeoutMs,
    `${service} steady with ${count} tasks of ${taskDefinitionArn}`,
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Event messages, oldest first. */
export const messagesOf = (service: Service) => (service.events ?? []).map((event) => event.message ?? '').reverse();
