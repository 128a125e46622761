/**
 * The storage layer's contract. Operation code sees only these interfaces, never SQL, so a second
 * backend (PostgreSQL) can implement them without touching operations. Every method is async for
 * that reason, even where SQLite answers synchronously.
 *
 * Records are stored in their wire form (timestamps as epoch seconds), keyed by ARN.
 */
import type {
  Cluster,
  ContainerInstance,
  Deployment,
  Service,
  ServiceDeployment,
  ServiceEvent,
  ServiceRevision,
  Task,
  TaskDefinition,
  Tag,
} from '@aws-sdk/client-ecs';
import type { Wire } from '../core/wire.js';
import type { ChangeFeed, ChangeListener, Subscription, WatchOptions } from './changes.js';
import type { Elbv2Tables } from './contract/elbv2.js';
import type { RegistryTable } from './registry.js';

export interface Page<T> {
  items: T[];
  /** Opaque cursor after the last item, present when more items may follow. */
  next?: string;
}

export interface PageRequest {
  /** Cursor to continue after (from a previous Page.next). */
  after?: string;
  limit: number;
}

export interface CredentialRecord {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  principalArn: string;
  isRoot: boolean;
  createdAt: number;
}

export type ClusterRecord = Omit<
  Wire<Cluster>,
  'registeredContainerInstancesCount' | 'runningTasksCount' | 'pendingTasksCount' | 'activeServicesCount' | 'statistics'
> & { clusterArn: string; clusterName: string; status: string };

export interface ClusterCounts {
  registeredContainerInstancesCount: number;
  runningTasksCount: number;
  pendingTasksCount: number;
  activeServicesCount: number;
}

export type TaskDefinitionRecord = Wire<TaskDefinition> & {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  status: string;
  tags: Tag[];
};

