import assert from 'node:assert/strict';
import type { Rng } from '../../../src/core/rng.js';
import { seededRng } from '../../../src/core/rng.js';
import {
  placeTasks,
  placeTasksReference,
  type ClusterSnapshot,
  type InstanceSnapshot,
  type PlacementOptions,
  type PlacementRequest,
  type PlacementResult,
} from '../../../src/placement/index.js';

export const arnOf = (name: string): string => `arn:aws:ecs:us-east-1:123456789012:container-instance/test/${name}`;

/** An ACTIVE, connected EC2 instance named `name` (ec2InstanceId i-<name>) with 1024 CPU / 2048 MiB. */
export function instance(name: string, overrides: Partial<InstanceSnapshot> = {}): InstanceSnapshot {
  return {
    arn: arnOf(name),
    ec2InstanceId: `i-${name}`,
    status: 'ACTIVE',
    agentConnected: true,
    registeredAt: Date.UTC(2026, 0, 1),
    agentVersion: '1.80.0',
    remainingCpu: 1024,
    remainingMemory: 2048,
    availableGpuIds: [],
    reservedTcpPorts: [22, 51678],
    reservedUdpPorts: [],
    tasks: [],
    launchKind: 'EC2',
    ...overrides,
    attributes: {
      'ecs.availability-zone': 'us-east-1a',
      'ecs.instance-type': 't2.small',
      'ecs.os-type': 'linux',
      ...overrides.attributes,
    },
  };
}

export function az(zone: string, extra: Record<string, string | null> = {}): Record<string, string | null> {
  return { 'ecs.availability-zone': zone, ...extra };
}

export function cluster(...instances: InstanceSnapshot[]): ClusterSnapshot {
  return { instances };
}

/** One task of family:web, 128 CPU / 128 MiB, binpack(memory) unless overridden. */
export function request(overrides: Partial<PlacementRequest> = {}): PlacementRequest {
  return {
    count: 1,
    launchType: 'EC2',
    group: 'family:web',
    family: 'web',
    cpu: 128,
    memory: 128,
    gpus: 0,
    hostPorts: [],
    requiredAttributes: [],
    constraints: [],
    strategies: [{ type: 'binpack', field: 'memory' }],
    ...overrides,
  };
}

/** An Rng whose int(n) always answers pick(n): makes "random" choices predictable. */
export function fixedRng(pick: (n: number) => number): Rng {
  return { next: () => 0, int: pick };
}

/**
 * Places with the fast pipeline AND the reference implementation, asserts they agree, and
 * returns the result. `rng` is a factory so both runs see the same sequence.
 */
export function place(
  snapshot: ClusterSnapshot,
  req: PlacementRequest,
  options: PlacementOptions & { rng?: () => Rng } = {},
): PlacementResult {
  const makeRng = options.rng ?? (() => seededRng(1));
  const fast = placeTasks(snapshot, req, makeRng(), options);
  const reference = placeTasksReference(snapshot, req, makeRng(), options);
  assert.deepEqual(fast, reference, 'fast pipeline and reference implementation disagree');
  return fast;
}

/** Instance names (the part after the last '/') of the placements, in order. */
export function chosen(result: PlacementResult): string[] {
  return result.placements.map((p) => p.instanceArn.slice(p.instanceArn.lastIndexOf('/') + 1));
}
