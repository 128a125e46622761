/**
 * The container runtime seam. The task engine decides; a ContainerRuntime only does what it is told
 * and reports what it sees. The Docker implementation talks to the Docker Engine API; the simulated
 * one (for scale tests) keeps containers in memory.
 *
 * Every container Berth creates carries labels tying it to its task, so a restarted agent can find
 * what it had started (see `labels`).
 */

import type { ContainerSpec } from './spec.js';

export type { ContainerSpec } from './spec.js';

/** Labels on every container the agent creates (the ECS agent's own names, plus Berth's). */
export const labels = {
  taskArn: 'com.amazonaws.ecs.task-arn',
  containerName: 'com.amazonaws.ecs.container-name',
  cluster: 'com.amazonaws.ecs.cluster',
  family: 'com.amazonaws.ecs.task-definition-family',
  revision: 'com.amazonaws.ecs.task-definition-version',
  /** Which agent owns the container: its container instance ARN or Fargate host id. */
  owner: 'dev.berth.owner',
  /** `app` for task containers, `pause` for the container holding an awsvpc task's network namespace. */
  role: 'dev.berth.role',
  /** On the awsvpc network: the data directory of the agent that created it (`berth down` removes only its own). */
  agentDataDir: 'dev.berth.agent-data-dir',
} as const;

export type ContainerRole = 'app' | 'pause';

export interface PortBinding {
  containerPort: number;
  hostPort: number;
  protocol: 'tcp' | 'udp';
  bindIP: string;
}

export interface NetworkAddress {
  network: string;
  ipAddress: string;
  macAddress: string;
  gateway: string;
}

export interface ObservedContainer {
  id: string;
  /** Docker's name, without the leading slash. */
  name: string;
  labels: Record<string, string>;
  state: 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
  exitCode?: number;
  oomKilled: boolean;
  /** The engine's error when the container could not start. */
  error?: string;
  startedAt?: Date;
  finishedAt?: Date;
  /** Present only for containers with a health check. */
  health?: 'starting' | 'healthy' | 'unhealthy';
  image: string;
  /** The image's repository digest (`sha256:…`) when known, else the image id. */
  imageDigest?: string;
  ports: PortBinding[];
  networks: NetworkAddress[];
  /** The cgroup the container was created under (its task's), when it has one. */
  cgroupParent?: string;
}

export interface RuntimeInfo {
  version: string;
  apiVersion: string;
  cpus: number;
  memoryBytes: number;
  os: string;
  architecture: string;
  /** Docker's cgroup driver and version ('cgroupfs', '1'); absent for a runtime without cgroups. */
  cgroup?: { driver: string; version: string };
  /** The log drivers the engine ships (docker info's Plugins.Log); absent for a runtime without logs. */
  logDrivers?: string[];
}

export interface RegistryAuth {
  username: string;
  password: string;
  serverAddress?: string;
}

export interface RuntimeEvent {
  containerId: string;
  /** Docker's action: create, start, die, oom, health_status: healthy, destroy, … */
  action: string;
  /** The container's labels (Docker's own event attributes such as name and image left out). */
  labels: Record<string, string>;
  /** `die` events: the exit code. */
  exitCode?: number;
}

/** The runtime could not be reached or did not answer in time: temporary, the step is retried later. */
export class RuntimeUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RuntimeUnavailableError';
  }
}

/** A pull abandoned on purpose, because the task it was for is to stop: neither temporary nor a failure. */
export class PullCancelledError extends Error {
  constructor(reference: string) {
    super(`pull ${reference}: cancelled because the task is stopping`);
    this.name = 'PullCancelledError';
  }
}

/** A container's kept output, as the engine streams it. */
export interface OutputStream {
  stream: NodeJS.ReadableStream;
  /** Docker's multiplexed frames (stdout and stderr apart); false for a container with a TTY (one raw stream). */
  multiplexed: boolean;
}

export interface ContainerRuntime {
  info(): Promise<RuntimeInfo>;
  /**
   * The container's output kept by its json-file driver, each line prefixed with Docker's
   * RFC 3339 nanosecond timestamp, from `since` (Docker's `seconds.nanoseconds`, inclusive) on,
   * following until the container stops. Absent for a runtime that keeps no output: its agent
   * does not offer awslogs.
   */
  output?(id: string, since: string | undefined): Promise<OutputStream>;
  /** Every container carrying the task-ARN label (that task's, when given) and owned by `owner`, running or not. */
  listManaged(owner: string, taskArn?: string): Promise<ObservedContainer[]>;
  inspect(id: string): Promise<ObservedContainer | undefined>;
  hasImage(reference: string): Promise<boolean>;
  /**
   * Pulls an image; rejects with the engine's message when it cannot. Aborting `signal` abandons
   * the pull (the engine cancels it when the request closes) and rejects with PullCancelledError.
   */
  pull(reference: string, auth?: RegistryAuth, signal?: AbortSignal): Promise<void>;
  /** The repository digest of a local image, or its id when it has none. */
  imageDigest(reference: string): Promise<string | undefined>;
  /** Creates (does not start) a container; rejects when the runtime refuses the spec or its name is taken. */
  create(spec: ContainerSpec): Promise<string>;
  start(id: string): Promise<void>;
  /** SIGTERM (or the image's stop signal), then SIGKILL after `timeoutSeconds`. */
  stop(id: string, timeoutSeconds: number): Promise<void>;
  remove(id: string): Promise<void>;
  /** Creates the bridge network if absent (with `networkLabels`); answers its gateway address. */
  ensureNetwork(name: string, subnet: string, networkLabels?: Record<string, string>): Promise<{ gateway: string; subnet: string }>;
  /** The gateway address of an existing network (the default `bridge`, say). */
  networkGateway(name: string): Promise<string | undefined>;
  ensureVolume(name: string, driver: string | undefined, driverOpts: Record<string, string>, volumeLabels: Record<string, string>): Promise<void>;
  /** Removes a volume; false, leaving it, while a container still holds it (one being removed, say). */
  removeVolume(name: string): Promise<boolean>;
  hasVolume(name: string): Promise<boolean>;
  /** Builds (once) a local image from a tar stream of its root filesystem. */
  importImage(reference: string, rootfsTar: Buffer, command: string[]): Promise<void>;
  /** One sample of docker stats for a running container, as the Engine API returns it. */
  stats(id: string): Promise<Record<string, unknown> | undefined>;
  /** Container events until the returned function is called; `onError` when the stream breaks. */
  events(onEvent: (event: RuntimeEvent) => void, onError: (error: Error) => void): () => void;
}
