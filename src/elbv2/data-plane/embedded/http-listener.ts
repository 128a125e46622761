/**
 * An ALB listener (HTTP or HTTPS): routes each request (http-routing.ts) and forwards it as ALB
 * does, over a keep-alive agent per target:
 *  - X-Forwarded-For (the client's address appended), X-Forwarded-Proto, X-Forwarded-Port, and
 *    X-Amzn-Trace-Id (Root=1-<epoch seconds, 8 hex>-<24 hex>) when the client sent none;
 *  - 502 when the target refuses or resets before answering, 504 when it does not answer within
 *    the load balancer's idle timeout, 503 when the target group has no registered target;
 *  - WebSocket upgrades piped both ways once the target switches protocols;
 *  - connections idle longer than the idle timeout are closed.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ListenerConfig, LoadBalancerConfig } from '../types.js';
import type { AccessLogEntry, AccessLogs } from './access-log.js';
import type { Counters } from './counters.js';
import { clientAddress, decide, type Decision, type RoutingContext } from './http-routing.js';
import { elbErrorPage, statusText } from './error-page.js';
import { appCookie, encodeSticky, setCookie, setsCookie } from './sticky-cookies.js';
import type { TargetGroupRuntime, TargetRuntime } from './target-group.js';

/** What a listener reads at each request; the engine replaces `lb` and `listener` on apply. */
export interface HttpListenerState {
  lb: LoadBalancerConfig;
  listener: ListenerConfig;
}

export interface HttpListenerDeps {
  targetGroup(arn: string): TargetGroupRuntime | undefined;
  counters: Counters;
  accessLogs: AccessLogs;
  now(): number;
  random(): number;
}

const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);
/**
 * Not forwarded to a target either: the listener has met (100 Continue) or refused (417) the
 * client's expectation itself, and node:http met it only for HTTP/1.1 while the target gets 1.1.
 */
const answeredHere = new Set(['expect']);


function traceId(now: number): string {
  return `Root=1-${Math.floor(now / 1000).toString(16).padStart(8, '0')}-${randomBytes(12).toString('hex')}`;
}

/** The headers a target receives: the client's, without hop-by-hop ones, with ALB's X-Forwarded-* and trace id. */
export function forwardedHeaders(request: IncomingMessage, state: HttpListenerState, now: number, keepUpgrade: boolean): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  const incoming: IncomingHttpHeaders = request.headers;
  for (const name in incoming) if (!hopByHop.has(name) && !answeredHere.has(name)) headers[name] = incoming[name];
  // A body that came in chunks goes out in chunks. Left to itself, node:http sends the body of a
  // GET, HEAD, DELETE or OPTIONS without length or chunks: the target would read it as the next
  // request on the connection (request smuggling).
  if (incoming['transfer-encoding'] !== undefined) headers['transfer-encoding'] = 'chunked';
  if (keepUpgrade) {
    headers.connection = 'Upgrade';
    headers.upgrade = incoming.upgrade;
  }
  const client = clientAddress(request);
  const before = incoming['x-forwarded-for'];
  headers['x-forwarded-for'] = before === undefined || before === '' ? client : `${before}, ${client}`;
  headers['x-forwarded-proto'] = state.listener.protocol === 'HTTPS' ? 'https' : 'http';
  headers['x-forwarded-port'] = String(state.listener.port);
  if (incoming['x-amzn-trace-id'] === undefined) headers['x-amzn-trace-id'] = traceId(now);
  return headers;
}

export function handleRequest(request: IncomingMessage, response: ServerResponse, state: HttpListenerState, deps: HttpListenerDeps): void {
  const start = deps.now();
  const lbCounts = deps.counters.lb(state.lb.arn);
  lbCounts.requestCount++;
  const context: RoutingContext = { lb: state.lb, listener: state.listener, targetGroup: deps.targetGroup, now: start, random: deps.random };
  const decision = decide(request, context);
  const log = state.lb.accessLogPath === undefined ? undefined : accessLogger(request, response, state, deps, start, decision);
  switch (decision.kind) {
    case 'fixed':
      deps.counters.elbStatus(state.lb.arn, decision.status);
      request.resume();
      response.writeHead(decision.status, decision.contentType === undefined ? {} : { 'content-type': decision.contentType });
      response.end(decision.body);
      return;
    case 'redirect':
      request.resume();
      response.writeHead(decision.status, { location: decision.location, 'content-type': 'text/html' });
      response.end(`<html>\r\n<head><title>${decision.status} Moved</title></head>\r\n<body></body>\r\n</html>\r\n`);
      return;
    case 'error':
      request.resume();
      answerError(response, decision.status, state, deps);
      return;
    case 'forward':
      forward(request, response, state, deps, decision, start, log, false);
      return;
  }
}

