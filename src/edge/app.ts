/**
 * The edge: one HTTP port for every API Berth serves. `buildApp` wires dependencies and returns a
 * Fastify instance that tests drive with `inject` or over a real port; `main` only configures and listens.
 *
 * Dispatch: POST / with X-Amz-Target goes to the AWS JSON service owning the target prefix; a Query
 * request (a form-encoded POST /, or GET /?Action=…) to the Query service its credential scope names,
 * the operation being its `Action`. Each protocol module (protocols/) reads the input and writes the
 * answer and errors; between them every operation passes the authorize step (dispatch.ts). The OCI
 * registry is served under /v2/. Every other AWS request (another service's target or Action, RPC v2
 * CBOR, a REST path) is answered by `unserved.ts` in the envelope its client parses.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { ApiError, withHelp } from '../core/errors.js';
import { decodedBody } from './content-encoding.js';
import type { Clock } from '../core/clock.js';
import type { IdGenerator } from '../core/ids.js';
import type { ResetScope, Store } from '../store/types.js';
import { acceptedRegions, type RegionSet } from '../core/regions.js';
import { authenticate, preauthenticate, type Authenticated } from './authenticate.js';
import { answerClientError, answerIdleTimeout, noteProtocol } from './client-errors.js';
import { defaultConnectionLimits, guardConnections, type ConnectionLimits } from './connection-limits.js';
import { authorize as allowUnlessRootOnly, type Authorizer } from '../core/authorize.js';
import type { RequestContext } from '../core/request-context.js';
import { perform, type Service } from './dispatch.js';
import { jsonError, jsonInputOf, jsonOperationOf, jsonResponse, operationNameOf, type JsonService } from './protocols/aws-json.js';
import { isQueryTransport, queryError, queryInputOf, queryOperationOf, queryRequestOf, queryResponse, type QueryService } from './protocols/aws-query.js';
import { claimedService } from './sigv4.js';
import type { ProtocolResponse } from './protocols/response.js';
import { EventStreamOutput, eventStreamContentType } from './protocols/event-stream.js';
import { answerUnserved } from './unserved.js';
import type { Registry } from '../registry/registry.js';
import { registryRoutes, renderError as renderRegistryError } from '../registry/http/routes.js';
import { RegistryError } from '../registry/errors.js';
import { downloadRoutes } from '../registry/http/downloads.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { metricsAccess as defaultMetricsAccess, type MetricsAccess } from '../telemetry/access.js';
import { measureRequests } from '../telemetry/edge.js';

export interface EdgeDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  services: Service[];
  /** Decides whether a principal may perform an action; by default allow-all except root-only calls (servers pass the policy enforcer). */
  authorize?: Authorizer;
  /** The OCI registry served under /v2/, when this edge serves one. */
  registry?: Registry;
  logger?: FastifyServerOptions['logger'];
  /** A logger of the caller's making, used instead of `logger`. */
  loggerInstance?: FastifyBaseLogger;
  version: string;
  /**
   * Deletes one account's resources, or every resource and brings the installation back to its
   * state right after start.
   */
  reset?: (scope: ResetScope) => Promise<void>;
  /** The installation's own account: its root credentials alone may reset the whole installation. */
  installationAccountId?: string;
  /** The regions a credential scope may name; by default AWS's. */
  regions?: RegionSet;
  /** Timeouts and connection bounds; each one left out takes its default. */
  limits?: Partial<ConnectionLimits>;
  /** Berth's own metrics: the edge measures every call into it and serves it as GET /metrics. */
  telemetry?: Telemetry;
  /** Who may read /metrics; loopback clients unless set. */
  metricsAccess?: MetricsAccess;
}

const resetScopes = ['account', 'installation'] as const;

/**
 * What a reset request asks for: `?scope=account` (the default: the caller's account, every region)
 * or `?scope=installation`. Any other parameter is refused rather than ignored.
 */
function resetScopeAsked(url: string): 'account' | 'installation' {
  const query = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
  for (const name of query.keys()) {
    if (name !== 'scope' && !name.startsWith('X-Amz-')) {
      throw withHelp(new ApiError('ValidationException', `Unknown parameter '${name}'.`), { field: name, hint: 'A reset takes only scope=account or scope=installation.' });
    }
  }
  const scope = query.get('scope') ?? 'account';
  if (!(resetScopes as readonly string[]).includes(scope)) {
    throw withHelp(new ApiError('ValidationException', `scope must be one of account, installation; got '${scope}'.`), { field: 'scope' });
  }
  return scope as 'account' | 'installation';
}

