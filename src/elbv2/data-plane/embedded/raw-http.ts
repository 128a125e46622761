/**
 * The fast path of an HTTP or HTTPS listener (TLS ends at the listener's socket): requests
 * forwarded by reading and writing HTTP/1.1 on the sockets directly, without node:http's request and response objects on either side (which cost
 * more than half of a request's CPU here). It handles the common case, one request at a time per
 * connection: HTTP/1.1, no body or a body with Content-Length of at most 64 KiB (buffered), a
 * response framed by Content-Length, chunked encoding (passed through as is) or the close of the
 * connection. Anything else (an upgrade, a chunked or larger request body, HTTP/1.0, Expect) hands
 * the connection, at a request boundary, to the listener's
 * node:http server (http-listener.ts), which does everything.
 *
 * Same behaviour as the node:http path: rules and stickiness (http-routing.ts), X-Forwarded-*,
 * the trace id, 502/503/504, the idle timeout, counts.
 */
import { randomFillSync } from 'node:crypto';
import { maxHeaderSize, METHODS, type Server as HttpServer } from 'node:http';
import type { AccessLogEntry } from './access-log.js';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ChunkedEnd, parseHead, responseHeadEnd, type ParsedHead } from './http1-framing.js';
import { decide, type Decision } from './http-routing.js';
import { elbErrorPage } from './error-page.js';
import type { HttpListenerDeps, HttpListenerState } from './http-listener.js';
import { forgetIdle, putIdle, takeIdle } from './idle-upstreams.js';
import { appCookie, encodeSticky, setCookie, setsCookie } from './sticky-cookies.js';
import type { TargetGroupRuntime, TargetRuntime } from './target-group.js';

