/**
 * Answers for requests that fail below the router: a Content-Length the body does not match,
 * bytes that are not HTTP, headers that never finish. Node's parser reports them on the socket,
 * with no request to route; the answer still comes in the shape the client parses: the OCI error
 * body for the registry under /v2/, AWS JSON's `{"__type", "message"}` for everything else.
 */
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { RegistryErrorCode } from '../registry/errors.js';

const protocolKey = Symbol('berth.socketProtocol');

type SocketProtocol = 'registry' | 'aws';

/** Records which protocol the socket's latest request speaks, for an error that follows on it. */
export function noteProtocol(socket: Socket, url: string): void {
  (socket as Socket & { [protocolKey]?: SocketProtocol })[protocolKey] = url.startsWith('/v2/') ? 'registry' : 'aws';
}

/** Not Node's: the code under which the idle timeout of a request in progress is answered. */
const idleTimeoutCode = 'BERTH_IDLE_TIMEOUT';

interface ClientError extends Error {
  code?: string;
  /** What Node's parser found wrong. */
  reason?: string;
  /** The bytes the parser could not read (a Buffer from Node). */
  rawPacket?: unknown;
}

interface Answer {
  status: number;
  aws: { code: string; message: string };
  registry: { code: RegistryErrorCode; message: string };
}

function answerFor(error: ClientError): Answer {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT': {
      const message = 'The request headers did not arrive in time; the connection is closed.';
      return { status: 408, aws: { code: 'RequestTimeoutException', message }, registry: { code: 'BLOB_UPLOAD_INVALID', message } };
    }
    case idleTimeoutCode: {
      const message = 'Nothing arrived on the connection for the idle timeout, with the request body unfinished; the connection is closed.';
      return { status: 408, aws: { code: 'RequestTimeoutException', message }, registry: { code: 'BLOB_UPLOAD_INVALID', message } };
    }
    case 'HPE_HEADER_OVERFLOW': {
      const message = 'The request headers are too large.';
      return { status: 431, aws: { code: 'SerializationException', message }, registry: { code: 'UNSUPPORTED', message } };
    }
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
    case 'HPE_INVALID_EOF_STATE': {
      const message =
        error.code === 'HPE_INVALID_EOF_STATE'
          ? 'The request body ended before the length its Content-Length header announced.'
          : `The request's Content-Length header is not valid: ${error.reason ?? error.message}.`;
      return { status: 400, aws: { code: 'SerializationException', message }, registry: { code: 'SIZE_INVALID', message } };
    }
    default: {
      // Most often the bytes after a body longer than its Content-Length, read as a next request.
      const message = `The request is not valid HTTP (${error.reason ?? error.message}); is the body exactly as long as its Content-Length header says?`;
      return { status: 400, aws: { code: 'SerializationException', message }, registry: { code: 'SIZE_INVALID', message } };
    }
  }
}

function protocolOf(socket: Socket, error: ClientError): SocketProtocol {
  const noted = (socket as Socket & { [protocolKey]?: SocketProtocol })[protocolKey];
  if (noted) return noted;
  // The first request on the connection could not be parsed: its request line may still say.
  const head = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.subarray(0, 64).toString('latin1') : '';
  return /^[A-Z]+ \/v2\//.test(head) ? 'registry' : 'aws';
}

/** Fastify's clientErrorHandler: writes the answer when no response is under way, and closes the connection. */
export function answerClientError(error: ClientError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const answer = answerFor(error);
    const registry = protocolOf(socket, error) === 'registry';
    const body = registry
      ? JSON.stringify({ errors: [{ code: answer.registry.code, message: answer.registry.message }] })
      : JSON.stringify({ __type: answer.aws.code, message: answer.aws.message });
    const headers = [
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Bad Request'}`,
      `content-type: ${registry ? 'application/json' : 'application/x-amz-json-1.1'}`,
      ...(registry ? ['docker-distribution-api-version: registry/2.0'] : []),
      `content-length: ${Buffer.byteLength(body)}`,
      'connection: close',
    ];
    socket.write(`${headers.join('\r\n')}\r\n\r\n${body}`);
  }
  // Closed once the answer is flushed; a client that reads nothing is cut by the idle timeout.
  socket.once('finish', () => socket.destroy());
  socket.end();
}

/**
 * The server's 'timeout' listener: nothing moved on the socket for the idle timeout. A request
 * whose body stopped arriving gets a 408 in its protocol's shape; anything else (an idle
 * kept-alive connection) is simply closed. With this listener, Node leaves closing to it.
 */
export function answerIdleTimeout(socket: Socket): void {
  const incoming = (socket as Socket & { parser?: { incoming?: { complete: boolean } | null } | null }).parser?.incoming;
  const response = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  // A whole request whose answer has not started is being worked on (a reset waiting for agents,
  // an upload's digest being checked): silence from the client is expected, and the answer comes.
  if (incoming?.complete && response && !response.headersSent) return;
  // Only a request still waiting for its answer gets one: a body being drained after an early
  // answer (its response already gone) is simply cut.
  if (!incoming || incoming.complete || !response || response.headersSent) {
    socket.destroy();
    return;
  }
  answerClientError(Object.assign(new Error('idle timeout'), { code: idleTimeoutCode }), socket);
  // A client that stopped reading too would keep the answer from flushing: it gets a little while.
  setTimeout(() => socket.destroy(), 1000).unref();
}
