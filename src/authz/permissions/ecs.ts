/**
 * ECS's permissions (Service Authorization Reference, "Amazon Elastic Container Service"):
 * cluster-scoped reads and writes on the cluster's ARN; tasks, services, container instances,
 * deployments and revisions on their own ARNs with ecs:cluster; RunTask and StartTask on the task
 * definition with ecs:cluster (and iam:PassRole for the roles the task gets); account settings,
 * listings without a cluster and the agent's endpoint discovery on `*`. A cluster's tags come
 * with calls on the cluster as aws:ResourceTag/ecs:ResourceTag keys.
 */
import type { Scope } from '../../core/principal.js';
import { clusterArnOf, clusterNameOfArn, ecsArn, parseTaskDefinitionRef, resolveChildArn } from '../../ecs/names.js';
import type { StoreTx } from '../../store/types.js';
import { on, onAny, requestTagKeys, resourceTagKeys, tagKeysOf, text, texts, type Input, type Keys, type PassedRoles, type Permission, type PermissionOf, type PermissionTable } from './types.js';

/** The cluster an input names (name or ARN; the default cluster when none). An ARN is taken as given, another account's included. */
export function clusterArn(scope: Scope, given: unknown): string {
  const name = text(given) ?? 'default';
  return name.startsWith('arn:') ? name : clusterArnOf(scope, name);
}

function childArn(scope: Scope, cluster: string, given: string, type: 'task' | 'container-instance' | 'service'): string {
  if (given.startsWith('arn:')) return resolveChildArn(scope, cluster, given, type) ?? given;
  return ecsArn(scope, `${type}/${clusterNameOfArn(cluster)}/${given}`);
}

/** A task definition's ARN when the input names its revision; undefined for a bare family (the store knows the revision). */
function taskDefinitionArn(scope: Scope, given: string): string | undefined {
  if (given.startsWith('arn:')) return given;
  const ref = parseTaskDefinitionRef(scope, given);
  return ref?.revision !== undefined ? ecsArn(scope, `task-definition/${ref.family}:${ref.revision}`) : undefined;
}

/** The family's latest ACTIVE revision, as RunTask and CreateService resolve a bare family. */
async function latestRevisionArn(tx: StoreTx, scope: Scope, given: string): Promise<string> {
  const ref = parseTaskDefinitionRef(scope, given);
  const latest = ref && (await tx.taskDefinitions.latestActive(scope.accountId, scope.region, ref.family));
  return latest?.taskDefinitionArn ?? ecsArn(scope, `task-definition/${given}`);
}

/** A permission on the task definition an input names, resolving a bare family in the store. */
function onTaskDefinition(scope: Scope, given: unknown, keys: Keys, extra: Partial<Permission> = {}): Permission {
  const name = text(given);
  if (name === undefined) return { ...on([], keys), ...extra };
  const arn = taskDefinitionArn(scope, name);
  if (arn !== undefined) return { ...on([arn], { ...keys, 'ecs:task-definition': arn }), ...extra };
  return {
    ...on([ecsArn(scope, `task-definition/${name}`)], keys),
    resolve: async (tx) => {
      const latest = await latestRevisionArn(tx, scope, name);
      return { resources: [latest], keys: { 'ecs:task-definition': latest } };
    },
    ...extra,
  };
}

/**
 * The roles a task started from `definition` gets: the task definition's task and execution roles,
 * unless the overrides replace them. ECS checks iam:PassRole for them at RunTask, StartTask,
 * CreateService and UpdateService (not at RegisterTaskDefinition), passed to ecs-tasks.amazonaws.com.
 */
function passedRoles(scope: Scope, definition: string | undefined, overrides: unknown): (tx: StoreTx) => Promise<PassedRoles> {
  const given = (overrides ?? {}) as Record<string, unknown>;
  return async (tx) => {
    const roleArns: string[] = [];
    let record;
    if (definition !== undefined) {
      const arn = taskDefinitionArn(scope, definition) ?? (await latestRevisionArn(tx, scope, definition));
      record = await tx.taskDefinitions.get(arn);
    }
    const taskRole = text(given.taskRoleArn) ?? record?.taskRoleArn;
    const executionRole = text(given.executionRoleArn) ?? record?.executionRoleArn;
    for (const role of [taskRole, executionRole]) if (role !== undefined && !roleArns.includes(role)) roleArns.push(role);
    return { roleArns, passedTo: 'ecs-tasks.amazonaws.com' };
  };
}

