/**
 * Keeps the load balancers' data plane what the ELBv2 records say, and records what it sees.
 *
 * One key, `data-plane`: the configuration is the whole of every account's load balancers, so it
 * is made and applied whole (the data plane takes nothing else). A reconcile:
 *   1. reads the records in one snapshot and translates them (elbv2/data-plane-config.ts);
 *   2. applies them when they differ from what was last applied here, or when that was long ago
 *      (a data plane restarted by hand converges); a listener that cannot bind is logged and shown
 *      as its load balancer's State `failed` with the reason (ELB has no field per listener);
 *   3. reads the data plane's target health and writes only the transitions, deletes the health of
 *      targets no longer registered, and forgets registrations whose draining is over
 *      (elbv2/target-health-sync.ts);
 *   4. asks to run again after the health poll interval.
 * Record changes (load balancers, target groups, listeners, rules, registrations, container
 * instances whose address a target uses, certificates a listener serves, re-imported) make the key
 * dirty at once. The controller's own health
 * writes are not watched: they change nothing it applies.
 *
 * No data plane is started while no load balancer has a listener; one already running for the data
 * directory is attached to (and emptied when the records say so). Under a leader lease: one process
 * among those sharing the store drives the data plane.
 */
import type { FastifyBaseLogger } from 'fastify';
import { hostAddressAttribute } from '../agent-channel-protocol/host-address.js';
import type { Clock } from '../core/clock.js';
import type { ChangeKind } from '../store/changes.js';
import { targetGroupsOf, type LoadBalancerRecord, type TargetHealthRecord, type TargetRecord } from '../store/contract/elbv2.js';
import type { LeaderLease } from '../store/leader-lease.js';
import type { Store, StoreTx } from '../store/types.js';
import { dataPlaneConfig, localInstanceAddress, type ElbRecords, type StoredCertificate } from '../elbv2/data-plane-config.js';
import type { ApplyResult, DataPlane, DataPlaneConfig, TargetHealthReport } from '../elbv2/data-plane/types.js';
import { targetHealthWrites } from '../elbv2/target-health-sync.js';
import { done, requeueAfter, type Reconciled } from './controller.js';
import { RunnableController } from './runnable.js';
import type { ControllerTelemetry } from '../telemetry/telemetry.js';

export const dataPlaneKey = 'data-plane';

/**
 * The container instance attribute an agent's host address is read from (its agent sets it at
 * registration; `aws ecs put-attributes` can change it); an instance without it is reached at
 * 127.0.0.1, where Berth's own agents run.
 */
export { hostAddressAttribute };

/** How the controller reaches the data plane (elbv2/data-plane-handle.ts). */
export interface DataPlaneAccess {
  /** Attached when one runs; started when `start`; undefined when none runs and none is wanted. */
  get(start: boolean): Promise<DataPlane | undefined>;
  /** After a failed call: attach or start again next time. */
  forget(): Promise<void>;
}

export interface LoadBalancerControllerDeps {
  /** Where the runner reports reconcile times and queue depths. */
  telemetry?: ControllerTelemetry;
  store: Store;
  clock: Clock;
  log: FastifyBaseLogger;
  dataPlane: DataPlaneAccess;
  healthPollMs: number;
  reapplyMs: number;
  lease?: LeaderLease;
  /** The file Application Load Balancers append their access log to; none when absent. */
  accessLogPath?: string;
}

interface Snapshot {
  records: ElbRecords;
  instanceAddresses: Map<string, string>;
}

export class LoadBalancerController extends RunnableController {
  readonly watch = {
    kinds: ['loadBalancer', 'targetGroup', 'listener', 'rule', 'target', 'containerInstance', 'certificate'] as readonly ChangeKind[],
    keysOf: () => [dataPlaneKey],
  };
  readonly lease?: LeaderLease;
  private applied: { json: string; at: number } | undefined;
  /** Listener bind errors already logged, so each is logged once while it lasts. */
  private logged = new Map<string, string>();
  /** Listener ports not served on 127.0.0.1 as well (data-plane/shared-ports.ts), already logged: each once while it lasts. */
  private loggedNotices = new Set<string>();
  /** Target groups whose health this process recorded: one that leaves the configuration has its health records removed. */
  private servedGroups = new Set<string>();

