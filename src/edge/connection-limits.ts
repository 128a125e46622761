/**
 * How long the edge waits for a client, and how many connections it holds at once.
 *
 * - Headers must arrive whole within `headersTimeoutMs` of the connection opening (or of the
 *   previous response, on a kept-alive connection); else 408 and the connection is closed.
 * - A connection on which nothing arrives or leaves for `idleTimeoutMs` is closed: a body that
 *   stops arriving, or an idle kept-alive connection. An upload that keeps sending is never cut,
 *   however long it takes (the registry takes multi-GiB layers on one PATCH or PUT).
 * - At most `maxConnectionsPerClient` connections from one address, and `maxConnections` in all
 *   (kept below the process's descriptor limit, so the store and Docker keep theirs); a
 *   connection beyond either is closed at once, and a warning says which bound was hit.
 *   An agent's channel, once its presigned request is verified and upgraded to a WebSocket,
 *   stops counting towards its address's bound (a simulated fleet opens one per instance).
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';

export interface ConnectionLimits {
  headersTimeoutMs: number;
  idleTimeoutMs: number;
  maxConnections: number;
  maxConnectionsPerClient: number;
}

/** The soft limit on open files (`ulimit -n`), where the system says it. */
export function descriptorLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((text) => text.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isInteger(soft) && soft > 0 ? soft : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The defaults: 10 s for headers, 60 s of silence; connections up to the descriptor limit less an
 * eighth of it (at least 256) for everything else; half of those per client, so that one address
 * never takes them all. (Not less: `berth agent --simulate 1000` runs a thousand API clients, each
 * keeping a connection alive, from one address.)
 */
export function defaultConnectionLimits(limit = descriptorLimit() ?? 1024): ConnectionLimits {
  const maxConnections = Math.max(64, limit - Math.max(256, Math.floor(limit / 8)));
  return {
    headersTimeoutMs: 10_000,
    idleTimeoutMs: 60_000,
    maxConnections,
    maxConnectionsPerClient: Math.max(16, Math.floor(maxConnections / 2)),
  };
}

const releaseKey = Symbol('berth.releaseClientBound');

/** Takes an upgraded, authenticated connection (an agent's channel) out of its address's count. */
export function releaseFromClientBound(socket: Socket): void {
  (socket as Socket & { [releaseKey]?: () => void })[releaseKey]?.();
}

/** "::ffff:127.0.0.1" and "127.0.0.1" are the same client. */
function clientOf(socket: Socket): string {
  const address = socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

const warnEveryMs = 10_000;

/** Counts connections as they open and close, and closes those beyond the bounds. */
export function guardConnections(server: Server, limits: ConnectionLimits, log: FastifyBaseLogger, now: () => number): void {
  const perClient = new Map<string, number>();
  let open = 0;
  // One warning per bound every 10 s, with how many were refused since the last, not one per connection.
  const refused = { total: 0, client: 0 };
  const warnedAt = { total: -Infinity, client: -Infinity };
  const refuse = (socket: Socket, bound: 'total' | 'client', client: string) => {
    refused[bound] += 1;
    socket.destroy();
    if (now() - warnedAt[bound] < warnEveryMs) return;
    warnedAt[bound] = now();
    const count = refused[bound];
    refused[bound] = 0;
    if (bound === 'total') {
      log.warn({ open, limit: limits.maxConnections, refused: count }, `connections refused: ${limits.maxConnections} are open, the most Berth holds (--max-connections)`);
    } else {
      log.warn(
        { client, limit: limits.maxConnectionsPerClient, refused: count },
        `connections refused: ${client} has ${limits.maxConnectionsPerClient} open, the most one client may hold (--max-connections-per-client)`,
      );
    }
  };
  server.on('connection', (socket: Socket) => {
    const client = clientOf(socket);
    if (open >= limits.maxConnections) return refuse(socket, 'total', client);
    const mine = perClient.get(client) ?? 0;
    if (mine >= limits.maxConnectionsPerClient) return refuse(socket, 'client', client);
    open += 1;
    perClient.set(client, mine + 1);
    let counted = true;
    const release = () => {
      if (!counted) return;
      counted = false;
      const left = (perClient.get(client) ?? 1) - 1;
      if (left > 0) perClient.set(client, left);
      else perClient.delete(client);
    };
    (socket as Socket & { [releaseKey]?: () => void })[releaseKey] = release;
    socket.once('close', () => {
      open -= 1;
      release();
    });
  });
}
