/** Turns stored container instances into the placement engine's snapshot (the adapter between the store and the pure placement engine). */
import type { InstanceSnapshot, InstanceStatus } from '../placement/types.js';
import type { ContainerInstanceRecord } from '../store/types.js';
import { totalsOf } from './resources.js';

export interface ActiveGroup {
  containerInstanceArn: string;
  group: string;
  family: string;
  /** How many active tasks of this group and family are on the instance. */
  count: number;
}

/** The snapshot lists tasks one by one; tasks alike share one object. */
function expand(groups: ActiveGroup[]): { group: string; family: string }[] {
  const tasks: { group: string; family: string }[] = [];
  for (const { group, family, count } of groups) {
    const task = { group, family };
    for (let i = 0; i < count; i++) tasks.push(task);
  }
  return tasks;
}

export function launchKindOf(instance: Pick<ContainerInstanceRecord, 'ec2InstanceId'>): 'EC2' | 'EXTERNAL' {
  // ECS Anywhere instances are SSM managed instances, whose ids start with mi-.
  return instance.ec2InstanceId?.startsWith('mi-') ? 'EXTERNAL' : 'EC2';
}

export function instanceSnapshot(record: ContainerInstanceRecord, groups: ActiveGroup[]): InstanceSnapshot {
  const remaining = totalsOf(record.remainingResources);
  const attributes: Record<string, string | null> = {};
  for (const attribute of record.attributes ?? []) if (attribute.name) attributes[attribute.name] = attribute.value ?? null;
  return {
    arn: record.containerInstanceArn,
    ec2InstanceId: record.ec2InstanceId ?? '',
    status: record.status as InstanceStatus,
    agentConnected: record.agentConnected ?? false,
    registeredAt: (record.registeredAt ?? 0) * 1000,
    ...(record.versionInfo?.agentVersion ? { agentVersion: record.versionInfo.agentVersion } : {}),
    remainingCpu: remaining.cpu,
    remainingMemory: remaining.memory,
    availableGpuIds: remaining.gpuIds,
    reservedTcpPorts: remaining.tcpPorts,
    reservedUdpPorts: remaining.udpPorts,
    attributes,
    tasks: expand(groups.filter((task) => task.containerInstanceArn === record.containerInstanceArn)),
    launchKind: launchKindOf(record),
  };
}

/** Groups indexed by instance, so building a large snapshot stays linear. */
export function clusterSnapshot(records: ContainerInstanceRecord[], groups: ActiveGroup[]): InstanceSnapshot[] {
  const byInstance = new Map<string, ActiveGroup[]>();
  for (const group of groups) {
    const list = byInstance.get(group.containerInstanceArn);
    if (list) list.push(group);
    else byInstance.set(group.containerInstanceArn, [group]);
  }
  return records.map((record) => instanceSnapshot(record, byInstance.get(record.containerInstanceArn) ?? []));
}
