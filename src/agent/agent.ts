/**
 * The Berth agent: registers its host as a container instance (or offers it as FARGATE capacity),
 * keeps the agent channel open, and runs the tasks it is given on its container runtime.
 *
 * Wiring only: registration, the channel, the task engine and the metadata endpoint each live in
 * their own module.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import type { Logger } from 'pino';
import type { AssignedTask } from '../agent-channel-protocol/messages.js';
import { systemClock } from '../core/clock.js';
import { ChannelClient } from './channel-client.js';
import { TaskEngine } from './engine/engine.js';
import { metadataSourceOf } from './metadata-source.js';
import { startMetadataServer, type MetadataServer } from './metadata/server.js';
import { CredentialsEndpoint } from './credentials/endpoint.js';
import { credentialsIdKey, TaskCredentials } from './credentials/task-credentials.js';
import { reasons } from './engine/reasons.js';
import { StatsReporter } from './stats-reporter.js';
import { AwslogsCollector } from './awslogs/collector.js';
import type { AgentOptions } from './options.js';
import { detectTaskCgroups } from './runtime/task-cgroups.js';
import { architectureOf, fargateHostId, registerInstance, type Registration } from './registration.js';
import type { NetworkMode } from './runtime/container-spec.js';
import { awsvpcNetworkName, defaultAwsvpcSubnet, ensureAwsvpcNetwork } from './runtime/network.js';
import { ensurePauseImage } from './runtime/pause-image.js';
import type { ContainerRuntime, ObservedContainer, RuntimeInfo } from './runtime/types.js';

/** startAgent's options; they live in a types-only module so registration can read them without importing the agent. */
export type { AgentOptions } from './options.js';

