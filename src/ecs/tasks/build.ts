/** Builds the record of a new task from its definition, request and placement. Pure. */
import type { Container, NetworkConfiguration, Tag, TaskOverride } from '@aws-sdk/client-ecs';
import type { IdGenerator } from '../../core/ids.js';
import type { Scope } from '../../core/principal.js';
import type { Wire } from '../../core/wire.js';
import type { Reservation, TaskDefinitionRecord, TaskRecord } from '../../store/types.js';
import { clusterNameOfArn, ecsArn } from '../names.js';
import type { LaunchTarget } from './launch.js';
import type { TaskRequirements } from './requirements.js';

export interface NewTask {
  scope: Scope;
  ids: IdGenerator;
  now: Date;
  clusterArn: string;
  definition: TaskDefinitionRecord;
  overrides: Wire<TaskOverride>;
  requirements: TaskRequirements;
  target: LaunchTarget;
  group: string;
  startedBy?: string;
  tags: Tag[];
  networkConfiguration?: Wire<NetworkConfiguration>;
  platformVersion?: string;
  enableExecuteCommand?: boolean;
  /** A service task with load balancers (TaskRecord.loadBalanced). */
  loadBalanced?: boolean;
  /** For EC2/EXTERNAL: the instance and what the task holds on it. */
  placement?: { containerInstanceArn: string; availabilityZone?: string; gpuIds: string[] };
}

export function buildTask(spec: NewTask): TaskRecord {
  const taskId = spec.ids.hex32();
  const clusterName = clusterNameOfArn(spec.clusterArn);
  const taskArn = ecsArn(spec.scope, `task/${clusterName}/${taskId}`);
  const awsvpc = spec.definition.networkMode === 'awsvpc';
  const containers: Wire<Container>[] = (spec.definition.containerDefinitions ?? []).map((definition) => {
    const override = spec.overrides.containerOverrides?.find((item) => item.name === definition.name);
    const memory = override?.memory ?? definition.memory;
    const memoryReservation = override?.memoryReservation ?? definition.memoryReservation;
    return {
      containerArn: ecsArn(spec.scope, `container/${clusterName}/${taskId}/${spec.ids.uuid()}`),
      taskArn,
      name: definition.name,
      image: definition.image,
      lastStatus: 'PENDING',
      networkBindings: [],
      networkInterfaces: [],
      cpu: String(override?.cpu ?? definition.cpu ?? 0),
      ...(memory !== undefined ? { memory: String(memory) } : {}),
      ...(memoryReservation !== undefined ? { memoryReservation: String(memoryReservation) } : {}),
      ...(definition.healthCheck ? { healthStatus: 'UNKNOWN' } : {}),
    };
  });
  const reservation: Reservation | undefined = spec.placement && {
    cpu: spec.requirements.cpu,
    memory: spec.requirements.memory,
    gpuIds: spec.placement.gpuIds,
    tcpPorts: spec.requirements.hostPorts.filter((port) => port.protocol === 'tcp').map((port) => port.port),
    udpPorts: spec.requirements.hostPorts.filter((port) => port.protocol === 'udp').map((port) => port.port),
  };
  const fargate = spec.target.launchType === 'FARGATE';
  const subnetId = spec.networkConfiguration?.awsvpcConfiguration?.subnets?.[0];
  // ECS creates the task's network interface while the task is PROVISIONING; the agent that
  // runs the task reports its address, and the attachment becomes ATTACHED.
  const attachments = awsvpc
    ? [
        {
          id: spec.ids.uuid(),
          type: 'ElasticNetworkInterface',
          status: 'PRECREATED',
          details: [
            ...(subnetId ? [{ name: 'subnetId', value: subnetId }] : []),
            { name: 'networkInterfaceId', value: `eni-${spec.ids.hex32().slice(0, 17)}` },
          ],
        },
      ]
    : [];
  return {
    taskArn,
    clusterArn: spec.clusterArn,
    taskDefinitionArn: spec.definition.taskDefinitionArn,
    ...(spec.placement ? { containerInstanceArn: spec.placement.containerInstanceArn } : {}),
    ...(spec.placement?.availabilityZone ? { availabilityZone: spec.placement.availabilityZone } : {}),
    overrides: { containerOverrides: [], inferenceAcceleratorOverrides: [], ...spec.overrides },
    // awsvpc tasks first wait for their network interface (PROVISIONING), as in ECS.
    lastStatus: awsvpc || fargate ? 'PROVISIONING' : 'PENDING',
    desiredStatus: 'RUNNING',
    cpu: String(spec.requirements.cpu),
    memory: String(spec.requirements.memory),
    containers,
    version: 1,
    createdAt: spec.now.getTime() / 1000,
    group: spec.group,
    launchType: spec.target.launchType,
    ...('capacityProviderName' in spec.target && spec.target.capacityProviderName ? { capacityProviderName: spec.target.capacityProviderName } : {}),
    ...(fargate ? { platformVersion: spec.platformVersion ?? '1.4.0', platformFamily: 'Linux', ephemeralStorage: { sizeInGiB: 20 } } : {}),
    ...(spec.startedBy !== undefined ? { startedBy: spec.startedBy } : {}),
    ...(spec.loadBalanced ? { loadBalanced: true } : {}),
    attachments,
    attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
    enableExecuteCommand: spec.enableExecuteCommand ?? false,
    healthStatus: 'UNKNOWN',
    tags: spec.tags,
    ...(reservation ? { reservation } : {}),
  };
}
