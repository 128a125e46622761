/**
 * The service controller: one key per live service (its ARN). Reconciling a service reads a
 * snapshot, decides (reconcile.ts, daemon.ts) and carries the decision out, in one store
 * transaction; the runner (../runner.ts) calls it for the services a change concerns:
 *
 * - a service change → that service;
 * - a task change whose group is `service:<name>` → that service (its ARN from the task's cluster);
 * - a container instance change → the services with tasks on that instance (it may be draining or
 *   its agent lost), and the services of its cluster that the instance's capacity or attributes
 *   may concern: DAEMON services, services that rebalance Availability Zones, and services whose
 *   last reconcile could not place every task it wanted (they wait for room). Every task placed
 *   or stopped changes its instance's reservations, so waking every service of the cluster instead
 *   would reconcile thousands of services for one task.
 * - a target registration or target health change in a target group → the services whose tasks
 *   are (or are to be) registered in it, as their last reconcile found them (target-registration.ts
 *   keeps the registrations; load-balancing.ts says what the health means for a task).
 *
 * Rules that wait on time (the proving window, the launch back-off, the health check grace, the
 * agent-lost timeout: deadlines.ts) requeue the service for when they flip, and a launch batch cut
 * short requeues it at once. A slow resync lists every service again as a safety net. Only the
 * holder of the leader lease reconciles, and each transaction re-checks the lease before writing.
 * Deleted services stay describable for an hour after they drain (purge.ts).
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Clock } from '../../core/clock.js';
import type { IdGenerator } from '../../core/ids.js';
import type { Rng } from '../../core/rng.js';
import type { Change } from '../../store/changes.js';
import type { ContainerInstanceRecord, DeploymentRecord, ServiceDeploymentRecord, ServiceRecord, StoreTx, Store, TaskRecord, TaskTarget } from '../../store/types.js';
import { done, requeueAfter, type Controller, type ControllerWatch, type Reconciled } from '../controller.js';
import { ControllerRunner } from '../runner.js';
import { reconcileDaemon } from './daemon.js';
import { nextDeadline } from './deadlines.js';
import { rollBack } from '../../ecs/services/deployments.js';
import { addEvent, chunks, eventText } from './events.js';
import { deploymentAlarms } from './deployment-alarms.js';
import { launchTasks } from './launcher.js';
import type { LeaderLease } from '../../store/leader-lease.js';
import { isFailedTask, primaryOf, serviceArnInCluster, serviceGroup, serviceNameOfGroup } from '../../ecs/services/model.js';
import { daemonInstances, rebalanceZones } from './placement-queries.js';
import { InactiveServicePurge } from './purge.js';
import { describeCounts } from './rebalance.js';
import { reconcileReplica, type Decision, type InstanceState } from './reconcile.js';
import { defaultSchedulerTiming, type SchedulerTiming } from './timing.js';
import type { TaskBalance } from './load-balancing.js';
import { countBy, deactivate, TargetGroupView, targetGroupsOf, tendRegistrations } from './target-registration.js';
import type { ControllerTelemetry } from '../../telemetry/telemetry.js';

export interface ServiceControllerDeps {
  /** Where the runner reports reconcile times and queue depths. */
  telemetry?: ControllerTelemetry;
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  rng: Rng;
  log: Logger;
  lease: LeaderLease;
  /** How long an instance's agent may be disconnected before its service tasks are replaced elsewhere. */
  agentLostAfterSeconds?: number;
  /** How often every service is listed again as a safety net (60 s by default). */
  resyncIntervalMs?: number;
  /** The proving window and the launch back-off (timing.ts); the defaults when absent. */
  timing?: SchedulerTiming;
  /** The most tasks one reconcile launches for one service; the next reconcile follows at once. */
  launchBatch?: number;
}

