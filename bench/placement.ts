/**
 * Placement engine throughput. Standalone: `node dist/bench/placement.js` after the build.
 * Prints figures, asserts nothing. Target: >= 20,000 placements/s on a 2-core machine.
 */
import { pathToFileURL } from 'node:url';
import { seededRng } from '../src/core/rng.js';
import {
  placeOnState,
  placeTasks,
  PlacementState,
  type ClusterSnapshot,
  type InstanceSnapshot,
  type PlacementRequest,
  type PlacementStrategy,
} from '../src/placement/index.js';

const INSTANCES = 5_000;
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const TOTAL_TASKS = 100_000;
const GROUPS = 20;

export function benchSnapshot(instances = INSTANCES): ClusterSnapshot {
  const list: InstanceSnapshot[] = [];
  for (let i = 0; i < instances; i++) {
    list.push({
      arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/bench/${i.toString(16).padStart(32, '0')}`,
      ec2InstanceId: `i-${i.toString(16).padStart(17, '0')}`,
      status: 'ACTIVE',
      agentConnected: true,
      registeredAt: Date.UTC(2026, 0, 1) + i * 1000,
      agentVersion: '1.80.0',
      remainingCpu: 4096,
      remainingMemory: 16384,
      availableGpuIds: [],
      reservedTcpPorts: [22, 2375, 2376, 51678, 51679],
      reservedUdpPorts: [],
      attributes: {
        'ecs.availability-zone': ZONES[i % ZONES.length]!,
        'ecs.instance-type': 'm5.xlarge',
        'ecs.os-type': 'linux',
        'ecs.capability.docker-remote-api.1.39': null,
      },
      tasks: [],
      launchKind: 'EC2',
    });
  }
  return { instances: list };
}

function request(group: number, count: number, strategies: PlacementStrategy[]): PlacementRequest {
  return {
    count,
    launchType: 'EC2',
    group: `service:svc-${group}`,
    family: `svc-${group}`,
    cpu: 10,
    memory: 64,
    gpus: 0,
    hostPorts: [],
    requiredAttributes: [{ name: 'ecs.capability.docker-remote-api.1.39' }],
    constraints: [],
    strategies,
  };
}

const SPREAD_AZ_BINPACK_MEMORY: PlacementStrategy[] = [
  { type: 'spread', field: 'attribute:ecs.availability-zone' },
  { type: 'binpack', field: 'memory' },
];

interface Figure {
  scenario: string;
  placed: number;
  seconds: number;
}

/** Runs `requests` requests of `count` tasks against one long-lived state. */
function runOnState(scenario: string, count: number, strategies: PlacementStrategy[], total = TOTAL_TASKS): Figure {
  const state = new PlacementState(benchSnapshot());
  const rng = seededRng(42);
  const requests = Math.ceil(total / count);
  let placed = 0;
  const start = process.hrtime.bigint();
  for (let r = 0; r < requests; r++) {
    const result = placeOnState(state, request(r % GROUPS, count, strategies), rng);
    placed += result.placements.length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { scenario, placed, seconds };
}

/** RunTask-style: every request builds its working copy from a snapshot (the snapshot does not change). */
function runFromSnapshot(scenario: string, requests: number, count: number): Figure {
  const snapshot = benchSnapshot();
  const rng = seededRng(7);
  let placed = 0;
  const start = process.hrtime.bigint();
  for (let r = 0; r < requests; r++) {
    placed += placeTasks(snapshot, request(r % GROUPS, count, SPREAD_AZ_BINPACK_MEMORY), rng).placements.length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { scenario, placed, seconds };
}

function print(figure: Figure): void {
  const rate = Math.round(figure.placed / figure.seconds);
  console.log(
    `${figure.scenario.padEnd(58)} ${String(figure.placed).padStart(7)} placed  ${figure.seconds.toFixed(3).padStart(7)} s  ${rate
      .toLocaleString('en-US')
      .padStart(10)} placements/s`,
  );
}

export function main(): void {
  console.log(`placement bench: ${INSTANCES} instances in ${ZONES.length} AZs (4096 CPU, 16384 MiB each), tasks of 10 CPU / 64 MiB`);
  // Warm up the JIT on a smaller run so the figures measure steady state.
  runOnState('warm-up', 10, SPREAD_AZ_BINPACK_MEMORY, 20_000);
  print(runOnState('spread(AZ)+binpack(memory), 10,000 requests x 10', 10, SPREAD_AZ_BINPACK_MEMORY));
  print(runOnState('spread(AZ)+binpack(memory), 100 requests x 1,000', 1_000, SPREAD_AZ_BINPACK_MEMORY));
  print(
    runOnState('spread(AZ)+spread(instanceId), 10,000 requests x 10', 10, [
      { type: 'spread', field: 'attribute:ecs.availability-zone' },
      { type: 'spread', field: 'instanceId' },
    ]),
  );
  print(runOnState('random (RunTask default), 10,000 requests x 10', 10, []));
  print(runFromSnapshot('fresh state per request (RunTask-like), 200 x 10', 200, 10));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
