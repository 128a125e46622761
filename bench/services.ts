/**
 * Service scheduler benchmarks (prints figures, asserts nothing):
 *  1. simulated capacity: 1,000 simulated instances, one REPLICA service scaled from 0 to 5,000
 *     tasks by UpdateService; time until all are placed and until the service is stable (what
 *     `aws ecs wait services-stable` checks), the control plane's peak memory, and how the tasks
 *     spread over instances and availability zones. Target: stable in < 30 s.
 *  2. rolling deployment on Docker: a 10-task service with a container health check on one real
 *     agent, rolled to a new revision three times (minimumHealthyPercent 100, maximumPercent 200);
 *     UpdateService → stable, with a breakdown. Target: < 30 s.
 *
 * BERTH_BENCH_SVC_INSTANCES and BERTH_BENCH_SVC_TASKS scale the first one down for quick runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type ECSClient,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import type { RunningAgent } from '../src/agent/agent.js';
import { buildBusyboxImage, dockerAvailable } from '../test/helpers/images.js';
import { benchClient, fmt, load, startBerthProcess, startDockerBenchAgent, startSimulatedFleet, type BenchAgent } from './support.js';

const cluster = 'default';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const seconds = (fromMs: number, toMs: number | undefined) => (toMs === undefined ? 'never' : `${fmt((toMs - fromMs) / 1000)} s`);

async function describeService(ecs: ECSClient, service: string): Promise<Service> {
  const { services, failures } = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const found = services?.[0];
  if (!found) throw new Error(`DescribeServices found no service ${service}: ${JSON.stringify(failures)}`);
  return found;
}

/** What `aws ecs wait services-stable` checks: one deployment, and as many tasks running as desired. */
const isStable = (service: Service) => service.deployments?.length === 1 && service.runningCount === service.desiredCount;

/** Waits for `isStable`, and with `completed` also for the deployment to be COMPLETED: every task healthy. */
async function waitStable(ecs: ECSClient, service: string, timeoutMs: number, completed = false): Promise<Service> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const described = await describeService(ecs, service);
    if (isStable(described) && (!completed || described.deployments?.[0]?.rolloutState === 'COMPLETED')) return described;
    if (performance.now() > deadline) throw new Error(`service ${service} not stable after ${timeoutMs / 1000} s: ${described.runningCount}/${described.desiredCount} running, ${described.deployments?.length} deployments`);
    await sleep(100);
  }
}

/** Every task of the service, described (desiredStatus RUNNING unless asked otherwise). */
async function serviceTasks(ecs: ECSClient, service: string, desiredStatus: 'RUNNING' | 'STOPPED' = 'RUNNING'): Promise<Task[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus, maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return describeTasks(ecs, arns);
}

async function describeTasks(ecs: ECSClient, arns: string[]): Promise<Task[]> {
  const chunks: string[][] = [];
  for (let index = 0; index < arns.length; index += 100) chunks.push(arns.slice(index, index + 100));
  const described: Task[] = [];
  await load(8, chunks.length, async (index) => {
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: chunks[index]! }));
    described.push(...(tasks ?? []));
  });
  return described;
}

async function containerInstanceArns(ecs: ECSClient): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListContainerInstancesCommand({ cluster, maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
    arns.push(...(page.containerInstanceArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

/** Scales the service to zero, waits for its tasks to stop, and deletes it; best effort. */
async function removeService(ecs: ECSClient, service: string, timeoutMs: number): Promise<void> {
  try {
    await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: 0 }));
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const tasks = await serviceTasks(ecs, service, 'RUNNING');
      const stopping = await serviceTasks(ecs, service, 'STOPPED');
      if (tasks.length === 0 && stopping.every((task) => task.lastStatus === 'STOPPED')) break;
      await sleep(250);
    }
    await ecs.send(new DeleteServiceCommand({ cluster, service, force: true }));
  } catch (error) {
    console.log(`  (could not remove service ${service}: ${error instanceof Error ? error.message : String(error)})`);
  }
}

