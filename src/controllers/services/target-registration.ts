/**
 * The service controller's store side of load balancing (the decisions are in load-balancing.ts):
 * registering a service's tasks in its target groups as they come up, moving them to RUNNING once
 * their targets are healthy, deregistering them before they stop and lifting the hold on their
 * stop once the drain is over. Registrations are written as RegisterTargets and DeregisterTargets
 * write them (../../elbv2/registrations.ts); the health records are the data plane's.
 */
import type { ContainerInstanceRecord, ServiceRecord, StoreTx, TaskRecord, TaskTarget } from '../../store/types.js';
import type { TargetGroupRecord, TargetRecord } from '../../store/contract/elbv2.js';
import { deregisterTarget, purgeDrained, registerTarget } from '../../elbv2/registrations.js';
import { eventText } from './events.js';
import { balanceOf, drainIsOver, targetFactKey, targetsOfTask, tasksToActivate, type TargetHealthFact, type TaskBalance } from './load-balancing.js';

type EventSink = (message: string, repeating: boolean) => void;

/** The target groups a pass reads, with their live registrations and health. */
export class TargetGroupView {
  private constructor(
    readonly groups: ReadonlyMap<string, TargetGroupRecord>,
    private readonly registered: Map<string, TargetRecord>,
    readonly health: ReadonlyMap<string, TargetHealthFact>,
  ) {}

  static async read(tx: StoreTx, arns: Iterable<string>, now: number): Promise<TargetGroupView> {
    const groups = new Map<string, TargetGroupRecord>();
    const registered = new Map<string, TargetRecord>();
    const health = new Map<string, TargetHealthFact>();
    for (const arn of new Set(arns)) {
      const group = await tx.targetGroups.get(arn);
      if (!group) continue;
      groups.set(arn, group);
      for (const record of await purgeDrained(tx, arn, now)) registered.set(targetFactKey({ targetGroupArn: arn, id: record.id, port: record.port }), record);
      for (const record of await tx.targetHealth.forTargetGroup(arn)) {
        health.set(targetFactKey({ targetGroupArn: arn, id: record.id, port: record.port }), {
          state: record.state,
          ...(record.reason ? { reason: record.reason } : {}),
          ...(record.description ? { description: record.description } : {}),
        });
      }
    }
    return new TargetGroupView(groups, registered, health);
  }

  registration(target: TaskTarget): TargetRecord | undefined {
    return this.registered.get(targetFactKey(target));
  }

  noteRegistered(target: TaskTarget, now: number): void {
    this.registered.set(targetFactKey(target), { targetGroupArn: target.targetGroupArn, id: target.id, port: target.port, registeredAt: now });
  }
}

/** The target groups a service's load balancing concerns: its own, and those its tasks are still registered in. */
export function targetGroupsOf(service: ServiceRecord, tasks: readonly TaskRecord[]): string[] {
  const arns = new Set<string>();
  for (const entry of service.loadBalancers ?? []) if (entry.targetGroupArn) arns.add(entry.targetGroupArn);
  for (const task of tasks) for (const target of task.targets ?? []) arns.add(target.targetGroupArn);
  return [...arns];
}

/** Targets per target group, for the events that count them. */
export const countBy = (targets: readonly TaskTarget[]) => {
  const counts = new Map<string, number>();
  for (const target of targets) counts.set(target.targetGroupArn, (counts.get(target.targetGroupArn) ?? 0) + 1);
  return counts;
};

const put = async (tx: StoreTx, task: TaskRecord): Promise<TaskRecord> => {
  const next = { ...task, version: (task.version ?? 0) + 1 };
  await tx.tasks.put(next);
  return next;
};

/**
 * Registers the service's running tasks not registered yet, moves ACTIVATING tasks whose targets
 * are healthy to RUNNING, deregisters tasks that stopped on their own and lifts the hold on tasks
 * whose drain is over. Returns the tasks as written and what their targets say about each.
 */
