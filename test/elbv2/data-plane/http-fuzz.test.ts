/**
 * The embedded data plane's HTTP/1 handling under generated input: request heads and bodies,
 * valid and malformed (bare CR or LF, NUL, obs-fold, oversized heads, unknown methods, odd
 * Content-Length values, conflicting Content-Length and Transfer-Encoding, chunked bodies with odd
 * sizes, extensions and trailers), pipelined, and written to a real listener split at arbitrary
 * byte boundaries.
 *
 * node:http's own parser is the oracle: the same bytes go to a plain node:http server, and what it
 * makes of them is what the load balancer must do. For every case:
 *  - the data plane neither crashes nor hangs (each exchange ends within a deadline);
 *  - the target receives exactly the requests the oracle parsed, in order, each with the same
 *    method, target and body bytes, and parses each head the load balancer sent without error;
 *  - the client gets one answer per request, with the oracle's statuses;
 *  - where the oracle refuses (4xx), the client's last answer is a refusal and the load balancer
 *    then closes the connection without waiting for the client; what reached the target is a
 *    prefix of what the oracle parsed (never the refused request, never a request split
 *    differently), and each of those requests is answered, in order, before the refusal (but for
 *    those node:http itself takes after its own refusal).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Engine } from '../../../src/elbv2/data-plane/embedded/engine.js';
import { forward, freePort, lbAddress, listener, loadBalancer, rule, targetGroup } from './support.js';

interface Received {
  host: string;
  method: string;
  url: string;
  body: string;
}

/**
 * A node:http server that records each complete request (body as hex) and answers 200 "ok". With
 * `noteParseErrors`, it also records the heads it could not parse (and answers them 400 itself);
 * without, it refuses them as node:http does by default.
 */
async function recordingServer(noteParseErrors: boolean): Promise<{ server: Server; port: number; received: Received[]; parseErrors: string[] }> {
  const received: Received[] = [];
  const parseErrors: string[] = [];
  // The target takes longer heads than node:http's default: the load balancer adds its
  // X-Forwarded-* and trace id to a head the oracle took at just under the default.
  const server = createServer(noteParseErrors ? { maxHeaderSize: 64 * 1024 } : {}, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ host: request.headers.host ?? '', method: request.method ?? '', url: request.url ?? '', body: Buffer.concat(chunks).toString('hex') });
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      response.end('ok');
    });
  });
  if (noteParseErrors) {
    server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
      // Only the parser's complaints: a connection the load balancer drops is not a malformed head.
      if (error.code?.startsWith('HPE_')) parseErrors.push(`${error.code} ${error.message}`);
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, received, parseErrors };
}

interface Exchange {
  statuses: number[];
  raw: string;
  /** The server ended the connection before the client ended its side. */
  serverClosed: boolean;
}

/**
 * Writes `pieces` one by one to host:port and reads what comes back until the server closes the
 * connection. The client ends its side once `answers` status lines have come (or, without
 * `answers`, once nothing more arrives for a moment; with `endAfterWriting`, as soon as all is
 * written); with `untilClosed`, never: the server must close first. Fails when the server still holds the connection
 * `deadlineMs` later.
 */
