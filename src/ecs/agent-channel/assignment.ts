/** What an agent is told about a task: the task record joined with its definition. Pure. */
import type { AssignedTask } from '../../agent-channel-protocol/messages.js';
import type { TaskDefinitionRecord, TaskRecord } from '../../store/types.js';

export function assignmentOf(task: TaskRecord, definition: TaskDefinitionRecord): AssignedTask {
  const { tags: _tags, ...taskDefinition } = definition;
  const eni = task.attachments?.find((attachment) => attachment.type === 'ElasticNetworkInterface');
  const subnetId = eni?.details?.find((detail) => detail.name === 'subnetId')?.value;
  return {
    taskArn: task.taskArn,
    clusterArn: task.clusterArn,
    // A DEACTIVATING task keeps running while its targets drain (TaskRecord.drainUntil).
    desiredStatus: task.desiredStatus === 'STOPPED' && !(task.drainUntil !== undefined && task.lastStatus === 'DEACTIVATING') ? 'STOPPED' : 'RUNNING',
    lastStatus: task.lastStatus,
    launchType: task.launchType ?? 'EC2',
    ...(task.availabilityZone !== undefined ? { availabilityZone: task.availabilityZone } : {}),
    ...(task.cpu !== undefined ? { cpu: task.cpu } : {}),
    ...(task.memory !== undefined ? { memory: task.memory } : {}),
    definition: taskDefinition,
    overrides: task.overrides ?? {},
    containers: (task.containers ?? []).map((container) => ({
      ...(container.name !== undefined ? { name: container.name } : {}),
      ...(container.containerArn !== undefined ? { containerArn: container.containerArn } : {}),
      ...(container.lastStatus !== undefined ? { lastStatus: container.lastStatus } : {}),
      ...(container.runtimeId !== undefined ? { runtimeId: container.runtimeId } : {}),
    })),
    ...(eni?.id ? { networkInterface: { attachmentId: eni.id, subnetId: subnetId ?? 'subnet-local' } } : {}),
    ...(task.pullStartedAt !== undefined ? { pullStartedAt: task.pullStartedAt } : {}),
    ...(task.pullStoppedAt !== undefined ? { pullStoppedAt: task.pullStoppedAt } : {}),
    ...(task.startedAt !== undefined ? { startedAt: task.startedAt } : {}),
  };
}