export type ContainerInstanceRecord = Wire<ContainerInstance> & {
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

export type TaskRecord = Wire<Task> & {
  taskArn: string;
  /** Set on a service's STOPPED task once its service has counted the stop (see ServicesTable). Internal. */
  serviceAccounted?: boolean;
  /** Resources held on the container instance; absent on Fargate and once released. */
  reservation?: Reservation;
  /** The Fargate capacity host running the task, once one is chosen. Internal, like reservation. */
  fargateHost?: string;
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

/**
 * An ECS deployment of a service (the `deployments` of DescribeServices): the tasks it launches are
 * `startedBy` its id. runningCount and pendingCount are counted from the tasks when presented.
 */
export type DeploymentRecord = Omit<Wire<Deployment>, 'runningCount' | 'pendingCount'> & {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  taskDefinition: string;
  desiredCount: number;
  failedTasks: number;
  createdAt: number;
  updatedAt: number;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  /** The service deployment (DescribeServiceDeployments) this deployment carries out; a rollback shares it. */
  serviceDeploymentArn: string;
  serviceRevisionArn: string;
  /** When each failure the circuit breaker counts happened (epoch seconds); a task proven healthy clears older ones. Internal. */
  breakerFailures: number[];
  /**
   * When each task that stopped without ever running stopped, since a task of the deployment last
   * reached RUNNING: launches back off on these (ECS's throttle). Internal.
   */
  startFailures?: number[];
};

export type ServiceRecord = Omit<Wire<Service>, 'runningCount' | 'pendingCount' | 'deployments' | 'events' | 'taskSets'> & {
  serviceArn: string;
  serviceName: string;
  clusterArn: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  desiredCount: number;
  schedulingStrategy: 'REPLICA' | 'DAEMON';
  createdAt: number;
  /** PRIMARY first, then ACTIVE ones newest first. */
  deployments: DeploymentRecord[];
  /** Newest first, bounded. */
  events: Wire<ServiceEvent>[];
  tags: Tag[];
  /** The revision of the last deployment that reached COMPLETED: where the circuit breaker rolls back to. */
  lastCompletedRevisionArn?: string;
  lastCompletedDeploymentId?: string;
  /** Whether the "has reached a steady state." event was the last word on the service's state. Internal. */
  steadyState?: boolean;
  /** When the service was deleted (epoch seconds); INACTIVE services stay describable for a while. */
  deletedAt?: number;
  /** Availability Zone rebalancing has started tasks in emptier zones and is stopping as many in fuller ones. Internal. */
  rebalancing?: boolean;
  version: number;
};

export type ServiceDeploymentRecord = Wire<ServiceDeployment> & {
  serviceDeploymentArn: string;
  serviceArn: string;
  clusterArn: string;
  status: string;
  createdAt: number;
};

export type ServiceRevisionRecord = Wire<ServiceRevision> & {
  serviceRevisionArn: string;
  serviceArn: string;
  clusterArn: string;
  taskDefinition: string;
  createdAt: number;
};

export interface ServiceQuery {
  clusterArn: string;
  launchType?: string;
  schedulingStrategy?: string;
}

export interface ServiceDeploymentQuery {
  serviceArn: string;
  statuses?: string[];
  createdAfter?: number;
  createdBefore?: number;
}

export interface TaskDefinitionQuery {
  accountId: string;
  region: string;
  familyPrefix?: string;
  family?: string;
  status?: string;
  descending?: boolean;
}

export interface AccountSettingRecord {
  accountId: string;
  region: string;
  /** The principal the setting applies to; the account default uses the root principal with `isDefault`. */
  principalArn: string;
  isDefault: boolean;
  name: string;
  value: string;
  type: 'user' | 'aws_managed';
}

export interface CredentialsTable {
  get(accessKeyId: string): Promise<CredentialRecord | undefined>;
  put(record: CredentialRecord): Promise<void>;
  findRoot(accountId: string): Promise<CredentialRecord | undefined>;
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
  delete(arn: string): Promise<void>;
  list(query: TaskDefinitionQuery, page: PageRequest): Promise<Page<TaskDefinitionRecord>>;
  /** Distinct family names, sorted; `status` ACTIVE means families with at least one ACTIVE revision. */
  families(query: TaskDefinitionQuery, page: PageRequest): Promise<Page<string>>;
}

export interface ContainerInstancesTable {
  get(arn: string): Promise<ContainerInstanceRecord | undefined>;
  put(record: ContainerInstanceRecord): Promise<void>;
  delete(arn: string): Promise<void>;
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
  /** STOPPED tasks of a service group whose stop the service has not counted yet (serviceAccounted unset). */
  unaccountedStops(clusterArn: string, group: string, limit: number): Promise<TaskRecord[]>;
}

export interface ServicesTable {
  get(arn: string): Promise<ServiceRecord | undefined>;
  put(record: ServiceRecord): Promise<void>;
  /** ACTIVE and DRAINING services of a cluster, oldest first. */
  list(query: ServiceQuery, page: PageRequest): Promise<Page<ServiceRecord>>;
  /** Services of every account that are not INACTIVE: what the service controller reconciles. */
  listLive(): Promise<{ serviceArn: string; clusterArn: string }[]>;
  /** INACTIVE services deleted before `before` (epoch seconds) are forgotten. */
  purgeInactive(before: number): Promise<void>;
}

export interface ServiceDeploymentsTable {
  get(arn: string): Promise<ServiceDeploymentRecord | undefined>;
  put(record: ServiceDeploymentRecord): Promise<void>;
  /** Newest first. */
  list(query: ServiceDeploymentQuery, page: PageRequest): Promise<Page<ServiceDeploymentRecord>>;
}

export interface ServiceRevisionsTable {
  get(arn: string): Promise<ServiceRevisionRecord | undefined>;
  put(record: ServiceRevisionRecord): Promise<void>;
}

/** A named lease: who holds it and until when (epoch seconds). */
export interface LeaseRecord {
  name: string;
  holder: string;
  expiresAt: number;
}

export interface LeasesTable {
  get(name: string): Promise<LeaseRecord | undefined>;
  put(record: LeaseRecord): Promise<void>;
}

/** Which agent runs a task: its container instance, or its Fargate capacity host. */
export function agentKeyOf(task: Pick<TaskRecord, 'containerInstanceArn' | 'fargateHost'>): string | undefined {
  return task.containerInstanceArn ?? (task.fargateHost !== undefined ? fargateHostKey(task.fargateHost) : undefined);
}

export const fargateHostKey = (hostId: string) => `fargate-host/${hostId}`;

export interface AccountSettingsTable {
  list(accountId: string, region: string): Promise<AccountSettingRecord[]>;
  put(record: AccountSettingRecord): Promise<void>;
  delete(accountId: string, region: string, principalArn: string, isDefault: boolean, name: string): Promise<void>;
}

/** A version of a secret as its secret's record lists it; the value itself is stored apart. */
export interface SecretVersionEntry {
  versionId: string;
  /** Staging labels; a version without any is deprecated. */
  stages: string[];
  createdDate: number;
}

/** A secret's value: exactly one of the two, SecretBinary as base64 as the wire carries it. */
export interface SecretValue {
  secretString?: string;
  secretBinary?: string;
}

export interface SecretRecord {
  arn: string;
  name: string;
  accountId: string;
  region: string;
  description?: string;
  kmsKeyId?: string;
  tags: { Key: string; Value: string }[];
  /** Oldest first. */
  versions: SecretVersionEntry[];
  createdDate: number;
  lastChangedDate: number;
  /** The day (UTC midnight) of the last GetSecretValue. */
  lastAccessedDate?: number;
  /** When DeleteSecret scheduled the secret for deletion. */
  deletedDate?: number;
  /** When a secret scheduled for deletion is removed for good. */
  purgeDate?: number;
}

export interface SecretsTable {
  get(arn: string): Promise<SecretRecord | undefined>;
  findByName(accountId: string, region: string, name: string): Promise<SecretRecord | undefined>;
  /** Every secret of an account and region, oldest first, each with a number that orders secrets by creation. */
  list(accountId: string, region: string): Promise<{ order: number; record: SecretRecord }[]>;
  put(record: SecretRecord): Promise<void>;
  /** Removes a secret and every value of it. */
  delete(arn: string): Promise<void>;
  /** Removes, in every account, the secrets whose recovery window ended at or before `now` (epoch seconds). */
  purgeDue(now: number): Promise<void>;
  getValue(arn: string, versionId: string): Promise<SecretValue | undefined>;
  putValue(arn: string, versionId: string, value: SecretValue): Promise<void>;
  deleteValue(arn: string, versionId: string): Promise<void>;
}

export interface IdempotencyTable {
  get(scopeKey: string): Promise<{ requestHash: string; response: string; createdAt: number } | undefined>;
  put(scopeKey: string, requestHash: string, response: string, createdAt: number): Promise<void>;
}

export interface StoreTx extends Elbv2Tables {
  credentials: CredentialsTable;
  clusters: ClustersTable;
  taskDefinitions: TaskDefinitionsTable;
  containerInstances: ContainerInstancesTable;
  tasks: TasksTable;
  accountSettings: AccountSettingsTable;
  idempotency: IdempotencyTable;
  secrets: SecretsTable;
  registry: RegistryTable;
  services: ServicesTable;
  serviceDeployments: ServiceDeploymentsTable;
  serviceRevisions: ServiceRevisionsTable;
  leases: LeasesTable;
}

/** What a reset deletes: one account's resources, or the whole installation's. */
export type ResetScope = { kind: 'account'; accountId: string } | { kind: 'installation' };

export interface Store {
  /** A consistent read-only view. */
  read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** One atomic transaction: all of `fn`'s writes commit together, or none do if it throws. */
  write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** Every committed change, in commit order (changes.ts). */
  readonly changes: ChangeFeed;
  /**
   * A consistent read and a subscription to every change committed after it (SwarmKit's
   * ViewAndWatch): nothing falls between what `fn` read and what the listener receives.
   */
  readAndWatch<T>(fn: (tx: StoreTx) => Promise<T>, options: Omit<WatchOptions, 'after'>, listener: ChangeListener): Promise<{ value: T; subscription: Subscription }>;
  /**
   * Deletes resources (never credentials), for test isolation: one account's in every region, or,
   * for the installation, every account's along with leases and registry settings.
   */
  reset(scope: ResetScope): Promise<void>;
  close(): Promise<void>;
}
