/**
 * Registration: the host becomes a container instance through the ECS API's own
 * RegisterContainerInstance, with its real resources, ECS's attributes and the capabilities this
 * agent implements. The instance ARN is kept in the data directory, so a restarted agent registers
 * again as the same instance and keeps its tasks.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ECSClient, RegisterContainerInstanceCommand, type Attribute } from '@aws-sdk/client-ecs';
import { dockerLogDrivers } from '../agent-channel-protocol/log-drivers.js';
import { hostAddressAttribute } from '../agent-channel-protocol/host-address.js';
import { localAddressTowards } from './host-address.js';
import { version } from '../version.js';
import type { AgentOptions } from './options.js';
import type { RuntimeInfo } from './runtime/types.js';

export interface Registration {
  /**
   * The value of the owner label on this agent's containers: the agent's own id (its instance id,
   * or its Fargate host id), kept in its data directory. It outlives any one registration, so an
   * agent that registers again (after a reset) still finds, and stops, the containers it ran.
   */
  owner: string;
  /** Owner labels its containers carried before the owner label was the agent's own id. */
  formerOwners?: string[];
  /** Query parameters naming the agent on its channel. */
  identity: Record<string, string>;
  containerInstanceArn?: string;
  cpu: number;
  memory: number;
}

interface SavedIdentity {
  containerInstanceArn?: string;
  instanceId?: string;
  hostId?: string;
}

/** Docker Remote API versions the ECS agent advertises; Berth needs 1.41, the engine's floor here. */
const remoteApiVersions = ['1.17', '1.18', '1.19', '1.20', '1.21', '1.22', '1.23', '1.24', '1.25', '1.26', '1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', '1.36', '1.37', '1.38', '1.39', '1.40', '1.41'];

/** What this agent can run, named as the Amazon ECS agent names it (task definitions' requiresAttributes). */
export const capabilities = [
  ...remoteApiVersions.map((api) => `com.amazonaws.ecs.capability.docker-remote-api.${api}`),
  'com.amazonaws.ecs.capability.logging-driver.json-file',
  'com.amazonaws.ecs.capability.logging-driver.none',
  'com.amazonaws.ecs.capability.privileged-container',
  'com.amazonaws.ecs.capability.private-registry-authentication.secretsmanager',
  'ecs.capability.secrets.asm.environment-variables',
  'ecs.capability.secrets.ssm.environment-variables',
  'ecs.capability.task-eni',
  'com.amazonaws.ecs.capability.task-iam-role',
  'com.amazonaws.ecs.capability.task-iam-role-network-host',
  'ecs.capability.container-health-check',
  'ecs.capability.container-ordering',
  'ecs.capability.docker-plugin.local',
  'ecs.capability.container-port-range',
  'ecs.capability.task-cpu-mem-limit',
  'ecs.capability.full-sync',
];

/** awslogs as ECS's agent advertises it: the driver, and logs written with the task's execution role. */
export const awslogsCapabilities = ['com.amazonaws.ecs.capability.logging-driver.awslogs', 'ecs.capability.execution-role-awslogs'];

/** The log drivers of `dockerLogDrivers` the engine ships; json-file is always there. */
export function logDriverCapabilities(info: RuntimeInfo): string[] {
  return dockerLogDrivers
    .filter((driver) => driver !== 'json-file' && (info.logDrivers ?? []).includes(driver))
    .map((driver) => `com.amazonaws.ecs.capability.logging-driver.${driver}`);
}

const stateFile = (dataDir: string, name: string) => join(dataDir, `${name}.json`);

async function load(path: string): Promise<SavedIdentity> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as SavedIdentity;
  } catch {
    return {};
  }
}

async function save(path: string, identity: SavedIdentity): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(identity, null, 2), { mode: 0o600 });
  await rename(temporary, path);
}

export function architectureOf(info: RuntimeInfo): 'x86_64' | 'arm64' {
  return /arm64|aarch64/i.test(info.architecture) ? 'arm64' : 'x86_64';
}

