/**
 * The store's contract for ECS services: services (their ECS deployments and events inside), the
 * history of their service deployments, and their revisions.
 */
import type { Deployment, Service, ServiceDeployment, ServiceEvent, ServiceRevision, Tag } from '@aws-sdk/client-ecs';
import type { Wire } from '../../core/wire.js';
import type { Page, PageRequest, Versioned } from './core.js';

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
  /**
   * With deployment alarms: when the bake time that began as the deployment settled ends (epoch
   * seconds); it completes then, its alarms watched until then. Internal.
   */
  bakeUntil?: number;
};

export type ServiceRecord = Versioned & Omit<Wire<Service>, 'runningCount' | 'pendingCount' | 'deployments' | 'events' | 'taskSets'> & {
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

export type ServiceDeploymentRecord = Versioned & Wire<ServiceDeployment> & {
  serviceDeploymentArn: string;
  serviceArn: string;
  clusterArn: string;
  status: string;
  createdAt: number;
};

export type ServiceRevisionRecord = Versioned & Wire<ServiceRevision> & {
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

export interface ServicesTables {
  services: ServicesTable;
  serviceDeployments: ServiceDeploymentsTable;
  serviceRevisions: ServiceRevisionsTable;
}
