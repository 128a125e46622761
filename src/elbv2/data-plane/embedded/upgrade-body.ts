/**
 * An upgrade request that carries a body (Content-Length above 0 or Transfer-Encoding), served
 * as an ordinary request. With an 'upgrade' listener, node:http stops parsing at the end of such
 * a request's head and hands the body's bytes over as the new protocol's first ones: the body is
 * never framed, so a malformed chunked body is not refused, and the target gets the request
 * without its body. RFC 9110 (7.8) has the protocol switch only after the whole request message,
 * body included, and lets a server ignore Upgrade: the request goes, head as node:http parsed it
 * and the bytes after it unchanged, to a node:http server without an 'upgrade' listener, which
 * reads (or refuses) the body as for any request and serves the rest of the connection. A
 * WebSocket handshake (a GET without body) still upgrades.
 */
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Whether the request's head announces a body (node:http refuses a Content-Length other than digits). */
export function upgradeCarriesBody(request: IncomingMessage): boolean {
  return request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
}

/** Registers `handle` for the server's upgrades without a body; the others are served as ordinary requests. */
export function onUpgrade(server: HttpServer, handle: UpgradeHandler): void {
  let plain: HttpServer | undefined;
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!upgradeCarriesBody(request)) return handle(request, socket, head);
    plain ??= withoutUpgrades(server);
    // Timeouts as the server's now: an apply may have changed them since.
    Object.assign(plain, { timeout: server.timeout, keepAliveTimeout: server.keepAliveTimeout, headersTimeout: server.headersTimeout, requestTimeout: server.requestTimeout });
    replay(request, socket as Socket, head, plain);
  });
}

/** A server that answers requests and parse errors as `server` does, and never upgrades. */
function withoutUpgrades(server: HttpServer): HttpServer {
  const plain = createServer();
  for (const event of ['request', 'clientError'] as const) {
    for (const listener of server.listeners(event)) plain.on(event, listener as (...args: unknown[]) => void);
  }
  return plain;
}

/** The head node:http parsed (its fields as received, obsolete folding refused), then the bytes after it, to `plain`'s parser. */
function replay(request: IncomingMessage, socket: Socket, head: Buffer, plain: HttpServer): void {
  let text = `${request.method ?? 'GET'} ${request.url ?? '/'} HTTP/${request.httpVersion}\r\n`;
  const raw = request.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) text += `${raw[i] ?? ''}: ${raw[i + 1] ?? ''}\r\n`;
  socket.pause();
  socket.unshift(Buffer.concat([Buffer.from(`${text}\r\n`, 'latin1'), head]));
  plain.emit('connection', socket);
  socket.resume();
}
