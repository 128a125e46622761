import type { Rng } from '../core/rng.js';
import type { CompiledRequest } from './compile.js';
import { PresenceTree } from './fenwick.js';
import { IndexHeap } from './heap.js';
import type { PlacementState } from './state.js';

/**
 * Incremental forms of the strategies in rankers.ts. Within one request the candidate set only
 * shrinks, and only the instance just chosen changes (its resources, its task counts, and the
 * spread bucket it belongs to), so each chooser repairs just that after a placement.
 *
 * - No `random`: order instances by (strategy scores..., snapshot index). Instances are split into
 *   cells by their spread-attribute buckets (equal bucket scores within a cell); each cell keeps
 *   its `count` best members in a heap; a pick compares the cell tops. O(cells + log count) per
 *   placement after an O(n) pass per request.
 * - `random` first (RunTask's default): a Fenwick tree over the candidates in snapshot order gives
 *   the k-th one in O(log n).
 * - Strategies then `random`: a scan per placement collects the best-scored candidates (O(n)).
 */
export interface Chooser {
  /** Instance index for the next task, or -1 when no candidate is left. */
  pick(): number;
  /**
   * After the picked instance received the task (state.apply already updated resources, group
   * counts and spread bucket totals): `stillFeasible` tells whether it can take another.
   */
  placed(index: number, stillFeasible: boolean): void;
}

interface Score {
  /** Per instance, or per bucket when `ids` is set. */
  values: Float64Array;
  ids?: Int32Array;
}

/** `live`: the feasible instance indices, in snapshot order. */
export function makeChooser(
  state: PlacementState,
  request: CompiledRequest,
  live: number[],
  groupVector: Float64Array | undefined,
  rng: Rng,
): Chooser {
  const strategies = request.strategies;
  const endsWithRandom = strategies.length > 0 && strategies[strategies.length - 1]!.kind === 'random';
  const scores: Score[] = [];
  const instanceScores: Float64Array[] = [];
  const cellAttributes: string[] = [];
  for (const strategy of strategies) {
    switch (strategy.kind) {
      case 'spreadInstance':
        scores.push({ values: groupVector! });
        instanceScores.push(groupVector!);
        break;
      case 'binpack': {
        const values = strategy.resource === 'cpu' ? state.remainingCpu : state.remainingMemory;
        scores.push({ values });
        instanceScores.push(values);
        break;
      }
      case 'spreadAttribute': {
        // Kept current by state.apply as tasks are booked.
        scores.push({ values: state.bucketTotals(strategy.attribute, request.request.group), ids: state.bucketIds(strategy.attribute).ids });
        if (!cellAttributes.includes(strategy.attribute)) cellAttributes.push(strategy.attribute);
        break;
      }
      case 'random':
        break;
    }
  }
  const compareScores = (a: number, b: number): number => {
    for (let s = 0; s < scores.length; s++) {
      const score = scores[s]!;
      const ids = score.ids;
      const va = ids ? score.values[ids[a]!]! : score.values[a]!;
      const vb = ids ? score.values[ids[b]!]! : score.values[b]!;
      if (va !== vb) return va - vb;
    }
    return 0;
  };

  if (!endsWithRandom) {
    const compare = (a: number, b: number): number => compareScores(a, b) || a - b;
    const within = withinCellOrder(instanceScores);
    return heapChooser(state, live, request.request.count, cellAttributes, compare, within);
  }
  if (scores.length === 0) return treeChooser(live, rng);
  return scanChooser(live, compareScores, rng);
}

/**
 * The order inside one cell: spread-attribute scores are equal there, so only per-instance scores
 * (in strategy order) and the snapshot index matter. Specialised for the common short cases.
 */
function withinCellOrder(scores: Float64Array[]): (a: number, b: number) => number {
  const [first, second] = scores;
  if (scores.length === 0) return (a, b) => a - b;
  if (scores.length === 1) return (a, b) => first![a]! - first![b]! || a - b;
  if (scores.length === 2) return (a, b) => first![a]! - first![b]! || second![a]! - second![b]! || a - b;
  return (a, b) => {
    for (const values of scores) if (values[a] !== values[b]) return values[a]! - values[b]!;
    return a - b;
  };
}

/**
 * Splits the candidates into cells and keeps only the `count` best of each (within-cell order):
 * only they can be picked in this request. Each placement changes at most one kept member, so while
 * tasks remain at least one untouched member is kept, and it ranks before every member left out.
 */
function keepBest(
  live: number[],
  cellOf: Int32Array | undefined,
  count: number,
  within: (a: number, b: number) => number,
): number[][] {
  const worstFirst = (a: number, b: number): number => within(b, a);
  const kept: number[][] = [];
  const full: (IndexHeap | undefined)[] = [];
  for (let k = 0; k < live.length; k++) {
    const index = live[k]!;
    const cell = cellOf ? cellOf[index]! : 0;
    const heap = full[cell];
    if (heap) {
      if (within(index, heap.top()) < 0) heap.replaceTop(index);
      continue;
    }
    const items = (kept[cell] ??= []);
    items.push(index);
    if (items.length === count) full[cell] = new IndexHeap(items, worstFirst); // heapifies `items` in place
  }
  return kept.filter((items) => items !== undefined);
}

function heapChooser(
  state: PlacementState,
  live: number[],
  count: number,
  cellAttributes: string[],
  compare: (a: number, b: number) => number,
  within: (a: number, b: number) => number,
): Chooser {
  const cellOf = cellAttributes.length === 0 ? undefined : state.cellIds(cellAttributes).ids;
  const heaps = keepBest(live, cellOf, count, within).map((items) => new IndexHeap(items, within));
  let chosenHeap: IndexHeap | undefined;
  return {
    pick() {
      chosenHeap = undefined;
      let best = -1;
      for (const heap of heaps) {
        if (heap.size === 0) continue;
        const top = heap.top();
        if (best < 0 || compare(top, best) < 0) {
          best = top;
          chosenHeap = heap;
        }
      }
      return best;
    },
    placed(_index, stillFeasible) {
      if (stillFeasible) chosenHeap!.fixTop();
      else chosenHeap!.pop();
    },
  };
}

function treeChooser(live: number[], rng: Rng): Chooser {
  const tree = new PresenceTree(live.length);
  let position = -1;
  return {
    pick() {
      if (tree.size === 0) return -1;
      position = tree.select(tree.size > 1 ? rng.int(tree.size) : 0);
      return live[position]!;
    },
    placed(_index, stillFeasible) {
      if (!stillFeasible) tree.remove(position);
    },
  };
}

function scanChooser(
  live: number[],
  compareScores: (a: number, b: number) => number,
  rng: Rng,
): Chooser {
  const alive = new Uint8Array(live.length).fill(1);
  let tied: number[] = [];
  let position = -1;
  return {
    pick() {
      tied = [];
      let best = -1;
      for (let p = 0; p < live.length; p++) {
        if (!alive[p]) continue;
        const d = best < 0 ? -1 : compareScores(live[p]!, live[best]!);
        if (d < 0) {
          best = p;
          tied = [p];
        } else if (d === 0) {
          tied.push(p);
        }
      }
      if (tied.length === 0) return -1;
      position = tied.length === 1 ? tied[0]! : tied[rng.int(tied.length)]!;
      return live[position]!;
    },
    placed(_index, stillFeasible) {
      if (!stillFeasible) alive[position] = 0;
    },
  };
}