  constructor(private readonly deps: LoadBalancerControllerDeps) {
    super('load-balancers', deps);
    if (deps.lease) this.lease = deps.lease;
  }

  override async stop(): Promise<void> {
    await super.stop();
    this.applied = undefined;
  }

  async listKeys(): Promise<string[]> {
    return [dataPlaneKey];
  }

  async reconcile(): Promise<Reconciled> {
    const { store, dataPlane, clock, healthPollMs } = this.deps;
    const snapshot = await store.read((tx) => readSnapshot(tx));
    const nowSeconds = clock.now().getTime() / 1000;
    const config = configOf(snapshot, nowSeconds, this.deps.accessLogPath);
    // A load balancer without a listener has nothing to serve: no process is started for it.
    const plane = await dataPlane.get(config.loadBalancers.some((lb) => lb.listeners.length > 0));
    if (!plane) {
      // No listener and no data plane running: nothing to poll until a record changes.
      await this.recordHealth(config, [], nowSeconds);
      return done;
    }
    let reports;
    try {
      const result = await this.applyIfChanged(plane, config);
      if (result) {
        await this.recordListenerErrors(snapshot.records, result);
        this.logSharedPortNotices(result.sharedPortNotices ?? []);
      }
      reports = await plane.health();
    } catch (error) {
      // The process may be gone: attach (or start) again on the runner's back-off.
      this.applied = undefined;
      await dataPlane.forget();
      throw error;
    }
    await this.recordHealth(config, reports, nowSeconds);
    return requeueAfter(healthPollMs);
  }

  private async applyIfChanged(plane: { apply(config: DataPlaneConfig): Promise<ApplyResult> }, config: DataPlaneConfig): Promise<ApplyResult | undefined> {
    const json = JSON.stringify(config);
    const now = this.deps.clock.now().getTime();
    if (this.applied && this.applied.json === json && now - this.applied.at < this.deps.reapplyMs) return undefined;
    const result = await plane.apply(config);
    this.applied = { json, at: now };
    return result;
  }

  private logSharedPortNotices(notices: readonly string[]): void {
    for (const notice of notices) if (!this.loggedNotices.has(notice)) this.deps.log.warn(notice);
    this.loggedNotices = new Set(notices);
  }

  /** A load balancer with a listener that cannot bind is `failed`, with why; `active` again once all bind. */
  private async recordListenerErrors({ loadBalancers, listeners }: ElbRecords, result: ApplyResult): Promise<void> {
    const loadBalancerOf = new Map(listeners.map((listener) => [listener.arn, listener.loadBalancerArn]));
    const errors = new Map(result.listenerErrors.map((error) => [error.listenerArn, error.message]));
    for (const [listenerArn, message] of errors) {
      if (this.logged.get(listenerArn) === message) continue;
      this.deps.log.error({ listenerArn }, `load balancer listener cannot listen: ${message}`);
    }
    this.logged = errors;
    const reasons = new Map<string, string>();
    for (const [listenerArn, message] of errors) {
      const lbArn = loadBalancerOf.get(listenerArn);
      if (lbArn === undefined) continue;
      reasons.set(lbArn, reasons.has(lbArn) ? `${reasons.get(lbArn)}; ${message}` : message);
    }
    const changed = loadBalancers.filter((lb) => (reasons.get(lb.arn) ?? undefined) !== lb.stateReason || (reasons.has(lb.arn) ? 'failed' : 'active') !== lb.state);
    if (changed.length === 0) return;
    await this.deps.store.write(async (tx) => {
      for (const lb of changed) {
        const current = await tx.loadBalancers.get(lb.arn);
        if (!current) continue;
        const reason = reasons.get(lb.arn);
        const next: LoadBalancerRecord = { ...current, state: reason === undefined ? 'active' : 'failed' };
        delete next.stateReason;
        if (reason !== undefined) next.stateReason = reason;
        await tx.loadBalancers.put(next);
      }
    });
  }