export async function tendRegistrations(
  tx: StoreTx,
  input: {
    service: ServiceRecord;
    tasks: TaskRecord[];
    stops: TaskRecord[];
    records: readonly ContainerInstanceRecord[];
    view: TargetGroupView;
    networkModeOf: (taskDefinitionArn: string) => Promise<string | undefined>;
    now: number;
    event: EventSink;
  },
): Promise<{ tasks: TaskRecord[]; stops: TaskRecord[]; balances: Map<string, TaskBalance> }> {
  const { service, view, now, event } = input;
  const instanceIds = new Map(input.records.map((record) => [record.containerInstanceArn, record.ec2InstanceId]));
  const registered: TaskTarget[] = [];
  const deregistered: TaskTarget[] = [];
  const tasks: TaskRecord[] = [];
  for (let task of input.tasks) {
    const up = task.desiredStatus === 'RUNNING' && (task.lastStatus === 'ACTIVATING' || task.lastStatus === 'RUNNING');
    if (task.loadBalanced && up && task.targets === undefined) {
      const targets = targetsOfTask(task, service.loadBalancers ?? [], {
        targetTypeOf: (arn) => view.groups.get(arn)?.targetType,
        instanceIdOf: (arn) => instanceIds.get(arn),
        networkMode: await input.networkModeOf(task.taskDefinitionArn),
      });
      if (targets) {
        for (const target of targets) {
          const { targetGroupArn, ...key } = target;
          const zone = task.availabilityZone;
          if (await registerTarget(tx, targetGroupArn, { ...key, ...(zone ? { availabilityZone: zone } : {}) }, view.registration(target), now)) registered.push(target);
          view.noteRegistered(target, now);
        }
        task = await put(tx, { ...task, targets });
      }
    } else if (task.targets && task.desiredStatus === 'STOPPED' && task.drainUntil === undefined) {
      // Stopped by other means than the service (its container exited, StopTask): out of the groups at once.
      deregistered.push(...(await deregisterAll(tx, view, task.targets, now)));
      const { targets: _gone, ...rest } = task;
      task = await put(tx, rest);
    } else if (drainIsOver(task, (target) => view.registration(target) !== undefined, now)) {
      const { drainUntil: _over, targets: _gone, ...rest } = task;
      task = await put(tx, rest);
    }
    tasks.push(task);
  }
  const stops: TaskRecord[] = [];
  for (let task of input.stops) {
    if (task.targets) {
      deregistered.push(...(await deregisterAll(tx, view, task.targets, now)));
      const { targets: _gone, drainUntil: _over, ...rest } = task;
      task = await put(tx, rest);
    }
    stops.push(task);
  }
  for (const [arn, count] of countBy(registered)) event(eventText.registeredTargets(service.serviceName, count, arn), false);
  for (const [arn, count] of countBy(deregistered)) event(eventText.deregisteredTargets(service.serviceName, count, arn), false);

  const balances = new Map<string, TaskBalance>();
  for (const task of tasks) if (task.targets) balances.set(task.taskArn, balanceOf(task.targets, view.health));
  const activate = new Set(tasksToActivate(tasks, balances));
  const written: TaskRecord[] = [];
  for (const task of tasks) written.push(activate.has(task.taskArn) ? await put(tx, { ...task, lastStatus: 'RUNNING' }) : task);
  return { tasks: written, stops, balances };
}

/** Deregisters the targets still registered; returns those it deregistered. */
async function deregisterAll(tx: StoreTx, view: TargetGroupView, targets: readonly TaskTarget[], now: number): Promise<TaskTarget[]> {
  const done: TaskTarget[] = [];
  for (const target of targets) {
    const group = view.groups.get(target.targetGroupArn);
    const record = view.registration(target);
    if (!group || !record || record.drainUntil !== undefined) continue;
    await deregisterTarget(tx, group, record, now);
    done.push(target);
  }
  return done;
}

/**
 * A registered task the service stops: its targets are deregistered and it is DEACTIVATING while
 * they drain; its agent is told to stop it once the drain is over (tendRegistrations). A task with
 * nothing to drain stops at once. Adds the targets it deregistered to `deregistered`; returns the
 * task to write.
 */
export async function deactivate(tx: StoreTx, view: TargetGroupView, task: TaskRecord, now: number, deregistered: TaskTarget[]): Promise<TaskRecord> {
  if (!task.targets || !(task.lastStatus === 'ACTIVATING' || task.lastStatus === 'RUNNING')) return task;
  let until = now;
  const done: TaskTarget[] = [];
  for (const target of task.targets) {
    const group = view.groups.get(target.targetGroupArn);
    const record = view.registration(target);
    if (!group || !record) continue;
    const ends = await deregisterTarget(tx, group, record, now);
    if (ends === undefined) continue;
    done.push(target);
    until = Math.max(until, ends);
  }
  deregistered.push(...done);
  if (until <= now) {
    const { targets: _gone, ...rest } = task;
    return rest;
  }
  return { ...task, lastStatus: 'DEACTIVATING', drainUntil: until };
}


