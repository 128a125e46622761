/**
 * The store's change feed: every committed change to a record, in commit order, after commit.
 *
 * Components talk through the store: an API call commits a task, and the agent channel, the
 * service controller and FARGATE capacity learn of it from this feed, never from each other. A
 * change names the record (its kind and key), what happened to it and its new version, plus a few
 * labels (the task's cluster, group and agent) so a subscriber can tell whether it cares without
 * reading the record.
 *
 * Guarantees, which the store conformance suite checks for every backend:
 * - after commit: a subscriber that re-reads the record sees the change (or a later one);
 * - in commit order, with strictly increasing `seq`, nothing lost and no phantom (a transaction
 *   that rolled back produces nothing);
 * - a subscriber that starts `after` a position (from `Store.readAndWatch`) receives every change
 *   committed after that position, even those committed before it subscribed, so a controller
 *   that reads a snapshot and then watches never misses the changes in between (SwarmKit's
 *   ViewAndWatch). When the backend no longer holds changes that far back, the subscriber is
 *   told (`lost`) and must read everything again.
 *
 * Listeners are called asynchronously, never inside a store transaction; they should note what
 * changed (mark keys dirty) and return, not do work inline.
 */

/** The kinds of record the feed reports. */
export type ChangeKind =
  | 'credential'
  | 'cluster'
  | 'taskDefinition'
  | 'containerInstance'
  | 'task'
  | 'accountSetting'
  | 'service'
  | 'serviceDeployment'
  | 'serviceRevision'
  | 'secret'
  | 'repository'
  | 'manifest'
  | 'tag'
  | 'blob'
  | 'lease'
  | 'loadBalancer'
  | 'targetGroup'
  | 'listener'
  | 'rule'
  | 'target'
  | 'targetHealth'
  | 'iamEntity'
  | 'ssmParameter'
  | 'certificate'
  | 'logGroup'
  | 'metricAlarm'
  | 'alarmAction';

export type ChangeOp = 'created' | 'updated' | 'deleted';

/**
 * What a subscriber may filter on without reading the record. Present when the record has it:
 * `cluster` (ARN) for container instances, tasks and services; `group`, `agent` (see agentKeyOf)
 * and `launchType` for tasks; `service` (ARN) for service deployments and revisions; `repository`
 * (ARN) for manifests and tags; `loadBalancer` (and `listener`) for listeners and rules;
 * `targetGroup` for targets and their health; `account` for records whose key does not start with
 * an ARN.
 */
export interface ChangeLabels {
  account?: string;
  cluster?: string;
  group?: string;
  agent?: string;
  launchType?: string;
  service?: string;
  repository?: string;
  /** The load balancer (ARN) of a listener or rule. */
  loadBalancer?: string;
  /** The listener (ARN) of a rule. */
  listener?: string;
  /** The target group (ARN) of a target's registration or health. */
  targetGroup?: string;
  /** The entity type (user, group, role, policy, instanceProfile) of an IAM entity. */
  iamType?: string;
  /** The service in a due alarm action's ARN (autoscaling, sns, …): the target that delivers it. */
  actionService?: string;
}

export interface Change {
  /** The change's position in the feed: strictly increasing in commit order. */
  seq: number;
  kind: ChangeKind;
  /** The record's key: its ARN, or `<repository ARN>@<digest>` for a manifest, `<repository ARN>:<tag>` for a tag. */
  key: string;
  op: ChangeOp;
  /** The record's version after the change (its last version for a deletion). */
  version: number;
  labels: ChangeLabels;
}

export interface ChangeBatch {
  /** In commit order; may be empty only when `lost`. */
  changes: readonly Change[];
  /**
   * Changes between the subscriber's position and these were discarded before it could receive
   * them: it must read everything it keeps again.
   */
  lost: boolean;
}

export type ChangeListener = (batch: ChangeBatch) => void;

export interface WatchOptions {
  /** Only these kinds (all when absent). */
  kinds?: readonly ChangeKind[];
  /** Deliver the changes after this position (from readAndWatch or an earlier change's seq); from now when absent. */
  after?: number;
}

export interface Subscription {
  /** Stops delivery; no listener call follows. */
  close(): void;
}

export interface ChangeFeed {
  /** The position of the last committed change this process knows of. */
  head(): number;
  /**
   * How many changes this process has published that its furthest-behind subscriber has not
   * received yet (0 when every subscriber is up to date). Cheap: no read of the store.
   */
  backlog(): number;
  watch(options: WatchOptions, listener: ChangeListener): Subscription;
}

/** True when the change passes the subscriber's kind filter. */
export function wanted(options: WatchOptions, change: Change): boolean {
  return options.kinds === undefined || options.kinds.includes(change.kind);
}