  private async recordHealth(config: DataPlaneConfig, reports: readonly TargetHealthReport[], nowSeconds: number): Promise<void> {
    const groups = config.targetGroups.map((group) => group.arn);
    const gone = [...this.servedGroups].filter((arn) => !groups.includes(arn));
    if (groups.length === 0 && gone.length === 0) return;
    await this.deps.store.write(async (tx) => {
      const targets: TargetRecord[] = [];
      const health: TargetHealthRecord[] = [];
      for (const arn of groups) {
        targets.push(...(await tx.targets.forTargetGroup(arn)));
        health.push(...(await tx.targetHealth.forTargetGroup(arn)));
      }
      // A group no listener forwards to any more: DescribeTargetHealth says unused; its old health goes.
      for (const arn of gone) health.push(...(await tx.targetHealth.forTargetGroup(arn)));
      const writes = targetHealthWrites(targets, health, reports, nowSeconds);
      for (const record of writes.put) await tx.targetHealth.put(record);
      for (const { targetGroupArn, id, port } of writes.deleteHealth) await tx.targetHealth.delete(targetGroupArn, id, port);
      for (const { targetGroupArn, id, port } of writes.forgetTargets) await tx.targets.delete(targetGroupArn, id, port);
    });
    this.servedGroups = new Set(groups);
  }
}

/**
 * The data plane's whole desired configuration from the records: every account's load balancers,
 * and instance targets at the address their container instance's agent reports.
 */
export async function desiredDataPlaneConfig(tx: StoreTx, nowSeconds: number, accessLogPath?: string): Promise<DataPlaneConfig> {
  return configOf(await readSnapshot(tx), nowSeconds, accessLogPath);
}

function configOf(snapshot: Snapshot, nowSeconds: number, accessLogPath: string | undefined): DataPlaneConfig {
  return dataPlaneConfig(snapshot.records, {
    nowSeconds,
    instanceAddress: (id) => snapshot.instanceAddresses.get(id) ?? localInstanceAddress,
    ...(accessLogPath !== undefined ? { accessLogPath } : {}),
  });
}

/** Every account's load balancers, their listeners and rules, the target groups they forward to and those groups' registrations. */
async function readSnapshot(tx: StoreTx): Promise<Snapshot> {
  const loadBalancers = await tx.loadBalancers.all();
  const listeners = [];
  const rules = [];
  const groupArns = new Set<string>();
  const certificates = new Map<string, StoredCertificate>();
  for (const lb of loadBalancers) {
    for (const listener of await tx.listeners.forLoadBalancer(lb.arn)) {
      listeners.push(listener);
      for (const { certificateArn } of listener.certificates ?? []) {
        if (certificates.has(certificateArn)) continue;
        const record = await tx.certificates.get(certificateArn);
        const privateKeyPem = record && (await tx.certificates.getPrivateKey(certificateArn));
        if (record && privateKeyPem) certificates.set(certificateArn, { certificatePem: record.certificatePem, ...(record.chainPem ? { chainPem: record.chainPem } : {}), privateKeyPem });
      }
      for (const arn of targetGroupsOf(listener.defaultActions)) groupArns.add(arn);
      for (const rule of await tx.rules.forListener(listener.arn)) {
        rules.push(rule);
        for (const arn of targetGroupsOf(rule.actions)) groupArns.add(arn);
      }
    }
  }
  const targetGroups = [];
  const targets = [];
  for (const arn of groupArns) {
    const group = await tx.targetGroups.get(arn);
    if (!group) continue;
    targetGroups.push(group);
    targets.push(...(await tx.targets.forTargetGroup(arn)));
  }
  const instanceAddresses = new Map<string, string>();
  for (const instance of await tx.containerInstances.listConnected()) {
    const address = instance.attributes?.find((attribute) => attribute.name === hostAddressAttribute)?.value;
    if (instance.ec2InstanceId && address) instanceAddresses.set(instance.ec2InstanceId, address);
  }
  return { records: { loadBalancers, listeners, rules, targetGroups, targets, certificates }, instanceAddresses };
}
