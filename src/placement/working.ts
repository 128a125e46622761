import type { QueryTarget } from './query-language/index.js';
import type { InstanceSnapshot, InstanceStatus, LaunchKind, PlacementRequest, SnapshotTask } from './types.js';

/**
 * The engine's private, mutable copy of one instance. The input snapshot is never mutated: arrays
 * are shared with it until a placement needs to change them (copy on write), which keeps building
 * a working copy of a large cluster cheap.
 */
export interface WorkingInstance extends QueryTarget {
  /** Position in the snapshot; also the final tie-break (lowest wins). */
  readonly index: number;
  readonly arn: string;
  readonly ec2InstanceId: string;
  readonly status: InstanceStatus;
  readonly agentConnected: boolean;
  readonly registeredAt: number;
  readonly agentVersion?: string;
  readonly launchKind: LaunchKind;
  readonly attributes: Readonly<Record<string, string | null>>;
  remainingCpu: number;
  remainingMemory: number;
  availableGpuIds: readonly string[];
  tcpPorts: readonly number[];
  udpPorts: readonly number[];
  tasks: readonly SnapshotTask[];
  /** True once `tasks` is this copy's own array (no longer the snapshot's). */
  ownsTasks: boolean;
  /** group -> tasks of that group here; built on first use by groupCount. */
  groupCounts: Map<string, number> | undefined;
}

export function toWorking(snapshot: InstanceSnapshot, index: number): WorkingInstance {
  return {
    index,
    arn: snapshot.arn,
    ec2InstanceId: snapshot.ec2InstanceId,
    status: snapshot.status,
    agentConnected: snapshot.agentConnected,
    registeredAt: snapshot.registeredAt,
    agentVersion: snapshot.agentVersion,
    launchKind: snapshot.launchKind,
    attributes: snapshot.attributes,
    remainingCpu: snapshot.remainingCpu,
    remainingMemory: snapshot.remainingMemory,
    availableGpuIds: snapshot.availableGpuIds,
    tcpPorts: snapshot.reservedTcpPorts,
    udpPorts: snapshot.reservedUdpPorts,
    tasks: snapshot.tasks,
    ownsTasks: false,
    groupCounts: undefined,
  };
}

/** Tasks of `group` on the instance. */
export function groupCount(instance: WorkingInstance, group: string): number {
  if (instance.tasks.length === 0) return 0;
  let counts = instance.groupCounts;
  if (!counts) {
    counts = new Map<string, number>();
    for (const task of instance.tasks) counts.set(task.group, (counts.get(task.group) ?? 0) + 1);
    instance.groupCounts = counts;
  }
  return counts.get(group) ?? 0;
}

/** Books one task of the request onto the instance; returns the GPU ids it takes. */
export function applyTask(instance: WorkingInstance, request: PlacementRequest): string[] {
  instance.remainingCpu -= request.cpu;
  instance.remainingMemory -= request.memory;
  let gpuIds: string[] = [];
  if (request.gpus > 0) {
    gpuIds = instance.availableGpuIds.slice(0, request.gpus);
    instance.availableGpuIds = instance.availableGpuIds.slice(request.gpus);
  }
  for (const hp of request.hostPorts) {
    if (hp.protocol === 'udp') instance.udpPorts = [...instance.udpPorts, hp.port];
    else instance.tcpPorts = [...instance.tcpPorts, hp.port];
  }
  const task = { group: request.group, family: request.family };
  if (instance.ownsTasks) (instance.tasks as SnapshotTask[]).push(task);
  else {
    instance.tasks = [...instance.tasks, task];
    instance.ownsTasks = true;
  }
  instance.groupCounts?.set(request.group, (instance.groupCounts.get(request.group) ?? 0) + 1);
  return gpuIds;
}

/** Back to the input shape (for callers that want to see the cluster after placement). */
export function toSnapshot(instance: WorkingInstance): InstanceSnapshot {
  const snapshot: InstanceSnapshot = {
    arn: instance.arn,
    ec2InstanceId: instance.ec2InstanceId,
    status: instance.status,
    agentConnected: instance.agentConnected,
    registeredAt: instance.registeredAt,
    remainingCpu: instance.remainingCpu,
    remainingMemory: instance.remainingMemory,
    availableGpuIds: [...instance.availableGpuIds],
    reservedTcpPorts: [...instance.tcpPorts],
    reservedUdpPorts: [...instance.udpPorts],
    attributes: { ...instance.attributes },
    tasks: instance.tasks.map((t) => ({ ...t })),
    launchKind: instance.launchKind,
  };
  if (instance.agentVersion !== undefined) snapshot.agentVersion = instance.agentVersion;
  return snapshot;
}
