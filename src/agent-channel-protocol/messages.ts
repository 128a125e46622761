/**
 * The agent channel: one WebSocket per container instance (or Fargate capacity host), opened by the
 * agent to `GET /_berth/agent` with a SigV4-presigned URL, as the ECS agent does with ACS.
 *
 *   control plane → agent   `tasks`   the tasks assigned to this agent with their desired status.
 *                                     `full: true` replaces everything the agent knew (sent on every
 *                                     connect and periodically); `full: false` updates only the tasks named.
 *                           `ack`     a report was applied (or was stale and ignored).
 *   agent → control plane   `report`  a task's observed state, with SubmitTaskStateChange's semantics:
 *                                     statuses only move forward, so a report may be resent freely.
 *                           `health`  whether the agent can reach its container runtime.
 *                           `stats`   its running tasks' containers' cumulative usage, sampled from
 *                                     the runtime once per stats interval (ECS's telemetry session):
 *                                     the control plane computes CloudWatch's utilization from them.
 *                                     Not acknowledged and not resent: a lost sample is a missing point.
 *
 * The agent keeps every report until it is acknowledged and resends unacknowledged ones after a
 * reconnect, so nothing it observed is lost while the control plane is away.
 */
import type { Container, NetworkBinding, TaskDefinition, TaskOverride } from '@aws-sdk/client-ecs';
import type { Wire } from '../core/wire.js';

export const agentChannelPath = '/_berth/agent';

/**
 * The close code with which the control plane ends every agent channel when Berth is reset: the
 * agent's instance and tasks are gone, so it registers again (and creates its cluster, if it is the
 * local agent of `berth up`) instead of reconnecting as an instance that no longer exists.
 */
export const resetCloseCode = 4001;

/** A task as the agent needs it: the definition to run, how to run it, and what to converge to. */
export interface AssignedTask {
  taskArn: string;
  clusterArn: string;
  desiredStatus: 'RUNNING' | 'STOPPED';
  /** What the control plane last recorded, so a restarted agent knows whether the task had started. */
  lastStatus: string;
  launchType: string;
  availabilityZone?: string;
  /** Task-level CPU units and MiB, as ECS reports them on the task. */
  cpu?: string;
  memory?: string;
  definition: Wire<TaskDefinition>;
  overrides: Wire<TaskOverride>;
  containers: Pick<Wire<Container>, 'name' | 'containerArn' | 'lastStatus' | 'runtimeId'>[];
  /** awsvpc tasks: the elastic network interface the control plane created for the task. */
  networkInterface?: { attachmentId: string; subnetId: string };
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  /** Private registry credentials resolved for containers with repositoryCredentials, by container name. */
  registryAuth?: Record<string, RegistryCredentials>;
  /** Why a container's repositoryCredentials or secrets could not be resolved, by container name: the task fails to start. */
  registryAuthErrors?: Record<string, string>;
  /** Container `secrets` resolved by the control plane: environment variables by container name. Never logged or stored. */
  secretEnvironment?: Record<string, Record<string, string>>;
  /**
   * The task role's credentials (a session of the role for the task), while the task is meant to
   * run: the agent serves them to the task's containers on the ECS credentials endpoint. Each list
   * sent carries the latest; the control plane issues new ones before these expire. Never logged.
   */
  roleCredentials?: RoleCredentials;
  /**
   * The execution role's credentials, for tasks with an awslogs container and an execution role:
   * the agent writes the containers' output to CloudWatch Logs with them. Never given to containers.
   * Sent while the task is listed, so output written just before the task stopped still ships.
   */
  executionRoleCredentials?: RoleCredentials;
  /** Why ECS cannot assume the task's role or its execution role (ECS's words): the task fails to start. */
  roleError?: string;
}

/** IAM role credentials as ECS's agent receives them and serves them to containers. */
export interface RoleCredentials {
  roleArn: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export interface RegistryCredentials {
  username: string;
  password: string;
  serverAddress?: string;
}

export interface ContainerReport {
  name: string;
  status?: 'PENDING' | 'RUNNING' | 'STOPPED';
  exitCode?: number;
  reason?: string;
  runtimeId?: string;
  imageDigest?: string;
  networkBindings?: Wire<NetworkBinding>[];
  healthStatus?: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
}

export interface TaskReport {
  taskArn: string;
  status?: string;
  reason?: string;
  /** ECS stop codes the agent knows better than the control plane (TaskFailedToStart, EssentialContainerExited). */
  stopCode?: string;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  executionStoppedAt?: number;
  healthStatus?: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
  containers?: ContainerReport[];
  /** awsvpc tasks: the address the task's network namespace got. */
  networkInterface?: { privateIPv4Address: string; macAddress: string; gateway?: string };
}

export interface RuntimeHealth {
  /** OK when the container runtime answers; IMPAIRED when it does not. */
  status: 'OK' | 'IMPAIRED';
  reason?: string;
}

/** One container's usage as its runtime counts it: cumulative, so two samples give a rate. */
export interface ContainerStats {
  name: string;
  /** When the runtime took the sample (epoch ms). */
  sampledAt: number;
  /** CPU time used since the container started, in nanoseconds. */
  cpuNanoseconds: number;
  /** Memory in use without the page cache, in bytes (as ECS's agent counts it). */
  memoryBytes: number;
  /** Bytes received and sent on its networks since it started, where the runtime tells. */
  networkRxBytes?: number;
  networkTxBytes?: number;
}

export interface TaskStats {
  taskArn: string;
  containers: ContainerStats[];
}

export type ControlMessage =
  | { type: 'tasks'; full: boolean; tasks: AssignedTask[] }
  | { type: 'ack'; id: number; error?: string };

export type AgentMessage =
  | { type: 'report'; id: number; report: TaskReport }
  | { type: 'health'; runtime: RuntimeHealth }
  | { type: 'stats'; tasks: TaskStats[] };

/** Query parameters of the channel URL (signed along with everything else). */
export interface ChannelIdentity {
  cluster?: string;
  containerInstance?: string;
  /** Set instead of a container instance by hosts that serve FARGATE tasks. */
  fargateHost?: string;
  /** CPU units and MiB the Fargate host offers, when fargateHost is set. */
  fargateCpu?: number;
  fargateMemory?: number;
}
