/**
 * AWS/ECS metrics from real containers: a CPU-bound service task on Docker (task cpu 256, so
 * capped at a quarter of a vCPU) whose published CPUUtilization, read through
 * @aws-sdk/client-cloudwatch, matches what its cgroup counted. The agent samples every second;
 * the publisher runs on a clock the test moves (5-second periods).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateClusterCommand, UpdateClusterSettingsCommand, DescribeContainerInstancesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { socketPathFromEnvironment } from '../../src/agent/runtime/docker-runtime.js';
import { AdvancingClock } from '../../src/core/clock.js';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { createBurnService, runningBurnTask } from '../helpers/burn-service.js';

const dockerUp = await dockerAvailable();
const periodMs = 5_000;
/** Percentage points between what the cgroup counted over a few seconds and the published point (taken over another second or so). */
const tolerance = 15;

/** The CPU time (ns) the container's cgroup has counted, read on the host: cgroup v2 cpu.stat usage_usec, or v1 cpuacct.usage. */
function cgroupCpuNanoseconds(pid: number): number {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  const unified = lines.find((line) => line.startsWith('0::'));
  const v1 = lines.find((line) => /^\d+:[^:]*\bcpuacct\b[^:]*:/.test(line));
  if (v1) {
    const [, controllers, path] = v1.split(':');
    return Number(readFileSync(`/sys/fs/cgroup/${controllers}${path}/cpuacct.usage`, 'utf8').trim());
  }
  if (!unified) throw new Error(`no cpu accounting cgroup for pid ${pid}`);
  const stat = readFileSync(`/sys/fs/cgroup${unified.slice(3)}/cpu.stat`, 'utf8');
  return Number(/usage_usec (\d+)/.exec(stat)?.[1]) * 1000;
}

describe('AWS/ECS metrics from real containers', { skip: dockerUp ? false : 'no Docker engine reachable' }, () => {
  const clock = new AdvancingClock();
  let berth: TestBerth;
  let agent: TestAgent;
  let ecs: ECSClient;
  let cloudwatch: CloudWatchClient;
  const startedAt = Date.now();

  const statistic = async (metricName: string, dimensions: Record<string, string>, stat: 'Average' | 'Maximum', namespace = 'AWS/ECS') => {
    const { Datapoints = [] } = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: namespace,
        MetricName: metricName,
        Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
        StartTime: new Date(startedAt - 600_000),
        EndTime: new Date(clock.now().getTime() + 600_000),
        Period: 5,
        Statistics: [stat],
      }),
    );
    return Datapoints.sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime());
  };

  before(async () => {
    const image = await buildBusyboxImage();
    berth = await startBerth({ metricPeriodSeconds: 5 }, { clock });
    ecs = berth.ecs();
    cloudwatch = new CloudWatchClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = await startTestAgent(berth, { statsIntervalMs: 1_000 });
    await createBurnService(ecs, image);
  });
  after(async () => {
    await agent?.close();
    cloudwatch?.destroy();
    await berth?.close();
  });

  it('CPUUtilization of a CPU-bound service matches its cgroup’s own accounting', async (t) => {
    const task = await runningBurnTask(ecs);
    const pid = (await new Docker({ socketPath: socketPathFromEnvironment() }).getContainer(task.containers![0]!.runtimeId!).inspect()).State.Pid;

    // What the kernel counted, over 3 s of real time (the container burns CPU meanwhile; no timer of Berth's is waited on).
    const cpuBefore = cgroupCpuNanoseconds(pid);
    const wallBefore = process.hrtime.bigint();
    await sleep(3_000);
    const counted = cgroupCpuNanoseconds(pid) - cpuBefore;
    const wall = Number(process.hrtime.bigint() - wallBefore);
    const expected = ((counted / wall) * 1024 * 100) / 256;

    // The agent has sent samples every second meanwhile: end the period on the clock and have it published.
    const points = await eventually(async () => {
      clock.advance(periodMs);
      await berth.server.ecsMetrics.settle();
      const found = await statistic('CPUUtilization', { ClusterName: 'default', ServiceName: 'burn' }, 'Average');
      return found.length > 0 ? found : undefined;
    }, 20_000, 'a CPUUtilization point for the service');
    const published = points.at(-1)!.Average!;
    t.diagnostic(`CPUUtilization published ${published.toFixed(1)} %, cgroup ${expected.toFixed(1)} %`);
    assert.equal(points.at(-1)!.Unit, 'Percent');
    assert.ok(Math.abs(published - expected) <= tolerance, `published ${published.toFixed(1)} % vs the cgroup's ${expected.toFixed(1)} % (tolerance ${tolerance} points)`);
    // Capped at its 256 units: about 100 %, not the 400 % one busy core would be.
    assert.ok(published > 50 && published < 130, `a task capped at its reservation: ${published}`);

    const memory = await statistic('MemoryUtilization', { ClusterName: 'default', ServiceName: 'burn' }, 'Average');
    assert.ok(memory.length > 0 && memory.at(-1)!.Average! > 0 && memory.at(-1)!.Average! < 100, `memory utilization: ${JSON.stringify(memory.at(-1))}`);

    // Cluster reservation: the task's 256 units of what the instance registered.
    const instanceArn = agent.agent.registration.containerInstanceArn!;
    const { containerInstances = [] } = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'default', containerInstances: [instanceArn] }));
    const registered = containerInstances[0]!.registeredResources!.find((resource) => resource.name === 'CPU')!.integerValue!;
    const reservation = await statistic('CPUReservation', { ClusterName: 'default' }, 'Maximum');
    assert.equal(reservation.at(-1)?.Maximum, (256 * 100) / registered);
    const clusterCpu = await statistic('CPUUtilization', { ClusterName: 'default' }, 'Average');
    assert.ok(Math.abs(clusterCpu.at(-1)!.Average! - (published * 256) / registered) < 1, 'the cluster’s CPUUtilization is the task’s units over the instance’s');

    // No Container Insights while the cluster's setting is disabled (the default).
    assert.deepEqual(await statistic('CpuUtilized', { ClusterName: 'default', ServiceName: 'burn' }, 'Average', 'ECS/ContainerInsights'), []);
  });

  it('Container Insights task and service metrics once the cluster enables them', async () => {
    await ecs.send(new UpdateClusterSettingsCommand({ cluster: 'default', settings: [{ name: 'containerInsights', value: 'enabled' }] }));
    const insight = (metricName: string, dimensions: Record<string, string>) => statistic(metricName, dimensions, 'Maximum', 'ECS/ContainerInsights');
    const service = { ClusterName: 'default', ServiceName: 'burn' };
    const used = await eventually(async () => {
      clock.advance(periodMs);
      await berth.server.ecsMetrics.settle();
      const found = await insight('CpuUtilized', service);
      return found.length > 0 ? found : undefined;
    }, 20_000, 'a CpuUtilized point');
    // About a quarter of a vCPU: its 256 units.
    assert.ok(used.at(-1)!.Maximum! > 128 && used.at(-1)!.Maximum! < 340, `CpuUtilized ${used.at(-1)!.Maximum}`);
    assert.equal((await insight('CpuReserved', service)).at(-1)?.Maximum, 256);
    assert.equal((await insight('MemoryReserved', service)).at(-1)?.Maximum, 128);
    assert.equal((await insight('RunningTaskCount', service)).at(-1)?.Maximum, 1);
    assert.equal((await insight('DesiredTaskCount', service)).at(-1)?.Maximum, 1);
    assert.equal((await insight('RunningTaskCount', { ClusterName: 'default', TaskDefinitionFamily: 'burn' })).at(-1)?.Maximum, 1);
  });
});
