/**
 * RegisterTaskDefinition's checks, in one pass over the whole request before anything is stored,
 * and the record a checked request becomes.
 */
import { Compatibility, NetworkMode, type Tag, type TaskDefinition } from '@aws-sdk/client-ecs';
import { withHelp } from '../../core/errors.js';
import type { Wire } from '../../core/wire.js';
import type { TaskDefinitionRecord } from '../../store/types.js';
import { checkEnum, checkResourceName, clientError, requireString } from '../validate.js';
import { requiredAttributesOf } from './attributes.js';
import { checkExecutionRoleNeeds } from './execution-role-needs.js';
import { parseTaskCpu, parseTaskMemory } from './cpu-memory.js';
import { compatibilitiesOf, launchTypeProblem } from './launch-types.js';
import type { Draft, RegisterInput } from './model.js';
import { checkContainer } from './validate-container.js';
import { checkContainerCount, checkPlacementConstraints, checkReferences, checkTaskFields, checkVolumes, checkWithinTask } from './validate-task.js';

function checkRequiresCompatibilities(list: string[] | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  list.forEach((item, index) => checkEnum(item, `requiresCompatibilities[${index}]`, Compatibility));
  return [...new Set(list)];
}

/** Every rule of RegisterTaskDefinition; throws the first broken one. */
export function checkRegistration(input: RegisterInput): Draft {
  const family = requireString(input.family, 'family');
  checkResourceName(family, 'family');
  const networkMode = checkEnum(input.networkMode, 'networkMode', NetworkMode);
  const givenContainers = checkContainerCount(input.containerDefinitions);
  const requires = checkRequiresCompatibilities(input.requiresCompatibilities);
  const cpu = parseTaskCpu(input.cpu);
  const memory = parseTaskMemory(input.memory);
  checkTaskFields(input);
  checkPlacementConstraints(input.placementConstraints);
  const volumes = checkVolumes(input.volumes);
  const containers = givenContainers.map((container, index) => checkContainer(container, index, networkMode ?? 'bridge'));
  const draft: Draft = {
    input: { ...input, ...(requires ? { requiresCompatibilities: requires as Compatibility[] } : {}) },
    family,
    networkMode,
    cpu,
    memory,
    containers,
    volumes,
  };
  checkReferences(draft);
  checkWithinTask(draft);
  checkExecutionRoleNeeds(draft);
  // Without requiresCompatibilities, ECS validates for its default launch type, EC2.
  for (const launchType of requires && requires.length > 0 ? requires : ['EC2']) {
    const problem = launchTypeProblem(draft, launchType);
    if (problem) throw problem.help ? withHelp(clientError(problem.message), problem.help) : clientError(problem.message);
  }
  return draft;
}

export interface RegistrationFacts {
  arn: string;
  revision: number;
  registeredAt: number;
  registeredBy: string;
  tags: Tag[];
}

/** The stored (and described) form of a checked registration. */
export function recordOf(draft: Draft, facts: RegistrationFacts): TaskDefinitionRecord {
  const { input } = draft;
  const definition: Wire<TaskDefinition> = {
    taskDefinitionArn: facts.arn,
    containerDefinitions: draft.containers,
    family: draft.family,
    ...(input.taskRoleArn !== undefined ? { taskRoleArn: input.taskRoleArn } : {}),
    ...(input.executionRoleArn !== undefined ? { executionRoleArn: input.executionRoleArn } : {}),
    ...(draft.networkMode !== undefined ? { networkMode: draft.networkMode as NetworkMode } : {}),
    revision: facts.revision,
    volumes: draft.volumes,
    status: 'ACTIVE',
    requiresAttributes: requiredAttributesOf(draft),
    placementConstraints: input.placementConstraints ?? [],
    compatibilities: compatibilitiesOf(draft),
    ...(input.runtimePlatform !== undefined ? { runtimePlatform: input.runtimePlatform } : {}),
    ...(input.requiresCompatibilities !== undefined ? { requiresCompatibilities: input.requiresCompatibilities } : {}),
    ...(draft.cpu !== undefined ? { cpu: String(draft.cpu) } : {}),
    ...(draft.memory !== undefined ? { memory: String(draft.memory) } : {}),
    ...(input.inferenceAccelerators !== undefined ? { inferenceAccelerators: input.inferenceAccelerators } : {}),
    ...(input.pidMode !== undefined ? { pidMode: input.pidMode } : {}),
    ...(input.ipcMode !== undefined ? { ipcMode: input.ipcMode } : {}),
    ...(input.proxyConfiguration !== undefined ? { proxyConfiguration: { type: 'APPMESH', ...input.proxyConfiguration } } : {}),
    registeredAt: facts.registeredAt,
    registeredBy: facts.registeredBy,
    ...(input.ephemeralStorage !== undefined ? { ephemeralStorage: input.ephemeralStorage } : {}),
    enableFaultInjection: input.enableFaultInjection ?? false,
  };
  return {
    ...definition,
    taskDefinitionArn: facts.arn,
    family: draft.family,
    revision: facts.revision,
    status: 'ACTIVE',
    tags: facts.tags,
  };
}
