/**
 * What to do next for one task, and what to report about it: a pure function of what the control
 * plane wants (the AssignedTask), what the runtime shows (observed containers) and the few facts the
 * runner remembers (pulls, failures). The runner takes one step, observes again and asks again, so
 * an agent that restarts simply carries on from what it finds.
 *
 *   desired RUNNING:  [awsvpc: prepare the network namespace] → pull images → create containers
 *                     → start each once its dependsOn conditions hold → RUNNING
 *   stopping (desired STOPPED, an essential container exited, or a fatal failure):
 *                     stop running containers (SIGTERM, SIGKILL after stopTimeout) → stop the
 *                     namespace holder → STOPPED
 *
 * Glossary: a container has *started* once the runtime ran it (running now, or exited after
 * running); an *essential* container stopping stops its task.
 */
import type { ContainerDependency } from '@aws-sdk/client-ecs';
import type { AssignedTask, ContainerReport, TaskReport } from '../../agent-channel-protocol/messages.js';
import type { Wire } from '../../core/wire.js';
import type { ObservedContainer } from '../runtime/types.js';
import { effectiveContainers, type EffectiveContainer } from './effective.js';
import { reasons } from './reasons.js';

export interface Failure {
  reason: string;
  stopCode: 'TaskFailedToStart' | 'EssentialContainerExited';
  /** The container the failure belongs to, if any. */
  container?: string;
}

/** What the runner remembers between steps; lost on agent restart, and rebuilt by observing. */
export interface RunnerMemory {
  pulled: Set<string>;
  created: Set<string>;
  failure?: Failure;
  pullStartedAt?: number;
  pullStoppedAt?: number;
}

export interface TaskView {
  task: AssignedTask;
  /** App containers of the task by container name. */
  observed: Map<string, ObservedContainer>;
  pause?: ObservedContainer;
  memory: RunnerMemory;
}

export type Step =
  | { kind: 'prepare' }
  | { kind: 'pull'; container: string }
  | { kind: 'create'; container: string }
  | { kind: 'start'; container: string }
  | { kind: 'stop'; containers: string[] }
  | { kind: 'stop-pause' }
  | { kind: 'idle' };

const started = (container: ObservedContainer | undefined) =>
  container !== undefined && (container.state === 'running' || container.state === 'restarting' || (container.state !== 'created' && container.startedAt !== undefined));
const exited = (container: ObservedContainer | undefined) => container !== undefined && (container.state === 'exited' || container.state === 'dead');
const running = (container: ObservedContainer | undefined) => container !== undefined && (container.state === 'running' || container.state === 'restarting' || container.state === 'paused');

export const needsPause = (task: AssignedTask) => task.definition.networkMode === 'awsvpc';

/** A container the control plane knows the runtime id of, which is no longer there, was removed behind our back. */
function vanished(view: TaskView, name: string): boolean {
  if (view.observed.has(name) || view.memory.created.has(name)) return false;
  return view.task.containers.some((container) => container.name === name && container.runtimeId !== undefined);
}

type Condition = 'met' | 'waiting' | 'never';

function dependencyState(dependency: Wire<ContainerDependency>, view: TaskView): Condition {
  const target = view.observed.get(dependency.containerName ?? '');
  switch (dependency.condition) {
    case 'START':
      return started(target) ? 'met' : 'waiting';
    case 'COMPLETE':
      return exited(target) ? 'met' : 'waiting';
    case 'SUCCESS':
      if (!exited(target)) return 'waiting';
      return target?.exitCode === 0 ? 'met' : 'never';
    case 'HEALTHY':
      if (target?.health === 'healthy') return 'met';
      return exited(target) || target?.health === 'unhealthy' ? 'never' : 'waiting';
    default:
      return 'waiting';
  }
}

/** Why the task must stop now, if it must. */
export function stopCause(view: TaskView, containers: EffectiveContainer[]): Failure | undefined {
  if (view.memory.failure) return view.memory.failure;
  if (needsPause(view.task) && view.pause && exited(view.pause) && containers.some((container) => view.observed.has(container.name))) {
    return { reason: reasons.namespaceLost, stopCode: 'EssentialContainerExited' };
  }
  for (const container of containers) {
    if (!container.essential) continue;
    if (exited(view.observed.get(container.name)) || vanished(view, container.name)) {
      return { reason: reasons.essentialExited, stopCode: 'EssentialContainerExited', container: container.name };
    }
  }
  for (const container of containers) {
    if (started(view.observed.get(container.name))) continue;
    for (const dependency of container.dependsOn) {
      if (dependencyState(dependency, view) === 'never') {
        return {
          reason: reasons.dependencyNotMet(container.name, dependency.containerName ?? '', dependency.condition ?? ''),
          stopCode: 'TaskFailedToStart',
          container: container.name,
        };
      }
    }
  }
  return undefined;
}