const maxHead = 64 * 1024;
/** The longest request head node:http takes (its --max-http-header-size, 16 KiB by default). */
const maxRequestHead = maxHeaderSize;
const knownMethods = new Set(METHODS);
/** The bytes node:http takes in a request target: visible ASCII only. */
const requestTarget = /^[\x21-\x7e]+$/;
/** node:http's own answer to a request it cannot parse. */
const badRequest = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n';
const maxBufferedBody = 64 * 1024;
const crlf2 = Buffer.from('\r\n\r\n');
const dropFromRequest = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'x-forwarded-proto', 'x-forwarded-port']);
const dropFromResponse = new Set(['connection', 'keep-alive', 'proxy-connection']);
const reasons: Record<number, string> = { 200: 'OK', 301: 'Moved Permanently', 302: 'Found', 404: 'Not Found', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out' };

// Trace ids from a pool of random bytes refilled now and then, not a system call per request.
const entropy = Buffer.alloc(12 * 4096);
let entropyAt = entropy.length;
function traceId(now: number): string {
  if (entropyAt >= entropy.length) {
    randomFillSync(entropy);
    entropyAt = 0;
  }
  const hex = entropy.toString('hex', entropyAt, entropyAt + 12);
  entropyAt += 12;
  return `Root=1-${Math.floor(now / 1000).toString(16).padStart(8, '0')}-${hex}`;
}

/** Whether a line of what has arrived ends in LF without CR before it. */
function hasBareLf(buffer: Buffer): boolean {
  for (let lf = buffer.indexOf(10); lf >= 0; lf = buffer.indexOf(10, lf + 1)) if (lf === 0 || buffer[lf - 1] !== 13) return true;
  return false;
}


export function handleRawConnection(socket: Socket, state: HttpListenerState, deps: HttpListenerDeps, fallback: HttpServer): void {
  new ClientConnection(socket, state, deps, fallback).start();
}

interface Exchange {
  decision: Extract<Decision, { kind: 'forward' }>;
  head: ParsedHead;
  method: string;
  clientCloses: boolean;
}

class ClientConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private busy = false;
  private handedOver = false;
  private closing = false;
  /** The client ended its side: answer what it sent, then end ours. */
  private clientEnded = false;
  /** Aborts the exchange in flight when the client goes away. */
  private abort: (() => void) | undefined;
  /**
   * The target's answer to the exchange in flight is late (504) when it shows no progress by
   * `answerDue` (performance.now()). One timer for all of the connection's exchanges, re-armed
   * only when it fires early: not a timer set and cleared for every request.
   */
  private answerDue = 0;
  private onAnswerLate: (() => void) | undefined;
  private answerTimer: NodeJS.Timeout | undefined;
  private answerTimerAt = 0;
  /** The exchange in flight, when its load balancer keeps an access log. */
  private logged: { entry: AccessLogEntry; path: string; sentBefore: number } | undefined;

  /** The client's address as X-Forwarded-For gives it (IPv4 without its IPv6 mapping): the same for every request on the connection. */
  private clientIp: string | undefined;

  constructor(private readonly socket: Socket, private readonly state: HttpListenerState, private readonly deps: HttpListenerDeps, private readonly fallback: HttpServer) {}

  private clientAddress(): string {
    if (this.clientIp === undefined) {
      const address = this.socket.remoteAddress ?? '';
      this.clientIp = address.startsWith('::ffff:') ? address.slice(7) : address;
    }
    return this.clientIp;
  }

  start(): void {
    this.socket.setNoDelay(true);
    this.socket.setTimeout(this.state.lb.idleTimeoutSeconds * 1000 + 1000, this.onTimeout);
    this.socket.on('data', this.onData);
    this.socket.on('error', this.onError);
    this.socket.on('close', this.onClose);
    this.socket.on('end', this.onEnd);
  }

  private readonly onEnd = (): void => {
    this.clientEnded = true;
    if (!this.busy) this.next();
  };

  private readonly onTimeout = (): void => {
    this.socket.destroy();
  };

  private readonly onError = (): void => {
    this.socket.destroy();
  };

  private readonly onClose = (): void => {
    this.abort?.();
    this.stopAnswerTimer();
  };

  private readonly onData = (chunk: Buffer): void => {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (!this.busy) this.next();
  };

  /** Gives the connection, with what it has buffered, to the node:http server. */
  private handOver(): void {
    this.handedOver = true;
    const socket = this.socket;
    socket.pause();
    socket.removeListener('data', this.onData);
    socket.removeListener('error', this.onError);
    socket.removeListener('close', this.onClose);
    socket.removeListener('end', this.onEnd);
    socket.setTimeout(0);
    socket.removeListener('timeout', this.onTimeout);
    this.stopAnswerTimer();
    if (this.buffer.length > 0) socket.unshift(this.buffer);
    this.buffer = Buffer.alloc(0);
    this.fallback.emit('connection', socket);
    socket.resume();
  }

  /**
   * Where this path and node:http could read the same bytes differently, node:http decides: the
   * connection is handed over, and node:http (the same parser as the listener's fallback and as
   * the targets most often) forwards or refuses. Handed over: a head longer than node:http takes
   * (it answers 431), a line ending in LF alone, a method node:http does not know, a request
   * target with a byte other than visible ASCII, an HTTP/1.1
   * request without Host, and any Content-Length other than plain digits ("+5", "5.0", "1e1",
   * "", "5, 5" would each be read as a length here and refused there: request smuggling).
   */
  private next(): void {
    if (this.handedOver || this.closing) return;
    const end = this.buffer.indexOf(crlf2);
    if (end < 0) {
      if (this.buffer.length > maxRequestHead || hasBareLf(this.buffer)) this.handOver();
      // Empty lines between requests are not a request (node:http skips them too).
      else if (this.clientEnded) this.endClient(this.buffer.some((byte) => byte !== 13 && byte !== 10));
      return;
    }
    if (end > maxRequestHead) return this.handOver();
    const head = parseHead(this.buffer.toString('latin1', 0, end));
    const parts = head?.startLine.split(' ');
    if (head === undefined || parts === undefined || parts.length !== 3 || parts[2] !== 'HTTP/1.1' || !knownMethods.has(parts[0] as string) || !requestTarget.test(parts[1] as string)) return this.handOver();
    const headers = head.headers;
    const declared = headers['content-length'];
    if (declared !== undefined && !/^[0-9]{1,16}$/.test(declared)) return this.handOver();
    const length = declared === undefined ? 0 : Number(declared);
    if (
      headers.host === undefined || headers['transfer-encoding'] !== undefined || headers.upgrade !== undefined || headers.expect !== undefined ||
      length > maxBufferedBody
    ) return this.handOver();
    const total = end + 4 + length;
    if (this.buffer.length < total) {
      if (this.clientEnded) this.endClient(true); // the rest of the body will not come
      return; // the rest of the body is on its way
    }
    const body = this.buffer.subarray(end + 4, total);
    this.buffer = this.buffer.subarray(total);
    this.busy = true;
    const [method, url] = parts as [string, string, string];
    const clientCloses = /(?:^|,)\s*close\s*(?:,|$)/i.test(headers.connection ?? '');
    const now = this.deps.now();
    this.deps.counters.lb(this.state.lb.arn).requestCount++;
    const decision = decide({ method, url, headers, socket: this.socket }, { lb: this.state.lb, listener: this.state.listener, targetGroup: this.deps.targetGroup, now, random: this.deps.random });
    // ALB counts a request's bytes and its answer's with their heads.
    if (this.state.lb.accessLogPath !== undefined) this.logged = { path: this.state.lb.accessLogPath, entry: this.logEntry(method, url, headers, decision, now, total), sentBefore: this.socket.bytesWritten };
    if (decision.kind !== 'forward') return this.answerItself(decision, clientCloses);
    this.forward({ decision, head, method, clientCloses }, url, body, now, false);
  }

  /**
   * The client ended its side. With part of a request left unanswered (`incomplete`), it gets
   * node:http's answer to a message cut short, 400, so that both paths answer alike.
   */
  private endClient(incomplete = false): void {
    this.closing = true;
    if (incomplete) this.socket.end(badRequest);
    else this.socket.end();
  }

  private logEntry(method: string, url: string, headers: Record<string, string>, decision: Decision, now: number, receivedBytes: number): AccessLogEntry {
    const protocol = this.state.listener.protocol === 'HTTPS' ? 'https' : 'http';
    const target = decision.kind === 'forward' ? `${decision.target.config.address}:${decision.target.config.port}` : undefined;
    return {
      type: protocol,
      time: new Date(now),
      elb: this.state.lb.arn.slice(this.state.lb.arn.indexOf('loadbalancer/') + 'loadbalancer/'.length),
      client: `${this.clientAddress()}:${this.socket.remotePort ?? 0}`,
      target,
      requestStart: now,
      targetSeconds: -1,
      elbStatus: 0,
      targetStatus: undefined,
      receivedBytes,
      sentBytes: 0,
      request: `${method} ${protocol}://${headers.host ?? this.state.lb.address}${url} HTTP/1.1`,
      userAgent: headers['user-agent'] ?? '',
      targetGroupArn: decision.kind === 'forward' ? decision.group.config.arn : undefined,
      traceId: headers['x-amzn-trace-id'] ?? '',
      domain: '',
      rulePriority: decision.priority,
      action: decision.kind === 'fixed' ? 'fixed-response' : decision.kind === 'error' ? 'forward' : decision.kind,
      redirectUrl: decision.kind === 'redirect' ? decision.location : undefined,
      errorReason: undefined,
    };
  }

  /** For UpstreamExchange: what the target answered, for the access log. */
  noteTarget(status: number, seconds: number): void {
    if (this.logged === undefined) return;
    Object.assign(this.logged.entry, { targetStatus: status, elbStatus: status, targetSeconds: seconds });
  }

  private done(clientCloses: boolean): void {
    if (this.logged !== undefined) {
      this.deps.accessLogs.write(this.logged.path, { ...this.logged.entry, time: new Date(this.deps.now()), sentBytes: this.socket.bytesWritten - this.logged.sentBefore });
      this.logged = undefined;
    }
    this.busy = false;
    this.abort = undefined;
    if (clientCloses) return this.endClient();
    this.next();
  }

  private respond(status: number, headerLines: string, body: string, clientCloses: boolean): void {
    const bytes = Buffer.byteLength(body);
    if (this.logged !== undefined) Object.assign(this.logged.entry, { elbStatus: status });
    this.socket.write(`HTTP/1.1 ${status} ${reasons[status] ?? 'Status'}\r\n${headerLines}Content-Length: ${bytes}\r\n${clientCloses ? 'Connection: close\r\n' : ''}\r\n${body}`);
    this.done(clientCloses);
  }

  private answerItself(decision: Exclude<Decision, { kind: 'forward' }>, clientCloses: boolean): void {
    switch (decision.kind) {
      case 'fixed':
        this.deps.counters.elbStatus(this.state.lb.arn, decision.status);
        return this.respond(decision.status, decision.contentType === undefined ? '' : `Content-Type: ${decision.contentType}\r\n`, decision.body, clientCloses);
      case 'redirect':
        return this.respond(decision.status, `Location: ${decision.location}\r\nContent-Type: text/html\r\n`, `<html>\r\n<head><title>${decision.status} Moved</title></head>\r\n<body></body>\r\n</html>\r\n`, clientCloses);
      case 'error':
        return this.elbError(decision.status, clientCloses);
    }
  }

  private elbError(status: number, clientCloses: boolean): void {
    this.deps.counters.elbStatus(this.state.lb.arn, status);
    this.respond(status, 'Content-Type: text/html\r\nServer: awselb/2.0\r\n', elbErrorPage(status), clientCloses);
  }

  private requestHead(exchange: Exchange, url: string, now: number): string {
    const { head, method } = exchange;
    let text = `${method} ${url} HTTP/1.1\r\n`;
    let forwardedFor: string | undefined;
    for (const [name, value] of head.lines) {
      const lower = name.toLowerCase();
      if (lower === 'x-forwarded-for') {
        forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
        continue;
      }
      if (!dropFromRequest.has(lower)) text += `${name}: ${value}\r\n`;
    }
    const client = this.clientAddress();
    text += `X-Forwarded-For: ${forwardedFor === undefined || forwardedFor === '' ? client : `${forwardedFor}, ${client}`}\r\n`;
    text += `X-Forwarded-Proto: ${this.state.listener.protocol === 'HTTPS' ? 'https' : 'http'}\r\nX-Forwarded-Port: ${this.state.listener.port}\r\n`;
    if (head.headers['x-amzn-trace-id'] === undefined) {
      const generated = traceId(now);
      if (this.logged !== undefined) this.logged.entry.traceId = generated;
      text += `X-Amzn-Trace-Id: ${generated}\r\n`;
    }
    return `${text}\r\n`;
  }

  private forward(exchange: Exchange, url: string, body: Buffer, start: number, retry: boolean): void {
    const { group, target } = exchange.decision;
    if (!retry) this.deps.counters.tg(group.config.arn).requestCount++;
    group.begin(target);
    const idle = takeIdle(target);
    const reused = idle !== undefined;
    const upstream = idle ?? openUpstream(group, target);
    const payload = this.requestHead(exchange, url, start);
    upstream.write(body.length > 0 ? Buffer.concat([Buffer.from(payload, 'latin1'), body]) : payload, 'latin1');
    // A kept-alive connection the target closed just as it was reused: a fresh one, once, when that repeats no side effect.
    const canRetry = reused && !retry && body.length === 0 && (exchange.method === 'GET' || exchange.method === 'HEAD');
    const again = canRetry ? () => (target.gone ? this.elbError(502, exchange.clientCloses) : this.forward(exchange, url, body, start, true)) : undefined;
    new UpstreamExchange(this, exchange, group, target, upstream, start, again).run();
  }

  /** For UpstreamExchange: the pieces of the client connection it needs. */
  get client(): Socket {
    return this.socket;
  }

  get listenerState(): HttpListenerState {
    return this.state;
  }

  get listenerDeps(): HttpListenerDeps {
    return this.deps;
  }

  /** For UpstreamExchange: `late` runs when the target's answer shows no progress for `ms`. */
  watchAnswer(ms: number, late: () => void): void {
    this.onAnswerLate = late;
    this.answerDue = performance.now() + ms;
    if (this.answerTimer === undefined || this.answerTimerAt > this.answerDue) this.armAnswerTimer(ms);
  }

  /** For UpstreamExchange: the target sent something; the answer has `ms` more. */
  answerProgress(ms: number): void {
    this.answerDue = performance.now() + ms;
  }

  unwatchAnswer(late: () => void): void {
    if (this.onAnswerLate === late) this.onAnswerLate = undefined;
  }

  private stopAnswerTimer(): void {
    clearTimeout(this.answerTimer);
    this.answerTimer = undefined;
  }

  private armAnswerTimer(ms: number): void {
    clearTimeout(this.answerTimer);
    this.answerTimerAt = performance.now() + ms;
    this.answerTimer = setTimeout(this.checkAnswer, ms);
  }

  private readonly checkAnswer = (): void => {
    this.answerTimer = undefined;
    const late = this.onAnswerLate;
    if (late === undefined) return;
    const left = this.answerDue - performance.now();
    if (left > 0) return this.armAnswerTimer(left);
    this.onAnswerLate = undefined;
    late();
  };

  setAbort(abort: (() => void) | undefined): void {
    this.abort = abort;
  }

  finishExchange(clientCloses: boolean): void {
    this.done(clientCloses);
  }

  failBeforeResponse(status: number, clientCloses: boolean): void {
    this.elbError(status, clientCloses);
  }
}

