/**
 * Where a service's tasks could run, asked of the placement engine: the instances a DAEMON service
 * belongs on, and the Availability Zones a rebalanced service is spread over.
 */
import { launchKindOf } from '../../ecs/placement-snapshot.js';
import { planRun, type RunPlan } from '../../ecs/tasks/run.js';
import type { FilterName } from '../../placement/types.js';
import type { ContainerInstanceRecord, DeploymentRecord, ServiceRecord, StoreTx, TaskRecord } from '../../store/types.js';
import { primaryOf, scopeOf, spreadsOverZonesFirst, zoneAttribute, type PlanDeps } from '../../ecs/services/model.js';
import { isBalanced, zoneCounts } from './rebalance.js';
import type { InstanceState } from './instance-state.js';

/** Placement filters that rule an instance out whatever runs on it; the others are about free resources. */
const ruledOutForGood: ReadonlySet<FilterName> = new Set(['launchType', 'status', 'agent', 'attributes', 'memberOf']);

/** What the controller read of a service and its cluster for one pass. */
export interface ServiceView {
  service: ServiceRecord;
  /** The service's tasks not yet STOPPED. */
  tasks: TaskRecord[];
  records: ContainerInstanceRecord[];
  instances: ReadonlyMap<string, InstanceState>;
  /** Epoch seconds. */
  now: number;
}

/** Plans, and never records, one task of the deployment with the service's constraints; undefined when it cannot be planned at all. */
function planOne(
  tx: StoreTx,
  deps: PlanDeps,
  view: ServiceView,
  deployment: DeploymentRecord,
  launchType: 'EC2' | 'EXTERNAL',
  options: { onlyInstance?: string; explain?: boolean },
): Promise<RunPlan | undefined> {
  const { service } = view;
  return planRun(
    tx,
    deps,
    { scope: scopeOf(service), now: new Date(view.now * 1000) },
    {
      cluster: service.clusterArn,
      taskDefinition: deployment.taskDefinition,
      launchType,
      ...(service.placementConstraints ? { placementConstraints: service.placementConstraints } : {}),
    },
    { count: 1, allowInactiveDefinition: true, ...options },
  ).catch(() => undefined);
}

/**
 * Instances a daemon should run on: ACTIVE, agent not lost, of the service's launch type, and
 * meeting its placement constraints (asked of the placement engine, one instance at a time).
 * An instance already running the daemon's current deployment stays eligible while ACTIVE.
 */
export async function daemonInstances(tx: StoreTx, deps: PlanDeps, view: ServiceView): Promise<Set<string>> {
  const { service, tasks } = view;
  const primary = primaryOf(service);
  const eligible = new Set<string>();
  if (!primary) return eligible;
  const kind = service.launchType === 'EXTERNAL' ? 'EXTERNAL' : 'EC2';
  const running = new Set(tasks.filter((task) => task.startedBy === primary.id && task.desiredStatus === 'RUNNING').map((task) => task.containerInstanceArn));
  for (const record of view.records) {
    const state = view.instances.get(record.containerInstanceArn);
    if (record.status !== 'ACTIVE' || state?.lost || launchKindOf(record) !== kind) continue;
    if (running.has(record.containerInstanceArn)) {
      eligible.add(record.containerInstanceArn);
      continue;
    }
    const occupied = tasks.some((task) => task.containerInstanceArn === record.containerInstanceArn && task.lastStatus !== 'STOPPED');
    const plan = await planOne(tx, deps, view, primary, kind, { onlyInstance: record.containerInstanceArn });
    // An old task still holding the instance's resources does not make it ineligible.
    if (occupied || (plan?.placed?.result.placements.length ?? 0) > 0) eligible.add(record.containerInstanceArn);
  }
  return eligible;
}

/**
 * The zones a service with Availability Zone rebalancing is kept balanced over: those of the
 * ACTIVE, connected EC2 instances that could take one of its tasks but for their free resources.
 * The placement engine is asked only when the service is not balanced over every zone anyway.
 * As in ECS, only services whose first placement strategy spreads them over zones are rebalanced.
 */
export async function rebalanceZones(tx: StoreTx, deps: PlanDeps, view: ServiceView): Promise<string[] | undefined> {
  const { service } = view;
  const primary = primaryOf(service);
  if (!primary || service.availabilityZoneRebalancing !== 'ENABLED' || service.launchType !== 'EC2' || !spreadsOverZonesFirst(service.placementStrategy)) return undefined;
  const zoneOf = new Map<string, string>();
  for (const record of view.records) {
    const zone = record.attributes?.find((attribute) => attribute.name === zoneAttribute)?.value;
    const usable = record.status === 'ACTIVE' && !view.instances.get(record.containerInstanceArn)?.lost && launchKindOf(record) === 'EC2';
    if (zone && usable) zoneOf.set(record.containerInstanceArn, zone);
  }
  const zones = [...new Set(zoneOf.values())].sort();
  const own = view.tasks.filter((task) => task.startedBy === primary.id && task.desiredStatus === 'RUNNING');
  if (isBalanced(zoneCounts(own, zones))) return zones;
  const plan = await planOne(tx, deps, view, primary, 'EC2', { explain: true });
  if (!plan?.placed) return undefined;
  const couldRun = new Set<string>();
  for (const entry of plan.placed.result.explanation) {
    const zone = zoneOf.get(entry.instanceArn);
    if (zone && (entry.filter === undefined || !ruledOutForGood.has(entry.filter))) couldRun.add(zone);
  }
  return zones.filter((zone) => couldRun.has(zone));
}
