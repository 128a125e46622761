/**
 * The edge's part of the telemetry: every answered request is measured in an onResponse hook (an
 * AWS call by its service and operation, a registry request by its kind and body bytes), and
 * GET /metrics serves the exposition to the addresses `access` allows.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { matchRegistryPath } from '../registry/http/paths.js';
import type { MetricsAccess } from './access.js';
import type { Telemetry } from './telemetry.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Bytes the connection had read when a /v2/ request began. */
    berthReadAtStart: number | undefined;
  }
}

/** The client's address without the IPv4-mapped prefix of a dual-stack socket. */
function clientAddress(request: FastifyRequest): string {
  return (request.socket.remoteAddress ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

function registryKind(url: string): string {
  const path = url.split('?')[0]!.slice('/v2'.length).replace(/^\//, '');
  return matchRegistryPath(path)?.kind ?? 'unknown';
}

function byteCount(header: unknown): number | undefined {
  const value = Number(header);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/**
 * `request.berthCall` and `reply.berthErrorCode` are set by the edge (app.ts) as it resolves the
 * operation and answers an error.
 */
export function measureRequests(app: FastifyInstance, telemetry: Telemetry, access: MetricsAccess): void {
  // A chunked upload announces no length: what the socket read while the request was served counts.
  app.decorateRequest('berthReadAtStart', undefined);
  // Callback hooks rather than async ones: they run on every request, and spare a promise each.
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.url.startsWith('/v2')) request.berthReadAtStart = request.raw.socket?.bytesRead ?? 0;
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    measure(request, reply);
    done();
  });

  const measure = (request: FastifyRequest, reply: FastifyReply) => {
    const call = request.berthCall;
    if (call) {
      telemetry.request(call.service, call.operation, reply.statusCode, reply.berthErrorCode, reply.elapsedTime / 1000);
      return;
    }
    const start = request.berthReadAtStart;
    if (start === undefined) return;
    const bytesIn = byteCount(request.headers['content-length']) ?? Math.max(0, (request.raw.socket?.bytesRead ?? start) - start);
    const bytesOut = request.method === 'HEAD' ? 0 : (byteCount(reply.getHeader('content-length')) ?? 0);
    telemetry.registryRequest(registryKind(request.url), request.method, reply.statusCode, bytesIn, bytesOut);
  };

  app.get('/metrics', async (request, reply) => {
    const address = clientAddress(request);
    if (!access.allows(address)) {
      return reply
        .code(403)
        .type('text/plain; charset=utf-8')
        .send(
          `Berth serves /metrics only to ${access.ranges.join(', ')}; ${address || 'this client'} is not among them. ` +
            'Start Berth with --metrics-allow <range,…> (or BERTH_METRICS_ALLOW) to let a scraper at another address in.\n',
        );
    }
    try {
      const { contentType, body } = await telemetry.exposition();
      return reply.code(200).type(contentType).send(body);
    } catch (error) {
      request.log.error({ err: error }, 'metrics could not be collected');
      return reply.code(503).type('text/plain; charset=utf-8').send(`Berth could not collect its metrics: ${(error as Error).message}\n`);
    }
  });
}
