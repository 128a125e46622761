/**
 * Fargate's rules for a task definition (ECS developer guide: "Task size" and "Amazon ECS task
 * definition differences for Fargate"). Each rule yields ECS's message where it is known.
 */
import { awslogsOptionNames } from '../../agent-channel-protocol/awslogs.js';
import { ecrImage, nonEmpty, type Draft } from './model.js';

interface MemoryRange {
  from: number;
  to: number;
  step: number;
}

/** Valid task memory (MiB) for each Fargate task cpu (units). */
export const fargateSizes: ReadonlyMap<number, readonly MemoryRange[]> = new Map([
  [256, [{ from: 512, to: 512, step: 1 }, { from: 1024, to: 2048, step: 1024 }]],
  [512, [{ from: 1024, to: 4096, step: 1024 }]],
  [1024, [{ from: 2048, to: 8192, step: 1024 }]],
  [2048, [{ from: 4096, to: 16384, step: 1024 }]],
  [4096, [{ from: 8192, to: 30720, step: 1024 }]],
  [8192, [{ from: 16384, to: 61440, step: 4096 }]],
  [16384, [{ from: 32768, to: 122880, step: 8192 }]],
]);

export function isFargateSize(cpu: number, memory: number): boolean {
  return (fargateSizes.get(cpu) ?? []).some((range) => memory >= range.from && memory <= range.to && (memory - range.from) % range.step === 0);
}

const unsupported = (what: string) => `Tasks using the Fargate launch type do not support ${what}.`;

/** Capabilities Fargate lets a container add. */
const fargateAddableCapabilities = ['SYS_PTRACE', 'CAP_SYS_PTRACE'];

/** The first Fargate rule the definition breaks, or undefined when Fargate can run it. */
export function fargateProblem(draft: Draft): string | undefined {
  const { input } = draft;
  if (draft.networkMode !== 'awsvpc') return 'Fargate only supports network mode ‘awsvpc’.';
  if (draft.cpu === undefined) return "Fargate requires that 'cpu' be defined at the task level.";
  if (draft.memory === undefined) return "Fargate requires that 'memory' be defined at the task level.";
  if (!isFargateSize(draft.cpu, draft.memory)) {
    return `No Fargate configuration exists for given values: ${draft.cpu} CPU, ${draft.memory} memory. See the Amazon ECS documentation for the valid values.`;
  }
  const os = input.runtimePlatform?.operatingSystemFamily;
  if (os !== undefined && os.startsWith('WINDOWS') && draft.cpu < 1024) {
    return `Fargate Windows tasks need at least 1 vCPU: cpu is ${draft.cpu}, the minimum is 1024.`;
  }
  if (input.executionRoleArn === undefined) {
    // Fargate pulls images and ships logs with the task execution role; there is no instance role.
    if (draft.containers.some((container) => container.logConfiguration?.logDriver === 'awslogs')) {
      return 'Fargate requires task definition to have execution role ARN to support log driver awslogs. (executionRoleArn)';
    }
    if (draft.containers.some((container) => container.image !== undefined && ecrImage.test(container.image))) {
      return 'Fargate requires task definition to have execution role ARN to support ECR images. (executionRoleArn)';
    }
  }
  for (const container of draft.containers) {
    if (container.logConfiguration?.logDriver !== 'awslogs') continue;
    const unknown = Object.keys(container.logConfiguration.options ?? {}).filter((option) => !awslogsOptionNames.includes(option));
    if (unknown.length > 0) return `Log driver awslogs disallows options: ${unknown.join(', ')}`;
  }
  // Without a prefix the stream would be named by a Docker container id, which Fargate does not show.
  if (draft.containers.some((container) => container.logConfiguration?.logDriver === 'awslogs' && !container.logConfiguration.options?.['awslogs-stream-prefix'])) {
    return 'Fargate requires log configuration options to include awslogs-stream-prefix to support log driver awslogs.';
  }
  if (input.ipcMode !== undefined) return unsupported('ipcMode');
  if (input.pidMode === 'host') return "Tasks using the Fargate launch type do not support pidMode 'host'. The supported value for pidMode is 'task'.";
  if (nonEmpty(input.placementConstraints)) return unsupported('placementConstraints');
  for (const [index, volume] of draft.volumes.entries()) {
    if (volume.host?.sourcePath !== undefined) return unsupported(`host volume source paths (volumes[${index}].host.sourcePath)`);
    if (volume.dockerVolumeConfiguration !== undefined) return unsupported(`Docker volumes (volumes[${index}].dockerVolumeConfiguration)`);
  }
  for (const [index, container] of draft.containers.entries()) {
    const at = `containerDefinitions[${index}]`;
    const linux = container.linuxParameters;
    const checks: [boolean, string][] = [
      [container.privileged === true, 'privileged'],
      [container.disableNetworking === true, 'disableNetworking'],
      [nonEmpty(container.links), 'links'],
      [nonEmpty(container.dnsServers), 'dnsServers'],
      [nonEmpty(container.dnsSearchDomains), 'dnsSearchDomains'],
      [nonEmpty(container.dockerSecurityOptions), 'dockerSecurityOptions'],
      [nonEmpty(container.extraHosts), 'extraHosts'],
      [(container.resourceRequirements ?? []).some((r) => r.type === 'GPU' || r.type === 'NeuronDevice'), 'resourceRequirements (GPU)'],
      [nonEmpty(linux?.devices), 'linuxParameters.devices'],
      [linux?.sharedMemorySize !== undefined, 'linuxParameters.sharedMemorySize'],
      [nonEmpty(linux?.tmpfs), 'linuxParameters.tmpfs'],
      [linux?.maxSwap !== undefined, 'linuxParameters.maxSwap'],
      [linux?.swappiness !== undefined, 'linuxParameters.swappiness'],
    ];
    const broken = checks.find(([applies]) => applies);
    if (broken) return unsupported(`${at}.${broken[1]} (container '${container.name}')`);
    const added = (linux?.capabilities?.add ?? []).find((capability) => !fargateAddableCapabilities.includes(capability));
    if (added !== undefined) {
      return `Tasks using the Fargate launch type can only add the SYS_PTRACE capability; ${at}.linuxParameters.capabilities.add has '${added}' (container '${container.name}').`;
    }
    for (const timeout of ['startTimeout', 'stopTimeout'] as const) {
      const value = container[timeout];
      if (value !== undefined && (value < 2 || value > 120)) {
        return `Tasks using the Fargate launch type need ${at}.${timeout} from 2 to 120 seconds; it is ${value} (container '${container.name}').`;
      }
    }
  }
  return undefined;
}