interface ServiceStep {
  /** More work is due right away (a launch batch was cut short, a rollback began). */
  again: boolean;
  /** The service's cluster, when a container instance change there concerns it whatever instance changed. */
  capacitySensitiveIn?: string;
  /** When a timed rule next flips for the service (epoch seconds), if one does. */
  deadline?: number;
  /** The target groups whose targets' changes concern the service. */
  targetGroups?: string[];
  /** The deployment alarms (their change keys) whose state changes concern the service. */
  alarms?: string[];
}

/** What one reconcile does to one service: its record as it changes it, with the events it adds. */
class PassOutcome {
  /** More work is due right away (a launch batch was cut short, a rollback began). */
  again = false;
  /** Some task the reconcile wanted to start found no room: a change of capacity concerns the service. */
  waitingForRoom = false;

  constructor(
    public service: ServiceRecord,
    readonly now: number,
    private readonly ids: IdGenerator,
  ) {}

  readonly event = (message: string, repeating = false): void => {
    this.service = addEvent(this.service, message, this.now, this.ids, { repeating });
  };
}

export class ServiceController implements Controller {
  readonly name = 'services';
  readonly lease: LeaderLease;
  readonly resync: { everyMs: number };
  readonly watch: ControllerWatch = {
    kinds: ['service', 'task', 'containerInstance', 'target', 'targetHealth', 'metricAlarm'],
    keysOf: (changes) => this.keysOf(changes),
  };
  private readonly startedAt: number;
  private readonly runner: ControllerRunner;
  /**
   * By cluster ARN, the services a change of any of its instances concerns (see the module
   * comment), as their last reconcile found them. Only a cache of what reconciles decided: every
   * service is reconciled at start, after a lost change batch and on each resync, which rebuilds it.
   */
  private readonly capacitySensitive = new Map<string, Set<string>>();
  private readonly purge: ControllerRunner;
  /**
   * By target group ARN, the services whose tasks are (or are to be) registered in it, as their last
   * reconcile found them: a target's health change wakes them. A cache rebuilt like capacitySensitive.
   */
  private readonly byTargetGroup = new Map<string, Set<string>>();
  /** By alarm change key, the services whose deployments the alarm watches: a cache rebuilt like byTargetGroup. */
  private readonly byAlarm = new Map<string, Set<string>>();

  constructor(private readonly deps: ServiceControllerDeps) {
    this.startedAt = deps.clock.now().getTime() / 1000;
    this.lease = deps.lease;
    this.resync = { everyMs: deps.resyncIntervalMs ?? 60_000 };
    this.runner = new ControllerRunner(this, deps);
    this.purge = new ControllerRunner(new InactiveServicePurge(deps), deps);
  }

  start(): void {
    this.runner.start();
    this.purge.start();
  }

  async stop(): Promise<void> {
    await this.purge.stop();
    await this.runner.stop();
  }

  /** Looks at the queue now. */
  kick(): void {
    this.runner.kick();
  }

  /**
   * Reconciles every service a change concerns and every service whose timed rule the clock has
   * reached, until none is left. For tests and benchmarks: move the clock, then settle.
   */
  async settle(): Promise<void> {
    await this.runner.settle();
  }

  /** How many services wait: dirty, and delayed. For tests and benchmarks. */
  queued(): { dirty: number; delayed: number } {
    return this.runner.queued();
  }

  async listKeys(tx: StoreTx): Promise<string[]> {
    return (await tx.services.listLive()).map((service) => service.serviceArn);
  }

