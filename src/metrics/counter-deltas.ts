/**
 * What a set of cumulative counters counted between two samples, when the thing counting may have
 * restarted in between (a data plane that was stopped and started again counts from zero).
 *
 * A restart shows as any counter of the set going down: then everything the set shows now was
 * counted since the restart, and that is the delta (what was counted between the previous sample
 * and the restart is lost, never turned into a negative or huge number). A set seen for the first
 * time counts from zero as well: a load balancer created during the period.
 *
 *   previous {requests: 120, bytes: 9000}, current {requests: 150, bytes: 12000} → {requests: 30, bytes: 3000}
 *   previous {requests: 120, bytes: 9000}, current {requests: 7,   bytes: 500}   → {requests: 7,  bytes: 500}
 *   previous undefined,                    current {requests: 7,   bytes: 500}   → {requests: 7,  bytes: 500}
 */
export function counterDeltas<K extends string>(previous: Readonly<Record<K, number>> | undefined, current: Readonly<Record<K, number>>, fields: readonly K[]): Record<K, number> {
  const restarted = previous === undefined || fields.some((field) => current[field] < previous[field]);
  const deltas = {} as Record<K, number>;
  for (const field of fields) deltas[field] = restarted ? current[field] : current[field] - (previous as Record<K, number>)[field];
  return deltas;
}
