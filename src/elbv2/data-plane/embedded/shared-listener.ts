/**
 * The embedded data plane's socket on 127.0.0.1:<port>, shared by the load balancers listening on
 * that port (the plan: ../shared-ports.ts). An HTTP(S) request is handed to the listener of the
 * load balancer its Host names, exactly as that listener's own socket would handle it (through
 * node:http: the raw fast path serves one load balancer per connection, and a kept-alive
 * connection here may name several); an HTTPS connection gets the certificate of the load balancer
 * its TLS server name names. A TCP port carries one network load balancer's connections.
 *
 * A connection counts as the connection of the load balancer its first request names (the one
 * its requests are relayed to, as if it had come to that one's own address); one whose requests
 * name none is no load balancer's.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createSecureContext, createServer as createTlsServer, type SecureContext } from 'node:tls';
import { entryForHost, requestHost, unknownHostMessage, type SharedEntry, type SharedPort } from '../shared-ports.js';
import type { Counters } from './counters.js';
import { handleRequest, handleUpgrade, type HttpListenerDeps } from './http-listener.js';
import { onUpgrade } from './upgrade-body.js';
import { handleConnection } from './tcp-listener.js';

/** What the socket reads at each request or connection; the engine replaces `plan` on apply. */
export interface SharedListenerState {
  plan: SharedPort;
}

/** What decides whether the socket can stay as the plan changes: its kind and the certificate it starts with. */
export function sharedIdentity(plan: SharedPort): string {
  const first = plan.entries[0]?.listener;
  const tls = plan.kind === 'https' || first?.protocol === 'TLS';
  return JSON.stringify([plan.kind, first?.protocol, tls ? first?.certificate?.certificatePem ?? '' : '', tls ? first?.certificate?.privateKeyPem ?? '' : '']);
}

export function createSharedServer(state: SharedListenerState, deps: HttpListenerDeps): HttpServer | NetServer {
  const first = state.plan.entries[0]!.listener;
  if (state.plan.kind === 'tcp') {
    const onConnection = (socket: Socket): void => handleConnection(socket, state.plan.entries[0]!, deps);
    return first.protocol === 'TLS' && first.certificate !== undefined
      ? createTlsServer({ cert: first.certificate.certificatePem, key: first.certificate.privateKeyPem }, onConnection)
      : createNetServer(onConnection);
  }
  const server = state.plan.kind === 'https'
    ? createHttpsServer({ cert: first.certificate?.certificatePem, key: first.certificate?.privateKeyPem, SNICallback: sniCallback(state) })
    : createHttpServer();
  const claim = connectionClaims(server, deps.counters);
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const entry = dispatch(state, request);
    if (entry !== undefined) {
      claim(request, entry.lb.arn);
      return handleRequest(request, response, entry, deps);
    }
    request.resume();
    const body = unknownHostMessage(requestHost(request.headers.host), state.plan.port, state.plan.entries, state.plan.kind === 'https' ? 'https' : 'http');
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  });
  onUpgrade(server, (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const entry = dispatch(state, request);
    if (entry !== undefined) {
      claim(request, entry.lb.arn);
      return handleUpgrade(request, socket, head, entry, deps);
    }
    socket.on('error', () => socket.destroy());
    const body = unknownHostMessage(requestHost(request.headers.host), state.plan.port, state.plan.entries);
    socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  configureSharedTimeouts(server, state.plan);
  return server;
}

/** Idle connections close after the longest idle timeout of the load balancers sharing the port. */
export function configureSharedTimeouts(server: HttpServer | NetServer, plan: SharedPort): void {
  if (!('keepAliveTimeout' in server)) return;
  const idleMs = Math.max(...plan.entries.map((entry) => entry.lb.idleTimeoutSeconds)) * 1000;
  server.keepAliveTimeout = idleMs;
  server.timeout = idleMs + 1000;
  server.headersTimeout = Math.max(idleMs + 1000, 60_000);
}

/**
 * Counts a connection, at its first request that names a load balancer, as that one's. The count
 * follows the socket on the wire, found by the client's address and port: an HTTPS request's
 * socket is the TLS one over it, whose bytes are the plain text.
 */
function connectionClaims(server: HttpServer, counters: Counters): (request: IncomingMessage, lbArn: string) => void {
  const open = new Map<string, { socket: Socket; claimed: boolean }>();
  const keyOf = (socket: Socket): string => `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`;
  server.on('connection', (socket: Socket) => {
    const key = keyOf(socket);
    const entry = { socket, claimed: false };
    open.set(key, entry);
    socket.once('close', () => {
      if (open.get(key) === entry) open.delete(key);
    });
  });
  return (request, lbArn) => {
    const entry = open.get(keyOf(request.socket));
    if (entry === undefined || entry.claimed) return;
    entry.claimed = true;
    counters.connection(lbArn, entry.socket);
  };
}

function dispatch(state: SharedListenerState, request: IncomingMessage): SharedEntry | undefined {
  return entryForHost(state.plan.entries, requestHost(request.headers.host));
}

/** The certificate of the load balancer the client's TLS server name names (the first one's otherwise). */
function sniCallback(state: SharedListenerState): (servername: string, callback: (error: Error | null, context?: SecureContext) => void) => void {
  const contexts = new Map<string, SecureContext>();
  return (servername, callback) => {
    const entry = entryForHost(state.plan.entries, requestHost(servername)) ?? state.plan.entries[0];
    const certificate = entry?.listener.certificate;
    if (certificate === undefined) return callback(null);
    const key = certificate.certificatePem + certificate.privateKeyPem;
    let context = contexts.get(key);
    if (context === undefined) {
      context = createSecureContext({ cert: certificate.certificatePem, key: certificate.privateKeyPem });
      contexts.set(key, context);
    }
    callback(null, context);
  };
}
