/**
 * The Berth agent: registers its host as a container instance (or offers it as FARGATE capacity),
 * keeps the agent channel open, and runs the tasks it is given on its container runtime.
 *
 * Wiring only: registration, the channel, the task engine and the metadata endpoint each live in
 * their own module.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { Logger } from 'pino';
import type { AssignedTask } from '../agent-protocol/messages.js';
import { systemClock, type Clock } from '../core/clock.js';
import { ChannelClient } from './channel-client.js';
import { TaskEngine } from './engine/engine.js';
import type { RunnerContext } from './engine/task-runner.js';
import { metadataSourceOf } from './metadata-source.js';
import { startMetadataServer, type MetadataServer } from './metadata/server.js';
import { detectTaskCgroups } from './runtime/task-cgroups.js';
import { architectureOf, fargateHostId, registerInstance, type Registration } from './registration.js';
import type { NetworkMode } from './runtime/container-spec.js';
import { awsvpcNetworkName, defaultAwsvpcSubnet, ensureAwsvpcNetwork } from './runtime/network.js';
import { ensurePauseImage } from './runtime/pause-image.js';
import type { ContainerRuntime, RuntimeInfo } from './runtime/types.js';

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
  /** Serve the task metadata endpoint (not for simulated runtimes). */
  metadata: boolean;
  /** Marks the instance as simulated, in its attributes. */
  simulated?: boolean;
  log: Logger;
  clock?: Clock;
  tickMs?: number;
}

export interface RunningAgent {
  registration: Registration;
  engine: TaskEngine;
  channel: ChannelClient;
  metadata?: MetadataServer;
  stop(): Promise<void>;
}

/** The runtime's facts, once it answers: an agent started before its Docker engine simply waits. */
async function waitForRuntime(runtime: ContainerRuntime, log: Logger): Promise<RuntimeInfo> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await runtime.info();
    } catch (error) {
      if (attempt % 10 === 0) log.warn({ err: error }, 'waiting for the container runtime (is the Docker engine running?)');
      await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * 2 ** attempt)));
    }
  }
}

function executionEnvironment(task: AssignedTask): string {
  if (task.launchType === 'FARGATE') return 'AWS_ECS_FARGATE';
  return task.launchType === 'EXTERNAL' ? 'AWS_ECS_EXTERNAL' : 'AWS_ECS_EC2';
}

/** A short, stable, path-safe name for this agent's cgroup directory. */
const cgroupNameOf = (owner: string) => createHash('sha256').update(owner).digest('hex').slice(0, 16);

export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const clock = options.clock ?? systemClock;
  const log = options.log;
  await mkdir(options.dataDir, { recursive: true });
  const client = new ECSClient({ endpoint: options.endpoint, region: options.region, credentials: options.credentials, maxAttempts: 5 });
  const info = await waitForRuntime(options.runtime, log);
  const registration =
    options.mode === 'instance'
      ? await registerInstance(client, options, info)
      : {
          owner: await fargateHostId(options.dataDir, options.name),
          identity: {} as Record<string, string>,
          cpu: info.cpus * 1024,
          memory: Math.floor(info.memoryBytes / 1024 / 1024) - options.reservedMemoryMiB,
        };
  if (options.mode === 'fargate') {
    registration.identity = {
      fargateHost: registration.owner,
      fargateCpu: String(registration.cpu),
      fargateMemory: String(registration.memory),
      fargateAvailabilityZone: options.availabilityZone,
    };
  }

  const subnet = options.awsvpcSubnet ?? defaultAwsvpcSubnet;
  let awsvpcGateway: string | undefined;
  let pauseImage: string | undefined = options.pauseImage;
  const networks = async () => {
    awsvpcGateway ??= (await ensureAwsvpcNetwork(options.runtime, subnet)).gateway;
    return awsvpcNetworkName;
  };
  let bridgeGateway: string | undefined;
  let metadata: MetadataServer | undefined;
  let engine: TaskEngine | undefined;
  if (options.metadata) {
    await networks();
    bridgeGateway = await options.runtime.networkGateway('bridge');
    const addresses = ['127.0.0.1', ...(bridgeGateway ? [bridgeGateway] : []), ...(awsvpcGateway ? [awsvpcGateway] : [])];
    metadata = await startMetadataServer({ addresses, port: 0, source: metadataSourceOf(() => engine, options.runtime, subnet) });
  }
  const addressFor = (mode: NetworkMode) => (mode === 'bridge' ? bridgeGateway : mode === 'awsvpc' ? awsvpcGateway : undefined) ?? '127.0.0.1';

  const channel: ChannelClient = new ChannelClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: async () => options.credentials,
    identity: registration.identity,
    log,
    onTasks: (message) => engine?.apply(message),
    onRefused: (status, body) => log.error({ status, body }, 'the control plane refuses this agent; if its instance was deregistered, restart the agent to register again'),
  });
  const taskCgroups = info.cgroup ? await detectTaskCgroups({ cgroupDriver: info.cgroup.driver, cgroupVersion: info.cgroup.version }, cgroupNameOf(registration.owner)) : undefined;
  if (taskCgroups && 'unavailable' in taskCgroups) {
    log.warn(`task-level cpu and memory cap each container, not the task as a whole: ${taskCgroups.unavailable}`);
  }
  engine = new TaskEngine({
    ...(taskCgroups && !('unavailable' in taskCgroups) ? { taskCgroups } : {}),
    runtime: options.runtime,
    owner: registration.owner,
    clock,
    log,
    send: (report) => channel.report(report),
    setHealth: (status, reason) => channel.setHealth({ status, ...(reason ? { reason } : {}) }),
    awsvpcNetwork: networks,
    pauseImage: async () => (pauseImage ??= await ensurePauseImage(options.runtime, info.architecture)),
    metadataEnvironment: (task, mode, token) => ({
      AWS_EXECUTION_ENV: executionEnvironment(task),
      AWS_REGION: options.region,
      AWS_DEFAULT_REGION: options.region,
      ...(metadata ? { ECS_CONTAINER_METADATA_URI_V4: metadata.uriFor(addressFor(mode), token) } : {}),
    }),
    pullBehavior: options.pullBehavior,
    architecture: architectureOf(info),
    cleanupDelayMs: options.cleanupDelayMs,
    ...(options.tickMs !== undefined ? { tickMs: options.tickMs } : {}),
  });
  await engine.start();
  channel.start();
  log.info({ owner: registration.owner, mode: options.mode }, 'agent started');
  return {
    registration,
    engine,
    channel,
    ...(metadata ? { metadata } : {}),
    async stop() {
      await channel.stop();
      await engine?.stop();
      await metadata?.close();
      client.destroy();
    },
  };
}
