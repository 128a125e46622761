/**
 * The options of a Berth agent, defined once: `berth agent` and `berth up` (which runs local agents)
 * take the same ones, with the same defaults and the same checks.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { AgentOptions } from '../agent/agent.js';
import { defaultHeartbeatTimeoutMs } from '../agent/channel-client.js';
import { agentDefaults } from '../agent/local-agents.js';
import { defaultAwsvpcSubnet, gatewayOf } from '../agent/runtime/network.js';

export interface AgentFlags {
  availabilityZone?: string;
  reservedMemory: number;
  reservedPorts: number[];
  imagePullBehavior: AgentOptions['pullBehavior'];
  cleanupDelay: number;
  awsvpcSubnet: string;
  pauseImage?: string;
  dockerSocket?: string;
  heartbeatTimeout: number;
  statsInterval?: number;
  taskEndpointUrl?: string;
}

export function wholeNumber(name: string, min = 0) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isInteger(parsed) || parsed < min) throw new InvalidArgumentError(`${name} must be a whole number of at least ${min}.`);
    return parsed;
  };
}

function portList(value: string): number[] {
  if (value.trim() === '') return [];
  return value.split(',').map((item) => {
    const port = Number(item.trim());
    if (item.trim() === '' || !Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`'${item}' is not a port (1–65535).`);
    return port;
  });
}

function subnet(value: string): string {
  try {
    gatewayOf(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return value.trim();
}

function endpointUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`'${value}' is not a URL such as http://172.17.0.1:4566.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError(`'${value}' is not an http:// or https:// URL.`);
  return value;
}

function availabilityZone(value: string): string {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(value)) throw new InvalidArgumentError(`'${value}' is not an Availability Zone name such as us-east-1a (letters, digits and dashes).`);
  return value;
}

/** Adds every agent option to `command`. */
export function withAgentOptions(command: Command): Command {
  return command
    .addOption(new Option('--availability-zone <zone>', 'the ecs.availability-zone attribute of the instance (default: <region>a)').argParser(availabilityZone))
    .addOption(new Option('--reserved-memory <MiB>', 'memory kept back from tasks').argParser(wholeNumber('--reserved-memory')).default(agentDefaults.reservedMemoryMiB))
    .addOption(
      new Option('--reserved-ports <list>', "host ports tasks may not take, comma-separated ('' for none)")
        .argParser(portList)
        .default(agentDefaults.reservedPorts, agentDefaults.reservedPorts.join(',')),
    )
    .addOption(
      new Option('--image-pull-behavior <behavior>', 'default: pull, falling back to a cached image; always: pull or fail; prefer-cached: pull only when absent')
        .choices(['default', 'always', 'prefer-cached'])
        .default(agentDefaults.pullBehavior),
    )
    .addOption(
      new Option('--cleanup-delay <seconds>', 'how long stopped containers stay (for docker logs) before they are removed')
        .argParser(wholeNumber('--cleanup-delay'))
        .default(agentDefaults.cleanupDelaySeconds),
    )
    .addOption(new Option('--awsvpc-subnet <cidr>', 'subnet of the Docker network awsvpc tasks get their addresses from').argParser(subnet).default(defaultAwsvpcSubnet))
    .addOption(new Option('--pause-image <image>', "image holding awsvpc tasks' network namespaces (default: built locally, x86_64 only)"))
    .addOption(new Option('--docker-socket <path>', 'the Docker engine socket (default: DOCKER_HOST or /var/run/docker.sock)'))
    .addOption(
      new Option('--heartbeat-timeout <seconds>', 'seconds the control plane may stay silent before the agent drops its connection and reconnects (the agent pings every third of it)')
        .env('BERTH_AGENT_HEARTBEAT_TIMEOUT')
        .argParser(wholeNumber('--heartbeat-timeout', 1))
        .default(defaultHeartbeatTimeoutMs / 1000),
    )
    .addOption(
      new Option('--stats-interval <seconds>', "seconds between samples of the running containers' usage sent to the control plane for CloudWatch's ECS metrics; 0: none (default: 20, as ECS's agent; berth up: the metric period)")
        .env('BERTH_AGENT_STATS_INTERVAL')
        .argParser(wholeNumber('--stats-interval', 0)),
    )
    .addOption(
      new Option('--task-endpoint-url <url>', "AWS_ENDPOINT_URL set in every task's containers, so the AWS SDKs and CLI inside call Berth: its endpoint as the containers reach it (default: not set)")
        .env('BERTH_TASK_ENDPOINT_URL')
        .argParser(endpointUrl),
    );
}

/** The AgentOptions the flags set; the caller supplies the rest (endpoint, credentials, mode…). */
export function agentSettingsOf(flags: AgentFlags, region: string): Pick<
  AgentOptions,
  'availabilityZone' | 'reservedMemoryMiB' | 'reservedPorts' | 'pullBehavior' | 'cleanupDelayMs' | 'awsvpcSubnet' | 'pauseImage' | 'heartbeatTimeoutMs' | 'taskEndpointUrl' | 'statsIntervalMs'
> {
  return {
    availabilityZone: flags.availabilityZone ?? `${region}a`,
    reservedMemoryMiB: flags.reservedMemory,
    reservedPorts: flags.reservedPorts,
    pullBehavior: flags.imagePullBehavior,
    cleanupDelayMs: flags.cleanupDelay * 1000,
    awsvpcSubnet: flags.awsvpcSubnet,
    heartbeatTimeoutMs: flags.heartbeatTimeout * 1000,
    ...(flags.pauseImage ? { pauseImage: flags.pauseImage } : {}),
    ...(flags.statsInterval !== undefined ? { statsIntervalMs: flags.statsInterval * 1000 } : {}),
    ...(flags.taskEndpointUrl ? { taskEndpointUrl: flags.taskEndpointUrl } : {}),
  };
}
