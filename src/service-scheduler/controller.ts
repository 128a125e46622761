/**
 * The service controller: for every live service, read a snapshot, decide (reconcile.ts,
 * daemon.ts) and carry the decision out, one store transaction per service and pass.
 *
 * Level-triggered: a pass compares what each service wants with the tasks that exist and acts on
 * the difference, so nothing depends on having seen an earlier event. Passes run on a timer, and
 * sooner when something changed (an API call, a task report). Only the holder of the leader
 * lease reconciles, and each transaction re-checks the lease before writing.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Tag } from '@aws-sdk/client-ecs';
import type { Clock } from '../core/clock.js';
import type { IdGenerator } from '../core/ids.js';
import type { Rng } from '../core/rng.js';
import { clusterNameOfArn } from '../ecs/names.js';
import { launchKindOf } from '../ecs/placement-snapshot.js';
import type { TaskChangeFeed } from '../ecs/task-changes.js';
import { commitRun, planRun, type RunInput } from '../ecs/tasks/run.js';
import type { ContainerInstanceRecord, DeploymentRecord, ServiceDeploymentRecord, ServiceRecord, StoreTx, Store, TaskRecord } from '../store/types.js';
import { reconcileDaemon } from './daemon.js';
import { rollBack } from './deployments.js';
import { addEvent, eventText } from './events.js';
import type { LeaderLease } from '../store/leader-lease.js';
import { isFailedTask, primaryOf, serviceGroup } from './model.js';
import type { FilterName } from '../scheduler/types.js';
import { describeCounts, inZone, isBalanced, zoneCounts } from './rebalance.js';
import { reconcileReplica, type Decision, type InstanceState } from './reconcile.js';

export interface ServiceControllerDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  rng: Rng;
  log: Logger;
  taskChanges: TaskChangeFeed;
  lease: LeaderLease;
  /** How long an instance's agent may be disconnected before its service tasks are replaced elsewhere. */
  agentLostAfterSeconds?: number;
  intervalMs?: number;
  /** The most tasks one pass launches for one service; the next pass follows at once. */
  launchBatch?: number;
}

const inactiveRetentionSeconds = 60 * 60;
const zoneAttribute = 'ecs.availability-zone';
const zoneField = `attribute:${zoneAttribute}`;
/** Placement filters that rule an instance out whatever runs on it; the others are about free resources. */
const ruledOutForGood: ReadonlySet<FilterName> = new Set(['launchType', 'status', 'agent', 'attributes', 'memberOf']);

/** ECS names at most ten tasks per "has started"/"has stopped" event. */
function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}

interface PassResult {
  changedTasks: TaskRecord[];
  /** More work is due right away (a launch batch was cut short, a rollback began). */
  again: boolean;
}

