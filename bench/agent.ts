/**
 * Agent benchmarks (prints figures, asserts nothing):
 *  1. start latency: RunTask → lastStatus RUNNING for a cached image, against `docker run -d` of the
 *     same image, median of 20 each, and the ratio;
 *  2. simulated scale: 1,000 simulated instances, 50,000 tasks from PENDING to RUNNING: tasks/s and
 *     the control plane's peak memory.
 *
 * BERTH_BENCH_LATENCY_RUNS, BERTH_BENCH_SIM_INSTANCES and BERTH_BENCH_SIM_TASKS scale them down for quick runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CreateClusterCommand, DescribeClustersCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import type { RunningAgent } from '../src/agent/agent.js';
import { buildBusyboxImage, dockerAvailable } from '../test/helpers/images.js';
import { benchClient, fmt, load, startBerthProcess, startDockerBenchAgent, startSimulatedFleet, whenInterrupted, type BenchAgent } from './support.js';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function startLatency(runs = 20): Promise<void> {
  if (!(await dockerAvailable())) {
    console.log('start latency: skipped, no Docker engine reachable');
    return;
  }
  const image = await buildBusyboxImage();
  const server = await startBerthProcess();
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-agent-'));
  const ecs = benchClient(server.url, 8);
  let agent: BenchAgent | undefined;
  // The plain `docker run` containers the comparison starts, until each is removed.
  const plain = new Set<string>();
  const removePlain = () => {
    for (const id of plain) execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
    plain.clear();
  };
  const forgetPlain = whenInterrupted(removePlain);
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = await startDockerBenchAgent(server.url, dataDir);
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'latency', containerDefinitions: [{ name: 'main', image, memory: 16, command: ['sleep', '600'], stopTimeout: 2 }] }));
    const berthMs: number[] = [];
    const dockerMs: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      const { tasks } = await ecs.send(new RunTaskCommand({ cluster: 'default', taskDefinition: 'latency', launchType: 'EC2' }));
      const arn = tasks![0]!.taskArn!;
      for (;;) {
        const { tasks: described } = await ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: [arn] }));
        if (described?.[0]?.lastStatus === 'RUNNING') break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      berthMs.push(performance.now() - started);
      await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn }));

      const before = performance.now();
      const id = execFileSync('docker', ['run', '-d', '--memory', '16m', image, 'sleep', '600'], { encoding: 'utf8' }).trim();
      dockerMs.push(performance.now() - before);
      plain.add(id);
      removePlain();
    }
    const berth = median(berthMs);
    const docker = median(dockerMs);
    console.log(`start latency, median of ${runs}: RunTask → RUNNING ${fmt(berth)} ms; docker run -d ${fmt(docker)} ms; ratio ${fmt(berth / docker, 2)} (target ≤ 1.3)`);
    console.log(`  (RunTask → RUNNING is observed by polling DescribeTasks every 5 ms; the agent pulls with prefer-cached)`);
  } finally {
    // Removes the tasks' containers too: the last ones are still stopping, and stopped ones wait for the agent's clean-up.
    await agent?.stop();
    removePlain();
    forgetPlain();
    ecs.destroy();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function simulatedScale(instances = 1000, taskCount = 50_000): Promise<void> {
  const server = await startBerthProcess();
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-sim-'));
  const ecs = benchClient(server.url, 32);
  let agents: RunningAgent[] = [];
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    const registering = performance.now();
    agents = await startSimulatedFleet(server.url, dataDir, instances, 1);
    console.log(`simulated scale: ${instances} simulated instances registered and connected in ${fmt((performance.now() - registering) / 1000)} s`);
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'sim', containerDefinitions: [{ name: 'main', image: 'simulated/app:1', memory: 64, cpu: 16 }] }));
    const started = performance.now();
    await load(16, taskCount / 10, () => ecs.send(new RunTaskCommand({ cluster: 'default', taskDefinition: 'sim', count: 10, launchType: 'EC2' })));
    const placedSeconds = (performance.now() - started) / 1000;
    let running = 0;
    for (;;) {
      const { clusters } = await ecs.send(new DescribeClustersCommand({ clusters: ['default'] }));
      running = clusters?.[0]?.runningTasksCount ?? 0;
      if (running >= taskCount || performance.now() - started > 600_000) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `simulated scale: ${taskCount} tasks placed in ${fmt(placedSeconds)} s; ${running} RUNNING after ${fmt(seconds)} s → ${fmt(running / seconds, 0)} tasks/s PENDING→RUNNING; control plane peak RSS ${fmt(await server.peakRssMiB(), 0)} MiB`,
    );
  } finally {
    await Promise.all(agents.map((agent) => agent.stop()));
    ecs.destroy();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function main(): Promise<void> {
  await startLatency(process.env.BERTH_BENCH_LATENCY_RUNS ? Number(process.env.BERTH_BENCH_LATENCY_RUNS) : 20);
  const scale = process.env.BERTH_BENCH_SIM_INSTANCES ? Number(process.env.BERTH_BENCH_SIM_INSTANCES) : 1000;
  const tasks = process.env.BERTH_BENCH_SIM_TASKS ? Number(process.env.BERTH_BENCH_SIM_TASKS) : 50_000;
  await simulatedScale(scale, tasks);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
