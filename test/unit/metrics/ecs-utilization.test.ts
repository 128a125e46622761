/** ECS's utilization arithmetic: reservations, CPU units from CPU time, memory as ECS counts it, and the points of a period. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuUnitsUsed, ecsMetricPoints, memoryBytesUsed, taskReservation, taskUtilization, type ClusterInput, type TaskUsage } from '../../../src/metrics/ecs-utilization.js';

const host = { cpu: 2048, memory: 3840 };
const task = (serviceName: string | undefined, cpuUnits: number, memoryMiB: number, reservation = { cpu: 256, memory: 512 }): TaskUsage => ({
  ...(serviceName !== undefined ? { serviceName } : {}),
  family: serviceName !== undefined ? `${serviceName}-family` : 'batch',
  launchType: 'EC2',
  reservation,
  host,
  cpuUnitsUsed: cpuUnits,
  memoryMiBUsed: memoryMiB,
});

/** "metric dims" → value, for compact comparisons. */
function flatten(points: ReturnType<typeof ecsMetricPoints>): Record<string, unknown> {
  return Object.fromEntries(points.map((point) => [`${point.namespace} ${point.metricName} ${point.dimensions.map((d) => d.value).join(',')}`, point.value.kind === 'value' ? point.value.value : point.value]));
}

describe('ECS utilization arithmetic', () => {
  const reservations: [string, { cpu?: string; memory?: string }, { cpu?: number; memory?: number; memoryReservation?: number }[], { cpu: number; memory: number }][] = [
    ['task-level values win', { cpu: '256', memory: '512' }, [{ cpu: 128, memory: 1024 }], { cpu: 256, memory: 512 }],
    ['else the sum over containers (memory, else memoryReservation)', {}, [{ cpu: 128, memory: 300 }, { cpu: 64, memoryReservation: 100 }], { cpu: 192, memory: 400 }],
    ['task cpu only: memory from containers', { cpu: '1024' }, [{ memory: 256 }], { cpu: 1024, memory: 256 }],
    ['nothing reserved', {}, [{}], { cpu: 0, memory: 0 }],
  ];
  for (const [name, level, containers, expected] of reservations) it(`reservation: ${name}`, () => assert.deepEqual(taskReservation(level, containers), expected));

  const cpu: [number, number, number][] = [
    // CPU ns used, wall ms, units
    [10e9, 10_000, 1024], // one full core
    [2.5e9, 10_000, 256],
    [20e9, 10_000, 2048], // two cores
    [0, 10_000, 0],
    [1e9, 0, 0], // no time passed: nothing to divide by
  ];
  for (const [ns, ms, units] of cpu) it(`${ns} ns of CPU in ${ms} ms is ${units} units`, () => assert.equal(cpuUnitsUsed(ns, ms), units));

  it('memory: usage minus the page cache, cgroup v1 and v2', () => {
    assert.equal(memoryBytesUsed({ usage: 100 << 20, stats: { cache: 40 << 20 } }), 60 << 20);
    assert.equal(memoryBytesUsed({ usage: 100 << 20, stats: { inactive_file: 10 << 20, anon: 90 << 20 } }), 90 << 20);
    assert.equal(memoryBytesUsed({ usage: 5 }), 5);
    assert.equal(memoryBytesUsed(undefined), 0);
  });

  it('a task that reserves nothing is measured against its host', () => {
    assert.deepEqual(taskUtilization(task('web', 1024, 384, { cpu: 0, memory: 0 })), { cpu: 50, memory: 10 });
    assert.deepEqual(taskUtilization(task('web', 512, 128)), { cpu: 200, memory: 25 });
  });
});

describe('ECS metric points of a period', () => {
  const cluster: ClusterInput = {
    accountId: '000000000000',
    region: 'us-east-1',
    clusterName: 'default',
    containerInsights: false,
    instances: [{ registered: host, remaining: { cpu: 2048 - 512, memory: 3840 - 1024 } }],
    usage: [task('web', 256, 256), task('web', 128, 128)],
    services: [{ serviceName: 'web', desired: 3, running: 2, pending: 1 }],
    tasks: [
      { family: 'web-family', serviceName: 'web', lastStatus: 'RUNNING' },
      { family: 'web-family', serviceName: 'web', lastStatus: 'RUNNING' },
      { family: 'web-family', serviceName: 'web', lastStatus: 'PENDING' },
    ],
  };

  it('the worked example: AWS/ECS per service as a statistic set over its tasks, per cluster against the instances', () => {
    assert.deepEqual(flatten(ecsMetricPoints(cluster, 0)), {
      'AWS/ECS CPUUtilization default,web': { kind: 'statistics', sampleCount: 2, sum: 150, minimum: 50, maximum: 100 },
      'AWS/ECS MemoryUtilization default,web': { kind: 'statistics', sampleCount: 2, sum: 75, minimum: 25, maximum: 50 },
      'AWS/ECS CPUUtilization default': 18.75,
      'AWS/ECS MemoryUtilization default': 10,
      'AWS/ECS CPUReservation default': 25,
      'AWS/ECS MemoryReservation default': (1024 * 100) / 3840,
    });
  });

  it('Fargate tasks count for their service, not against the cluster’s instances; no instances, no cluster utilization', () => {
    const fargate = { ...task('web', 512, 256), launchType: 'FARGATE' };
    const points = flatten(ecsMetricPoints({ ...cluster, instances: [], usage: [fargate] }, 0));
    assert.deepEqual(Object.keys(points), ['AWS/ECS CPUUtilization default,web', 'AWS/ECS MemoryUtilization default,web']);
  });

  it('Container Insights: usage, reservations and task counts per service, family and cluster, only when enabled', () => {
    const flat = flatten(ecsMetricPoints({ ...cluster, containerInsights: true }, 0));
    assert.equal(flat['ECS/ContainerInsights CpuUtilized default,web'], 384);
    assert.equal(flat['ECS/ContainerInsights CpuReserved default,web'], 512);
    assert.equal(flat['ECS/ContainerInsights MemoryUtilized default,web'], 384);
    assert.equal(flat['ECS/ContainerInsights MemoryReserved default,web'], 1024);
    assert.equal(flat['ECS/ContainerInsights RunningTaskCount default,web'], 2);
    assert.equal(flat['ECS/ContainerInsights PendingTaskCount default,web'], 1);
    assert.equal(flat['ECS/ContainerInsights DesiredTaskCount default,web'], 3);
    assert.equal(flat['ECS/ContainerInsights CpuUtilized default,web-family'], 384);
    assert.equal(flat['ECS/ContainerInsights PendingTaskCount default,web-family'], 1);
    assert.equal(flat['ECS/ContainerInsights CpuUtilized default'], 384);
    assert.equal(flat['ECS/ContainerInsights TaskCount default'], 2);
    assert.equal(flat['ECS/ContainerInsights ServiceCount default'], 1);
    assert.equal(flat['ECS/ContainerInsights RunningTaskCount default,web'], 2);
    assert.equal(flat['ECS/ContainerInsights NetworkRxBytes default,web'], undefined, 'no network figures: none reported');
    assert.ok(!Object.keys(flatten(ecsMetricPoints(cluster, 0))).some((key) => key.startsWith('ECS/ContainerInsights')));
  });
});