async function simulatedCapacity(instances: number, taskCount: number): Promise<void> {
  const server = await startBerthProcess();
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-svc-sim-'));
  const ecs = benchClient(server.url, 32);
  let agents: RunningAgent[] = [];
  const service = 'scale';
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const registering = performance.now();
    agents = await startSimulatedFleet(server.url, dataDir, instances, 8);
    console.log(`service scale: ${instances} simulated instances registered and connected in ${fmt((performance.now() - registering) / 1000)} s`);

    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'svc-sim', containerDefinitions: [{ name: 'main', image: 'simulated/app:1', memory: 64, cpu: 16 }] }));
    await ecs.send(new CreateServiceCommand({ cluster, serviceName: service, taskDefinition: 'svc-sim', desiredCount: 0, launchType: 'EC2' }));
    await waitStable(ecs, service, 30_000);

    const cpuBefore = await server.cpuSeconds();
    const updatedAtMs = Date.now();
    const started = performance.now();
    await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: taskCount }));
    let placedAt: number | undefined;
    let stableAt: number | undefined;
    let last: Service | undefined;
    while (performance.now() - started < 600_000) {
      last = await describeService(ecs, service);
      const now = performance.now();
      if (placedAt === undefined && (last.pendingCount ?? 0) + (last.runningCount ?? 0) >= taskCount) placedAt = now;
      if (last.desiredCount === taskCount && isStable(last)) {
        stableAt = now;
        break;
      }
      await sleep(100);
    }
    const cpu = (await server.cpuSeconds()) - cpuBefore;
    // The steady-state event follows once the tasks have proven themselves (10 s healthy).
    const steadyAfter = (events: Service['events']) =>
      (events ?? []).find((event) => event.message?.endsWith('has reached a steady state.') && (event.createdAt?.getTime() ?? 0) >= updatedAtMs);
    let steadyEvent = steadyAfter(last?.events);
    while (!steadyEvent && performance.now() - started < 660_000) {
      await sleep(250);
      steadyEvent = steadyAfter((await describeService(ecs, service)).events);
    }
    const steadyEventSeconds = steadyEvent?.createdAt ? `${fmt((steadyEvent.createdAt.getTime() - updatedAtMs) / 1000)} s` : 'not seen';
    console.log(
      `service scale: UpdateService desiredCount 0 → ${taskCount}: all placed (pending + running = ${taskCount}) after ${seconds(started, placedAt)}; ` +
        `stable (one deployment, ${last?.runningCount ?? 0} running: what aws ecs wait services-stable checks) after ${seconds(started, stableAt)} (target < 30 s); ` +
        `"has reached a steady state." event (every task healthy for 10 s) at ${steadyEventSeconds}`,
    );
    console.log(`service scale: control plane peak RSS ${fmt(await server.peakRssMiB(), 0)} MiB; ${fmt(cpu)} CPU seconds from UpdateService to stable`);

    const tasks = await serviceTasks(ecs, service);
    const perInstance = new Map<string, number>((await containerInstanceArns(ecs)).map((arn) => [arn, 0]));
    const perZone = new Map<string, number>();
    for (const task of tasks) {
      if (task.containerInstanceArn) perInstance.set(task.containerInstanceArn, (perInstance.get(task.containerInstanceArn) ?? 0) + 1);
      const zone = task.availabilityZone ?? '(none)';
      perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
    }
    const counts = [...perInstance.values()];
    const zones = [...perZone.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([zone, count]) => `${zone} ${count}`);
    console.log(
      `service scale: spread of ${tasks.length} tasks over ${perInstance.size} instances: min ${Math.min(...counts)}, max ${Math.max(...counts)} per instance; per zone: ${zones.join(', ')}`,
    );
  } finally {
    await Promise.all(agents.map((agent) => agent.stop()));
    ecs.destroy();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface RolloutFigures {
  stable: number;
  newRunning?: number;
  newHealthy?: number;
  oldStopped?: number;
}

async function rollingDeployment(runs = 3, desired = 10, stopTimeout = 2): Promise<void> {
  if (!(await dockerAvailable())) {
    console.log('rolling deployment: skipped, no Docker engine reachable');
    return;
  }
  const image = await buildBusyboxImage();
  const server = await startBerthProcess();
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-svc-roll-'));
  const ecs = benchClient(server.url, 8);
  const service = 'rolling';
  let agent: BenchAgent | undefined;
  let created = false;
  const container = (revision: number): ContainerDefinition => ({
    name: 'main',
    image,
    memory: 16,
    command: ['sleep', '600'],
    stopTimeout,
    environment: [{ name: 'REVISION', value: String(revision) }],
    healthCheck: { command: ['CMD-SHELL', 'true'], interval: 5, timeout: 2, retries: 1, startPeriod: 0 },
  });
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    agent = await startDockerBenchAgent(server.url, dataDir);
    const first = await ecs.send(new RegisterTaskDefinitionCommand({ family: 'rolling', containerDefinitions: [container(1)] }));
    const creating = performance.now();
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: service,
        taskDefinition: first.taskDefinition!.taskDefinitionArn!,
        desiredCount: desired,
        launchType: 'EC2',
        deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
      }),
    );
    created = true;
    await waitStable(ecs, service, 120_000);
    const stableAfter = (performance.now() - creating) / 1000;
    // Each rollout starts from healthy tasks, as a production rollout does.
    await waitStable(ecs, service, 120_000, true);
    console.log(
      `rolling deployment: CreateService with ${desired} tasks → stable in ${fmt(stableAfter)} s, deployment COMPLETED (all HEALTHY) in ${fmt((performance.now() - creating) / 1000)} s`,
    );

    const figures: RolloutFigures[] = [];
    for (let run = 1; run <= runs; run++) {
      const registered = await ecs.send(new RegisterTaskDefinitionCommand({ family: 'rolling', containerDefinitions: [container(run + 1)] }));
      const definitionArn = registered.taskDefinition!.taskDefinitionArn!;
      const oldArns = (await serviceTasks(ecs, service)).map((task) => task.taskArn!);
      const started = performance.now();
      await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: definitionArn }));
      const result: Partial<RolloutFigures> = {};
      while (performance.now() - started < 300_000) {
        const [described, listed] = await Promise.all([
          describeService(ecs, service),
          ecs.send(new ListTasksCommand({ cluster, serviceName: service, maxResults: 100 })),
        ]);
        const tasks = await describeTasks(ecs, [...new Set([...oldArns, ...(listed.taskArns ?? [])])]);
        const now = performance.now() - started;
        const fresh = tasks.filter((task) => task.taskDefinitionArn === definitionArn && task.desiredStatus === 'RUNNING');
        const old = tasks.filter((task) => oldArns.includes(task.taskArn!));
        if (result.newRunning === undefined && fresh.filter((task) => task.lastStatus === 'RUNNING').length >= desired) result.newRunning = now;
        if (result.newHealthy === undefined && fresh.filter((task) => task.healthStatus === 'HEALTHY').length >= desired) result.newHealthy = now;
        if (result.oldStopped === undefined && old.every((task) => task.lastStatus === 'STOPPED')) result.oldStopped = now;
        const deployment = described.deployments?.[0];
        if (isStable(described) && deployment?.taskDefinition === definitionArn && deployment.rolloutState === 'COMPLETED') {
          result.stable = now;
          break;
        }
        await sleep(50);
      }
      if (result.stable === undefined) {
        console.log(`rolling deployment ${run}: not stable after 300 s; giving up`);
        break;
      }
      figures.push(result as RolloutFigures);
      const at = (ms: number | undefined) => (ms === undefined ? 'never' : `${fmt(ms / 1000)} s`);
      console.log(
        `rolling deployment ${run}: UpdateService → stable (one deployment, COMPLETED, ${desired} running) ${at(result.stable)}; ` +
          `all new tasks RUNNING ${at(result.newRunning)}, HEALTHY ${at(result.newHealthy)}; all old tasks STOPPED ${at(result.oldStopped)}`,
      );
    }
    if (figures.length > 0) {
      console.log(
        `rolling deployment: median of ${figures.length}: ${fmt(median(figures.map((figure) => figure.stable)) / 1000)} s UpdateService → stable (target < 30 s)`,
      );
      console.log(
        `  (${desired} tasks on one Docker agent, minimumHealthyPercent 100 / maximumPercent 200; health check CMD-SHELL true every 5 s, so a new task is HEALTHY ~5 s after it starts and proven (old tasks may stop for it) 10 s after it starts;` +
          ` stopTimeout ${stopTimeout} s: the old tasks' sleep, as PID 1, ignores SIGTERM and is killed after ${stopTimeout} s)`,
      );
    }
  } finally {
    if (created) await removeService(ecs, service, 60_000);
    // The agent leaves containers running when it stops; this removes any the service left behind.
    await agent?.stop();
    ecs.destroy();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function main(): Promise<void> {
  const instances = process.env.BERTH_BENCH_SVC_INSTANCES ? Number(process.env.BERTH_BENCH_SVC_INSTANCES) : 1000;
  const tasks = process.env.BERTH_BENCH_SVC_TASKS ? Number(process.env.BERTH_BENCH_SVC_TASKS) : 5000;
  await simulatedCapacity(instances, tasks);
  await rollingDeployment();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
