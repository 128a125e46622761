import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLogLine } from '../../../src/cli/pretty-log.js';

const at = new Date(2026, 11, 4, 18, 2, 11, 42).getTime();

describe('the readable log line', () => {
  it('is the time, the level, the message and the event’s own fields, without pino’s process fields', () => {
    const line = formatLogLine(JSON.stringify({ level: 40, time: at, pid: 7, hostname: 'h', msg: 'pull failed', image: 'web:1', attempt: 2 }), { colour: false });
    assert.equal(line, '18:02:11.042 WARN  pull failed  image=web:1 attempt=2\n');
  });

  it('quotes values with spaces, writes objects as JSON, and names the error', () => {
    const line = formatLogLine(JSON.stringify({ level: 30, time: at, msg: 'request', url: '/a b', body: { a: 1 }, err: { message: 'boom', stack: 'Error: boom\n  at x' } }), {
      colour: false,
    });
    assert.equal(line, '18:02:11.042 INFO  request  url="/a b" body={"a":1} error=boom\n');
  });

  it('follows an error with its stack at error level, and colours the level only when asked', () => {
    const record = JSON.stringify({ level: 50, time: at, msg: 'failed', err: { message: 'boom', stack: 'Error: boom\n    at x (y.js:1:1)' } });
    assert.equal(formatLogLine(record, { colour: false }), '18:02:11.042 ERROR failed  error=boom\n    Error: boom\n        at x (y.js:1:1)\n');
    assert.match(formatLogLine(record, { colour: true }), /\u001b\[31mERROR\u001b\[0m/);
  });

  it('shows control characters from callers escaped, so a log line cannot drive the terminal', () => {
    const record = JSON.stringify({ level: 40, time: at, msg: 'pull of \u001b[2Jweb failed', image: 'web\u001b]0;x\u0007', err: { message: 'no\u001bpe', stack: 'Error: \u001b[31m' } });
    const line = formatLogLine(record, { colour: false });
    assert.doesNotMatch(line, /\u001b|\u0007/, 'no raw escape or bell reaches the terminal');
    assert.equal(line, '18:02:11.042 WARN  pull of \\u001b[2Jweb failed  image="web\\u001b]0;x\\u0007" error="no\\u001bpe"\n');
  });

  it('passes a line that is not JSON through', () => {
    assert.equal(formatLogLine('not json', { colour: false }), 'not json\n');
  });
});
