import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkedEnd, parseHead, responseHeadEnd } from '../../../src/elbv2/data-plane/embedded/http1-framing.js';

describe('HTTP/1.1 framing for the raw forwarding path', () => {
  it('parses a head into its start line, headers in order, joined values and set-cookies apart', () => {
    const head = parseHead('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\nX-Multi: one\r\nset-cookie: b=2\r\nx-multi: two');
    assert.ok(head !== undefined);
    assert.equal(head.startLine, 'HTTP/1.1 200 OK');
    assert.equal(head.headers['content-length'], '5');
    assert.equal(head.headers['x-multi'], 'one, two');
    assert.deepEqual(head.setCookies, ['a=1', 'b=2']);
    assert.equal(head.lines.length, 5);
  });

  it('refuses obsolete line folding and lines without a name', () => {
    assert.equal(parseHead('GET / HTTP/1.1\r\nA: 1\r\n  folded'), undefined);
    assert.equal(parseHead('GET / HTTP/1.1\r\n: empty'), undefined);
    // Heads the two ends of the proxy could read differently are never relayed (request smuggling):
    // a bare LF hiding a second header, a bare CR, a space before the colon, a control character
    // in the request target.
    assert.equal(parseHead('GET / HTTP/1.1\r\nX: a\nContent-Length: 10'), undefined);
    assert.equal(parseHead('GET / HTTP/1.1\r\nX: a\rContent-Length: 10'), undefined);
    assert.equal(parseHead('GET / HTTP/1.1\r\nContent-Length : 10'), undefined);
    assert.equal(parseHead('GET /\nX HTTP/1.1\r\nHost: a'), undefined);
    assert.equal(parseHead('GET / HTTP/1.1\r\nX: a\u0000b'), undefined);
    // A tab inside a value is allowed.
    assert.equal(parseHead('GET / HTTP/1.1\r\nX: a\tb')?.headers.x, 'a\tb');
  });

  it('finds the end of a response head whose lines end in CRLF, in LF alone, or in a mix', () => {
    const cases: [string, string][] = [
      ['HTTP/1.1 200 OK\r\nA: 1\r\n\r\n', 'HTTP/1.1 200 OK\r\nA: 1'],
      ['HTTP/1.1 200 OK\nA: 1\n\n', 'HTTP/1.1 200 OK\nA: 1'],
      ['HTTP/1.1 200 OK\r\nA: 1\n\n', 'HTTP/1.1 200 OK\r\nA: 1'],
      ['HTTP/1.1 200 OK\r\nA: 1\n\r\n', 'HTTP/1.1 200 OK\r\nA: 1'],
    ];
    for (const [head, text] of cases) {
      const bytes = Buffer.from(`${head}body\r\n\r\nmore`, 'latin1');
      const end = responseHeadEnd(bytes);
      assert.deepEqual(end, { headLength: text.length, bodyStart: head.length }, JSON.stringify(head));
      const parsed = parseHead(bytes.toString('latin1', 0, end.headLength), true);
      assert.equal(parsed?.startLine, 'HTTP/1.1 200 OK');
      assert.deepEqual(parsed?.lines, [['A', '1']]);
      // Until the blank line has arrived whole, the head has no end.
      for (let cut = 1; cut < head.length; cut++) assert.equal(responseHeadEnd(bytes.subarray(0, cut)), undefined, `${JSON.stringify(head)} cut at ${cut}`);
    }
  });

  it('finds the end of a chunked body split anywhere, trailers included', () => {
    const body = Buffer.from('5;ext=1\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer: x\r\n\r\nNEXT');
    const bodyEnd = body.length - 'NEXT'.length;
    for (let split = 1; split < bodyEnd; split++) {
      const end = new ChunkedEnd();
      const first = end.feed(body.subarray(0, split));
      assert.equal(end.done, false, `not done after ${split} bytes`);
      const second = end.feed(body.subarray(split));
      assert.equal(end.done, true);
      assert.equal(first + second, bodyEnd);
    }
  });

  it('throws on a malformed chunk size', () => {
    assert.throws(() => new ChunkedEnd().feed(Buffer.from('zz\r\n')));
  });
});