export class ServiceController {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private dirty = false;
  private stopped = true;
  private leading = false;
  private lastPurge = 0;
  private readonly startedAt: number;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly deps: ServiceControllerDeps) {
    this.startedAt = deps.clock.now().getTime() / 1000;
  }

  start(): void {
    this.stopped = false;
    this.unsubscribe = this.deps.taskChanges.subscribe((tasks) => {
      if (tasks.some((task) => task.group?.startsWith('service:'))) this.kick();
    });
    const tick = () => {
      this.kick();
      if (!this.stopped) this.timer = setTimeout(tick, this.deps.intervalMs ?? 2_000).unref();
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (this.leading) await this.deps.lease.release().catch(() => undefined);
  }

  /** Asks for a pass: now if none is running, else right after the running one. */
  kick(): void {
    if (this.stopped) return;
    this.dirty = true;
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Runs passes until nothing asked for another; resolves when idle. For tests and benchmarks. */
  async settle(): Promise<void> {
    this.kick();
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    while (this.dirty && !this.stopped) {
      // Yield to the event loop first. The store answers synchronously, so without this a pass
      // would start within the same turn as the report or request that asked for it, and a series
      // of passes would hold off every other request, report and signal until it ended; waiting
      // one turn also lets the changes that arrive together be answered by one pass.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.stopped) break;
      this.dirty = false;
      try {
        if (await this.pass()) this.dirty = true;
      } catch (error) {
        this.deps.log.error({ err: error }, 'service scheduler pass failed; retrying on the next tick');
      }
    }
  }

  /** One pass over every live service. True when another pass is due at once. */
  private async pass(): Promise<boolean> {
    this.leading = await this.deps.lease.acquire();
    if (!this.leading) return false;
    // Deleted services stay describable for an hour after they drain, as in ECS.
    if (this.now() - this.lastPurge > 60) {
      this.lastPurge = this.now();
      await this.deps.store.write(async (tx) => {
        if (await this.deps.lease.holds(tx)) await tx.services.purgeInactive(this.now() - inactiveRetentionSeconds);
      });
    }
    const services = await this.deps.store.read((tx) => tx.services.listLive());
    let again = false;
    for (const { serviceArn } of services) {
      if (this.stopped) break;
      try {
        const result = await this.reconcile(serviceArn);
        this.deps.taskChanges.publish(result.changedTasks);
        again ||= result.again;
      } catch (error) {
        this.deps.log.error({ err: error, service: serviceArn }, 'could not reconcile the service');
      }
    }
    return again;
  }

  private now(): number {
    return this.deps.clock.now().getTime() / 1000;
  }

  private instanceStates(records: ContainerInstanceRecord[], now: number): Map<string, InstanceState> {
    const grace = this.deps.agentLostAfterSeconds ?? 60;
    const states = new Map<string, InstanceState>();
    for (const record of records) {
      const since = record.agentDisconnectedAt ?? this.startedAt;
      const lost = record.status === 'INACTIVE' || (!record.agentConnected && now - Math.max(since, this.startedAt) > grace);
      states.set(record.containerInstanceArn, { status: record.status, lost, ...(record.attributes ? { attributes: record.attributes } : {}) });
    }
    return states;
  }

  /** One service, one transaction. */
  private async reconcile(serviceArn: string): Promise<PassResult> {
    return this.deps.store.write(async (tx) => {
      const idle: PassResult = { changedTasks: [], again: false };
      if (!(await this.deps.lease.holds(tx))) return idle;
      const service = await tx.services.get(serviceArn);
      if (!service || service.status === 'INACTIVE') return idle;
      const now = this.now();
      const group = serviceGroup(service.serviceName);
      const tasks = (await tx.tasks.list({ clusterArn: service.clusterArn, group, activeOnly: true }, { limit: 1_000_000 })).items;
      const stops = await tx.tasks.unaccountedStops(service.clusterArn, group, 1_000);
      const records = await tx.containerInstances.all(service.clusterArn);
      const instances = this.instanceStates(records, now);
      const rebalanceZones = await this.rebalanceZones(tx, service, tasks, records, instances, now);
      const snapshot = { service, tasks, stops, instances, now, ...(rebalanceZones ? { rebalanceZones } : {}) };

      let launchOn: string[] = [];
      let launch = 0;
      let decision: Omit<Decision, 'launch'>;
      if (service.schedulingStrategy === 'DAEMON') {
        const eligible = await this.daemonEligible(tx, service, tasks, records, instances, now);
        const daemon = reconcileDaemon({ ...snapshot, eligible });
        launchOn = daemon.launchOn;
        decision = daemon;
      } else {
        const replica = reconcileReplica(snapshot);
        launch = replica.launch;
        decision = replica;
      }

      const changedTasks: TaskRecord[] = [];
      let next = decision.service;
      const event = (message: string, repeating = false) => {
        next = addEvent(next, message, now, this.deps.ids, { repeating });
      };
      const name = service.serviceName;

      for (const arn of decision.accounted) {
        const task = stops.find((candidate) => candidate.taskArn === arn);
        if (!task) continue;
        await tx.tasks.put({ ...task, serviceAccounted: true });
        if (isFailedTask(task)) event(eventText.taskFailed(name, task));
      }

      const byArn = new Map(tasks.map((task) => [task.taskArn, task]));
      for (const order of decision.stops.filter((order) => order.kind === 'health')) event(eventText.failedHealthChecks(name, order.taskArn));
      for (const order of decision.stops) {
        const task = byArn.get(order.taskArn);
        if (!task || task.desiredStatus === 'STOPPED') continue;
        const stopped: TaskRecord = {
          ...task,
          desiredStatus: 'STOPPED',
          stopCode: 'ServiceSchedulerInitiated',
          stoppedReason: order.reason,
          stoppingAt: now,
          version: (task.version ?? 0) + 1,
        };
        await tx.tasks.put(stopped);
        changedTasks.push(stopped);
      }
      const lostStops = decision.stops.filter((order) => order.kind === 'lost').map((order) => order.taskArn);
      if (lostStops.length > 0) event(eventText.instanceLost(name, lostStops, this.deps.agentLostAfterSeconds ?? 60));
      const scaleStops = decision.stops.filter((order) => order.kind === 'scale' || order.kind === 'health').map((order) => order.taskArn);
      for (const chunk of chunks(scaleStops, 10)) event(eventText.stopped(name, chunk));
      const rebalanceStops = new Map<string, string[]>();
      for (const order of decision.stops.filter((candidate) => candidate.kind === 'rebalance')) {
        const zone = byArn.get(order.taskArn)?.availabilityZone ?? 'an unknown zone';
        rebalanceStops.set(zone, [...(rebalanceStops.get(zone) ?? []), order.taskArn]);
      }
      for (const [zone, arns] of rebalanceStops) for (const chunk of chunks(arns, 10)) event(eventText.stoppedToRebalance(name, zone, chunk));

      let again = false;
      const failedPrimary = primaryOf(decision.service);
      if (decision.breaker.tripped && failedPrimary) {
        event(eventText.deploymentFailed(name, failedPrimary.id, 'tasks failed to start'));
        const triggered = (record: ServiceDeploymentRecord) => ({ ...record.deploymentCircuitBreaker, status: 'TRIGGERED' as const, failureCount: failedPrimary.breakerFailures.length });
        const target = decision.breaker.rollbackTo;
        const revision = target ? await tx.serviceRevisions.get(target.revisionArn) : undefined;
        if (target && revision) {
          const rolled = await rollBack(tx, next, { revision, deploymentId: target.deploymentId }, failedPrimary.rolloutStateReason, {
            now,
            ids: this.deps.ids,
          });
          if (rolled) {
            next = rolled.service;
            // The rollback carries on the failed service deployment, which says the breaker tripped.
            await this.updateServiceDeployment(tx, failedPrimary, now, (record) => ({ ...record, deploymentCircuitBreaker: triggered(record) }));
            event(eventText.rollingBack(name, target.deploymentId));
            again = true;
          }
        } else {
          await this.updateServiceDeployment(tx, failedPrimary, now, (record) => ({
            ...record,
            status: 'STOPPED',
            statusReason: failedPrimary.rolloutStateReason,
            stoppedAt: now,
            deploymentCircuitBreaker: triggered(record),
          }));
        }
      }

      const primary = primaryOf(next);
      if (primary && !decision.breaker.tripped) {
        if (launch > 0) {
          const batch = Math.min(launch, this.deps.launchBatch ?? 100);
          const launched = await this.launch(tx, next, primary, batch, {}, now, (message, repeating) => event(message, repeating));
          changedTasks.push(...launched);
          // The next batch follows at once only if this one was placed in full: tasks that found no
          // room wait for a change or the next tick instead of spinning through passes.
          again ||= batch < launch && launched.length === batch;
        }
        for (const instanceArn of launchOn) {
          changedTasks.push(...(await this.launch(tx, next, primary, 1, { instanceArn }, now, (message, repeating) => event(message, repeating))));
        }
        if (decision.rebalance?.began) event(eventText.notBalanced(name, describeCounts(decision.rebalance.counts)));
        for (const { zone, count } of decision.rebalance?.launches ?? []) {
          changedTasks.push(...(await this.launch(tx, next, primary, count, { zone }, now, (message, repeating) => event(message, repeating))));
        }
      }
      if (decision.throttled) event(eventText.unableToStartConsistently(name), true);

      if (decision.completed && primary) {
        event(eventText.deploymentCompleted(name, primary.id));
        await this.updateServiceDeployment(tx, primary, now, (record) => ({
          ...record,
          status: record.status === 'ROLLBACK_IN_PROGRESS' ? 'ROLLBACK_SUCCESSFUL' : 'SUCCESSFUL',
          finishedAt: now,
          ...(record.targetServiceRevision && record.status !== 'ROLLBACK_IN_PROGRESS'
            ? { targetServiceRevision: { ...record.targetServiceRevision, runningTaskCount: next.desiredCount, pendingTaskCount: 0 } }
            : {}),
          ...(record.deploymentCircuitBreaker?.status === 'MONITORING' ? { deploymentCircuitBreaker: { ...record.deploymentCircuitBreaker, status: 'MONITORING_COMPLETE' } } : {}),
        }));
      }
      if (decision.rebalanced) event(eventText.balanced(name, describeCounts(decision.rebalanced)));
      if (decision.becameSteady) event(eventText.steadyState(name));

      if (JSON.stringify(next) !== JSON.stringify(service)) await tx.services.put({ ...next, version: service.version + 1 });
      return { changedTasks, again };
    });
  }

  private async updateServiceDeployment(
    tx: StoreTx,
    deployment: DeploymentRecord,
    now: number,
    change: (record: ServiceDeploymentRecord) => ServiceDeploymentRecord,
  ): Promise<void> {
    const record = await tx.serviceDeployments.get(deployment.serviceDeploymentArn);
    if (record) await tx.serviceDeployments.put({ ...change(record), updatedAt: now });
  }

  /** Tags a service's tasks carry: propagated from the service or its task definition, and ECS's managed tags. */
  private async taskTags(tx: StoreTx, service: ServiceRecord, deployment: DeploymentRecord): Promise<Tag[]> {
    const tags: Tag[] = [];
    if (service.propagateTags === 'SERVICE') tags.push(...service.tags);
    if (service.propagateTags === 'TASK_DEFINITION') tags.push(...((await tx.taskDefinitions.get(deployment.taskDefinition))?.tags ?? []));
    if (service.enableECSManagedTags) {
      tags.push({ key: 'aws:ecs:clusterName', value: clusterNameOfArn(service.clusterArn) }, { key: 'aws:ecs:serviceName', value: service.serviceName });
    }
    return tags;
  }

  /**
   * Places and records `count` tasks of the deployment (on `instanceArn` for a daemon, in `zone` to
   * rebalance); placement failures become events.
   */
  private async launch(
    tx: StoreTx,
    service: ServiceRecord,
    deployment: DeploymentRecord,
    count: number,
    where: { instanceArn?: string; zone?: string },
    now: number,
    event: (message: string, repeating: boolean) => void,
  ): Promise<TaskRecord[]> {
    const { instanceArn, zone } = where;
    const placementConstraints = [...(service.placementConstraints ?? []), ...(zone ? [{ type: 'memberOf' as const, expression: inZone(zone) }] : [])];
    const [, , , region = '', accountId = ''] = service.serviceArn.split(':');
    const input: RunInput = {
      cluster: service.clusterArn,
      taskDefinition: deployment.taskDefinition,
      group: serviceGroup(service.serviceName),
      startedBy: deployment.id,
      ...(deployment.launchType !== undefined && !(deployment.capacityProviderStrategy ?? []).length ? { launchType: deployment.launchType } : {}),
      ...(deployment.capacityProviderStrategy?.length ? { capacityProviderStrategy: deployment.capacityProviderStrategy } : {}),
      ...(deployment.platformVersion !== undefined ? { platformVersion: deployment.platformVersion } : {}),
      ...(deployment.networkConfiguration ? { networkConfiguration: deployment.networkConfiguration } : {}),
      ...(placementConstraints.length > 0 ? { placementConstraints } : {}),
      ...(service.placementStrategy && !instanceArn ? { placementStrategy: service.placementStrategy } : {}),
      ...(service.enableExecuteCommand !== undefined ? { enableExecuteCommand: service.enableExecuteCommand } : {}),
    };
    try {
      const plan = await planRun(tx, this.deps, { scope: { accountId, region }, now: new Date(now * 1000) }, input, {
        count,
        ...(instanceArn ? { onlyInstance: instanceArn } : {}),
        allowInactiveDefinition: true,
      });
      plan.common.tags = await this.taskTags(tx, service, deployment);
      if (plan.placed?.result.noContainerInstances && !instanceArn) {
        event(eventText.unableToPlaceNoInstances(service.serviceName), true);
        return [];
      }
      const result = await commitRun(tx, plan, instanceArn ? { onlyInstance: instanceArn } : {});
      for (const chunk of chunks(result.tasks.map((task) => task.taskArn), 10)) {
        event(zone ? eventText.startedToRebalance(service.serviceName, zone, chunk) : eventText.started(service.serviceName, chunk), false);
      }
      const failure = result.failures[0];
      const explanation = failure && `Berth: ${failure.detail ?? failure.reason}.`;
      if (explanation && zone) event(eventText.unableToPlaceInZone(service.serviceName, zone, explanation), true);
      else if (explanation && !instanceArn) event(eventText.unableToPlace(service.serviceName, explanation), true);
      return result.tasks;
    } catch (error) {
      // The definition or cluster is gone, or the request can no longer be placed: say so and try again later.
      const message = error instanceof Error ? error.message : String(error);
      event(`(service ${service.serviceName}) was unable to start tasks: ${message}`, true);
      return [];
    }
  }

  /**
   * The zones a service with Availability Zone rebalancing is kept balanced over: those of the
   * ACTIVE, connected EC2 instances that could take one of its tasks but for their free resources.
   * The placement engine is asked only when the service is not balanced over every zone anyway.
   * As in ECS, only services whose first placement strategy spreads them over zones are rebalanced.
   */
  private async rebalanceZones(
    tx: StoreTx,
    service: ServiceRecord,
    tasks: TaskRecord[],
    records: ContainerInstanceRecord[],
    instances: Map<string, InstanceState>,
    now: number,
  ): Promise<string[] | undefined> {
    const primary = primaryOf(service);
    const first = service.placementStrategy?.[0];
    const spreadsOverZones = first?.type === 'spread' && first.field === zoneField;
    if (!primary || service.availabilityZoneRebalancing !== 'ENABLED' || service.launchType !== 'EC2' || !spreadsOverZones) return undefined;
    const zoneOf = new Map<string, string>();
    for (const record of records) {
      const zone = record.attributes?.find((attribute) => attribute.name === zoneAttribute)?.value;
      const usable = record.status === 'ACTIVE' && !instances.get(record.containerInstanceArn)?.lost && launchKindOf(record) === 'EC2';
      if (zone && usable) zoneOf.set(record.containerInstanceArn, zone);
    }
    const zones = [...new Set(zoneOf.values())].sort();
    const own = tasks.filter((task) => task.startedBy === primary.id && task.desiredStatus === 'RUNNING');
    if (isBalanced(zoneCounts(own, zones))) return zones;
    const [, , , region = '', accountId = ''] = service.serviceArn.split(':');
    const plan = await planRun(
      tx,
      this.deps,
      { scope: { accountId, region }, now: new Date(now * 1000) },
      {
        cluster: service.clusterArn,
        taskDefinition: primary.taskDefinition,
        launchType: 'EC2',
        ...(service.placementConstraints ? { placementConstraints: service.placementConstraints } : {}),
      },
      { count: 1, explain: true, allowInactiveDefinition: true },
    ).catch(() => undefined);
    if (!plan?.placed) return undefined;
    const couldRun = new Set<string>();
    for (const entry of plan.placed.result.explanation) {
      const zone = zoneOf.get(entry.instanceArn);
      if (zone && (entry.filter === undefined || !ruledOutForGood.has(entry.filter))) couldRun.add(zone);
    }
    return zones.filter((zone) => couldRun.has(zone));
  }

  /**
   * Instances a daemon should run on: ACTIVE, agent not lost, of the service's launch type, and
   * meeting its placement constraints (asked of the placement engine, one instance at a time).
   * An instance already running the daemon's current deployment stays eligible while ACTIVE.
   */
  private async daemonEligible(
    tx: StoreTx,
    service: ServiceRecord,
    tasks: TaskRecord[],
    records: ContainerInstanceRecord[],
    instances: Map<string, InstanceState>,
    now: number,
  ): Promise<Set<string>> {
    const primary = primaryOf(service);
    const eligible = new Set<string>();
    if (!primary) return eligible;
    const kind = service.launchType === 'EXTERNAL' ? 'EXTERNAL' : 'EC2';
    const running = new Set(tasks.filter((task) => task.startedBy === primary.id && task.desiredStatus === 'RUNNING').map((task) => task.containerInstanceArn));
    const [, , , region = '', accountId = ''] = service.serviceArn.split(':');
    for (const record of records) {
      const state = instances.get(record.containerInstanceArn);
      if (record.status !== 'ACTIVE' || state?.lost || launchKindOf(record) !== kind) continue;
      if (running.has(record.containerInstanceArn)) {
        eligible.add(record.containerInstanceArn);
        continue;
      }
      const occupied = tasks.some((task) => task.containerInstanceArn === record.containerInstanceArn && task.lastStatus !== 'STOPPED');
      const plan = await planRun(
        tx,
        this.deps,
        { scope: { accountId, region }, now: new Date(now * 1000) },
        {
          cluster: service.clusterArn,
          taskDefinition: primary.taskDefinition,
          launchType: kind,
          ...(service.placementConstraints ? { placementConstraints: service.placementConstraints } : {}),
        },
        { count: 1, onlyInstance: record.containerInstanceArn, allowInactiveDefinition: true },
      ).catch(() => undefined);
      // An old task still holding the instance's resources does not make it ineligible.
      if (occupied || (plan?.placed?.result.placements.length ?? 0) > 0) eligible.add(record.containerInstanceArn);
    }
    return eligible;
  }
}
