/**
 * The store's contract for ECS's own resources: clusters, task definitions, container instances,
 * tasks and account settings.
 *
 * Records are stored in their wire form (timestamps as epoch seconds), keyed by ARN.
 */
import type { Cluster, ContainerInstance, Task, TaskDefinition, Tag } from '@aws-sdk/client-ecs';
import type { Wire } from '../../core/wire.js';
import type { Page, PageRequest, Versioned } from './core.js';

export type ClusterRecord = Omit<
  Wire<Cluster>,
  'registeredContainerInstancesCount' | 'runningTasksCount' | 'pendingTasksCount' | 'activeServicesCount' | 'statistics'
> & { clusterArn: string; clusterName: string; status: string } & Versioned;

export interface ClusterCounts {
  registeredContainerInstancesCount: number;
  runningTasksCount: number;
  pendingTasksCount: number;
  activeServicesCount: number;
}

export type TaskDefinitionRecord = Versioned & Wire<TaskDefinition> & {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  status: string;
  tags: Tag[];
};

export type ContainerInstanceRecord = Versioned & Wire<ContainerInstance> & {
  containerInstanceArn: string;
  /** When the agent's channel last closed (epoch seconds); absent while connected. Internal. */
  agentDisconnectedAt?: number;
  clusterArn: string;
  status: string;
  tags: Tag[];
};

/** Scheduling facts kept beside a task for queries and for freeing resources when it stops. */
/** What a placed task holds on its container instance until it stops. */
export interface Reservation {
  cpu: number;
  memory: number;
  gpuIds: string[];
  tcpPorts: number[];
  udpPorts: number[];
}

/** A target registered for a service task. */
export interface TaskTarget {
  targetGroupArn: string;
  id: string;
  port: number;
}

export type TaskRecord = Versioned & Wire<Task> & {
  taskArn: string;
  /** Set on a service's STOPPED task once its service has counted the stop (see ServicesTable). Internal. */
  serviceAccounted?: boolean;
  /** Resources held on the container instance; absent on Fargate and once released. */
  reservation?: Reservation;
  /** The Fargate capacity host running the task, once one is chosen. Internal, like reservation. */
  fargateHost?: string;
  /**
   * Started by a service with load balancers: it passes through ACTIVATING (registering, until its
   * targets are healthy) before RUNNING. Internal.
   */
  loadBalanced?: boolean;
  /** The targets the service registered for the task, one per load balancer entry. Internal. */
  targets?: TaskTarget[];
  /**
   * While DEACTIVATING: its targets drain until then (epoch seconds), and its agent is told to keep
   * it running until the service lifts the hold. Internal.
   */
  drainUntil?: number;
  clusterArn: string;
  lastStatus: string;
  desiredStatus: string;
  taskDefinitionArn: string;
  tags: Tag[];
};

export interface TaskQuery {
  clusterArn: string;
  family?: string;
  startedBy?: string;
  serviceName?: string;
  desiredStatus?: string;
  containerInstanceArn?: string;
  launchType?: string;
  group?: string;
  /** Only tasks whose lastStatus is not STOPPED. */
  activeOnly?: boolean;
}

export interface TaskDefinitionQuery {
  accountId: string;
  region: string;
  familyPrefix?: string;
  family?: string;
  status?: string;
  descending?: boolean;
}

export interface AccountSettingRecord extends Versioned {
  accountId: string;
  region: string;
  /** The principal the setting applies to; the account default uses the root principal with `isDefault`. */
  principalArn: string;
  isDefault: boolean;
  name: string;
  value: string;
  type: 'user' | 'aws_managed';
}

export interface ClustersTable {
  get(clusterArn: string): Promise<ClusterRecord | undefined>;
  put(record: ClusterRecord): Promise<void>;
  list(accountId: string, region: string, page: PageRequest, status?: string): Promise<Page<ClusterRecord>>;
  counts(clusterArn: string): Promise<ClusterCounts>;
}

