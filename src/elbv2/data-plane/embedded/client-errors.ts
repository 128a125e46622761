/**
 * A request head node:http cannot parse, answered as node:http answers it (400, 431 for a head too
 * large, 413 for chunk extensions too large, 408 for a head that took too long), but closed the
 * way nginx closes: the answer is sent and our side ended, and what the client still sends is
 * read and dropped for a moment before the socket goes. node:http destroys the socket at once, and
 * a socket closed with unread input resets the connection, which can take the answer with it
 * before the client reads it (a client still sending a large head never sees its 431).
 *
 * Answers are in the order of the requests (RFC 9112, 9.3.2): the malformed request may follow
 * pipelined ones whose answers are still on their way (a target's, or node:http's own 417), and
 * those go first, the refusal after them. node:http writes its 400 at once, ahead of them, so
 * that the client takes it for the answer to a request the target did serve. As node:http does,
 * nothing is written once the answer to the malformed request itself has sent its head (a 417
 * node:http wrote on reading the head, say) but not finished: the client would read it
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

interface PendingAnswer {
  headersSent?: boolean;
  writableEnded?: boolean;
  req?: { complete?: boolean };
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/**
 * The answer node:http is writing on the socket (it keeps it in `_httpMessage`, sets the next
 * one queued there when one finishes, and clears it when none is left).
 */
function currentAnswer(socket: Duplex): PendingAnswer | undefined {
  return (socket as Duplex & { _httpMessage?: PendingAnswer | null })._httpMessage ?? undefined;
}

/** node:http's parser reports the same error again for each later piece of input: one refusal per connection. */
const refusing = new WeakSet<Duplex>();

export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (refusing.has(socket)) return;
  refusing.add(socket);
  socket.on('error', () => undefined);
  const parseError = error.code?.startsWith('HPE_') === true || error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  if (!parseError) {
    socket.destroy();
    return;
  }
  afterEarlierAnswers(socket, () => refuse(socket, answers[error.code ?? ''] ?? badRequest));
}

/**
 * Runs `then` once the answers before the refusal are written: those to complete requests, and
 * any node:http has ended already. The answer to the malformed request itself (its body cannot
 * be read to the end) is not waited for.
 */
function afterEarlierAnswers(socket: Duplex, then: () => void): void {
  const answer = currentAnswer(socket);
  if (socket.destroyed || answer === undefined || (answer.req?.complete !== true && answer.writableEnded !== true)) return then();
  let settled = false;
  const next = (): void => {
    if (settled) return;
    settled = true;
    afterEarlierAnswers(socket, then);
  };
  // node:http's own 'finish' listener, added first, has moved on to the next answer by then.
  answer.once('finish', next);
  answer.once('close', next);
}

function refuse(socket: Duplex, answer: string): void {
  if (currentAnswer(socket)?.headersSent === true || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(answer);
  const timer = setTimeout(() => socket.destroy(), lingerMs);
  timer.unref();
  socket.on('close', () => clearTimeout(timer));
  socket.on('end', () => socket.destroy());
  socket.on('data', () => undefined);
  socket.resume();
}