function openUpstream(group: TargetGroupRuntime, target: TargetRuntime): Socket {
  const options = { host: target.config.address, port: target.config.port };
  const socket = group.config.protocol === 'HTTPS' ? tlsConnect({ ...options, rejectUnauthorized: false }) : connect(options);
  socket.setNoDelay(true);
  // Listeners for the socket's whole life (an exchange adds its own while it runs): quiet errors,
  // leave the idle pool when closed (idle-upstreams.ts closes it when idle too long).
  socket.on('error', () => socket.destroy());
  socket.on('close', () => forgetIdle(target, socket));
  return socket;
}

/** One request's answer from the target, relayed to the client as it comes. */
class UpstreamExchange {
  private head: Buffer = Buffer.alloc(0);
  private headSent = false;
  private remaining = 0;
  private chunked: ChunkedEnd | undefined;
  private untilClose = false;
  private upstreamKeepAlive = true;
  private finished = false;
  private idleMs = 0;
  private readonly late = (): void => this.fail(504);

  constructor(
    private readonly connection: ClientConnection,
    private readonly exchange: Exchange,
    private readonly group: TargetGroupRuntime,
    private readonly target: TargetRuntime,
    private readonly upstream: Socket,
    private readonly start: number,
    private readonly retry: (() => void) | undefined,
  ) {}

