/**
 * What the task metadata endpoint (v4) needs from the agent. The agent keeps one view per task and
 * answers lookups by the per-container token it put in ECS_CONTAINER_METADATA_URI_V4.
 */
import type { AssignedTask } from '../../agent-channel-protocol/messages.js';
import type { ObservedContainer } from '../runtime/types.js';

export interface MetadataContainerView {
  /**
   * The task definition's container name. A pause container (labelled role=pause) may be listed too,
   * as ECS lists its `~internal~ecs~pause` container for awsvpc tasks on EC2; it is left out for FARGATE.
   */
  name: string;
  containerArn?: string;
  /** The agent's status for the container: PENDING, RUNNING, STOPPED (RESOURCES_PROVISIONED for a pause container). */
  knownStatus: string;
  /** Absent until the container exists. */
  observed?: ObservedContainer;
  exitCode?: number;
  /** When the agent created the container (the runtime does not report it). */
  createdAt?: Date;
}

export interface MetadataTaskView {
  task: AssignedTask;
  knownStatus: string;
  containers: MetadataContainerView[];
  pullStartedAt?: Date;
  pullStoppedAt?: Date;
  executionStoppedAt?: Date;
  /** awsvpc tasks: the address the task's network namespace got. */
  networkInterface?: {
    privateIPv4Address: string;
    macAddress: string;
    subnetCidr?: string;
    gateway?: string;
    privateDnsName?: string;
  };
  /** The task definition's network mode (bridge when it names none). */
  networkMode: string;
  /** Set when the task belongs to a service. */
  serviceName?: string;
  /** FARGATE: the task's current ephemeral storage use, when the agent measures it. */
  ephemeralStorageUtilizedMiB?: number;
  /** The host clock's synchronization, when the agent knows it. */
  clockDrift?: { clockErrorBoundMs: number; referenceTimestamp: Date; synchronized: boolean };
}

export interface MetadataSource {
  /** The task and container behind a token; undefined for a token the agent never issued or has forgotten. */
  lookup(token: string): { view: MetadataTaskView; containerName: string } | undefined;
  /** One sample of Docker's stats for a container, or undefined when it has none (not running). */
  stats(containerId: string): Promise<Record<string, unknown> | undefined>;
}
