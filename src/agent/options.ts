/**
 * What an agent is started with: the options of `startAgent`, read by registration too. Types only,
 * so the modules of the agent can share them without importing one another.
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { CredentialsEndpoint } from './credentials/endpoint.js';
import type { RunnerContext } from './engine/task-runner.js';
import type { ContainerRuntime } from './runtime/types.js';

export interface AgentOptions {
  endpoint: string;
  region: string;
  credentials: AwsCredentialIdentity;
  /** `instance`: a container instance of `cluster`; `fargate`: FARGATE capacity for the whole installation. */
  mode: 'instance' | 'fargate';
  cluster: string;
  /** EC2 instances get `i-` ids, EXTERNAL (ECS Anywhere) ones `mi-` ids. */
  launchKind: 'EC2' | 'EXTERNAL';
  /** Where the agent keeps its identity between restarts. */
  dataDir: string;
  /** Distinguishes several agents sharing a data directory (simulated instances). */
  name?: string;
  availabilityZone: string;
  reservedMemoryMiB: number;
  reservedPorts: number[];
  pullBehavior: RunnerContext['pullBehavior'];
  cleanupDelayMs: number;
  awsvpcSubnet?: string;
  pauseImage?: string;
  runtime: ContainerRuntime;
  /** Serve the task metadata endpoint, and the credentials endpoint to tasks with a task role (not for simulated runtimes). */
  metadata: boolean;
  /**
   * Where the control plane's host reaches this host's task ports (the `berth.host-address`
   * attribute, read by the load balancers for bridge and host mode targets). Absent: the local
   * address of the agent's connection to the control plane.
   */
  hostAddress?: string;
  /**
   * Set as AWS_ENDPOINT_URL in every container, so the AWS SDKs and CLI inside talk to Berth: an
   * address of Berth's endpoint that the containers can reach. Absent: not set.
   */
  taskEndpointUrl?: string;
  /** Where task role credentials are served: 169.254.170.2:80 by default. Agents of one process share one (see credentials/endpoint.ts). */
  credentialsEndpoint?: CredentialsEndpoint;
  /** Marks the instance as simulated, in its attributes. */
  simulated?: boolean;
  /**
   * Create `cluster` before registering, at start and whenever the agent registers again: the
   * local agent of `berth up`, whose cluster `default` must exist right after start and after a reset.
   */
  createCluster?: boolean;
  /** How long the control plane may stay silent before the agent reconnects (ChannelClient's default when absent). */
  heartbeatTimeoutMs?: number;
  /**
   * How often the running tasks' containers are sampled for CloudWatch's ECS metrics (20 s, as
   * ECS's agent, when absent; 0: never). Berth's own agents take the server's metric period.
   */
  statsIntervalMs?: number;
  log: Logger;
  clock?: Clock;
  tickMs?: number;
}
