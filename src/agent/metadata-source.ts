/** The task metadata endpoint's view of what the task engine knows: its latest observation and report of each task. */
import type { TaskEngine } from './engine/engine.js';
import { pauseContainerName } from './runtime/container-spec.js';
import type { MetadataContainerView, MetadataSource, MetadataTaskView } from './metadata/types.js';
import type { ContainerRuntime } from './runtime/types.js';

const dateOf = (seconds: number | undefined) => (seconds === undefined ? undefined : new Date(seconds * 1000));

export function metadataSourceOf(engine: () => TaskEngine | undefined, runtime: ContainerRuntime, awsvpcSubnet: string): MetadataSource {
  return {
    lookup(token) {
      const owner = engine()?.tokenOwner(token);
      const runner = owner && engine()?.runner(owner.taskArn);
      const view = runner?.lastView;
      const report = runner?.lastReport;
      if (!owner || !runner || !view || !report) return undefined;
      const task = runner.assignment;
      const containers: MetadataContainerView[] = (task.definition.containerDefinitions ?? []).map((definition) => {
        const name = definition.name ?? '';
        const observed = view.observed.get(name);
        const reported = report.containers?.find((container) => container.name === name);
        const containerArn = task.containers.find((container) => container.name === name)?.containerArn;
        return {
          name,
          ...(containerArn ? { containerArn } : {}),
          knownStatus: reported?.status ?? 'PENDING',
          ...(observed ? { observed } : {}),
          ...(reported?.exitCode !== undefined ? { exitCode: reported.exitCode } : {}),
        };
      });
      // ECS lists an awsvpc task's pause container first.
      if (view.pause) containers.unshift({ name: pauseContainerName, knownStatus: 'RESOURCES_PROVISIONED', observed: view.pause });
      const pullStartedAt = dateOf(report.pullStartedAt ?? task.pullStartedAt);
      const pullStoppedAt = dateOf(report.pullStoppedAt ?? task.pullStoppedAt);
      const executionStoppedAt = dateOf(report.executionStoppedAt);
      const eni = report.networkInterface;
      const metadataView: MetadataTaskView = {
        task,
        knownStatus: report.status ?? task.lastStatus,
        containers,
        ...(pullStartedAt ? { pullStartedAt } : {}),
        ...(pullStoppedAt ? { pullStoppedAt } : {}),
        ...(executionStoppedAt ? { executionStoppedAt } : {}),
        ...(eni ? { networkInterface: { privateIPv4Address: eni.privateIPv4Address, macAddress: eni.macAddress, subnetCidr: awsvpcSubnet, ...(eni.gateway ? { gateway: eni.gateway } : {}) } } : {}),
        networkMode: task.definition.networkMode ?? 'bridge',
      };
      return { view: metadataView, containerName: owner.containerName };
    },
    stats: (containerId) => runtime.stats(containerId),
  };
}