export async function registerInstance(client: ECSClient, options: AgentOptions, info: RuntimeInfo): Promise<Registration> {
  const path = stateFile(options.dataDir, `instance-${options.cluster}${options.name ? `-${options.name}` : ''}`.replace(/[^A-Za-z0-9_.-]/g, '_'));
  const saved = await load(path);
  const prefix = options.launchKind === 'EXTERNAL' ? 'mi-' : 'i-';
  const instanceId = saved.instanceId?.startsWith(prefix) ? saved.instanceId : `${prefix}${randomBytes(9).toString('hex').slice(0, 17)}`;
  const cpu = info.cpus * 1024;
  const memory = Math.max(0, Math.floor(info.memoryBytes / 1024 / 1024) - options.reservedMemoryMiB);
  const hostAddress = options.hostAddress ?? (await localAddressTowards(options.endpoint));
  const attributes: Attribute[] = [
    { name: 'ecs.os-type', value: 'linux' },
    { name: 'ecs.os-family', value: 'LINUX' },
    { name: 'ecs.cpu-architecture', value: architectureOf(info) },
    { name: 'ecs.availability-zone', value: options.availabilityZone },
    ...capabilities.map((name) => ({ name })),
    ...logDriverCapabilities(info).map((name) => ({ name })),
    // The agent collects awslogs output itself, from the output the runtime keeps.
    ...(options.runtime.output ? awslogsCapabilities.map((name) => ({ name })) : []),
    ...(options.simulated ? [{ name: 'berth.simulated', value: 'true' }] : []),
    { name: hostAddressAttribute, value: hostAddress },
  ];
  const request = {
    cluster: options.cluster,
    instanceIdentityDocument: JSON.stringify({
      instanceId,
      availabilityZone: options.availabilityZone,
      region: options.region,
      architecture: architectureOf(info),
      instanceType: options.simulated ? 'berth.simulated' : 'berth.host',
    }),
    totalResources: [
      { name: 'CPU', type: 'INTEGER', integerValue: cpu },
      { name: 'MEMORY', type: 'INTEGER', integerValue: memory },
      { name: 'PORTS', type: 'STRINGSET', stringSetValue: options.reservedPorts.map(String) },
      { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
    ],
    versionInfo: { agentVersion: version, agentHash: 'berth', dockerVersion: `DockerVersion: ${info.version}` },
    attributes,
  };
  let response;
  try {
    response = await client.send(new RegisterContainerInstanceCommand({ ...request, ...(saved.containerInstanceArn ? { containerInstanceArn: saved.containerInstanceArn } : {}) }));
  } catch (error) {
    // The saved instance is gone (deregistered, or another cluster): register anew.
    if (!saved.containerInstanceArn || (error as { name?: string }).name !== 'InvalidParameterException') throw error;
    response = await client.send(new RegisterContainerInstanceCommand(request));
  }
  const arn = response.containerInstance?.containerInstanceArn;
  if (!arn) throw new Error('RegisterContainerInstance answered without a containerInstanceArn');
  await save(path, { containerInstanceArn: arn, instanceId });
  return {
    owner: instanceId,
    // Containers of agents before the owner label was the instance id carry the instance ARN.
    ...(saved.containerInstanceArn ? { formerOwners: [saved.containerInstanceArn] } : {}),
    identity: { cluster: options.cluster, containerInstance: arn },
    containerInstanceArn: arn,
    cpu,
    memory,
  };
}

/** A Fargate capacity host's stable id, kept in the data directory. */
export async function fargateHostId(dataDir: string, name?: string): Promise<string> {
  const path = stateFile(dataDir, `fargate-host${name ? `-${name}` : ''}`);
  const saved = await load(path);
  if (saved.hostId) return saved.hostId;
  const hostId = `fargate-${randomBytes(8).toString('hex')}`;
  await save(path, { hostId });
  return hostId;
}
