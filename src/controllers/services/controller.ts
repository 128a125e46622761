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
import type { Clock } from '../../core/clock.js';
import type { IdGenerator } from '../../core/ids.js';
import type { Rng } from '../../core/rng.js';
import type { TaskChangeFeed } from '../../ecs/task-changes.js';
import type { ContainerInstanceRecord, DeploymentRecord, ServiceDeploymentRecord, ServiceRecord, StoreTx, Store, TaskRecord } from '../../store/types.js';
import { reconcileDaemon } from './daemon.js';
import { rollBack } from '../../ecs/services/deployments.js';
import { addEvent, chunks, eventText } from './events.js';
import { launchTasks } from './launcher.js';
import type { LeaderLease } from '../../store/leader-lease.js';
import { isFailedTask, primaryOf, serviceGroup } from '../../ecs/services/model.js';
import { daemonInstances, rebalanceZones } from './placement-queries.js';
import { describeCounts } from './rebalance.js';
import { reconcileReplica, type Decision, type InstanceState } from './reconcile.js';
import { defaultSchedulerTiming, type SchedulerTiming } from './timing.js';

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
  /** How often a pass runs when nothing asked for one (2 s by default). */
  intervalMs?: number;
  /** The proving window and the launch back-off (timing.ts); the defaults when absent. */
  timing?: SchedulerTiming;
  /** The most tasks one pass launches for one service; the next pass follows at once. */
  launchBatch?: number;
}

const inactiveRetentionSeconds = 60 * 60;

interface PassResult {
  changedTasks: TaskRecord[];
  /** More work is due right away (a launch batch was cut short, a rollback began). */
  again: boolean;
}

/** What one pass does to one service: its record as the pass changes it, with the events it adds, and the tasks it changed. */
class PassOutcome {
  changedTasks: TaskRecord[] = [];
  /** More work is due right away (a launch batch was cut short, a rollback began). */
  again = false;

  constructor(
    public service: ServiceRecord,
    readonly now: number,
    private readonly ids: IdGenerator,
  ) {}

  readonly event = (message: string, repeating = false): void => {
    this.service = addEvent(this.service, message, this.now, this.ids, { repeating });
  };
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
      const view = { service, tasks, records, instances, now };
      const zones = await rebalanceZones(tx, this.deps, view);
      const snapshot = { service, tasks, stops, instances, now, timing: this.deps.timing ?? defaultSchedulerTiming, ...(zones ? { rebalanceZones: zones } : {}) };

      let launchOn: string[] = [];
      let launch = 0;
      let decision: Omit<Decision, 'launch'>;
      if (service.schedulingStrategy === 'DAEMON') {
        const eligible = await daemonInstances(tx, this.deps, view);
        const daemon = reconcileDaemon({ ...snapshot, eligible });
        launchOn = daemon.launchOn;
        decision = daemon;
      } else {
        const replica = reconcileReplica(snapshot);
        launch = replica.launch;
        decision = replica;
      }

