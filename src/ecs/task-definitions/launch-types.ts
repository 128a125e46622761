/**
 * Launch-type compatibility. RegisterTaskDefinition validates the definition against each type in
 * `requiresCompatibilities` (a ClientException names the first rule broken), or against EC2 when
 * none is given; the description's `compatibilities` lists every type whose rules the definition
 * satisfies, as ECS computes it (e.g. ["EXTERNAL", "EC2"] for a bridge definition, ["EC2", "FARGATE"]
 * for an awsvpc definition of a valid Fargate size).
 *
 * Rules per type:
 * - EC2: containers need memory or memoryReservation unless the task sets memory; no NeuronDevice.
 * - EXTERNAL: EC2's rules, and no awsvpc network mode, EFS/FSx volumes or GPU sharing.
 * - MANAGED_INSTANCES: EC2's memory rule, and network mode awsvpc or host (not verified against
 *   ECS beyond what its descriptions show).
 * - FARGATE: see fargate.ts.
 */
import type { Compatibility } from '@aws-sdk/client-ecs';
import type { ErrorHelp } from '../../core/errors.js';
import { fargateProblem } from './fargate.js';
import { effectiveNetworkMode, type Draft } from './model.js';

/** A broken rule: ECS's message, and Berth's help beside it where it has some. */
export interface LaunchTypeProblem {
  message: string;
  help?: ErrorHelp;
}

function memoryProblem(draft: Draft): LaunchTypeProblem | undefined {
  if (draft.memory !== undefined) return undefined;
  const index = draft.containers.findIndex((container) => container.memory === undefined && container.memoryReservation === undefined);
  if (index === -1) return undefined;
  const name = draft.containers[index]?.name;
  return {
    message: `Invalid setting for container '${name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
    help: { field: `containerDefinitions[${index}].memory`, hint: 'Give the container memory or memoryReservation, or give the task a memory.' },
  };
}

function neuronProblem(draft: Draft, launchType: string): string | undefined {
  const index = draft.containers.findIndex((container) => (container.resourceRequirements ?? []).some((r) => r.type === 'NeuronDevice'));
  return index === -1 ? undefined : `NeuronDevice resources are only supported on Managed Instances, not ${launchType} (containerDefinitions[${index}].resourceRequirements).`;
}

function ec2Problem(draft: Draft): LaunchTypeProblem | string | undefined {
  return memoryProblem(draft) ?? neuronProblem(draft, 'EC2');
}

function externalProblem(draft: Draft): LaunchTypeProblem | string | undefined {
  const problem = memoryProblem(draft) ?? neuronProblem(draft, 'EXTERNAL');
  if (problem) return problem;
  if (effectiveNetworkMode(draft) === 'awsvpc') return "Tasks using the EXTERNAL launch type do not support network mode 'awsvpc'.";
  const volume = draft.volumes.findIndex((v) => v.efsVolumeConfiguration !== undefined || v.fsxWindowsFileServerVolumeConfiguration !== undefined);
  if (volume !== -1) return `Tasks using the EXTERNAL launch type do not support EFS or FSx volumes (volumes[${volume}]).`;
  const sharing = draft.containers.findIndex((container) => (container.resourceRequirements ?? []).some((r) => r.sharingStrategy !== undefined));
  if (sharing !== -1) return `Tasks using the EXTERNAL launch type do not support GPU sharing (containerDefinitions[${sharing}].resourceRequirements).`;
  return undefined;
}

function managedInstancesProblem(draft: Draft): LaunchTypeProblem | string | undefined {
  const problem = memoryProblem(draft);
  if (problem) return problem;
  const mode = effectiveNetworkMode(draft);
  if (mode !== 'awsvpc' && mode !== 'host') return `Tasks using the MANAGED_INSTANCES launch type need network mode 'awsvpc' or 'host'; it is '${mode}'.`;
  return undefined;
}

const rules: [Compatibility, (draft: Draft) => LaunchTypeProblem | string | undefined][] = [
  ['EXTERNAL', externalProblem],
  ['EC2', ec2Problem],
  ['MANAGED_INSTANCES', managedInstancesProblem],
  ['FARGATE', fargateProblem],
];

/** The first rule of the launch type that the definition breaks, or undefined. */
export function launchTypeProblem(draft: Draft, launchType: string): LaunchTypeProblem | undefined {
  const rule = rules.find(([type]) => type === launchType);
  const problem = rule ? rule[1](draft) : undefined;
  return typeof problem === 'string' ? { message: problem } : problem;
}

/** Every launch type the definition is compatible with, in the order ECS lists them. */
export function compatibilitiesOf(draft: Draft): Compatibility[] {
  return rules.filter(([, problem]) => problem(draft) === undefined).map(([type]) => type);
}
