/**
 * Availability Zone rebalancing (a service's `availabilityZoneRebalancing`), as ECS describes it:
 * once a service is steady, if its tasks are not spread evenly over the zones it can run in (the
 * counts differ by more than one), start tasks in the zones with the fewest, then, as each new
 * task turns healthy, stop one in the zone with the most. Pure.
 *
 * Worked example: desired 5 over zones a, b, c holding 4, 1, 0 (after zone c was lost and came
 * back). Balanced is 2, 2, 1, with the extra task left where most already run: a. So b gets 1 and
 * c gets 1 (both launched at once when maximumPercent leaves room for 2), and as they turn healthy
 * scale-in takes two from a, leaving 2, 2, 1.
 */
import type { TaskRecord } from '../../store/types.js';
import { zoneField } from '../../ecs/services/model.js';

/** Tasks per zone, over `zones` (zones with none count 0; tasks outside them are not counted). */
export function zoneCounts(tasks: readonly TaskRecord[], zones: readonly string[]): Map<string, number> {
  const counts = new Map(zones.map((zone) => [zone, 0]));
  for (const task of tasks) {
    const zone = task.availabilityZone;
    if (zone !== undefined && counts.has(zone)) counts.set(zone, counts.get(zone)! + 1);
  }
  return counts;
}

export function isBalanced(counts: ReadonlyMap<string, number>): boolean {
  const values = [...counts.values()];
  return values.length === 0 || Math.max(...values) - Math.min(...values) <= 1;
}

export interface ZoneLaunch {
  zone: string;
  count: number;
}

/**
 * How many tasks to start in each zone to balance `desired` tasks over the zones of `counts`, at
 * most `room` in all. The zones that keep one task more than the others are those that hold the
 * most already, so that the fewest tasks move.
 */
export function rebalanceLaunches(counts: ReadonlyMap<string, number>, desired: number, room: number): ZoneLaunch[] {
  const zones = [...counts.entries()].sort(([zoneA, a], [zoneB, b]) => b - a || zoneA.localeCompare(zoneB));
  if (zones.length === 0 || room <= 0) return [];
  const base = Math.floor(desired / zones.length);
  const extra = desired % zones.length;
  const deficits = zones
    .map(([zone, count], index) => ({ zone, count: base + (index < extra ? 1 : 0) - count }))
    .filter((launch) => launch.count > 0)
    .sort((a, b) => b.count - a.count || a.zone.localeCompare(b.zone));
  const launches: ZoneLaunch[] = [];
  let left = room;
  for (const deficit of deficits) {
    if (left === 0) break;
    const count = Math.min(deficit.count, left);
    launches.push({ zone: deficit.zone, count });
    left -= count;
  }
  return launches;
}

/** The placement constraint expression that keeps a task in `zone`. */
export const inZone = (zone: string) => `${zoneField} == ${zone}`;

/** How the counts read in events: "3 tasks in us-east-1a, 1 tasks in us-east-1b, and 0 tasks in us-east-1c". */
export function describeCounts(counts: ReadonlyMap<string, number>): string {
  const parts = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([zone, count]) => `${count} tasks in ${zone}`);
  return parts.length <= 1 ? (parts[0] ?? 'no tasks') : `${parts.slice(0, -1).join(', ')}, and ${parts[parts.length - 1]}`;
}
