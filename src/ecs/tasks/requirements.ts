/**
 * What one task of a definition (with RunTask overrides) needs from a container instance.
 * Pure functions over the stored task definition.
 */
import type { TaskOverride } from '@aws-sdk/client-ecs';
import type { Wire } from '../../core/wire.js';
import type { HostPort, RequiredAttribute } from '../../placement/types.js';
import type { TaskDefinitionRecord } from '../../store/types.js';

export interface TaskRequirements {
  cpu: number;
  memory: number;
  gpus: number;
  hostPorts: HostPort[];
  requiredAttributes: RequiredAttribute[];
}

const integer = (value: string | number | undefined): number | undefined => {
  if (value === undefined || value === '') return undefined;
  const parsed = typeof value === 'number' ? value : Number.parseInt(value, 10);
  return Number.isFinite(parsed) ? parsed : undefined;
};

export function requirementsOf(definition: TaskDefinitionRecord, overrides: Wire<TaskOverride> | undefined): TaskRequirements {
  const containers = definition.containerDefinitions ?? [];
  const override = (name: string | undefined) => overrides?.containerOverrides?.find((item) => item.name === name);
  let cpuSum = 0;
  let memorySum = 0;
  let gpus = 0;
  const hostPorts: HostPort[] = [];
  const networkMode = definition.networkMode ?? 'bridge';
  for (const container of containers) {
    const own = override(container.name);
    cpuSum += own?.cpu ?? container.cpu ?? 0;
    // ECS takes the soft limit (memoryReservation) from the instance when given, else the hard limit.
    memorySum += own?.memoryReservation ?? container.memoryReservation ?? own?.memory ?? container.memory ?? 0;
    const gpuRequirement = (own?.resourceRequirements ?? container.resourceRequirements ?? []).find((item) => item.type === 'GPU');
    gpus += integer(gpuRequirement?.value) ?? 0;
    if (networkMode === 'bridge' || networkMode === 'host') {
      for (const mapping of container.portMappings ?? []) {
        const port = networkMode === 'host' ? (mapping.hostPort ?? mapping.containerPort) : mapping.hostPort;
        if (port !== undefined && port > 0) hostPorts.push({ port, protocol: mapping.protocol === 'udp' ? 'udp' : 'tcp' });
      }
    }
  }
  return {
    cpu: integer(overrides?.cpu) ?? integer(definition.cpu) ?? cpuSum,
    memory: integer(overrides?.memory) ?? integer(definition.memory) ?? memorySum,
    gpus,
    hostPorts,
    requiredAttributes: [
      ...(definition.requiresAttributes ?? [])
        .filter((attribute): attribute is { name: string; value?: string } => typeof attribute.name === 'string')
        .map((attribute) => (attribute.value === undefined ? { name: attribute.name } : { name: attribute.name, value: attribute.value })),
      // ECS places a task whose runtimePlatform names an architecture only on instances of it (X86_64 → x86_64).
      ...(definition.runtimePlatform?.cpuArchitecture ? [{ name: 'ecs.cpu-architecture', value: definition.runtimePlatform.cpuArchitecture.toLowerCase() }] : []),
    ],
  };
}
