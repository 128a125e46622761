import type { CompiledRequest } from './compile.js';
import { FailureReason } from './constants.js';
import { evaluate } from './query-language/index.js';
import type { FilterName } from './types.js';
import { groupCount, type WorkingInstance } from './working.js';

/**
 * One stage of the feasibility pipeline. An instance is a candidate when every filter accepts it;
 * the first filter that rejects it is the one reported (its ECS reason, and its human message).
 *
 * Order: what the instance is (launch type, status, agent, attributes), then resources (CPU,
 * memory, ports, GPUs), then placement constraints, following the order of the Developer Guide
 * ("identify the instances that satisfy the CPU, GPU, memory and port requirements ... then the
 * task placement constraints").
 */
export interface Filter {
  readonly name: FilterName;
  /** True when the answer can change as tasks are placed (resources, task-dependent constraints). */
  readonly dynamic: boolean;
  accepts(instance: WorkingInstance, request: CompiledRequest): boolean;
  /** ECS failure reason for a rejected instance. */
  reason(instance: WorkingInstance, request: CompiledRequest): string;
  /** Why the instance was rejected, in words. Only called when `accepts` returned false. */
  explain(instance: WorkingInstance, request: CompiledRequest): string;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export const launchTypeFilter: Filter = {
  name: 'launchType',
  dynamic: false,
  accepts: (i, r) => i.launchKind === r.request.launchType,
  reason: () => FailureReason.LAUNCH_TYPE,
  explain: (i, r) =>
    `registered as ${i.launchKind === 'EXTERNAL' ? 'an EXTERNAL' : 'an EC2'} instance; the tasks use launch type ${r.request.launchType}`,
};

export const statusFilter: Filter = {
  name: 'status',
  dynamic: false,
  accepts: (i) => i.status === 'ACTIVE',
  reason: (i) => `${FailureReason.STATUS_PREFIX}${i.status}`,
  explain: (i) => `status is ${i.status}; only ACTIVE instances receive tasks`,
};

export const agentFilter: Filter = {
  name: 'agent',
  dynamic: false,
  accepts: (i) => i.agentConnected,
  reason: () => FailureReason.AGENT,
  explain: () => 'the container agent is disconnected',
};

function attributeProblem(instance: WorkingInstance, request: CompiledRequest): string | undefined {
  for (const required of request.request.requiredAttributes) {
    if (!Object.prototype.hasOwnProperty.call(instance.attributes, required.name)) {
      return `missing required attribute ${required.name}`;
    }
    if (required.value !== undefined && instance.attributes[required.name] !== required.value) {
      const have = instance.attributes[required.name];
      return `attribute ${required.name} is ${have === null || have === undefined ? 'set without a value' : `'${have}'`}, the task definition requires '${required.value}'`;
    }
  }
  return undefined;
}

export const attributesFilter: Filter = {
  name: 'attributes',
  dynamic: false,
  accepts: (i, r) => attributeProblem(i, r) === undefined,
  reason: () => FailureReason.ATTRIBUTE,
  explain: (i, r) => attributeProblem(i, r) ?? 'has every required attribute',
};

export const cpuFilter: Filter = {
  name: 'cpu',
  dynamic: true,
  accepts: (i, r) => i.remainingCpu >= r.request.cpu,
  reason: () => FailureReason.CPU,
  explain: (i, r) => `needs ${r.request.cpu} CPU units, has ${i.remainingCpu} remaining`,
};

export const memoryFilter: Filter = {
  name: 'memory',
  dynamic: true,
  accepts: (i, r) => i.remainingMemory >= r.request.memory,
  reason: () => FailureReason.MEMORY,
  explain: (i, r) => `needs ${r.request.memory} MiB of memory, has ${i.remainingMemory} MiB remaining`,
};

function portConflicts(instance: WorkingInstance, request: CompiledRequest): string[] {
  const taken: string[] = [];
  for (const port of request.tcpPorts) if (instance.tcpPorts.includes(port)) taken.push(`${port}/tcp`);
  for (const port of request.udpPorts) if (instance.udpPorts.includes(port)) taken.push(`${port}/udp`);
  return taken;
}

export const portsFilter: Filter = {
  name: 'ports',
  dynamic: true,
  accepts: (i, r) => portConflicts(i, r).length === 0,
  reason: () => FailureReason.PORTS,
  explain: (i, r) => {
    const taken = portConflicts(i, r);
    return `host ${taken.length === 1 ? 'port' : 'ports'} ${taken.join(', ')} already in use`;
  },
};

export const gpuFilter: Filter = {
  name: 'gpu',
  dynamic: true,
  accepts: (i, r) => i.availableGpuIds.length >= r.request.gpus,
  reason: () => FailureReason.GPU,
  explain: (i, r) => `needs ${plural(r.request.gpus, 'GPU')}, has ${i.availableGpuIds.length} available`,
};

function firstUnsatisfied(instance: WorkingInstance, request: CompiledRequest): string | undefined {
  for (const m of request.memberOf) if (!evaluate(m.expression, instance)) return m.text;
  return undefined;
}

export const memberOfFilter: Filter = {
  name: 'memberOf',
  dynamic: true,
  accepts: (i, r) => firstUnsatisfied(i, r) === undefined,
  reason: () => FailureReason.MEMBER_OF,
  explain: (i, r) => `does not satisfy memberOf expression "${firstUnsatisfied(i, r) ?? ''}"`,
};

/**
 * distinctInstance: "place each task in the group on a different container instance". Tasks of the
 * same group already on an instance count too (ECS refuses RunTask count=1 with this constraint on
 * an instance that already runs a task of the group).
 */
export const distinctInstanceFilter: Filter = {
  name: 'distinctInstance',
  dynamic: true,
  accepts: (i, r) => !r.distinctInstance || groupCount(i, r.request.group) === 0,
  reason: () => FailureReason.DISTINCT_INSTANCE,
  explain: (i, r) =>
    `already runs ${plural(groupCount(i, r.request.group), 'task')} of group ${r.request.group} (distinctInstance)`,
};

/** The pipeline, in order. */
export const FILTERS: readonly Filter[] = [
  launchTypeFilter,
  statusFilter,
  agentFilter,
  attributesFilter,
  cpuFilter,
  memoryFilter,
  portsFilter,
  gpuFilter,
  memberOfFilter,
  distinctInstanceFilter,
];

/** Filters before this position decide whether an instance counts as part of the cluster at all. */
export const FIRST_PLACEMENT_FILTER = 2;

/** Position in FILTERS of the first filter rejecting the instance, or -1 when it is a candidate. */
export function firstRejection(instance: WorkingInstance, request: CompiledRequest): number {
  for (let f = 0; f < FILTERS.length; f++) if (!FILTERS[f]!.accepts(instance, request)) return f;
  return -1;
}
