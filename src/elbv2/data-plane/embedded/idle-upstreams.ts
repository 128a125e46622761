/**
 * Idle upstream connections per target, kept alive for the next request by the fast path
 * (raw-http.ts) and dropped when the target leaves its group (target-group.ts).
 */
import type { Socket } from 'node:net';

/** Keyed by the target's runtime object (target-group.ts's TargetRuntime), which lives as long as the target is registered. */
export const idleUpstreams = new WeakMap<object, Socket[]>();

export function dropIdleUpstreams(target: object): void {
  for (const socket of idleUpstreams.get(target) ?? []) socket.destroy();
  idleUpstreams.delete(target);
}