  run(): void {
    this.idleMs = this.connection.listenerState.lb.idleTimeoutSeconds * 1000;
    this.connection.watchAnswer(this.idleMs, this.late);
    this.upstream.on('data', this.onData);
    this.upstream.on('error', this.onEnd);
    this.upstream.on('close', this.onEnd);
    this.connection.setAbort(() => this.release(false));
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.finished) return;
    this.refreshTimer();
    if (!this.headSent) {
      this.head = this.head.length === 0 ? chunk : Buffer.concat([this.head, chunk]);
      const end = responseHeadEnd(this.head);
      if (end === undefined) {
        if (this.head.length > maxHead) this.fail(502);
        return;
      }
      const parsed = parseHead(this.head.toString('latin1', 0, end.headLength), true);
      const status = Number(parsed?.startLine.slice(9, 12));
      if (parsed === undefined || !Number.isInteger(status) || status < 100) return this.fail(502);
      const rest = this.head.subarray(end.bodyStart);
      this.head = Buffer.alloc(0);
      if (status >= 100 && status < 200) {
        // An interim answer (100 Continue) the client did not ask for: skipped.
        if (rest.length > 0) this.onData(rest);
        return;
      }
      // Head and the body that came with it leave in one buffer, one write: not one system call
      // each, and not node's writev, which costs more than a single write.
      const head = this.answerHead(parsed, status);
      if (rest.length > 0) return this.body(rest, head);
      this.connection.client.write(head, 'latin1');
      if (this.remaining === 0 && this.chunked === undefined && !this.untilClose) this.release(true);
      return;
    }
    this.body(chunk);
  };

  private readonly onEnd = (): void => {
    if (this.finished) return;
    if (!this.headSent) {
      if (this.retry !== undefined) {
        this.stop(false);
        return this.retry();
      }
      return this.fail(502);
    }
    if (this.untilClose) return this.release(false, true);
    // The target went away mid-answer: the client's connection goes too, as a truncated answer must not look whole.
    this.stop(false);
    this.connection.client.destroy();
  };

  /** The head the client gets (the target's, without hop-by-hop fields, with ALB's cookies); notes how the body is framed. */
  private answerHead(parsed: ParsedHead, status: number): string {
    const deps = this.connection.listenerDeps;
    deps.counters.targetStatus(this.group.config.arn, status, (deps.now() - this.start) / 1000);
    this.connection.noteTarget(status, (deps.now() - this.start) / 1000);
    const headers = parsed.headers;
    const connectionHeader = headers.connection ?? '';
    // HTTP/1.0 closes after each answer unless it says keep-alive.
    if (/close/i.test(connectionHeader) || (parsed.startLine.startsWith('HTTP/1.0') && !/keep-alive/i.test(connectionHeader))) this.upstreamKeepAlive = false;
    const noBody = this.exchange.method === 'HEAD' || status === 204 || status === 304;
    if (noBody) this.remaining = 0;
    else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) this.chunked = new ChunkedEnd();
    else if (headers['content-length'] !== undefined) this.remaining = Number(headers['content-length']);
    else this.untilClose = true;
    let text = `${parsed.startLine}\r\n`;
    for (const [name, value] of parsed.lines) if (!dropFromResponse.has(name.toLowerCase())) text += `${name}: ${value}\r\n`;
    for (const cookie of this.exchange.decision.setCookies) text += `Set-Cookie: ${cookie}\r\n`;
    const stickiness = this.group.config.stickiness;
    if (stickiness.enabled && stickiness.type === 'app_cookie' && stickiness.appCookieName !== undefined && setsCookie(parsed.setCookies, stickiness.appCookieName)) {
      const expiresAt = this.start + stickiness.durationSeconds * 1000;
      text += `Set-Cookie: ${setCookie(appCookie, encodeSticky(this.group.config.arn, this.target.key, expiresAt), expiresAt)}\r\n`;
    }
    if (this.exchange.clientCloses || this.untilClose) text += 'Connection: close\r\n';
    this.headSent = true;
    return `${text}\r\n`;
  }

  /** A piece of the body to the client, after the head when it has not gone yet (latin1 text: one byte a character). */
  private toClient(piece: Buffer, head: string | undefined): void {
    if (head === undefined) {
      this.connection.client.write(piece);
      return;
    }
    const out = Buffer.allocUnsafe(head.length + piece.length);
    out.write(head, 0, 'latin1');
    piece.copy(out, head.length);
    this.connection.client.write(out);
  }

  private body(piece: Buffer, head?: string): void {
    if (this.untilClose) {
      this.toClient(piece, head);
      return;
    }
    if (this.chunked !== undefined) {
      let used: number;
      try {
        used = this.chunked.feed(piece);
      } catch {
        this.stop(false);
        this.connection.client.destroy();
        return;
      }
      this.toClient(used === piece.length ? piece : piece.subarray(0, used), head);
      if (this.chunked.done) this.release(used === piece.length);
      return;
    }
    const used = Math.min(this.remaining, piece.length);
    this.toClient(used === piece.length ? piece : piece.subarray(0, used), head);
    this.remaining -= used;
    if (this.remaining === 0) this.release(used === piece.length);
  }

  private refreshTimer(): void {
    this.connection.answerProgress(this.idleMs);
  }

  /** Stops listening to the upstream and counts the request as done on its target. */
  private stop(keep: boolean): void {
    if (this.finished) return;
    this.finished = true;
    this.connection.unwatchAnswer(this.late);
    this.upstream.removeListener('data', this.onData);
    this.upstream.removeListener('error', this.onEnd);
    this.upstream.removeListener('close', this.onEnd);
    this.connection.setAbort(undefined);
    if (keep && this.upstreamKeepAlive && !this.target.gone && !this.upstream.destroyed) {
      putIdle(this.target, this.upstream);
    } else {
      this.upstream.destroy();
    }
    this.group.finish(this.target, this.connection.listenerDeps.now());
  }

  /** The answer is complete (or the client left): the upstream goes back to the pool if it can. */
  private release(keep: boolean, closeClient = false): void {
    if (this.finished) return;
    const clientGone = this.connection.client.destroyed;
    this.stop(keep && !clientGone);
    if (clientGone) return;
    this.connection.finishExchange(this.exchange.clientCloses || this.untilClose || closeClient);
  }

  private fail(status: number): void {
    if (this.finished) return;
    this.stop(false);
    if (this.headSent) {
      this.connection.client.destroy();
      return;
    }
    this.connection.failBeforeResponse(status, this.exchange.clientCloses);
  }
}