const maxBodyBytes = 16 * 1024 * 1024;
/** The most of an unauthenticated request's body the edge reads (to drop it) after answering early. */
const drainBytes = 1024 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    /** The AWS service and operation the request was for, once the edge knows them (for the telemetry). */
    berthCall: { service: string; operation: string } | undefined;
  }
  interface FastifyReply {
    /** The AWS error code an error response carried (for the telemetry). */
    berthErrorCode: string | undefined;
  }
}

function send(reply: FastifyReply, requestId: string, response: ProtocolResponse): FastifyReply {
  if (response.errorCode !== undefined) reply.berthErrorCode = response.errorCode;
  return reply
    .code(response.statusCode)
    .headers(response.headers ?? {})
    .header('content-type', response.contentType)
    .header('x-amzn-requestid', requestId)
    .send(Buffer.from(response.body));
}

/** A request made by an AWS client: signed (header or presigned query), or naming an operation the AWS way. */
function looksLikeAwsCall(request: FastifyRequest): boolean {
  const query = request.url.includes('?') ? new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1)) : undefined;
  return (
    // Registry clients send Basic and Bearer authorizations; only SigV4 marks an AWS call.
    String(request.headers.authorization ?? '').startsWith('AWS4-') ||
    request.headers['x-amz-target'] !== undefined ||
    (query !== undefined && (query.has('X-Amz-Credential') || query.has('Action')))
  );
}

