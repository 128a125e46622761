/**
 * Inputs and outputs of the placement engine. Everything here is plain data: the engine reads a
 * snapshot of the cluster, never the store, and never the wall clock.
 */

export type InstanceStatus =
  | 'ACTIVE'
  | 'DRAINING'
  | 'REGISTERING'
  | 'DEREGISTERING'
  | 'REGISTRATION_FAILED'
  | 'INACTIVE';

/** How the container instance joined the cluster: an EC2 agent, or ECS Anywhere (EXTERNAL). */
export type LaunchKind = 'EC2' | 'EXTERNAL';

/** A task already on an instance (any state but STOPPED). */
export interface SnapshotTask {
  /** Task group, e.g. `family:web` or `service:api`. */
  group: string;
  family: string;
}

export interface InstanceSnapshot {
  /** Container instance ARN. */
  arn: string;
  ec2InstanceId: string;
  status: InstanceStatus;
  agentConnected: boolean;
  /** Epoch milliseconds. */
  registeredAt: number;
  agentVersion?: string;
  /** Remaining resources now, already net of running and pending tasks. */
  remainingCpu: number;
  remainingMemory: number;
  availableGpuIds: string[];
  /** Host ports in use or reserved. */
  reservedTcpPorts: number[];
  reservedUdpPorts: number[];
  /**
   * name -> value (null: an attribute without a value). Includes ecs.availability-zone,
   * ecs.instance-type, ecs.os-type, ecs.capability.* and custom attributes.
   */
  attributes: Record<string, string | null>;
  tasks: SnapshotTask[];
  launchKind: LaunchKind;
}

export interface ClusterSnapshot {
  /** Order matters: when strategies leave a tie, the instance listed first wins. */
  instances: InstanceSnapshot[];
}

export type ConstraintType = 'distinctInstance' | 'memberOf';

export interface PlacementConstraint {
  type: ConstraintType;
  expression?: string;
}

export type StrategyType = 'binpack' | 'spread' | 'random';

export interface PlacementStrategy {
  type: StrategyType;
  /** binpack: `cpu` | `memory`; spread: `instanceId` | `host` | `attribute:<name>`; random: unused. */
  field?: string;
}

export interface HostPort {
  port: number;
  protocol: 'tcp' | 'udp';
}

export interface RequiredAttribute {
  name: string;
  value?: string;
}

export interface PlacementRequest {
  /** Number of tasks to place. */
  count: number;
  /** Only instances of that kind are candidates. */
  launchType: LaunchKind;
  /** Task group of the tasks being placed (e.g. `family:web` or `service:api`). */
  group: string;
  family: string;
  /** Per task. */
  cpu: number;
  memory: number;
  gpus: number;
  /** Static host ports each task needs (dynamic host ports don't constrain placement). */
  hostPorts: HostPort[];
  /** The task definition's requiresAttributes. */
  requiredAttributes: RequiredAttribute[];
  constraints: PlacementConstraint[];
  /** Applied in order, each breaking the ties the previous ones left. Empty: RunTask's default (random). */
  strategies: PlacementStrategy[];
}

export interface Placement {
  instanceArn: string;
  /** GPU ids handed to the task (empty when the task asked for none). */
  gpuIds: string[];
}

/** An ECS-style RunTask failure. */
export interface PlacementFailure {
  arn?: string;
  reason: string;
  detail?: string;
}

/** Which stage of the pipeline turned an instance away. */
export type FilterName =
  | 'launchType'
  | 'status'
  | 'agent'
  | 'attributes'
  | 'cpu'
  | 'memory'
  | 'ports'
  | 'gpu'
  | 'memberOf'
  | 'distinctInstance';

export interface InstanceExplanation {
  instanceArn: string;
  ec2InstanceId: string;
  /** `chosen`: the instance picked for the explained attempt. */
  outcome: 'eligible' | 'chosen' | 'rejected';
  /** Set when rejected. */
  filter?: FilterName;
  /** ECS failure reason when rejected (e.g. `RESOURCE:CPU`); Berth-only wording for launchType/status. */
  reason?: string;
  /** Human words, e.g. "needs 512 CPU units, has 256 remaining". */
  message: string;
}

export interface FilterStat {
  filter: FilterName;
  /** Instances this filter turned away (each instance is counted by the first filter that rejects it). */
  rejected: number;
}

export interface PlacementResult {
  /** One per placed task, in order. */
  placements: Placement[];
  /** One per task that could not be placed. */
  failures: PlacementFailure[];
  /**
   * Why each instance was or wasn't eligible, for the first attempt that failed, or (when
   * `explain: true` was asked and every task was placed) for the first attempt.
   * Empty when nothing was explained.
   */
  explanation: InstanceExplanation[];
  /** Per filter rejection counts for the explained attempt (all filters, in pipeline order). */
  filterStats: FilterStat[];
  /** 0-based index of the task the explanation is about, or undefined when nothing was explained. */
  explainedTask: number | undefined;
  /**
   * True when the cluster has no ACTIVE instance of the requested launch type at all. ECS answers
   * RunTask in that case with InvalidParameterException "No Container Instances were found in your
   * cluster." rather than with failures; the API layer should do the same.
   */
  noContainerInstances: boolean;
}

export interface PlacementOptions {
  /** Explain the first attempt even when every task was placed (for `berth explain-placement`). */
  explain?: boolean;
}
