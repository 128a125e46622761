/**
 * The task metadata endpoint v4 as containers reach it: `ECS_CONTAINER_METADATA_URI_V4` is
 * `http://<address>:<port>/v4/<token>`, where the token is an unguessable id the agent issued for one
 * container. One port on every address the agent gives (its Docker bridge gateways and 127.0.0.1)
 * that exists on this host: an address it cannot listen on (the Docker engine's bridge is on another
 * machine, say) is left out and listed in `unavailable`, and `uriFor` has no URI for it.
 *
 *   GET /v4/<token>              the container's metadata
 *   GET /v4/<token>/task         the task's metadata with all its containers
 *   GET /v4/<token>/stats        Docker's stats for the container, plus network_rate_stats
 *   GET /v4/<token>/task/stats   the same for every container of the task, keyed by DockerId
 *
 * Errors are JSON strings, as the ECS agent sends them: 404 for a token it does not know, 405 for a
 * method other than GET or HEAD, 500 when the metadata cannot be produced.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NetworkRates } from './network-rates.js';
import { containerResponse, listedContainers, pauseContainer, taskResponse, withTaskNetworks } from './responses.js';
import type { MetadataSource, MetadataTaskView } from './types.js';

export interface MetadataServerOptions {
  addresses: string[];
  /** 0 or absent: a free port picked on the first address and reused on the others. */
  port?: number;
  source: MetadataSource;
}

export interface MetadataServer {
  /** The port on every address it listens on; undefined when it listens on none. */
  port: number | undefined;
  /** The addresses it listens on. */
  addresses: string[];
  /** The addresses it was asked for and could not listen on, with the reason (`listen EADDRNOTAVAIL …`). */
  unavailable: { address: string; reason: string }[];
  /**
   * The value of ECS_CONTAINER_METADATA_URI_V4 for a container reaching the server at `address`;
   * undefined when it does not listen there.
   */
  uriFor(address: string, token: string): string | undefined;
  close(): Promise<void>;
}

type Route = 'container' | 'task' | 'containerStats' | 'taskStats';

const routePattern = /^\/v4\/([^/]+)(\/task)?(\/stats)?\/?$/;
const handlerNames: Record<Route, string> = {
  container: 'V4 container metadata handler',
  task: 'V4 task metadata handler',
  containerStats: 'V4 container stats handler',
  taskStats: 'V4 task stats handler',
};
/** A free port on the first address may be taken on another; pick again this many times. */
const portAttempts = 5;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function routeOf(path: string): { token: string; route: Route } | undefined {
  const match = routePattern.exec(path);
  if (!match?.[1]) return undefined;
  let token: string;
  try {
    token = decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
  const task = match[2] !== undefined;
  const stats = match[3] !== undefined;
  return { token, route: task ? (stats ? 'taskStats' : 'task') : stats ? 'containerStats' : 'container' };
}

async function statsWithNetworks(view: MetadataTaskView, source: MetadataSource, containerId: string, pauseStats: () => Promise<Record<string, unknown> | undefined>): Promise<Record<string, unknown> | undefined> {
  const stats = await source.stats(containerId);
  if (!stats || !pauseContainer(view)) return stats;
  return withTaskNetworks(stats, await pauseStats());
}

/** The pause container's stats, fetched at most once per request. */
function pauseStatsOnce(view: MetadataTaskView, source: MetadataSource): () => Promise<Record<string, unknown> | undefined> {
  let pending: Promise<Record<string, unknown> | undefined> | undefined;
  return () => {
    const pause = pauseContainer(view);
    if (!pause?.observed) return Promise.resolve(undefined);
    pending ??= source.stats(pause.observed.id);
    return pending;
  };
}

async function respond(res: ServerResponse, route: Route, token: string, source: MetadataSource, rates: NetworkRates): Promise<void> {
  const handler = handlerNames[route];
  const found = source.lookup(token);
  if (!found) {
    send(res, 404, `${handler}: no container has the endpoint ID ${token}`);
    return;
  }
  const { view, containerName } = found;
  const container = view.containers.find((candidate) => candidate.name === containerName);
  if (!container) {
    send(res, 500, `${handler}: unable to generate metadata for container '${containerName}'`);
    return;
  }
  const pauseStats = pauseStatsOnce(view, source);

  switch (route) {
    case 'container':
      send(res, 200, containerResponse(view, container));
      return;
    case 'task':
      send(res, 200, taskResponse(view));
      return;
    case 'containerStats': {
      const id = container.observed?.id;
      const stats = id ? await statsWithNetworks(view, source, id, pauseStats) : undefined;
      if (!id || !stats) {
        send(res, 500, `${handler}: unable to get stats for container '${containerName}'`);
        return;
      }
      send(res, 200, rates.annotate(id, stats));
      return;
    }
    case 'taskStats': {
      const ids = listedContainers(view).flatMap((listed) => (listed.observed ? [listed.observed.id] : []));
      const samples = await Promise.all(ids.map((id) => statsWithNetworks(view, source, id, pauseStats)));
      const body: Record<string, Record<string, unknown>> = {};
      ids.forEach((id, index) => {
        const stats = samples[index];
        body[id] = stats ? rates.annotate(id, stats) : {};
      });
      send(res, 200, body);
      return;
    }
  }
}

function handle(req: IncomingMessage, res: ServerResponse, source: MetadataSource, rates: NetworkRates): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
    return;
  }
  const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
  const target = routeOf(path);
  if (!target) {
    send(res, 404, '404 page not found');
    return;
  }
  respond(res, target.route, target.token, source, rates).catch((error: unknown) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    send(res, 500, `${handlerNames[target.route]}: ${error instanceof Error ? error.message : String(error)}`);
  });
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function isAddressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}

export async function startMetadataServer(options: MetadataServerOptions): Promise<MetadataServer> {
  if (options.addresses.length === 0) throw new Error('the metadata server needs at least one address to listen on');
  const rates = new NetworkRates();
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => handle(req, res, options.source, rates);
  const pickPort = !options.port;

  for (let attempt = 1; ; attempt++) {
    const servers: Server[] = [];
    const bound: string[] = [];
    const unavailable: { address: string; reason: string }[] = [];
    let port = options.port ?? 0;
    let retry = false;
    for (const address of options.addresses) {
      const server = createServer(onRequest);
      try {
        port = await listen(server, port, address);
        servers.push(server);
        bound.push(address);
      } catch (error) {
        // A port picked on an earlier address may be taken on this one: pick another for all of them.
        if (pickPort && bound.length > 0 && isAddressInUse(error) && attempt < portAttempts) {
          retry = true;
          break;
        }
        unavailable.push({ address, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    if (retry) {
      await Promise.all(servers.map(closeServer));
      continue;
    }
    const chosen = bound.length > 0 ? port : undefined;
    return {
      port: chosen,
      addresses: bound,
      unavailable,
      uriFor: (address, token) =>
        chosen !== undefined && bound.includes(address) ? `http://${address.includes(':') ? `[${address}]` : address}:${chosen}/v4/${encodeURIComponent(token)}` : undefined,
      close: async () => {
        await Promise.all(servers.map(closeServer));
      },
    };
  }
}