export interface RunningAgent {
  /** The current registration: an agent registers again after Berth is reset. */
  readonly registration: Registration;
  /** Registers again (after a reset) and reconnects; resolves once registered. */
  rejoin(): Promise<void>;
  engine: TaskEngine;
  channel: ChannelClient;
  metadata?: MetadataServer;
  /** Whether all of a task's awslogs output is acknowledged (true when this agent ships none for it). */
  awslogsShipped(taskArn: string): boolean;
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

/** How often container stats go to the control plane when the options say nothing: ECS's agent's 20 s. */
const defaultStatsIntervalMs = 20_000;

/** How long an agent whose cluster is gone waits before it tries to register again. */
const rejoinRetryMs = 30_000;

export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const clock = options.clock ?? systemClock;
  const log = options.log;
  await mkdir(options.dataDir, { recursive: true });
  const client = new ECSClient({ endpoint: options.endpoint, region: options.region, credentials: options.credentials, maxAttempts: 5 });
  const info = await waitForRuntime(options.runtime, log);
  const register = async () => {
    // CreateCluster answers the existing cluster when it is already there.
    if (options.createCluster) await client.send(new CreateClusterCommand({ clusterName: options.cluster }));
    return registerInstance(client, options, info);
  };
  let registration =
    options.mode === 'instance'
      ? await register()
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
    awsvpcGateway ??= (await ensureAwsvpcNetwork(options.runtime, subnet, resolve(options.dataDir))).gateway;
    return awsvpcNetworkName;
  };
  let bridgeGateway: string | undefined;
  let metadata: MetadataServer | undefined;
  let engine: TaskEngine | undefined;
  if (options.metadata) {
    await networks();
    bridgeGateway = await options.runtime.networkGateway('bridge');
    const served: { address: string; what: string }[] = [
      { address: '127.0.0.1', what: 'loopback, for host network mode tasks' },
      ...(bridgeGateway ? [{ address: bridgeGateway, what: "the gateway of Docker's bridge network, for bridge network mode tasks" }] : []),
      ...(awsvpcGateway ? [{ address: awsvpcGateway, what: `the gateway of the ${awsvpcNetworkName} network, for awsvpc tasks` }] : []),
    ];
    metadata = await startMetadataServer({ addresses: served.map((item) => item.address), port: 0, source: metadataSourceOf(() => engine, options.runtime, subnet) });
    // The agent runs without the endpoint where it cannot offer it (the Docker engine's networks are
    // on another machine, say): those tasks run without ECS_CONTAINER_METADATA_URI_V4.
    for (const { address, reason } of metadata.unavailable) {
      const what = served.find((item) => item.address === address)?.what ?? address;
      log.warn({ address, reason }, `the task metadata endpoint cannot be offered on ${address} (${what}): ${reason}. Those tasks' containers get no ECS_CONTAINER_METADATA_URI_V4.`);
    }
  }
  /** The address a task's containers reach the metadata endpoint at; absent where none serves them. */
  const addressFor = (mode: NetworkMode): string | undefined => (mode === 'bridge' ? bridgeGateway : mode === 'awsvpc' ? awsvpcGateway : '127.0.0.1');
  const metadataUri = (mode: NetworkMode, token: string): string | undefined => {
    const address = addressFor(mode);
    return address === undefined ? undefined : metadata?.uriFor(address, token);
  };

  const taskCredentials = new TaskCredentials(await credentialsIdKey(options.dataDir));
  const credentialsEndpoint = options.credentialsEndpoint ?? new CredentialsEndpoint();
  /** The endpoint's last problem, so that one is logged once, not with every list of tasks. */
  let endpointProblem: string | undefined;
  const unregisterCredentials = credentialsEndpoint.register({
    lookup: (id) => taskCredentials.lookup(id),
    sourcesOf: async (taskArn) => (engine ? engine.sourcesOf(taskArn) : []),
  });
  const awslogs = options.runtime.output
    ? new AwslogsCollector({
        runtime: options.runtime,
        owner: () => registration.owner,
        dataDir: options.dataDir,
        endpoint: options.endpoint,
        agentCredentials: options.credentials,
        log,
        clock,
        // A task whose STOPPED report waits for its output is looked at again at once.
        onShipped: (taskArn) => void engine?.runner(taskArn)?.wake(),
      })
    : undefined;
  /** Why a task cannot have its role credentials (or its awslogs streams) here; undefined when it can. */
  const roleProblem = async (task: AssignedTask): Promise<string | undefined> => {
    if (task.roleError !== undefined) return task.roleError;
    if (task.roleCredentials && options.metadata) {
      const problem = await credentialsEndpoint.ensure();
      if (problem !== undefined) return reasons.resourceInitialization(`the task role's credentials cannot be served: ${problem}`);
    }
    return awslogs?.setup(task);
  };

  const channel: ChannelClient = new ChannelClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: async () => options.credentials,
    identity: registration.identity,
    log,
    clock,
    onTasks: (message) => {
      // Credentials first: a container the engine starts for the list asks for them at once.
      taskCredentials.apply(message.tasks, message.full);
      awslogs?.apply(message.tasks, message.full);
      // Tasks re-adopted after a restart pull nothing: the endpoint is set up for them here.
      if (options.metadata && message.tasks.some((task) => task.roleCredentials)) {
        void credentialsEndpoint.ensure().then((problem) => {
          if (problem && problem !== endpointProblem) log.warn(`tasks with a task role get no credentials on this host: ${problem}`);
          endpointProblem = problem;
        });
      }
      engine?.apply(message);
    },
    onRefused: (status, body) => log.error({ status, body }, 'the control plane refuses this agent; if its instance was deregistered, restart the agent to register again'),
    onReset: () => void rejoin(),
    ...(options.heartbeatTimeoutMs !== undefined ? { heartbeatTimeoutMs: options.heartbeatTimeoutMs } : {}),
  });
  let stopped = false;
  let rejoining: Promise<void> | undefined;
  /** The wait between attempts to register again; stop() ends it. Not unref()ed: it keeps an agent process alive. */
  let rejoinWait: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  const waitToRejoin = () =>
    new Promise<void>((resolve) => {
      rejoinWait = {
        timer: setTimeout(() => {
          rejoinWait = undefined;
          resolve();
        }, rejoinRetryMs),
        resolve,
      };
    });
  /**
   * After a reset the instance is gone: register again (the agent's own id, and so its containers'
   * owner label, stays the same) and reconnect; the control plane then sends an empty task list and
   * the engine stops what ran before. A cluster that is gone for good is retried every 30 s.
   */
  const rejoin = (): Promise<void> =>
    (rejoining ??= (async () => {
      while (!stopped) {
        try {
          if (options.mode === 'instance') registration = await register();
          if (!stopped) channel.rejoin(registration.identity);
          return;
        } catch (error) {
          // Stopping destroys the client under a registration in flight: that failure is not news.
          if (stopped) return;
          const missing = (error as { name?: string }).name === 'ClusterNotFoundException';
          log.error(
            { err: error },
            missing
              ? `cluster '${options.cluster}' no longer exists at ${options.endpoint}; create it (aws ecs create-cluster --cluster-name ${options.cluster}) and this agent joins it. Retrying every ${rejoinRetryMs / 1000} s.`
              : `could not register again; retrying in ${rejoinRetryMs / 1000} s`,
          );
          await waitToRejoin();
        }
      }
    })().finally(() => {
      rejoining = undefined;
    }));
  const taskCgroups = info.cgroup ? await detectTaskCgroups({ cgroupDriver: info.cgroup.driver, cgroupVersion: info.cgroup.version }, cgroupNameOf(registration.owner)) : undefined;
  if (taskCgroups && 'unavailable' in taskCgroups) {
    log.warn(`task-level cpu and memory cap each container, not the task as a whole: ${taskCgroups.unavailable}`);
  }
  engine = new TaskEngine({
    ...(taskCgroups && !('unavailable' in taskCgroups) ? { taskCgroups } : {}),
    runtime: options.runtime,
    owner: registration.owner,
    ...(registration.formerOwners ? { formerOwners: registration.formerOwners } : {}),
    clock,
    log,
    send: (report) => channel.report(report),
    setHealth: (status, reason) => channel.setHealth({ status, ...(reason ? { reason } : {}) }),
    awsvpcNetwork: networks,
    pauseImage: async () => (pauseImage ??= await ensurePauseImage(options.runtime, info.architecture)),
    metadataEnvironment: (task, mode, token) => {
      const uri = metadataUri(mode, token);
      return {
        AWS_EXECUTION_ENV: executionEnvironment(task),
        AWS_REGION: options.region,
        AWS_DEFAULT_REGION: options.region,
        ...(uri ? { ECS_CONTAINER_METADATA_URI_V4: uri } : {}),
        ...(task.roleCredentials ? { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: `/v2/credentials/${taskCredentials.idFor(task.taskArn)}` } : {}),
        ...(options.taskEndpointUrl ? { AWS_ENDPOINT_URL: options.taskEndpointUrl } : {}),
      };
    },
    roleProblem,
    pullBehavior: options.pullBehavior,
    architecture: architectureOf(info),
    cleanupDelayMs: options.cleanupDelayMs,
    ...(awslogs ? { keepsContainer: (container: ObservedContainer) => awslogs.keeps(container), unshippedOutput: (taskArn: string) => awslogs.unshipped(taskArn) } : {}),
    ...(options.tickMs !== undefined ? { tickMs: options.tickMs } : {}),
  });
  await engine.start();
  awslogs?.start();
  channel.start();
  const statsIntervalMs = options.statsIntervalMs ?? defaultStatsIntervalMs;
  const running = engine;
  const stats =
    statsIntervalMs > 0
      ? new StatsReporter({ containers: () => running.runningContainers(), stats: (id) => options.runtime.stats(id), send: (tasks) => channel.sendStats(tasks), intervalMs: statsIntervalMs, log })
      : undefined;
  stats?.start();
  // The CLI says so in its own words; the event stays for debugging.
  log.debug({ owner: registration.owner, mode: options.mode }, 'agent started');
  return {
    get registration() {
      return registration;
    },
    rejoin,
    engine,
    channel,
    ...(metadata ? { metadata } : {}),
    awslogsShipped: (taskArn) => awslogs?.shipped(taskArn) ?? true,
    async stop() {
      stopped = true;
      if (rejoinWait) {
        clearTimeout(rejoinWait.timer);
        rejoinWait.resolve();
        rejoinWait = undefined;
      }
      stats?.stop();
      await channel.stop();
      await awslogs?.stop();
      await engine?.stop();
      await metadata?.close();
      await unregisterCredentials();
      client.destroy();
    },
  };
}
