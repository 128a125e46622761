/**
 * Which tasks a REPLICA service stops when it runs more than it wants. Scale-in undoes what the
 * spread strategies did, as ECS's does: it takes tasks from the Availability Zone (and within it
 * the instance) that holds the most of the service's tasks, so the service stays spread. Pure.
 *
 * Each victim is, in order of preference:
 *  1. a task not yet RUNNING: it serves nobody yet;
 *  2. for each spread strategy of the service, in order, a task whose value (zone, instance or
 *     attribute) holds the most of the tasks still kept;
 *  3. the newest.
 *
 * Worked example: six tasks in zones a:3 b:2 c:1, scaled in to three. The first victim comes from
 * a (3); then a and b hold 2 each, and the newer of their tasks goes; then the other zone of the
 * two gives one. Left: a:1 b:1 c:1.
 */
import type { TaskRecord } from '../../store/types.js';
import { zoneAttribute } from '../../ecs/services/model.js';
import type { InstanceState } from './instance-state.js';

/** A task's value for one spread strategy; undefined where it has none (it then counts as alone). */
export type SpreadKey = (task: TaskRecord) => string | undefined;

interface SpreadField {
  type?: string;
  field?: string;
}


/**
 * The spread keys scale-in honours: the service's spread strategies, or, for a service with none
 * on Fargate, its Availability Zones (Fargate spreads a service's tasks across zones).
 */
export function spreadKeysOf(
  strategies: readonly SpreadField[],
  onFargate: boolean,
  instances: ReadonlyMap<string, Pick<InstanceState, 'attributes'>>,
): SpreadKey[] {
  const attributeOf = (task: TaskRecord, name: string) =>
    instances.get(task.containerInstanceArn ?? '')?.attributes?.find((attribute) => attribute.name === name)?.value;
  const zoneOf: SpreadKey = (task) => task.availabilityZone ?? attributeOf(task, zoneAttribute);
  if (strategies.length === 0) return onFargate ? [zoneOf] : [];
  return strategies.flatMap((strategy): SpreadKey[] => {
    if (strategy.type !== 'spread' || strategy.field === undefined) return [];
    const field = strategy.field;
    const lower = field.toLowerCase();
    if (lower === 'instanceid' || lower === 'host') return [(task) => task.containerInstanceArn];
    if (!lower.startsWith('attribute:')) return [];
    const name = field.slice('attribute:'.length);
    return [name === zoneAttribute ? zoneOf : (task) => attributeOf(task, name)];
  });
}

/**
 * `count` of `candidates` to stop, chosen as described above. The candidates form a tree, split
 * by each spread value in turn, tasks at the leaves. Each node caches its rank, the best a victim
 * under it can be: whether any task under it is not yet running, its task count, then its
 * heaviest child's rank (at a leaf, the age of the task it would give). A victim is found by
 * walking down the heaviest children; only the ranks on its path change, so each victim costs the
 * path's fan-out rather than every task.
 */
export function scaleInVictims(candidates: readonly TaskRecord[], count: number, keys: readonly SpreadKey[]): TaskRecord[] {
  if (count <= 0) return [];
  if (count >= candidates.length) return [...candidates];
  const root = newNode();
  for (const task of candidates) {
    const waiting = task.lastStatus !== 'RUNNING';
    let node = root;
    const enter = (into: Node) => {
      into.count++;
      if (waiting) into.waiting++;
    };
    enter(node);
    for (const key of keys) {
      // A task without a value for a key stands alone under it.
      const value = key(task) ?? `\0${task.taskArn}`;
      const children = (node.children ??= new Map());
      const child = children.get(value) ?? newNode();
      children.set(value, child);
      enter(child);
      node = child;
    }
    node.leaf ??= { waiting: [], running: [] };
    (waiting ? node.leaf.waiting : node.leaf.running).push(task);
  }
  rankAll(root);

  const victims: TaskRecord[] = [];
  while (victims.length < count) {
    const path: Node[] = [root];
    while (path[path.length - 1]!.children) path.push(heaviestChild(path[path.length - 1]!)!);
    const leaf = path[path.length - 1]!.leaf!;
    const victim = (leaf.waiting.length > 0 ? leaf.waiting : leaf.running).pop()!;
    victims.push(victim);
    for (let depth = path.length - 1; depth >= 0; depth--) {
      const node = path[depth]!;
      node.count--;
      if (victim.lastStatus !== 'RUNNING') node.waiting--;
      if (node.count === 0 && depth > 0) path[depth - 1]!.children!.delete(node.value);
      else rank(node);
    }
  }
  return victims;
}

interface Node {
  /** Its value for the spread key of its depth (the key under which its parent holds it). */
  value: string;
  count: number;
  /** Tasks under it not yet running. */
  waiting: number;
  children?: Map<string, Node>;
  /** At the bottom: its tasks, oldest first. */
  leaf?: { waiting: TaskRecord[]; running: TaskRecord[] };
  rank: number[];
  /** The ARN of the task its rank describes, to break exact ties. */
  tieBreak: string;
}

const newNode = (value = ''): Node => ({ value, count: 0, waiting: 0, rank: [], tieBreak: '' });

function heavier(a: Node, b: Node): boolean {
  for (let index = 0; index < a.rank.length && index < b.rank.length; index++) {
    if (a.rank[index] !== b.rank[index]) return a.rank[index]! > b.rank[index]!;
  }
  return a.tieBreak > b.tieBreak;
}

function heaviestChild(node: Node): Node | undefined {
  let best: Node | undefined;
  for (const child of node.children?.values() ?? []) if (best === undefined || heavier(child, best)) best = child;
  return best;
}

function rank(node: Node): void {
  const head = [node.waiting > 0 ? 1 : 0, node.count];
  if (node.leaf) {
    const tasks = node.leaf.waiting.length > 0 ? node.leaf.waiting : node.leaf.running;
    const newest = tasks[tasks.length - 1]!;
    node.rank = [...head, newest.createdAt ?? 0];
    node.tieBreak = newest.taskArn;
    return;
  }
  const best = heaviestChild(node)!;
  node.rank = [...head, ...best.rank];
  node.tieBreak = best.tieBreak;
}

function rankAll(node: Node): void {
  for (const [value, child] of node.children ?? []) {
    child.value = value;
    rankAll(child);
  }
  if (node.leaf) {
    node.leaf.waiting.sort(olderFirst);
    node.leaf.running.sort(olderFirst);
  }
  rank(node);
}

function olderFirst(a: TaskRecord, b: TaskRecord): number {
  return (a.createdAt ?? 0) - (b.createdAt ?? 0) || (a.taskArn < b.taskArn ? -1 : a.taskArn > b.taskArn ? 1 : 0);
}