function exchange(host: string, port: number, pieces: Buffer[], expect: { answers?: number; untilClosed?: boolean; endAfterWriting?: boolean }, deadlineMs = 5000): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, allowHalfOpen: true });
    socket.setNoDelay(true);
    let raw = '';
    let ended = false;
    let written = false;
    let serverClosed = false;
    let quiet: NodeJS.Timeout | undefined;
    // Final answers only: a 100 Continue is an interim one.
    const statuses = (): number[] => [...raw.matchAll(/HTTP\/1\.[01] ([2-5]\d\d) /g)].map((match) => Number(match[1]));
    const hang = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server still held the connection after ${deadlineMs} ms${expect.untilClosed ? ' (it must close after a refusal)' : ''}; received ${JSON.stringify(raw.slice(0, 300))}`));
    }, deadlineMs);
    const end = (): void => {
      if (ended || socket.destroyed) return;
      ended = true;
      socket.end();
    };
    const maybeEnd = (): void => {
      if (!written || expect.untilClosed) return;
      if (expect.endAfterWriting) return end();
      if (expect.answers !== undefined) {
        if (statuses().length >= expect.answers) end();
        return;
      }
      clearTimeout(quiet);
      quiet = setTimeout(end, 100);
    };
    socket.on('data', (chunk: Buffer) => {
      raw += chunk.toString('latin1');
      maybeEnd();
    });
    socket.on('end', () => {
      if (!ended) serverClosed = true;
      socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(hang);
      clearTimeout(quiet);
      resolve({ statuses: statuses(), raw, serverClosed });
    });
    socket.on('connect', async () => {
      for (const piece of pieces) {
        if (socket.destroyed) break;
        socket.write(piece);
        await new Promise((next) => setImmediate(next));
      }
      written = true;
      maybeEnd();
    });
  });
}

const seed = process.env.BERTH_FUZZ_SEED ? Number(process.env.BERTH_FUZZ_SEED) : Date.now() % 2 ** 31;
/** 200 cases; BERTH_FUZZ_SCALE multiplies them for a longer hunt. */
const scale = Math.max(1, Number(process.env.BERTH_FUZZ_SCALE ?? 1) || 1);

// ---- generators ----------------------------------------------------------------------------

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
const fieldValue = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,30}[\x21-\x7e])?$/);
const pathChars = fc.stringMatching(/^[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]{0,40}$/);

/** A header line, sometimes broken in a way a parser must refuse or must agree about. */
const headerLine = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(token, fieldValue).map(([name, value]) => `${name}: ${value}`) },
  { weight: 1, arbitrary: fc.tuple(token, fieldValue).map(([name, value]) => `${name} : ${value}`) },
  { weight: 1, arbitrary: fc.tuple(token, fieldValue, fieldValue).map(([name, value, more]) => `${name}: ${value}\r\n ${more}`) },
  { weight: 1, arbitrary: fc.tuple(token, fieldValue, fc.constantFrom('\0', '\r', '\n', '\x0b', '\x7f')).map(([name, value, bad]) => `${name}: ${value.slice(0, 3)}${bad}${value.slice(3)}`) },
  { weight: 1, arbitrary: fieldValue.map((value) => `: ${value}`) },
  { weight: 1, arbitrary: fc.integer({ min: 15_000, max: 70_000 }).map((size) => `X-Large: ${'a'.repeat(size)}`) },
  { weight: 1, arbitrary: fc.constantFrom('Expect: 100-continue', 'Expect: something', 'Upgrade: h2c', 'Connection: keep-alive, Upgrade', 'Transfer-Encoding: identity', 'Content-Length: 0') },
);

type Framing =
  | { kind: 'none' }
  | { kind: 'length'; body: Buffer; value: string }
  | { kind: 'chunked'; chunks: Buffer[]; extension: boolean; upper: boolean; trailer: string | undefined; te: string }
  | { kind: 'bad-chunk'; body: Buffer; size: string }
  | { kind: 'both'; body: Buffer; first: 'length' | 'te' }
  | { kind: 'two-lengths'; body: Buffer; other: number };

const bytes = fc.uint8Array({ maxLength: 300 }).map((array) => Buffer.from(array));

const framing: fc.Arbitrary<Framing> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'none' as const }) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(bytes, fc.constantFrom('exact', 'exact', 'exact', 'plus', 'zero-pad', 'space', 'hex', 'decimal', 'exponent', 'empty', 'negative'))
      .map(([body, style]) => {
        const n = body.length;
        const value = { exact: `${n}`, plus: `+${n}`, 'zero-pad': `0${n}`, space: `${n} `, hex: `0x${n.toString(16)}`, decimal: `${n}.0`, exponent: n === 0 ? '0e0' : `${n / 10}e1`, empty: '', negative: `-${n}` }[style] ?? `${n}`;
        return { kind: 'length' as const, body, value };
      }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      chunks: fc.array(fc.uint8Array({ minLength: 1, maxLength: 120 }).map((array) => Buffer.from(array)), { maxLength: 5 }),
      extension: fc.boolean(),
      upper: fc.boolean(),
      trailer: fc.option(fc.tuple(token, fieldValue).map(([name, value]) => `${name}: ${value}`), { nil: undefined }),
      te: fc.constantFrom('chunked', 'chunked', 'Chunked', 'gzip, chunked', 'chunked, identity', 'xchunked', ' chunked'),
    }).map((record) => ({ kind: 'chunked' as const, ...record })),
  },
  {
    weight: 2,
    // Chunk sizes a parser must refuse, or read exactly as node:http does.
    arbitrary: fc.tuple(bytes, fc.constantFrom('zz', '-1', '0x10', ' 10', '10 ', '+10', 'ffffffffffffffffff', '1;', '10\n', '')).map(([body, size]) => ({ kind: 'bad-chunk' as const, body, size })),
  },
  { weight: 2, arbitrary: fc.tuple(bytes, fc.constantFrom('length' as const, 'te' as const)).map(([body, first]) => ({ kind: 'both' as const, body, first })) },
  { weight: 1, arbitrary: fc.tuple(bytes, fc.integer({ min: 0, max: 400 })).map(([body, other]) => ({ kind: 'two-lengths' as const, body, other })) },
);

interface RequestSpec {
  method: string;
  path: string;
  version: string;
  host: 'present' | 'absent' | 'twice';
  lines: string[];
  close: boolean;
  lineEnd: '\r\n' | '\n';
  framing: Framing;
}

const requestSpec: fc.Arbitrary<RequestSpec> = fc.record({
  method: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') }, { weight: 1, arbitrary: fc.constantFrom('FOO', 'get', 'G\0T', 'GET\t') }),
  path: fc.oneof({ weight: 8, arbitrary: pathChars.map((path) => `/${path}`) }, { weight: 1, arbitrary: fc.constantFrom('/a b', '*', 'http://other.example/x', '/\x7f', '/\xe9') }),
  version: fc.oneof({ weight: 8, arbitrary: fc.constant('HTTP/1.1') }, { weight: 1, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 ', 'http/1.1', 'HTTP/1.10') }),
  host: fc.oneof({ weight: 8, arbitrary: fc.constant('present' as const) }, { weight: 1, arbitrary: fc.constantFrom('absent' as const, 'twice' as const) }),
  lines: fc.array(headerLine, { maxLength: 4 }),
  close: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  lineEnd: fc.oneof({ weight: 12, arbitrary: fc.constant('\r\n' as const) }, { weight: 1, arbitrary: fc.constant('\n' as const) }),
  framing,
});

/** The request's bytes; `host` tells this case's requests from a late one of an earlier case. */
function render(spec: RequestSpec, host: string): Buffer {
  const eol = spec.lineEnd;
  const head: string[] = [`${spec.method} ${spec.path} ${spec.version}`];
  if (spec.host !== 'absent') head.push(`Host: ${host}`);
  if (spec.host === 'twice') head.push('Host: other.localhost');
  head.push(...spec.lines);
  if (spec.close) head.push('Connection: close');
  const f = spec.framing;
  let body: Buffer = Buffer.alloc(0);
  switch (f.kind) {
    case 'none':
      break;
    case 'length':
      head.push(`Content-Length: ${f.value}`);
      body = f.body;
      break;
    case 'chunked': {
      head.push(`Transfer-Encoding: ${f.te}`);
      const parts: Buffer[] = [];
      for (const chunk of f.chunks) {
        const size = f.upper ? chunk.length.toString(16).toUpperCase() : chunk.length.toString(16);
        parts.push(Buffer.from(`${size}${f.extension ? ';name=value' : ''}\r\n`, 'latin1'), chunk, Buffer.from('\r\n'));
      }
      parts.push(Buffer.from(`0\r\n${f.trailer === undefined ? '' : `${f.trailer}\r\n`}\r\n`, 'latin1'));
      body = Buffer.concat(parts);
      break;
    }
    case 'bad-chunk':
      head.push('Transfer-Encoding: chunked');
      body = Buffer.concat([Buffer.from(`${f.size}\r\n`, 'latin1'), f.body, Buffer.from('\r\n0\r\n\r\n')]);
      break;
    case 'both': {
      const chunked = Buffer.concat([Buffer.from(`${f.body.length.toString(16)}\r\n`), f.body, Buffer.from('\r\n0\r\n\r\n')]);
      const framingLines = [`Content-Length: ${f.body.length}`, 'Transfer-Encoding: chunked'];
      head.push(...(f.first === 'length' ? framingLines : framingLines.reverse()));
      body = f.body.length === 0 ? Buffer.alloc(0) : chunked;
      break;
    }
    case 'two-lengths':
      head.push(`Content-Length: ${f.body.length}`, `Content-Length: ${f.other}`);
      body = f.body;
      break;
  }
  return Buffer.concat([Buffer.from(`${head.join(eol)}${eol}${eol}`, 'latin1'), body]);
}

/** A request as compared: the load balancer may add a Host where the client sent none (HTTP/1.0). */
const withoutHost = ({ method, url, body }: Received) => ({ method, url, body });

/** Splits `data` at the given fractions of its length. */
function split(data: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((cut) => Math.floor(cut * data.length)))].filter((i) => i > 0 && i < data.length).sort((x, y) => x - y);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const i of at) {
    pieces.push(data.subarray(from, i));
    from = i;
  }
  pieces.push(data.subarray(from));
  return pieces;
}

const scenario = fc.record({
  // Connection: close on the last request only: what follows it is not to be read at all, while
  // node:http's parser would still read (and refuse) it, and no longer be a fair oracle.
  requests: fc.array(requestSpec, { minLength: 1, maxLength: 3 }).map((list) => list.map((spec, i) => (i === list.length - 1 ? spec : { ...spec, close: false }))),
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
  /** Sometimes the client sends only this fraction of a single request and ends its side. */
  truncate: fc.option(fc.integer({ min: 1, max: 999 }).map((permille) => permille / 1000), { nil: undefined, freq: 4 }),
});

type Scenario = { requests: RequestSpec[]; cuts: number[]; truncate: number | undefined };
const request = (spec: Partial<RequestSpec> & Pick<RequestSpec, 'method' | 'lines' | 'framing'>): RequestSpec => ({ path: '/', version: 'HTTP/1.1', host: 'present', close: false, lineEnd: '\r\n', ...spec });

/** Cases larger runs found, checked on every run. */
const found: Scenario[] = [
  // An upgrade request with a chunked body node:http refuses (a chunk size past 2^64): the
  // upgrade path took the body for the new protocol's bytes and forwarded the head alone.
  {
    requests: [
      request({ method: 'OPTIONS', lines: ['Connection: keep-alive, Upgrade', 'Upgrade: h2c'], framing: { kind: 'bad-chunk', body: Buffer.from([24, 238, 104, 225, 198, 44, 53]), size: 'ffffffffffffffffff' } }),
      request({ method: 'GET', lines: [], close: true, framing: { kind: 'none' } }),
    ],
    cuts: [],
    truncate: undefined,
  },
  // The same with a well-framed body: it reaches the target whole.
  {
    requests: [request({ method: 'POST', lines: ['Connection: Upgrade', 'Upgrade: h2c'], framing: { kind: 'length', body: Buffer.from('hello'), value: '5' } }), request({ method: 'GET', lines: [], framing: { kind: 'none' } })],
    cuts: [],
    truncate: undefined,
  },
  // A malformed body pipelined behind a request still at the target and one node:http answers
  // 417 itself: the refusal came first, as the answer to the request the target served.
  {
    requests: [
      request({
        method: 'PUT',
        path: "/I'_",
        lines: ['$\'5!: \\'],
        framing: { kind: 'chunked', chunks: [Buffer.from([215, 246, 78, 189, 96, 201, 130, 183]), Buffer.from([162]), Buffer.from([73, 220, 141, 151, 129, 147, 42, 24]), Buffer.from([32, 202, 201, 204, 215])], extension: false, upper: true, trailer: '&h$: E', te: 'gzip, chunked' },
      }),
      request({ method: 'GET', path: "/%'?_&~_", lines: ['`!: 2', '_```: bHo0', 'Expect: something'], framing: { kind: 'bad-chunk', body: Buffer.from([143, 90, 34, 111, 2, 134, 219, 240, 155, 101]), size: 'ffffffffffffffffff' } }),
      request({ method: 'DELETE', path: '/(.H:&,(*$', host: 'twice', lines: [], framing: { kind: 'none' } }),
    ],
    cuts: [2.0148283234959793e-158, 5.92008086551274e-50, 3.4884303776121253e-269, 0.0000018991012570875493],
    truncate: undefined,
  },
];

describe('embedded data plane HTTP/1 handling under generated input, against node:http as the oracle', () => {
  let engine: Engine;
  let target: Awaited<ReturnType<typeof recordingServer>>;
  let oracle: Awaited<ReturnType<typeof recordingServer>>;
  let address = '';
  let port = 0;

  before(async () => {
    target = await recordingServer(true);
    oracle = await recordingServer(false);
    engine = new Engine({ tickMs: 0 });
    address = lbAddress();
    port = await freePort();
    const group = targetGroup([{ id: '127.0.0.1', address: '127.0.0.1', port: target.port, state: 'registered', registeredAt: Date.now() }], {
      healthCheck: { enabled: false, protocol: 'HTTP', port: 'traffic-port', path: '/', matcher: '200', intervalSeconds: 30, timeoutSeconds: 5, healthyThreshold: 5, unhealthyThreshold: 2 },
    });
    const result = await engine.apply({ loadBalancers: [loadBalancer(address, [listener(port, [rule('default', [], forward(group))])])], targetGroups: [group] });
    assert.deepEqual(result.listenerErrors, []);
  });

  after(async () => {
    await engine.close();
    for (const { server } of [target, oracle]) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  let cases = 0;
  async function check({ requests, cuts, truncate }: Scenario): Promise<void> {
    const host = `case-${++cases}.localhost`;
    const whole = Buffer.concat(requests.map((spec) => render(spec, host)));
    target.received.length = 0;
    target.parseErrors.length = 0;
    oracle.received.length = 0;
    oracle.parseErrors.length = 0;
    if (truncate !== undefined && requests.length === 1) return checkCutShort(whole.subarray(0, Math.floor(truncate * whole.length)), cuts, host);
    const data = whole;
    const expected = await exchange('127.0.0.1', oracle.port, [data], {});
    // A message the parser refuses; 417 (an Expect node:http does not meet) answers a well-framed
    // request, and the connection goes on.
    const refused = (status: number) => status >= 400 && status < 500 && status !== 417;
    // node:http writes no 400 while an answer of its own is on its way: a malformed request read
    // with one it has just answered 417 shows only in the close, before every request is answered.
    const refusedSilently = expected.serverClosed && expected.statuses.at(-1) === 417 && expected.statuses.length < requests.length;
    const refuses = expected.statuses.some(refused) || refusedSilently;
    // After a refusal the load balancer must close on its own; otherwise the client ends its side once answered.
    const got = await exchange(address, port, split(data, cuts), refuses ? { untilClosed: true } : { answers: expected.statuses.length });
    const shown = JSON.stringify(data.toString('latin1').slice(0, 600));
    // A request of an earlier case still on its way when that case ended is not this case's
    // (one sent without Host, which node:http takes in versions other than HTTP/1.1, cannot tell).
    const received = target.received.filter((request) => request.host === host || !/^case-\d+\.localhost$/.test(request.host)).map(withoutHost);
    const parsed = oracle.received.map(withoutHost);
    // A request in flight when a later one is refused is cut: the target sees its connection end mid-message.
    const parseErrors = target.parseErrors.filter((error) => !(refuses && error.startsWith('HPE_INVALID_EOF_STATE')));
    assert.deepEqual(parseErrors, [], `the target could not parse what the load balancer sent for ${shown}`);
    const answers = `answers to ${shown}: ${JSON.stringify(got.raw.slice(0, 300))}`;
    if (!refuses) {
      assert.deepEqual(received, parsed, `the target got other requests than node:http parses out of ${shown}`);
      assert.deepEqual(got.statuses, expected.statuses, answers);
      return;
    }
    // A refusal ends the connection: what reached the target is what node:http parsed, in order,
    // and nothing from the refused request on; and each request the target got has its answer
    // before the refusal (node:http, answering itself, may write its 400 ahead of an earlier
    // answer still on its way: the client would take the 400 for that request's answer). Only
    // as many may go unanswered as node:http takes after answering 400 itself (to a request
    // without Host, it still reads and serves those pipelined behind it).
    assert.deepEqual(received, parsed.slice(0, received.length), `the target got other requests than node:http parses out of ${shown}`);
    const last = got.statuses.at(-1) ?? 0;
    // node:http writes its 400 only when no answer of its own is still on its way: a malformed
    // request read in the same chunk as one node:http has just answered itself (417) gets the
    // close alone, whether node:http reads it directly or behind the load balancer.
    // Nor is a request behind one that ends the connection (HTTP/1.0, Connection: close) read at
    // all: node:http writes its 400 ahead of that answer, the load balancer answers in order and stops.
    const heads = [...got.raw.matchAll(/HTTP\/1\.[01] [2-5]\d\d /g)];
    const lastHead = got.raw.slice(heads.at(-1)?.index ?? 0).split('\r\n\r\n')[0] ?? '';
    const endedByRequest = !refused(last) && /\r\nconnection: close(?:\r\n|$)/i.test(lastHead);
    assert.ok(refused(last) || last === 417 || endedByRequest, `the refusal is the last answer: ${answers}`);
    const before = refused(last) ? got.statuses.slice(0, -1) : got.statuses;
    assert.ok(before.every((status) => status === 200 || status === 417), answers);
    const unanswered = received.length - before.filter((status) => status === 200).length;
    const servedAfterRefusal = parsed.length - expected.statuses.filter((status) => status === 200).length;
    assert.ok(unanswered <= Math.max(0, servedAfterRefusal), `each request the target got is answered before the refusal: ${answers}`);
  }

  /**
   * A request cut short by the client's end: node:http answers what is complete, and 400 to a
   * message it has begun (nothing to empty lines); so must the load balancer, then close.
   */
  async function checkCutShort(data: Buffer, cuts: number[], host: string): Promise<void> {
    const expected = await exchange('127.0.0.1', oracle.port, [data], { endAfterWriting: true });
    const got = await exchange(address, port, split(data, cuts), { endAfterWriting: true });
    const shown = JSON.stringify(data.toString('latin1').slice(0, 600));
    const received = target.received.filter((request) => request.host === host || !/^case-\d+\.localhost$/.test(request.host)).map(withoutHost);
    assert.deepEqual(received, oracle.received.map(withoutHost), `the target got other requests than node:http parses out of ${shown}, cut short`);
    assert.deepEqual(got.statuses, expected.statuses, `answers to ${shown}, cut short: ${JSON.stringify(got.raw.slice(0, 300))}`);
  }

  it('forwards exactly what node:http parses, refuses what it refuses, and closes after a refusal', async (t) => {
    t.diagnostic(`seed ${seed} (replay with BERTH_FUZZ_SEED=${seed})`);
    await fc.assert(fc.asyncProperty(scenario, check), { seed, numRuns: 200 * scale, endOnFailure: true, examples: found.map((example) => [example]) });
  });
});