  private async keysOf(changes: readonly Change[]): Promise<string[]> {
    const keys = new Set<string>();
    /** Changed container instances, with their clusters. */
    const instances = new Map<string, string>();
    for (const change of changes) {
      if (change.kind === 'service') keys.add(change.key);
      else if (change.kind === 'task') {
        const name = serviceNameOfGroup(change.labels.group);
        const arn = name !== undefined && change.labels.cluster ? serviceArnInCluster(change.labels.cluster, name) : undefined;
        if (arn) keys.add(arn);
      } else if (change.kind === 'containerInstance' && change.labels.cluster) instances.set(change.key, change.labels.cluster);
      else if ((change.kind === 'target' || change.kind === 'targetHealth') && change.labels.targetGroup) {
        for (const arn of this.byTargetGroup.get(change.labels.targetGroup) ?? []) keys.add(arn);
      } else if (change.kind === 'metricAlarm') for (const arn of this.byAlarm.get(change.key) ?? []) keys.add(arn);
    }
    if (instances.size > 0) {
      for (const cluster of new Set(instances.values())) for (const arn of this.capacitySensitive.get(cluster) ?? []) keys.add(arn);
      await this.deps.store.read(async (tx) => {
        for (const [containerInstanceArn, clusterArn] of instances) {
          const onInstance = await tx.tasks.list({ clusterArn, containerInstanceArn, activeOnly: true }, { limit: 100_000 });
          for (const task of onInstance.items) {
            const name = serviceNameOfGroup(task.group);
            const arn = name !== undefined ? serviceArnInCluster(clusterArn, name) : undefined;
            if (arn) keys.add(arn);
          }
        }
      });
    }
    return [...keys];
  }

  async reconcile(serviceArn: string): Promise<Reconciled> {
    const step = await this.step(serviceArn);
    this.noteCapacitySensitivity(serviceArn, step.capacitySensitiveIn);
    this.noteTargetGroups(serviceArn, step.targetGroups ?? []);
    noteIn(this.byAlarm, serviceArn, step.alarms ?? []);
    if (step.again) return requeueAfter(0);
    if (step.deadline === undefined) return done;
    // Rounded up, so the requeued reconcile finds the rule flipped.
    return requeueAfter(Math.ceil(step.deadline * 1000 - this.deps.clock.now().getTime()));
  }

  private noteCapacitySensitivity(serviceArn: string, cluster: string | undefined): void {
    for (const [clusterArn, services] of this.capacitySensitive) {
      if (clusterArn !== cluster) services.delete(serviceArn);
      if (services.size === 0) this.capacitySensitive.delete(clusterArn);
    }
    if (cluster === undefined) return;
    let services = this.capacitySensitive.get(cluster);
    if (!services) this.capacitySensitive.set(cluster, (services = new Set()));
    services.add(serviceArn);
  }

