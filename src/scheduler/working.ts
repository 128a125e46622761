import type { QueryTarget } from './query-language/index.js';
import type { InstanceSnapshot, InstanceStatus, LaunchKind, PlacementRequest, SnapshotTask } from './types.js';

/**
 * The engine's private, mutable copy of one instance. The input snapshot is never mutated: every
 * placement changes only these copies.
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
  availableGpuIds: string[];
  tcpPorts: Set<number>;
  udpPorts: Set<number>;
  tasks: SnapshotTask[];
  /** group -> number of tasks of that group on this instance. */
  groupCounts: Map<string, number>;
}

export function toWorking(snapshot: InstanceSnapshot, index: number): WorkingInstance {
  const groupCounts = new Map<string, number>();
  for (const task of snapshot.tasks) groupCounts.set(task.group, (groupCounts.get(task.group) ?? 0) + 1);
  const working: WorkingInstance = {
    index,
    arn: snapshot.arn,
    ec2InstanceId: snapshot.ec2InstanceId,
    status: snapshot.status,
    agentConnected: snapshot.agentConnected,
    registeredAt: snapshot.registeredAt,
    launchKind: snapshot.launchKind,
    attributes: snapshot.attributes,
    remainingCpu: snapshot.remainingCpu,
    remainingMemory: snapshot.remainingMemory,
    availableGpuIds: [...snapshot.availableGpuIds],
    tcpPorts: new Set(snapshot.reservedTcpPorts),
    udpPorts: new Set(snapshot.reservedUdpPorts),
    tasks: snapshot.tasks.map((t) => ({ group: t.group, family: t.family })),
    groupCounts,
  };
  if (snapshot.agentVersion !== undefined) (working as { agentVersion?: string }).agentVersion = snapshot.agentVersion;
  return working;
}

/** Books one task of the request onto the instance; returns the GPU ids it takes. */
export function applyTask(instance: WorkingInstance, request: PlacementRequest): string[] {
  instance.remainingCpu -= request.cpu;
  instance.remainingMemory -= request.memory;
  const gpuIds = request.gpus > 0 ? instance.availableGpuIds.splice(0, request.gpus) : [];
  for (const hp of request.hostPorts) (hp.protocol === 'udp' ? instance.udpPorts : instance.tcpPorts).add(hp.port);
  instance.tasks.push({ group: request.group, family: request.family });
  instance.groupCounts.set(request.group, (instance.groupCounts.get(request.group) ?? 0) + 1);
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
    reservedTcpPorts: [...instance.tcpPorts].sort((a, b) => a - b),
    reservedUdpPorts: [...instance.udpPorts].sort((a, b) => a - b),
    attributes: { ...instance.attributes },
    tasks: instance.tasks.map((t) => ({ ...t })),
    launchKind: instance.launchKind,
  };
  if (instance.agentVersion !== undefined) snapshot.agentVersion = instance.agentVersion;
  return snapshot;
}