export function decide(view: TaskView): Step {
  const containers = effectiveContainers(view.task);
  const stopping = view.task.desiredStatus === 'STOPPED' || stopCause(view, containers) !== undefined;
  if (stopping) {
    const toStop = containers.filter((container) => running(view.observed.get(container.name))).map((container) => container.name);
    if (toStop.length > 0) return { kind: 'stop', containers: toStop };
    if (running(view.pause)) return { kind: 'stop-pause' };
    return { kind: 'idle' };
  }
  if (needsPause(view.task) && !running(view.pause)) return { kind: 'prepare' };
  for (const container of containers) {
    if (!view.observed.has(container.name) && !view.memory.pulled.has(container.name)) return { kind: 'pull', container: container.name };
  }
  // Create every container first (volumesFrom needs its sources to exist), in definition order
  // but after the containers they take volumes from.
  for (const container of containers) {
    if (view.observed.has(container.name) || vanished(view, container.name)) continue;
    if (container.volumesFrom.every((source) => view.observed.has(source))) return { kind: 'create', container: container.name };
  }
  for (const container of containers) {
    const observed = view.observed.get(container.name);
    if (observed?.state !== 'created') continue;
    if (container.dependsOn.every((dependency) => dependencyState(dependency, view) === 'met')) return { kind: 'start', container: container.name };
  }
  return { kind: 'idle' };
}

const healthOf = (container: ObservedContainer | undefined): ContainerReport['healthStatus'] =>
  container?.health === 'healthy' ? 'HEALTHY' : container?.health === 'unhealthy' ? 'UNHEALTHY' : 'UNKNOWN';

function containerReport(view: TaskView, container: EffectiveContainer, failure: Failure | undefined): ContainerReport {
  const observed = view.observed.get(container.name);
  const report: ContainerReport = { name: container.name };
  if (observed) {
    report.runtimeId = observed.id;
    if (observed.imageDigest) report.imageDigest = observed.imageDigest;
    if (running(observed)) report.status = 'RUNNING';
    if (exited(observed)) {
      report.status = 'STOPPED';
      if (observed.exitCode !== undefined && observed.startedAt !== undefined) report.exitCode = observed.exitCode;
      if (observed.oomKilled) report.reason = reasons.outOfMemory;
      else if (observed.error) report.reason = reasons.cannotStart(observed.error);
    }
    if (observed.ports.length > 0) {
      report.networkBindings = observed.ports.map((port) => ({
        bindIP: port.bindIP || '0.0.0.0',
        containerPort: port.containerPort,
        hostPort: port.hostPort,
        protocol: port.protocol,
      }));
    }
    if (container.hasHealthCheck) report.healthStatus = healthOf(observed);
  } else if (vanished(view, container.name)) {
    report.status = 'STOPPED';
    report.reason = reasons.containerVanished;
  }
  // A container that could not start carries its task's reason; one that ran shows its exit code instead.
  if (failure?.container === container.name && failure.stopCode === 'TaskFailedToStart' && report.reason === undefined) report.reason = failure.reason;
  // A container that never ran stops with its task.
  if (!observed?.startedAt && report.status !== 'RUNNING' && failure) report.status = 'STOPPED';
  return report;
}

function taskHealth(view: TaskView, containers: EffectiveContainer[]): TaskReport['healthStatus'] {
  const checked = containers.filter((container) => container.essential && container.hasHealthCheck);
  if (checked.length === 0) return undefined;
  const states = checked.map((container) => healthOf(view.observed.get(container.name)));
  if (states.includes('UNHEALTHY')) return 'UNHEALTHY';
  return states.every((state) => state === 'HEALTHY') ? 'HEALTHY' : 'UNKNOWN';
}

/** The report describing the task as observed now (the runner sends it when it changes). */
export function report(view: TaskView, now: number): TaskReport {
  const containers = effectiveContainers(view.task);
  const cause = stopCause(view, containers);
  const stopping = view.task.desiredStatus === 'STOPPED' || cause !== undefined;
  const appRunning = containers.some((container) => running(view.observed.get(container.name)));
  const anyRunning = appRunning || running(view.pause);
  const result: TaskReport = { taskArn: view.task.taskArn };
  if (view.memory.pullStartedAt !== undefined) result.pullStartedAt = view.memory.pullStartedAt;
  if (view.memory.pullStoppedAt !== undefined) result.pullStoppedAt = view.memory.pullStoppedAt;
  if (stopping) {
    // Once the containers are down, an awsvpc task still gives back its network namespace.
    result.status = appRunning ? 'STOPPING' : anyRunning ? 'DEPROVISIONING' : 'STOPPED';
    if (cause && view.task.desiredStatus !== 'STOPPED') {
      result.reason = cause.reason;
      result.stopCode = cause.stopCode;
    }
    if (!anyRunning) {
      const finished = [...view.observed.values()].map((container) => container.finishedAt?.getTime() ?? 0);
      const last = Math.max(0, ...finished);
      result.executionStoppedAt = last > 0 ? last / 1000 : now;
    }
  } else {
    const allStarted = containers.every((container) => started(view.observed.get(container.name)));
    const essentialsRunning = containers.filter((container) => container.essential).every((container) => running(view.observed.get(container.name)));
    if (allStarted && essentialsRunning) result.status = 'RUNNING';
    else if (!needsPause(view.task) || running(view.pause)) result.status = 'PENDING';
  }
  const health = taskHealth(view, containers);
  if (health) result.healthStatus = health;
  result.containers = containers.map((container) => containerReport(view, container, cause));
  // A stopped task has no container left in any other state, including those it never created.
  if (result.status === 'STOPPED') for (const container of result.containers) container.status = 'STOPPED';
  return result;
}