export function buildApp(deps: EdgeDeps): FastifyInstance {
  const limits: ConnectionLimits = { ...defaultConnectionLimits(), ...deps.limits };
  const authDeps = { store: deps.store, regions: deps.regions ?? acceptedRegions() };
  const app = Fastify({
    ...(deps.loggerInstance ? { loggerInstance: deps.loggerInstance } : { logger: deps.logger ?? false }),
    bodyLimit: maxBodyBytes,
    genReqId: () => deps.ids.uuid(),
    // Stopping must not wait out a keep-alive client still reading a layer: in-flight responses end.
    forceCloseConnections: true,
    // No cap on a whole request's duration (layer uploads take as long as they take); a connection
    // is cut when its headers are late or when nothing moves on it for the idle timeout.
    requestTimeout: 0,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.idleTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      // Node checks the headers timeout on this interval, so it bounds how late a cut comes.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    clientErrorHandler: answerClientError,
    // A URL the router cannot read (bad percent-encoding, say) is answered in the shape its client expects.
    frameworkErrors: (error, request, reply) => {
      if (deps.registry && request.url.startsWith('/v2/')) {
        return renderRegistryError(reply, deps.registry, new RegistryError('NAME_INVALID', `the request path cannot be read: ${error.message}`));
      }
      return send(reply, request.id, jsonError({ jsonVersion: '1.1' }, new ApiError('InvalidRequestException', `The request path cannot be read: ${error.message}`)));
    },
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: true }),
  });
  const authorizer = deps.authorize ?? allowUnlessRootOnly;
  const authorization = { authorize: authorizer, store: deps.store };
  const byTargetPrefix = new Map(deps.services.filter((service): service is JsonService => service.protocol === 'awsJson').map((service) => [service.targetPrefix, service]));
  const bySigningName = new Map(deps.services.filter((service): service is QueryService => service.protocol === 'awsQuery').map((service) => [service.signingName, service]));
  guardConnections(app.server, limits, app.log, () => deps.clock.now().getTime());
  app.server.on('timeout', answerIdleTimeout);
  const unservedDeps = { auth: authDeps, clock: deps.clock, served: deps.services.map(({ signingName, protocol }) => ({ signingName, protocol })) };
  const unserved = async (request: FastifyRequest, reply: FastifyReply) => {
    // Measured too, as one service: which one a client names is not Berth's to bound.
    request.berthCall = { service: 'unserved', operation: 'unknown' };
    const { response, error } = await answerUnserved(request, unservedDeps);
    if (response.statusCode >= 500) request.log.error({ err: error, url: request.url }, 'request failed');
    return send(reply, request.id, response);
  };

  // Signatures cover the exact bytes sent, so every body is kept raw until a protocol parses it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.addHook('onRequest', async (request) => noteProtocol(request.raw.socket, request.url));
  // Decorated (not set ad hoc) so every request and reply object keeps one shape.
  app.decorateRequest('berthCall', undefined);
  app.decorateReply('berthErrorCode', undefined);
  if (deps.telemetry) measureRequests(app, deps.telemetry, deps.metricsAccess ?? defaultMetricsAccess());

  app.addHook('onResponse', async (request, reply) => {
    request.log.debug(
      { method: request.method, url: request.url, target: request.headers['x-amz-target'], status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  app.get('/_berth/health', async () => ({
    status: 'ok',
    version: deps.version,
    services: Object.fromEntries(deps.services.map((service) => [service.id, 'running'])),
  }));

  app.post('/_berth/reset', async (request, reply) => {
    try {
      const { principal, scope: signed } = await authenticate(request, authDeps, deps.clock.now());
      const asked = resetScopeAsked(request.url);
      const decision = await authorizer(principal, 'berth:Reset', '*', { region: signed.region, rootOnly: true });
      if (!decision.allowed) throw withHelp(new ApiError('AccessDeniedException', 'Only root credentials may reset Berth.', 403), { hint: decision.reason });
      const admin = deps.installationAccountId;
      if (asked === 'installation' && principal.accountId !== admin) {
        throw withHelp(
          new ApiError('AccessDeniedException', `Only the root credentials of the installation's account ${admin ?? '(none)'} may reset the whole installation.`, 403),
          { field: 'scope', hint: `Without scope=installation, a reset deletes the resources of your own account ${principal.accountId}.` },
        );
      }
      const scope: ResetScope = asked === 'installation' ? { kind: 'installation' } : { kind: 'account', accountId: principal.accountId };
      await (deps.reset ? deps.reset(scope) : deps.store.reset(scope));
      request.log.warn(
        { principal: principal.arn, scope: asked },
        asked === 'installation' ? 'every resource was deleted by a reset' : `the resources of account ${principal.accountId} were deleted by a reset`,
      );
      return reply.code(200).send({ reset: true, scope: asked, ...(asked === 'account' ? { accountId: principal.accountId } : {}) });
    } catch (error) {
      return send(reply, request.id, jsonError({ jsonVersion: '1.1' }, error));
    }
  });

  const serviceOf = (request: FastifyRequest) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const prefix = target.includes('.') ? target.slice(0, target.lastIndexOf('.')) : '';
    return { target, service: byTargetPrefix.get(prefix) };
  };
  /** The Query service a Query request is for: nothing but its credential scope names the service. */
  const queryServiceOf = (request: FastifyRequest): QueryService | undefined => {
    if (request.headers['x-amz-target'] !== undefined) return undefined;
    const url = new URL(request.url, 'http://berth.invalid');
    if (url.pathname !== '/' || !isQueryTransport({ method: request.method, contentType: request.headers['content-type'], query: url.searchParams })) return undefined;
    const claimed = claimedService({ headers: request.headers, query: url.searchParams });
    return claimed === undefined ? undefined : bySigningName.get(claimed);
  };
  const checkScope = (auth: Authenticated, service: Service) => {
    if (auth.service !== service.signingName) {
      throw new ApiError('InvalidSignatureException', `Credential should be scoped to correct service: '${service.signingName}'.`);
    }
  };
  const contextOf = (request: FastifyRequest, auth: Authenticated): RequestContext => ({
    requestId: request.id,
    principal: auth.principal,
    scope: auth.scope,
    now: deps.clock.now(),
    log: request.log,
    sourceIp: (request.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
    secureTransport: 'encrypted' in request.socket && request.socket.encrypted === true,
  });
  const bodyOf = (request: FastifyRequest) => (Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0));

  const answerJson = async (request: FastifyRequest, reply: FastifyReply, service: JsonService, target: string) => {
    const name = operationNameOf(service, target);
    // Only names the service serves become labels: a client's made-up name is `unknown`.
    request.berthCall = { service: service.id, operation: name !== undefined && service.operations.has(name) ? name : 'unknown' };
    try {
      const auth = await authenticate(request, authDeps, deps.clock.now());
      checkScope(auth, service);
      const operation = jsonOperationOf(service, target);
      const input = jsonInputOf(operation, decodedBody(bodyOf(request), request.headers['content-encoding']));
      const output = await perform(service, operation, input, contextOf(request, auth), authorization);
      if (output instanceof EventStreamOutput) {
        // Fastify pipes the frames and destroys their source when the client goes away.
        return reply.code(200).header('content-type', eventStreamContentType).header('x-amzn-requestid', request.id).send(output.frames);
      }
      return send(reply, request.id, jsonResponse(service, output));
    } catch (error) {
      const response = jsonError(service, error);
      if (response.statusCode >= 500) request.log.error({ err: error, target }, 'operation failed');
      return send(reply, request.id, response);
    }
  };

  const answerQuery = async (request: FastifyRequest, reply: FastifyReply, service: QueryService) => {
    const url = new URL(request.url, 'http://berth.invalid');
    request.berthCall = { service: service.id, operation: 'unknown' };
    let call: ReturnType<typeof queryRequestOf>;
    try {
      const auth = await authenticate(request, authDeps, deps.clock.now());
      checkScope(auth, service);
      call = queryRequestOf({ method: request.method, contentType: request.headers['content-type'], body: decodedBody(bodyOf(request), request.headers['content-encoding']), query: url.searchParams });
      if (call) request.berthCall = { service: service.id, operation: service.operations.has(call.action) ? call.action : 'unknown' };
      const operation = queryOperationOf(service, call);
      const input = queryInputOf(operation, call as NonNullable<typeof call>);
      const output = await perform(service, operation, input, contextOf(request, auth), authorization);
      return send(reply, request.id, queryResponse(service, operation, output, request.id));
    } catch (error) {
      const response = queryError(error, request.id, service);
      if (response.statusCode >= 500) request.log.error({ err: error, action: call?.action }, 'operation failed');
      return send(reply, request.id, response);
    }
  };

  app.post(
    '/',
    {
      // Runs before the body is read: a request whose signature cannot be good whatever its body
      // (no credentials, an unknown key, a stale date, an unsigned target, a wrong scope) is answered
      // at once instead of after a body that may never come. A short body is then read and dropped
      // (closing with unread bytes would reset the connection under the answer); a long or
      // unannounced one is not waited for: the connection closes.
      onRequest: async (request, reply) => {
        const { service: json, target } = serviceOf(request);
        const service = json ?? queryServiceOf(request);
        if (!service) return;
        // A Query request's Action is in its body, not read yet.
        const name = json ? operationNameOf(json, target) : undefined;
        request.berthCall = { service: service.id, operation: json && name !== undefined && json.operations.has(name) ? name : 'unknown' };
        try {
          checkScope(await preauthenticate(request, authDeps, deps.clock.now()), service);
        } catch (error) {
          const announced = Number(request.headers['content-length'] ?? Number.NaN);
          if (!(announced <= drainBytes)) reply.header('connection', 'close');
          return send(reply, request.id, service.protocol === 'awsJson' ? jsonError(service, error) : queryError(error, request.id, service));
        }
      },
    },
    async (request, reply) => {
      const { target, service } = serviceOf(request);
      if (service) return answerJson(request, reply, service, target);
      const query = queryServiceOf(request);
      if (query) return answerQuery(request, reply, query);
      return unserved(request, reply);
    },
  );

  const registry = deps.registry;
  if (registry) {
    const now = () => deps.clock.now().getTime() / 1000;
    void app.register(async (scope) => {
      registryRoutes(scope, { registry, store: deps.store, now, authorize: authorizer });
      downloadRoutes(scope, { registry, store: deps.store, now });
    });
  }

  app.setNotFoundHandler((request, reply) => {
    // Query clients may send an operation as GET /?Action=…; no route serves GET /, so it lands here.
    const query = queryServiceOf(request);
    if (query) return answerQuery(request, reply, query);
    return looksLikeAwsCall(request)
      ? unserved(request, reply)
      : reply.code(404).send({ __type: 'NotFound', message: `Berth serves no ${request.method} ${request.url.split('?')[0]}.` });
  });
  app.setErrorHandler((thrown, request, reply) => {
    // Reached only for failures before a route runs (body too large, aborted request).
    const error = thrown as { statusCode?: number; message: string };
    const statusCode = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    if (statusCode >= 500) request.log.error({ err: error }, 'request failed');
    return send(reply, request.id, {
      statusCode,
      contentType: 'application/x-amz-json-1.1',
      body: JSON.stringify({ __type: statusCode === 413 ? 'RequestEntityTooLargeException' : 'SerializationException', message: error.message }),
    });
  });
  return app;
}