function answerError(response: ServerResponse, status: number, state: HttpListenerState, deps: HttpListenerDeps): void {
  deps.counters.elbStatus(state.lb.arn, status);
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { 'content-type': 'text/html', server: 'awselb/2.0' });
  response.end(elbErrorPage(status));
}

type ForwardDecision = Extract<Decision, { kind: 'forward' }>;

function forward(request: IncomingMessage, response: ServerResponse, state: HttpListenerState, deps: HttpListenerDeps, decision: ForwardDecision, start: number, log: ((entry: Partial<AccessLogEntry>) => void) | undefined, retry: boolean): void {
  const { group, target } = decision;
  const tgCounts = deps.counters.tg(group.config.arn);
  if (!retry) tgCounts.requestCount++;
  group.begin(target);
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    group.finish(target, deps.now());
  };
  const idleMs = state.lb.idleTimeoutSeconds * 1000;
  const send = group.config.protocol === 'HTTPS' ? httpsRequest : httpRequest;
  const outgoing = send({
    host: target.config.address,
    port: target.config.port,
    method: request.method,
    path: request.url,
    headers: forwardedHeaders(request, state, start, false),
    agent: group.agentFor(target),
  });
  let timedOut = false;
  let clientGone = false;
  outgoing.setTimeout(idleMs, () => {
    timedOut = true;
    outgoing.destroy();
  });
  outgoing.on('response', (incoming) => {
    const status = incoming.statusCode ?? 502;
    deps.counters.targetStatus(group.config.arn, status, (deps.now() - start) / 1000);
    const headers: OutgoingHttpHeaders = {};
    for (const name in incoming.headers) if (!hopByHop.has(name)) headers[name] = incoming.headers[name];
    const cookies = [...decision.setCookies];
    const stickiness = group.config.stickiness;
    if (stickiness.enabled && stickiness.type === 'app_cookie' && stickiness.appCookieName !== undefined && setsCookie(incoming.headers['set-cookie'], stickiness.appCookieName)) {
      const expiresAt = start + stickiness.durationSeconds * 1000;
      cookies.push(setCookie(appCookie, encodeSticky(group.config.arn, target.key, expiresAt), expiresAt));
    }
    if (cookies.length > 0) headers['set-cookie'] = [...(incoming.headers['set-cookie'] ?? []), ...cookies];
    response.writeHead(status, headers);
    incoming.pipe(response);
    incoming.on('end', finish);
    incoming.on('error', () => response.destroy());
    log?.({ targetStatus: status, targetSeconds: (deps.now() - start) / 1000 });
  });
  outgoing.on('error', (error: NodeJS.ErrnoException) => {
    // A kept-alive socket the target closed just as it was reused: try a fresh one once, when that cannot repeat a side effect.
    if (!timedOut && !clientGone && !retry && outgoing.reusedSocket && error.code === 'ECONNRESET' && (request.method === 'GET' || request.method === 'HEAD') && !hasBody(request) && !response.headersSent) {
      finish();
      if (!target.gone) return forward(request, response, state, deps, decision, start, log, true);
    }
    finish();
    log?.({ errorReason: timedOut ? 'TargetTimeout' : 'TargetConnectionError' });
    answerError(response, timedOut ? 504 : 502, state, deps);
  });
  response.on('close', () => {
    // The client went away: the request to the target is cut, and that reset is not one to retry.
    if (!response.writableFinished) {
      clientGone = true;
      outgoing.destroy();
    }
    finish();
  });
  if (!retry) request.pipe(outgoing);
  else outgoing.end();
}

/** Whether the request carries a body (a retry could not send it again: it has been read). */
function hasBody(request: IncomingMessage): boolean {
  return request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] ?? '0') !== '0';
}

