/**
 * A request head node:http cannot parse, answered as node:http answers it (400, 431 for a head too
 * large, 413 for chunk extensions too large, 408 for a head that took too long), but closed the
 * way nginx closes: the answer is sent and our side ended, and what the client still sends is
 * read and dropped for a moment before the socket goes. node:http destroys the socket at once, and
 * a socket closed with unread input resets the connection, which can take the answer with it
 * before the client reads it (a client still sending a large head never sees its 431).
 *
 * As node:http does, nothing is written once the answer node:http is writing on the connection
 * (its own 400 for a missing Host or 417 included) has sent its head: the client would read it
 * corrupted, or two answers to one request.
 */
import type { Duplex } from 'node:stream';

const lingerMs = 2000;

const answers: Record<string, string> = {
  HPE_HEADER_OVERFLOW: 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n',
  ERR_HTTP_REQUEST_TIMEOUT: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
};
const badRequest = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n';

/**
 * Whether node:http has begun an answer on the socket: the same test its own clientError handling
 * makes, on the field it keeps the answer in (node:http sets `_httpMessage` on the socket for the
 * response being written and clears it when that one is done).
 */
function answerBegun(socket: Duplex): boolean {
  const current = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  return current !== undefined && current !== null && current.headersSent === true;
}

export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  socket.on('error', () => undefined);
  const parseError = error.code?.startsWith('HPE_') === true || error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  if (!parseError || answerBegun(socket) || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(answers[error.code ?? ''] ?? badRequest);
  const timer = setTimeout(() => socket.destroy(), lingerMs);
  timer.unref();
  socket.on('close', () => clearTimeout(timer));
  socket.on('end', () => socket.destroy());
  socket.on('data', () => undefined);
  socket.resume();
}