export interface TaskDefinitionsTable {
  get(arn: string): Promise<TaskDefinitionRecord | undefined>;
  latestRevision(accountId: string, region: string, family: string): Promise<number>;
  /** The highest ACTIVE revision of a family. */
  latestActive(accountId: string, region: string, family: string): Promise<TaskDefinitionRecord | undefined>;
  put(record: TaskDefinitionRecord): Promise<void>;
  /** `expectedVersion` (from the record read) makes a changed or vanished record a StoreConflict. */
  delete(arn: string, expectedVersion?: number): Promise<void>;
  list(query: TaskDefinitionQuery, page: PageRequest): Promise<Page<TaskDefinitionRecord>>;
  /** Distinct family names, sorted; `status` ACTIVE means families with at least one ACTIVE revision. */
  families(query: TaskDefinitionQuery, page: PageRequest): Promise<Page<string>>;
}

export interface ContainerInstancesTable {
  get(arn: string): Promise<ContainerInstanceRecord | undefined>;
  put(record: ContainerInstanceRecord): Promise<void>;
  /** `expectedVersion` (from the record read) makes a changed or vanished record a StoreConflict. */
  delete(arn: string, expectedVersion?: number): Promise<void>;
  list(clusterArn: string, page: PageRequest, status?: string): Promise<Page<ContainerInstanceRecord>>;
  /** Every instance of a cluster, for placement snapshots and query-language filters. */
  all(clusterArn: string): Promise<ContainerInstanceRecord[]>;
  /** After a control-plane start no agent is connected yet: clears agentConnected everywhere. */
  markAllDisconnected(): Promise<void>;
  /** Instances of every account whose record says their agent is connected. */
  listConnected(): Promise<ContainerInstanceRecord[]>;
}

export interface TasksTable {
  get(arn: string): Promise<TaskRecord | undefined>;
  put(record: TaskRecord): Promise<void>;
  list(query: TaskQuery, page: PageRequest): Promise<Page<TaskRecord>>;
  /** Running and pending (PROVISIONING, PENDING, ACTIVATING) task counts of one container instance. */
  instanceCounts(containerInstanceArn: string): Promise<{ running: number; pending: number }>;
  /** Like list, but only the ARNs: ListTasks needs no documents. */
  listArns(query: TaskQuery, page: PageRequest): Promise<Page<string>>;
  /**
   * How many active tasks of each group and family sit on each instance of the cluster (only `group`
   * when given), for spread, distinctInstance and task:group.
   */
  activeGroups(clusterArn: string, group?: string): Promise<{ containerInstanceArn: string; group: string; family: string; count: number }[]>;
  /** Tasks not yet STOPPED that an agent runs (see agentKeyOf), in any account. */
  forAgent(agentKey: string): Promise<TaskRecord[]>;
  /** FARGATE tasks not yet STOPPED and not yet given a capacity host, oldest first. */
  unassignedFargate(limit: number): Promise<TaskRecord[]>;
  /** Per `startedBy` (a service's deployment id): the group's tasks meant to run, by lastStatus. */
  deploymentCounts(clusterArn: string, group: string): Promise<Map<string, { running: number; pending: number }>>;
  /** How many tasks there are of each lastStatus and launch type (`unset` when the task has none), every account and region (for Berth's own metrics). */
  statusCounts(): Promise<{ lastStatus: string; launchType: string; count: number }[]>;
  /** STOPPED tasks of a service group whose stop the service has not counted yet (serviceAccounted unset). */
  unaccountedStops(clusterArn: string, group: string, limit: number): Promise<TaskRecord[]>;
}

/** Which agent runs a task: its container instance, or its Fargate capacity host. */
export function agentKeyOf(task: Pick<TaskRecord, 'containerInstanceArn' | 'fargateHost'>): string | undefined {
  return task.containerInstanceArn ?? (task.fargateHost !== undefined ? fargateHostKey(task.fargateHost) : undefined);
}

export const fargateHostKey = (hostId: string) => `fargate-host/${hostId}`;

export interface AccountSettingsTable {
  list(accountId: string, region: string): Promise<AccountSettingRecord[]>;
  put(record: AccountSettingRecord): Promise<void>;
  delete(accountId: string, region: string, principalArn: string, isDefault: boolean, name: string, expectedVersion?: number): Promise<void>;
}

export interface EcsTables {
  clusters: ClustersTable;
  taskDefinitions: TaskDefinitionsTable;
  containerInstances: ContainerInstancesTable;
  tasks: TasksTable;
  accountSettings: AccountSettingsTable;
}
