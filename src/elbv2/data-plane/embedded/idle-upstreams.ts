/**
 * Idle upstream connections per target, kept alive for the next request by the fast path
 * (raw-http.ts) and dropped when the target leaves its group (target-group.ts).
 *
 * A connection idle for 4 s is closed: by us before the target's keep-alive timeout (often 5 s)
 * can close it under a reuse. The age is checked when a connection is taken, and a sweep twice a
 * second closes the ones nobody took: no timer is set and cleared for each request.
 */
import type { Socket } from 'node:net';

const idleLimitMs = 4000;
const sweepEveryMs = 500;

/** Last in, first out: the most recently used connection is the likeliest to be alive. `since[i]` is when `sockets[i]` went idle. */
interface Pool {
  sockets: Socket[];
  since: number[];
}

/** Keyed by the target's runtime object (target-group.ts's TargetRuntime), which lives as long as the target is registered. */
const pools = new WeakMap<object, Pool>();
/** The pools holding connections, for the sweep. */
const holding = new Set<Pool>();
let sweeper: NodeJS.Timeout | undefined;

/** An idle connection to the target young enough to reuse, if there is one; older ones found on the way are closed. */
export function takeIdle(target: object): Socket | undefined {
  const pool = pools.get(target);
  if (pool === undefined) return undefined;
  const now = performance.now();
  for (;;) {
    const socket = pool.sockets.pop();
    const since = pool.since.pop();
    if (socket === undefined || since === undefined) return undefined;
    if (now - since < idleLimitMs && !socket.destroyed) return socket;
    socket.destroy();
  }
}

export function putIdle(target: object, socket: Socket): void {
  let pool = pools.get(target);
  if (pool === undefined) pools.set(target, (pool = { sockets: [], since: [] }));
  pool.sockets.push(socket);
  pool.since.push(performance.now());
  holding.add(pool);
  if (sweeper === undefined) {
    sweeper = setInterval(sweep, sweepEveryMs);
    sweeper.unref();
  }
}

/** A connection that closed while idle leaves its pool. */
export function forgetIdle(target: object, socket: Socket): void {
  const pool = pools.get(target);
  const at = pool === undefined ? -1 : pool.sockets.indexOf(socket);
  if (pool === undefined || at < 0) return;
  pool.sockets.splice(at, 1);
  pool.since.splice(at, 1);
}

export function dropIdleUpstreams(target: object): void {
  const pool = pools.get(target);
  if (pool === undefined) return;
  pools.delete(target);
  holding.delete(pool);
  for (const socket of pool.sockets) socket.destroy();
}

function sweep(): void {
  const now = performance.now();
  for (const pool of holding) {
    // The oldest are first: close from the front while they are too old.
    let stale = 0;
    while (stale < pool.since.length && now - (pool.since[stale] as number) >= idleLimitMs) stale++;
    const closing = pool.sockets.splice(0, stale);
    pool.since.splice(0, stale);
    for (const socket of closing) socket.destroy();
    if (pool.sockets.length === 0) holding.delete(pool);
  }
  if (holding.size === 0 && sweeper !== undefined) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}
