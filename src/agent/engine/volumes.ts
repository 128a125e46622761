/**
 * A task's volumes on this host. ECS's kinds:
 *
 * | definition                                   | here                                              |
 * |----------------------------------------------|---------------------------------------------------|
 * | host.sourcePath                              | a bind mount of that path                         |
 * | host without sourcePath, or no configuration | a Docker volume of the task (its scratch space)   |
 * | dockerVolumeConfiguration, scope task        | a Docker volume of the task, with driver and opts |
 * | dockerVolumeConfiguration, scope shared      | the named Docker volume, created if autoprovision, |
 * |                                              | else required to exist already                    |
 *
 * Task volumes are named after the task and removed with its containers.
 */
import type { AssignedTask } from '../../agent-channel-protocol/messages.js';
import type { ResolvedVolume } from '../runtime/container-spec.js';
import { labels, type ContainerRuntime } from '../runtime/types.js';

export const taskIdOf = (taskArn: string) => taskArn.slice(taskArn.lastIndexOf('/') + 1);

export function taskVolumeName(taskArn: string, volume: string): string {
  return `berth-${taskIdOf(taskArn)}-${volume}`.replace(/[^a-zA-Z0-9_.-]+/g, '-');
}

export async function resolveVolumes(runtime: ContainerRuntime, task: AssignedTask, owner: string): Promise<Map<string, ResolvedVolume>> {
  const resolved = new Map<string, ResolvedVolume>();
  for (const volume of task.definition.volumes ?? []) {
    const name = volume.name ?? '';
    if (!name) continue;
    if (volume.host?.sourcePath) {
      resolved.set(name, { hostPath: volume.host.sourcePath });
      continue;
    }
    const config = volume.dockerVolumeConfiguration;
    if (config?.scope === 'shared') {
      if (config.autoprovision) await runtime.ensureVolume(name, config.driver, config.driverOpts ?? {}, config.labels ?? {});
      // Docker would create a missing named volume on mount; without autoprovision ECS requires it to exist.
      else if (!(await runtime.hasVolume(name))) {
        throw new Error(`the shared Docker volume '${name}' does not exist on this host, and autoprovision is false: create it, or set autoprovision to true`);
      }
      resolved.set(name, { dockerVolume: name });
      continue;
    }
    const dockerName = taskVolumeName(task.taskArn, name);
    await runtime.ensureVolume(dockerName, config?.driver, config?.driverOpts ?? {}, {
      ...(config?.labels ?? {}),
      [labels.taskArn]: task.taskArn,
      [labels.owner]: owner,
    });
    resolved.set(name, { dockerVolume: dockerName });
  }
  return resolved;
}

/** The Docker volumes that belong to a task alone, to remove with it. */
export function taskScopedVolumes(task: AssignedTask): string[] {
  return (task.definition.volumes ?? [])
    .filter((volume) => volume.name && !volume.host?.sourcePath && volume.dockerVolumeConfiguration?.scope !== 'shared')
    .map((volume) => taskVolumeName(task.taskArn, volume.name ?? ''));
}