  private noteTargetGroups(serviceArn: string, groups: readonly string[]): void {
    for (const [groupArn, services] of this.byTargetGroup) {
      if (!groups.includes(groupArn)) services.delete(serviceArn);
      if (services.size === 0) this.byTargetGroup.delete(groupArn);
    }
    for (const groupArn of groups) {
      let services = this.byTargetGroup.get(groupArn);
      if (!services) this.byTargetGroup.set(groupArn, (services = new Set()));
      services.add(serviceArn);
    }
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
  private async step(serviceArn: string): Promise<ServiceStep> {
    return this.deps.store.write(async (tx) => {
      const idle: ServiceStep = { again: false };
      if (!(await this.deps.lease.holds(tx))) return idle;
      const service = await tx.services.get(serviceArn);
      if (!service || service.status === 'INACTIVE') return idle;
      const now = this.now();
      const group = serviceGroup(service.serviceName);
      let tasks = (await tx.tasks.list({ clusterArn: service.clusterArn, group, activeOnly: true }, { limit: 1_000_000 })).items;
      let stops = await tx.tasks.unaccountedStops(service.clusterArn, group, 1_000);
      const records = await tx.containerInstances.all(service.clusterArn);
      const groupArns = targetGroupsOf(service, [...tasks, ...stops]);
      const targetView = groupArns.length > 0 ? await TargetGroupView.read(tx, groupArns, now) : undefined;
      const balancingEvents: { message: string; repeating: boolean }[] = [];
      let balances: Map<string, TaskBalance> | undefined;
      if (targetView) {
        const definitions = new Map<string, string | undefined>();
        const networkModeOf = async (arn: string) => {
          if (!definitions.has(arn)) definitions.set(arn, (await tx.taskDefinitions.get(arn))?.networkMode);
          return definitions.get(arn);
        };
        const event = (message: string, repeating: boolean) => void balancingEvents.push({ message, repeating });
        ({ tasks, stops, balances } = await tendRegistrations(tx, { service, tasks, stops, records, view: targetView, networkModeOf, now, event }));
      }
      const instances = this.instanceStates(records, now);
      const view = { service, tasks, records, instances, now };
      const zones = await rebalanceZones(tx, this.deps, view);
      const alarms = await deploymentAlarms(tx, service);
      const snapshot = {
        service,
        tasks,
        stops,
        instances,
        now,
        timing: this.deps.timing ?? defaultSchedulerTiming,
        ...(zones ? { rebalanceZones: zones } : {}),
        ...(balances ? { balances } : {}),
        ...(alarms.firing.length > 0 ? { firingAlarms: alarms.firing } : {}),
        ...(alarms.bakeSeconds > 0 ? { bakeSeconds: alarms.bakeSeconds } : {}),
      };

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
      for (const { message, repeating } of balancingEvents) outcome.event(message, repeating);
      await this.recordStops(tx, decision, stops, tasks, outcome, targetView, balances);
      await this.applyBreaker(tx, decision, outcome);
      if (!decision.breaker.tripped) await this.launch(tx, decision, { launch, launchOn }, outcome);
      if (decision.throttled) outcome.event(eventText.unableToStartConsistently(service.serviceName), true);
      await this.finish(tx, decision, outcome);
      if (JSON.stringify(outcome.service) !== JSON.stringify(service)) await tx.services.put({ ...outcome.service, version: service.version + 1 });
      const deadline = nextDeadline({
        service: outcome.service,
        tasks,
        records,
        now,
        timing: this.deps.timing ?? defaultSchedulerTiming,
        agentLostAfterSeconds: this.deps.agentLostAfterSeconds ?? 60,
        startedAt: this.startedAt,
      });
      const capacitySensitive =
        outcome.service.schedulingStrategy === 'DAEMON' || outcome.service.availabilityZoneRebalancing === 'ENABLED' || outcome.waitingForRoom;
      return {
        again: outcome.again,
        ...(groupArns.length > 0 ? { targetGroups: groupArns } : {}),
        ...(alarms.watched.length > 0 ? { alarms: alarms.watched } : {}),
        ...(deadline !== undefined ? { deadline } : {}),
        ...(capacitySensitive ? { capacitySensitiveIn: outcome.service.clusterArn } : {}),
      };
    });
  }

  /** Counts the stops the decision accounted for, and stops the tasks it ordered stopped, saying why. */
  private async recordStops(
    tx: StoreTx,
    decision: Omit<Decision, 'launch'>,
    stops: TaskRecord[],
    tasks: TaskRecord[],
    outcome: PassOutcome,
    targetView?: TargetGroupView,
    balances?: ReadonlyMap<string, TaskBalance>,
  ): Promise<void> {
    const name = outcome.service.serviceName;
    const { now } = outcome;
    for (const arn of decision.accounted) {
      const task = stops.find((candidate) => candidate.taskArn === arn);
      if (!task) continue;
      await tx.tasks.put({ ...task, serviceAccounted: true });
      if (isFailedTask(task)) outcome.event(eventText.taskFailed(name, task));
    }

    const byArn = new Map(tasks.map((task) => [task.taskArn, task]));
    for (const order of decision.stops.filter((order) => order.kind === 'health')) {
      const balance = balances?.get(order.taskArn);
      if (balance?.state === 'unhealthy') {
        const { target } = balance;
        const ip = targetView?.groups.get(target.targetGroupArn)?.targetType === 'ip';
        // ECS quotes ELB's description of the failure, not its reason code.
        outcome.event(eventText.unhealthyTarget(name, { id: target.id, port: target.port, ip }, target.targetGroupArn, balance.description ?? balance.reason));
      } else {
        outcome.event(eventText.failedHealthChecks(name, order.taskArn));
      }
    }
    let draining = 0;
    const deregistered: TaskTarget[] = [];
    for (const order of decision.stops) {
      const found = byArn.get(order.taskArn);
      if (!found || found.desiredStatus === 'STOPPED') continue;
      // A registered task leaves its target groups first, and stops once they have drained it.
      const task = targetView ? await deactivate(tx, targetView, found, now, deregistered) : found;
      if (task.lastStatus === 'DEACTIVATING') draining++;
      const stopped: TaskRecord = {
        ...task,
        desiredStatus: 'STOPPED',
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: order.reason,
        stoppingAt: now,
        version: (task.version ?? 0) + 1,
      };
      await tx.tasks.put(stopped);
    }
    for (const [arn, count] of countBy(deregistered)) outcome.event(eventText.deregisteredTargets(name, count, arn));
    if (draining > 0) outcome.event(eventText.drainingTasks(name, draining));
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
    const firing = decision.breaker.alarms;
    outcome.event(eventText.deploymentFailed(name, failedPrimary.id, firing ? 'alarm detected' : 'tasks failed to start'));
    // What failed the deployment says so on its service deployment: the alarms, or the circuit breaker.
    const triggered = (record: ServiceDeploymentRecord): Partial<ServiceDeploymentRecord> =>
      firing
        ? { alarms: { ...record.alarms, status: 'TRIGGERED', triggeredAlarmNames: [...firing] } }
        : { deploymentCircuitBreaker: { ...record.deploymentCircuitBreaker, status: 'TRIGGERED', failureCount: failedPrimary.breakerFailures.length } };
    const target = decision.breaker.rollbackTo;
    const revision = target ? await tx.serviceRevisions.get(target.revisionArn) : undefined;
    if (target && revision) {
      const rolled = await rollBack(tx, outcome.service, { revision, deploymentId: target.deploymentId }, failedPrimary.rolloutStateReason, {
        now,
        ids: this.deps.ids,
        ...(firing ? { rolloutStateReason: `ECS deployment alarms: rolling back to deploymentId ${target.deploymentId}.` } : {}),
      });
      if (rolled) {
        outcome.service = rolled.service;
        // The rollback carries on the failed service deployment, which says the breaker tripped.
        await this.updateServiceDeployment(tx, failedPrimary, now, (record) => ({ ...record, ...triggered(record) }));
        outcome.event(eventText.rollingBack(name, target.deploymentId));
        outcome.again = true;
      }
    } else {
      await this.updateServiceDeployment(tx, failedPrimary, now, (record) => ({
        ...record,
        status: 'STOPPED',
        statusReason: failedPrimary.rolloutStateReason,
        stoppedAt: now,
        ...triggered(record),
      }));
    }
  }

  /** Starts the PRIMARY deployment's tasks the decision asked for: a count, one per daemon instance, or into zones to rebalance. */
  private async launch(tx: StoreTx, decision: Omit<Decision, 'launch'>, asked: { launch: number; launchOn: string[] }, outcome: PassOutcome): Promise<void> {
    const primary = primaryOf(outcome.service);
    if (!primary) return;
    const start = async (count: number, where: { instanceArn?: string; zone?: string }) => {
      const launched = await launchTasks(tx, this.deps, outcome.service, primary, count, where, outcome.now, outcome.event);
      if (launched.length < count) outcome.waitingForRoom = true;
      return launched;
    };
    if (asked.launch > 0) {
      const batch = Math.min(asked.launch, this.deps.launchBatch ?? 100);
      const launched = await start(batch, {});
      // The next batch follows at once only if this one was placed in full: tasks that found no
      // room wait for a change (an instance, a task stopping) instead of spinning.
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

/** Records that `serviceArn` is concerned by exactly `keys` in an index of keys to services. */
function noteIn(index: Map<string, Set<string>>, serviceArn: string, keys: readonly string[]): void {
  for (const [key, services] of index) {
    if (!keys.includes(key)) services.delete(serviceArn);
    if (services.size === 0) index.delete(key);
  }
  for (const key of keys) {
    let services = index.get(key);
    if (!services) index.set(key, (services = new Set()));
    services.add(serviceArn);
  }
}