/** A permission on the cluster, with its tags as aws:ResourceTag/ecs:ResourceTag keys. */
const onCluster: PermissionOf = (input, scope) => {
  const arn = clusterArn(scope, input.cluster);
  return {
    ...on([arn]),
    resolve: async (tx) => {
      const cluster = await tx.clusters.get(arn);
      return cluster ? { keys: resourceTagKeys('ecs', cluster.tags as Record<string, unknown>[]) } : {};
    },
  };
};

/** The tags of a task, service or container instance, as aws:ResourceTag/ecs:ResourceTag keys. */
async function childTags(tx: StoreTx, arn: string, type: 'task' | 'container-instance' | 'service'): Promise<Keys> {
  const record = type === 'task' ? await tx.tasks.get(arn) : type === 'service' ? await tx.services.get(arn) : await tx.containerInstances.get(arn);
  return resourceTagKeys('ecs', record?.tags as Record<string, unknown>[] | undefined);
}

/** Children of one cluster (tasks, services, container instances), each with ecs:cluster and its own tags. */
const onChildren =
  (member: string, type: 'task' | 'container-instance' | 'service'): PermissionOf =>
  (input, scope) => {
    const cluster = clusterArn(scope, input.cluster);
    const given = Array.isArray(input[member]) ? texts(input[member]) : [text(input[member])].filter((item): item is string => item !== undefined);
    const arns = given.map((item) => childArn(scope, cluster, item, type));
    return {
      ...on(arns, { 'ecs:cluster': cluster }),
      resolve: async (tx) => ({ resourceKeys: Object.fromEntries(await Promise.all(arns.map(async (arn) => [arn, await childTags(tx, arn, type)] as const))) }),
    };
  };

/** Deployments and revisions are named by ARN only; ecs:cluster is the cluster in their path. */
const onArns =
  (member: string): PermissionOf =>
  (input, scope) => {
    const arns = texts(input[member]);
    const cluster = arns[0]?.split('/')[1];
    return on(arns, cluster !== undefined ? { 'ecs:cluster': clusterArnOf(scope, cluster) } : {});
  };

const onTagged: PermissionOf = (input) => on([text(input.resourceArn)], requestTagKeys(input.tags));

function runOrStart(input: Input, scope: Scope, extraKeys: Keys = {}): Permission {
  const cluster = clusterArn(scope, input.cluster);
  const definition = text(input.taskDefinition);
  return onTaskDefinition(scope, definition, { 'ecs:cluster': cluster, ...requestTagKeys(input.tags), ...extraKeys }, {
    passRoles: passedRoles(scope, definition, input.overrides),
  });
}