      const outcome = new PassOutcome(decision.service, now, this.deps.ids);
      await this.recordStops(tx, decision, stops, tasks, outcome);
      await this.applyBreaker(tx, decision, outcome);
      if (!decision.breaker.tripped) await this.launch(tx, decision, { launch, launchOn }, outcome);
      if (decision.throttled) outcome.event(eventText.unableToStartConsistently(service.serviceName), true);
      await this.finish(tx, decision, outcome);
      if (JSON.stringify(outcome.service) !== JSON.stringify(service)) await tx.services.put({ ...outcome.service, version: service.version + 1 });
      return { changedTasks: outcome.changedTasks, again: outcome.again };
    });
  }

  /** Counts the stops the decision accounted for, and stops the tasks it ordered stopped, saying why. */
  private async recordStops(tx: StoreTx, decision: Omit<Decision, 'launch'>, stops: TaskRecord[], tasks: TaskRecord[], outcome: PassOutcome): Promise<void> {
    const name = outcome.service.serviceName;
    const { now } = outcome;
    for (const arn of decision.accounted) {
      const task = stops.find((candidate) => candidate.taskArn === arn);
      if (!task) continue;
      await tx.tasks.put({ ...task, serviceAccounted: true });
      if (isFailedTask(task)) outcome.event(eventText.taskFailed(name, task));
    }

    const byArn = new Map(tasks.map((task) => [task.taskArn, task]));
    for (const order of decision.stops.filter((order) => order.kind === 'health')) outcome.event(eventText.failedHealthChecks(name, order.taskArn));
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
      outcome.changedTasks.push(stopped);
    }
    const lostStops = decision.stops.filter((order) => order.kind === 'lost').map((order) => order.taskArn);
    if (lostStops.length > 0) outcome.event(eventText.instanceLost(name, lostStops, this.deps.agentLostAfterSeconds ?? 60));
    const scaleStops = decision.stops.filter((order) => order.kind === 'scale' || order.kind === 'health').map((order) => order.taskArn);
    for (const chunk of chunks(scaleStops, 10)) outcome.event(eventText.stopped(name, chunk));
    const rebalanceStops = new Map<string, string[]>();
    for (const order of decision.stops.filter((candidate) => candidate.kind === 'rebalance')) {
      const zone = byArn.get(order.taskArn)?.availabilityZone ?? 'an unknown zone';
      rebalanceStops.set(zone, [...(rebalanceStops.get(zone) ?? []), order.taskArn]);
    }
    for (const [zone, arns] of rebalanceStops) for (const chunk of chunks(arns, 10)) outcome.event(eventText.stoppedToRebalance(name, zone, chunk));
  }

  /** A tripped circuit breaker fails the deployment and, where it can, rolls back to the last completed revision. */
  private async applyBreaker(tx: StoreTx, decision: Omit<Decision, 'launch'>, outcome: PassOutcome): Promise<void> {
    const failedPrimary = primaryOf(decision.service);
    if (!decision.breaker.tripped || !failedPrimary) return;
    const name = outcome.service.serviceName;
    const { now } = outcome;
    outcome.event(eventText.deploymentFailed(name, failedPrimary.id, 'tasks failed to start'));
    const triggered = (record: ServiceDeploymentRecord) => ({ ...record.deploymentCircuitBreaker, status: 'TRIGGERED' as const, failureCount: failedPrimary.breakerFailures.length });
    const target = decision.breaker.rollbackTo;
    const revision = target ? await tx.serviceRevisions.get(target.revisionArn) : undefined;
    if (target && revision) {
      const rolled = await rollBack(tx, outcome.service, { revision, deploymentId: target.deploymentId }, failedPrimary.rolloutStateReason, {
        now,
        ids: this.deps.ids,
      });
      if (rolled) {
        outcome.service = rolled.service;
        // The rollback carries on the failed service deployment, which says the breaker tripped.
        await this.updateServiceDeployment(tx, failedPrimary, now, (record) => ({ ...record, deploymentCircuitBreaker: triggered(record) }));
        outcome.event(eventText.rollingBack(name, target.deploymentId));
        outcome.again = true;
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

  /** Starts the PRIMARY deployment's tasks the decision asked for: a count, one per daemon instance, or into zones to rebalance. */
  private async launch(tx: StoreTx, decision: Omit<Decision, 'launch'>, asked: { launch: number; launchOn: string[] }, outcome: PassOutcome): Promise<void> {
    const primary = primaryOf(outcome.service);
    if (!primary) return;
    const start = async (count: number, where: { instanceArn?: string; zone?: string }) => {
      const launched = await launchTasks(tx, this.deps, outcome.service, primary, count, where, outcome.now, outcome.event);
      outcome.changedTasks.push(...launched);
      return launched;
    };
    if (asked.launch > 0) {
      const batch = Math.min(asked.launch, this.deps.launchBatch ?? 100);
      const launched = await start(batch, {});
      // The next batch follows at once only if this one was placed in full: tasks that found no
      // room wait for a change or the next tick instead of spinning through passes.
      outcome.again ||= batch < asked.launch && launched.length === batch;
    }
    for (const instanceArn of asked.launchOn) await start(1, { instanceArn });
    if (decision.rebalance?.began) outcome.event(eventText.notBalanced(outcome.service.serviceName, describeCounts(decision.rebalance.counts)));
    for (const { zone, count } of decision.rebalance?.launches ?? []) await start(count, { zone });
  }

  /** Records a completed deployment, a finished rebalancing and a newly steady state. */
  private async finish(tx: StoreTx, decision: Omit<Decision, 'launch'>, outcome: PassOutcome): Promise<void> {
    const name = outcome.service.serviceName;
    const primary = primaryOf(outcome.service);
    if (decision.completed && primary) {
      outcome.event(eventText.deploymentCompleted(name, primary.id));
      const desiredCount = outcome.service.desiredCount;
      await this.updateServiceDeployment(tx, primary, outcome.now, (record) => ({
        ...record,
        status: record.status === 'ROLLBACK_IN_PROGRESS' ? 'ROLLBACK_SUCCESSFUL' : 'SUCCESSFUL',
        finishedAt: outcome.now,
        ...(record.targetServiceRevision && record.status !== 'ROLLBACK_IN_PROGRESS'
          ? { targetServiceRevision: { ...record.targetServiceRevision, runningTaskCount: desiredCount, pendingTaskCount: 0 } }
          : {}),
        ...(record.deploymentCircuitBreaker?.status === 'MONITORING' ? { deploymentCircuitBreaker: { ...record.deploymentCircuitBreaker, status: 'MONITORING_COMPLETE' } } : {}),
      }));
    }
    if (decision.rebalanced) outcome.event(eventText.balanced(name, describeCounts(decision.rebalanced)));
    if (decision.becameSteady) outcome.event(eventText.steadyState(name));
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
}