/** WebSocket (or any) upgrade: routed like a request, then piped both ways once the target switches protocols. */
export function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, state: HttpListenerState, deps: HttpListenerDeps): void {
  const start = deps.now();
  deps.counters.lb(state.lb.arn).requestCount++;
  const decision = decide(request, { lb: state.lb, listener: state.listener, targetGroup: deps.targetGroup, now: start, random: deps.random });
  socket.on('error', () => socket.destroy());
  if (decision.kind !== 'forward') {
    const status = decision.status;
    deps.counters.elbStatus(state.lb.arn, status);
    const extra = decision.kind === 'redirect' ? `Location: ${decision.location}\r\n` : '';
    const body = decision.kind === 'fixed' ? decision.body : elbErrorPage(status);
    socket.end(`HTTP/1.1 ${status} ${statusText[status] ?? ''}\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    return;
  }
  const { group, target } = decision;
  deps.counters.tg(group.config.arn).requestCount++;
  group.begin(target);
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    group.finish(target, deps.now());
  };
  const send = group.config.protocol === 'HTTPS' ? httpsRequest : httpRequest;
  const outgoing = send({ host: target.config.address, port: target.config.port, method: request.method, path: request.url, headers: forwardedHeaders(request, state, start, true), agent: false });
  outgoing.on('upgrade', (incoming, upstream, upstreamHead) => {
    const lines = [`HTTP/1.1 ${incoming.statusCode ?? 101} ${incoming.statusMessage ?? 'Switching Protocols'}`];
    for (let i = 0; i < incoming.rawHeaders.length; i += 2) lines.push(`${incoming.rawHeaders[i]}: ${incoming.rawHeaders[i + 1]}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (upstreamHead.length > 0) socket.write(upstreamHead);
    if (head.length > 0) upstream.write(head);
    const asSocket = socket as Socket;
    target.connections.add(asSocket);
    const end = (): void => {
      target.connections.delete(asSocket);
      upstream.destroy();
      socket.destroy();
      finish();
    };
    upstream.on('error', end).on('close', end);
    socket.on('error', end).on('close', end);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  outgoing.on('response', (incoming) => {
    // The target declined the upgrade: its answer goes back as it is, and the connection ends.
    const lines = [`HTTP/1.1 ${incoming.statusCode ?? 502} ${incoming.statusMessage ?? ''}`];
    for (let i = 0; i < incoming.rawHeaders.length; i += 2) lines.push(`${incoming.rawHeaders[i]}: ${incoming.rawHeaders[i + 1]}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    incoming.pipe(socket);
    incoming.on('end', finish);
  });
  outgoing.setTimeout(state.lb.idleTimeoutSeconds * 1000, () => outgoing.destroy(Object.assign(new Error('target timeout'), { code: 'ETIMEDOUT' })));
  outgoing.on('error', (error: NodeJS.ErrnoException) => {
    finish();
    const status = error.code === 'ETIMEDOUT' ? 504 : 502;
    deps.counters.elbStatus(state.lb.arn, status);
    const body = elbErrorPage(status);
    socket.end(`HTTP/1.1 ${status} ${statusText[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  outgoing.end();
}

function accessLogger(request: IncomingMessage, response: ServerResponse, state: HttpListenerState, deps: HttpListenerDeps, start: number, decision: Decision): (entry: Partial<AccessLogEntry>) => void {
  const path = state.lb.accessLogPath as string;
  const known: Partial<AccessLogEntry> = {};
  // ALB counts a request's bytes and its answer's with their heads.
  const sentBefore = request.socket.bytesWritten;
  let head = `${request.method ?? 'GET'} ${request.url ?? '/'} HTTP/${request.httpVersion}\r\n\r\n`.length;
  for (let i = 0; i < request.rawHeaders.length; i += 2) head += Buffer.byteLength(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}\r\n`, 'latin1');
  response.on('close', () => {
    const socket = request.socket;
    const entry: AccessLogEntry = {
      type: state.listener.protocol === 'HTTPS' ? 'https' : 'http',
      time: new Date(deps.now()),
      elb: loadBalancerResourceId(state.lb.arn),
      client: `${clientAddress(request)}:${socket.remotePort ?? 0}`,
      target: decision.kind === 'forward' ? `${decision.target.config.address}:${decision.target.config.port}` : undefined,
      requestStart: start,
      targetSeconds: known.targetSeconds ?? -1,
      elbStatus: response.statusCode,
      targetStatus: known.targetStatus,
      receivedBytes: head + Number(request.headers['content-length'] ?? 0),
      sentBytes: socket.bytesWritten - sentBefore,
      request: `${request.method ?? 'GET'} ${state.listener.protocol.toLowerCase()}://${request.headers.host ?? state.lb.address}${request.url ?? '/'} HTTP/${request.httpVersion}`,
      userAgent: request.headers['user-agent'] ?? '',
      targetGroupArn: decision.kind === 'forward' ? decision.group.config.arn : undefined,
      traceId: String(request.headers['x-amzn-trace-id'] ?? ''),
      domain: '',
      rulePriority: decision.priority,
      action: decision.kind === 'fixed' ? 'fixed-response' : decision.kind === 'error' ? 'forward' : decision.kind,
      redirectUrl: decision.kind === 'redirect' ? decision.location : undefined,
      errorReason: known.errorReason,
    };
    deps.accessLogs.write(path, entry);
  });
  return (entry) => Object.assign(known, entry);
}

/** app/<name>/<id> from arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>. */
function loadBalancerResourceId(arn: string): string {
  const slash = arn.indexOf('loadbalancer/');
  return slash < 0 ? arn : arn.slice(slash + 'loadbalancer/'.length);
}