export const ecsPermissions: PermissionTable = {
  CreateCluster: (input, scope) => on([clusterArn(scope, input.clusterName)], requestTagKeys(input.tags)),
  DescribeClusters: (input, scope) => {
    const clusters = texts(input.clusters);
    return on((clusters.length > 0 ? clusters : ['default']).map((cluster) => clusterArn(scope, cluster)));
  },
  ListClusters: onAny,
  DeleteCluster: onCluster,
  UpdateCluster: onCluster,
  UpdateClusterSettings: onCluster,
  PutClusterCapacityProviders: onCluster,

  RegisterContainerInstance: onCluster,
  DeregisterContainerInstance: onCluster,
  DescribeContainerInstances: onChildren('containerInstances', 'container-instance'),
  ListContainerInstances: onCluster,
  UpdateContainerInstancesState: onChildren('containerInstances', 'container-instance'),
  DiscoverPollEndpoint: onAny,
  SubmitTaskStateChange: onCluster,
  SubmitContainerStateChange: onCluster,

  TagResource: onTagged,
  UntagResource: (input) => on([text(input.resourceArn)], tagKeysOf(input.tagKeys)),
  ListTagsForResource: (input) => on([text(input.resourceArn)]),

  // Attributes are set on container instances (targetId), within a cluster.
  PutAttributes: (input, scope) => {
    const cluster = clusterArn(scope, input.cluster);
    const targets = (Array.isArray(input.attributes) ? (input.attributes as Record<string, unknown>[]) : []).map((attribute) => text(attribute?.targetId));
    const named = [...new Set(targets.filter((target): target is string => target !== undefined))];
    return on(named.map((target) => childArn(scope, cluster, target, 'container-instance')), { 'ecs:cluster': cluster });
  },
  DeleteAttributes: (input, scope) => {
    const cluster = clusterArn(scope, input.cluster);
    const targets = (Array.isArray(input.attributes) ? (input.attributes as Record<string, unknown>[]) : []).map((attribute) => text(attribute?.targetId));
    const named = [...new Set(targets.filter((target): target is string => target !== undefined))];
    return on(named.map((target) => childArn(scope, cluster, target, 'container-instance')), { 'ecs:cluster': cluster });
  },
  ListAttributes: onCluster,

  PutAccountSetting: onAny,
  PutAccountSettingDefault: onAny,
  DeleteAccountSetting: onAny,
  ListAccountSettings: onAny,

  RunTask: (input, scope) => runOrStart(input, scope),
  StartTask: (input, scope) => {
    const cluster = clusterArn(scope, input.cluster);
    const instances = texts(input.containerInstances).map((instance) => childArn(scope, cluster, instance, 'container-instance'));
    return runOrStart(input, scope, instances.length > 0 ? { 'ecs:container-instances': instances } : {});
  },
  StopTask: onChildren('task', 'task'),
  DescribeTasks: onChildren('tasks', 'task'),
  ListTasks: (input, scope) => {
    const cluster = clusterArn(scope, input.cluster);
    const instance = text(input.containerInstance);
    return on([instance !== undefined ? childArn(scope, cluster, instance, 'container-instance') : cluster], { 'ecs:cluster': cluster });
  },

  RegisterTaskDefinition: (input) => on([], requestTagKeys(input.tags)),
  DescribeTaskDefinition: (input, scope) => onTaskDefinition(scope, input.taskDefinition, {}),
  ListTaskDefinitions: onAny,
  ListTaskDefinitionFamilies: onAny,
  DeregisterTaskDefinition: (input, scope) => onTaskDefinition(scope, input.taskDefinition, {}),
  DeleteTaskDefinitions: (input, scope) => on(texts(input.taskDefinitions).map((given) => taskDefinitionArn(scope, given) ?? ecsArn(scope, `task-definition/${given}`))),

  CreateService: (input, scope) => {
    const cluster = clusterArn(scope, input.cluster);
    const service = childArn(scope, cluster, text(input.serviceName) ?? '', 'service');
    const definition = text(input.taskDefinition);
    const keys: Keys = { 'ecs:cluster': cluster, ...requestTagKeys(input.tags) };
    const withDefinition = onTaskDefinition(scope, definition, {});
    return {
      ...on([service], keys),
      ...(withDefinition.keys ? { keys: { ...keys, ...withDefinition.keys } } : {}),
      ...(withDefinition.resolve ? { resolve: async (tx: StoreTx) => ({ keys: (await withDefinition.resolve!(tx)).keys ?? {} }) } : {}),
      passRoles: passedRoles(scope, definition, undefined),
    };
  },
  UpdateService: (input, scope) => {
    const cluster = clusterArn(scope, input.cluster);
    const service = childArn(scope, cluster, text(input.service) ?? '', 'service');
    const definition = text(input.taskDefinition);
    const keys: Keys = { 'ecs:cluster': cluster };
    if (definition === undefined) return on([service], keys);
    const withDefinition = onTaskDefinition(scope, definition, {});
    return {
      ...on([service], { ...keys, ...withDefinition.keys }),
      ...(withDefinition.resolve ? { resolve: async (tx: StoreTx) => ({ keys: (await withDefinition.resolve!(tx)).keys ?? {} }) } : {}),
      passRoles: passedRoles(scope, definition, undefined),
    };
  },
  DeleteService: onChildren('service', 'service'),
  DescribeServices: onChildren('services', 'service'),
  ListServices: (input, scope) => on([], { 'ecs:cluster': clusterArn(scope, input.cluster) }),
  ListServiceDeployments: (input, scope) => {
    const cluster = clusterArn(scope, input.cluster);
    return on([childArn(scope, cluster, text(input.service) ?? '', 'service')], { 'ecs:cluster': cluster });
  },
  DescribeServiceDeployments: onArns('serviceDeploymentArns'),
  DescribeServiceRevisions: onArns('serviceRevisionArns'),
  StopServiceDeployment: (input, scope) => onArns('serviceDeploymentArns')({ serviceDeploymentArns: [input.serviceDeploymentArn] }, scope),
};
