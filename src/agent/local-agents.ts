/**
 * The agents `berth up` runs beside the control plane on a single node: one registers this machine
 * as an EC2 container instance of the `default` cluster, the other serves FARGATE tasks from the
 * same Docker engine.
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import type { Logger } from 'pino';
import { startAgent, type AgentOptions, type RunningAgent } from './agent.js';
import { CredentialsEndpoint } from './credentials/endpoint.js';
import { DockerRuntime } from './runtime/docker-runtime.js';

export interface LocalAgentOptions {
  endpoint: string;
  region: string;
  credentials: AwsCredentialIdentity;
  dataDir: string;
  cluster: string;
  log: Logger;
  dockerSocket?: string;
  overrides?: Partial<AgentOptions>;
}

export const agentDefaults = {
  reservedMemoryMiB: 256,
  reservedPorts: [22, 2375, 2376, 51678, 51679],
  pullBehavior: 'default' as const,
  cleanupDelaySeconds: 600,
};

export async function startLocalAgents(options: LocalAgentOptions): Promise<RunningAgent[]> {
  const runtime = new DockerRuntime(options.dockerSocket ? { socketPath: options.dockerSocket } : {});
  const common: Omit<AgentOptions, 'mode' | 'log'> = {
    endpoint: options.endpoint,
    region: options.region,
    credentials: options.credentials,
    cluster: options.cluster,
    launchKind: 'EC2',
    dataDir: options.dataDir,
    availabilityZone: `${options.region}a`,
    reservedMemoryMiB: agentDefaults.reservedMemoryMiB,
    reservedPorts: agentDefaults.reservedPorts,
    pullBehavior: agentDefaults.pullBehavior,
    cleanupDelayMs: agentDefaults.cleanupDelaySeconds * 1000,
    runtime,
    metadata: true,
    // One host, one 169.254.170.2:80: both agents serve their tasks' credentials from it.
    credentialsEndpoint: new CredentialsEndpoint(),
    createCluster: true,
    // Beside the control plane: its load balancers reach this host's task ports on loopback.
    hostAddress: '127.0.0.1',
    ...options.overrides,
  };
  const instance = await startAgent({ ...common, mode: 'instance', log: options.log.child({ agent: 'instance' }) });
  const fargate = await startAgent({ ...common, mode: 'fargate', log: options.log.child({ agent: 'fargate' }) });
  return [instance, fargate];
}
