import type { CompiledRequest } from './compile.js';
import { agentFilter, attributesFilter, launchTypeFilter, statusFilter } from './filters.js';
import { evaluate } from './query-language/index.js';
import { bucketValue } from './rankers.js';
import type { ClusterSnapshot, LaunchKind, PlacementRequest } from './types.js';
import { applyTask, groupCount, toSnapshot, toWorking, type WorkingInstance } from './working.js';

/** Caches are bounded so a long-lived state serving many distinct groups or requests stays small. */
const MAX_CACHED = 64;

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
  return value;
}

/**
 * A working copy of the cluster that placements are booked into, with the indexes the fast
 * pipeline needs. Build it once from a snapshot and run many requests against it: each request
 * sees the tasks the previous ones placed. The input snapshot is never mutated.
 *
 * What never changes for the life of the state (launch kind, status, agent, attributes) is cached
 * per request shape; what placements change (resources, per-group task counts) is kept in typed
 * arrays updated by `apply`.
 */
export class PlacementState {
  readonly instances: WorkingInstance[];
  readonly remainingCpu: Float64Array;
  readonly remainingMemory: Float64Array;
  readonly freeGpus: Int32Array;
  private readonly groupVectors = new Map<string, Float64Array>();
  /** group -> attribute -> tasks of the group per spread bucket of the attribute. */
  private readonly bucketTotalsByGroup = new Map<string, Map<string, Float64Array>>();
  private readonly staticSets = new Map<string, Int32Array>();
  private readonly buckets = new Map<string, { ids: Int32Array; count: number }>();
  private readonly cells = new Map<string, { ids: Int32Array; count: number }>();
  private readonly active = new Map<LaunchKind, boolean>();

  constructor(snapshot: ClusterSnapshot) {
    this.instances = snapshot.instances.map((instance, index) => toWorking(instance, index));
    const n = this.instances.length;
    this.remainingCpu = new Float64Array(n);
    this.remainingMemory = new Float64Array(n);
    this.freeGpus = new Int32Array(n);
    for (const instance of this.instances) this.sync(instance);
  }

  /** The cluster as it stands after the placements booked so far. */
  snapshot(): ClusterSnapshot {
    return { instances: this.instances.map(toSnapshot) };
  }

  /** Books one task of the request onto instance `index`; returns the GPU ids it takes. */
  apply(index: number, request: PlacementRequest): string[] {
    const instance = this.instances[index]!;
    const gpuIds = applyTask(instance, request);
    this.sync(instance);
    const vector = this.groupVectors.get(request.group);
    if (vector) vector[index]!++;
    const totals = this.bucketTotalsByGroup.get(request.group);
    if (totals) for (const [attribute, perBucket] of totals) perBucket[this.bucketIds(attribute).ids[index]!]!++;
    return gpuIds;
  }

  /** Tasks of `group` per instance (kept current by `apply`; do not modify). */
  groupVector(group: string): Float64Array {
    const cached = this.groupVectors.get(group);
    if (cached) return cached;
    const vector = new Float64Array(this.instances.length);
    for (const instance of this.instances) vector[instance.index] = groupCount(instance, group);
    return remember(this.groupVectors, group, vector);
  }

  /**
   * Tasks of `group` on all instances in each spread bucket of `attribute` (indexed by
   * bucketIds(attribute).ids; kept current by `apply`; do not modify).
   */
  bucketTotals(attribute: string, group: string): Float64Array {
    let perAttribute = this.bucketTotalsByGroup.get(group);
    const cached = perAttribute?.get(attribute);
    if (cached) return cached;
    if (!perAttribute) perAttribute = remember(this.bucketTotalsByGroup, group, new Map<string, Float64Array>());
    const { ids, count } = this.bucketIds(attribute);
    const totals = new Float64Array(count);
    for (const instance of this.instances) totals[ids[instance.index]!]! += groupCount(instance, group);
    perAttribute.set(attribute, totals);
    return totals;
  }

  /** True when some ACTIVE instance has this launch kind. */
  hasActive(kind: LaunchKind): boolean {
    let answer = this.active.get(kind);
    if (answer === undefined) {
      answer = this.instances.some((i) => i.launchKind === kind && i.status === 'ACTIVE');
      this.active.set(kind, answer);
    }
    return answer;
  }

  /**
   * Instances (snapshot order) passing every filter whose answer cannot change through placement:
   * launch type, status, agent, required attributes, and memberOf expressions that don't read tasks.
   */
  staticCandidates(request: CompiledRequest): Int32Array {
    const staticMemberOf = request.memberOf.filter((m) => !m.dynamic);
    const key = JSON.stringify([request.request.launchType, request.request.requiredAttributes, staticMemberOf.map((m) => m.text)]);
    const cached = this.staticSets.get(key);
    if (cached) return cached;
    const passing: number[] = [];
    for (const instance of this.instances) {
      if (
        launchTypeFilter.accepts(instance, request) &&
        statusFilter.accepts(instance, request) &&
        agentFilter.accepts(instance, request) &&
        attributesFilter.accepts(instance, request) &&
        staticMemberOf.every((m) => evaluate(m.expression, instance))
      ) {
        passing.push(instance.index);
      }
    }
    return remember(this.staticSets, key, Int32Array.from(passing));
  }

  /** Spread bucket of each instance for an attribute: dense ids, one for "no value". */
  bucketIds(attribute: string): { ids: Int32Array; count: number } {
    const cached = this.buckets.get(attribute);
    if (cached) return cached;
    const ids = new Int32Array(this.instances.length);
    const seen = new Map<string | undefined, number>();
    for (const instance of this.instances) {
      const value = bucketValue(instance, attribute);
      let id = seen.get(value);
      if (id === undefined) seen.set(value, (id = seen.size));
      ids[instance.index] = id;
    }
    return remember(this.buckets, attribute, { ids, count: seen.size });
  }

  /** Instances grouped by their combination of buckets over several attributes (dense ids). */
  cellIds(attributes: readonly string[]): { ids: Int32Array; count: number } {
    if (attributes.length === 1) return this.bucketIds(attributes[0]!);
    const key = JSON.stringify(attributes);
    const cached = this.cells.get(key);
    if (cached) return cached;
    const per = attributes.map((a) => this.bucketIds(a).ids);
    const ids = new Int32Array(this.instances.length);
    const seen = new Map<string, number>();
    for (let i = 0; i < ids.length; i++) {
      const combo = per.map((bucket) => bucket[i]).join(',');
      let id = seen.get(combo);
      if (id === undefined) seen.set(combo, (id = seen.size));
      ids[i] = id;
    }
    return remember(this.cells, key, { ids, count: seen.size });
  }

  private sync(instance: WorkingInstance): void {
    this.remainingCpu[instance.index] = instance.remainingCpu;
    this.remainingMemory[instance.index] = instance.remainingMemory;
    this.freeGpus[instance.index] = instance.availableGpuIds.length;
  }
}
