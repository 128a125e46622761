import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { awslogsStreamName, parseAwslogsOptions, parseBufferSize } from '../../../src/agent-channel-protocol/awslogs.js';
import { chronological, maxBatchBytes, nextBatchSize, type QueuedEvent } from '../../../src/agent/awslogs/batches.js';
import { epochMillis, OutputDecoder, sinceOf, splitAtBytes } from '../../../src/agent/awslogs/output-lines.js';

/** One frame of Docker's multiplexed stream. */
function frame(stream: 1 | 2, payload: string): Buffer {
  const body = Buffer.from(payload);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

describe('awslogs options', () => {
  const base = { 'awslogs-group': '/ecs/web', 'awslogs-region': 'us-east-1' };
  it('reads the honoured options with ECS\'s defaults', () => {
    assert.deepEqual(parseAwslogsOptions(base), { group: '/ecs/web', region: 'us-east-1', createGroup: false, mode: 'blocking', maxBufferBytes: 1024 * 1024 });
    assert.deepEqual(parseAwslogsOptions({ ...base, 'awslogs-stream-prefix': 'web', 'awslogs-create-group': 'true', mode: 'non-blocking', 'max-buffer-size': '4m' }), {
      group: '/ecs/web',
      region: 'us-east-1',
      streamPrefix: 'web',
      createGroup: true,
      mode: 'non-blocking',
      maxBufferBytes: 4 * 1024 * 1024,
    });
  });
  const problems: [string, Record<string, string>, RegExp, boolean][] = [
    ['no group', { 'awslogs-region': 'us-east-1' }, /must specify a value for log opt 'awslogs-group'/, false],
    ['no region', { 'awslogs-group': 'g' }, /awslogs-region/, false],
    ['unknown option', { ...base, 'awslogs-colour': 'x' }, /unknown log opt 'awslogs-colour' for awslogs log driver/, false],
    ['endpoint', { ...base, 'awslogs-endpoint': 'http://127.0.0.1:1' }, /not supported yet/, true],
    ['format', { ...base, 'awslogs-format': 'json/emf' }, /not supported yet/, true],
    ['create-group not a boolean', { ...base, 'awslogs-create-group': 'yes' }, /true or false/, false],
    ['bad mode', { ...base, mode: 'sometimes' }, /blocking or non-blocking/, false],
    ['buffer size in blocking mode', { ...base, 'max-buffer-size': '1m' }, /only with mode non-blocking/, false],
    ['bad buffer size', { ...base, mode: 'non-blocking', 'max-buffer-size': 'lots' }, /not a size/, false],
    ['bad group name', { ...base, 'awslogs-group': 'a group' }, /not a valid log group name/, false],
  ];
  for (const [title, options, message, notYet] of problems) {
    it(`refuses: ${title}`, () => {
      const parsed = parseAwslogsOptions(options);
      assert.ok('problem' in parsed, 'a problem');
      assert.match(parsed.problem, message);
      assert.equal(parsed.notYet === true, notYet);
    });
  }
  it('sizes as Docker reads them', () => {
    assert.equal(parseBufferSize('512k'), 512 * 1024);
    assert.equal(parseBufferSize('1MiB'), 1024 * 1024);
    assert.equal(parseBufferSize('2048'), 2048);
    assert.equal(parseBufferSize('0'), undefined);
  });
  it('names streams as ECS does', () => {
    const task = 'arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef';
    assert.equal(awslogsStreamName({ streamPrefix: 'web' }, 'app', task, 'c0ffee'), 'web/app/0123456789abcdef');
    assert.equal(awslogsStreamName({}, 'app', task, 'c0ffee'), 'c0ffee');
  });
});

describe('Docker output to lines', () => {
  it('demultiplexes frames split anywhere, keeping each line\'s stream and timestamp', () => {
    const bytes = Buffer.concat([frame(1, '2026-12-05T00:00:00.000000001Z one\n'), frame(2, '2026-12-05T00:00:00.000000002Z two\n'), frame(1, '2026-12-05T00:00:01.5Z three')]);
    const decoder = new OutputDecoder(true);
    const lines = [...decoder.push(bytes.subarray(0, 5)), ...decoder.push(bytes.subarray(5, 50)), ...decoder.push(bytes.subarray(50)), ...decoder.end()];
    assert.deepEqual(lines, [
      { timestamp: '2026-12-05T00:00:00.000000001Z', stream: 'stdout', text: 'one' },
      { timestamp: '2026-12-05T00:00:00.000000002Z', stream: 'stderr', text: 'two' },
      { timestamp: '2026-12-05T00:00:01.5Z', stream: 'stdout', text: 'three' },
    ]);
  });
  it('joins Docker\'s partial messages under the first part\'s timestamp', () => {
    const decoder = new OutputDecoder(true);
    const lines = decoder.push(Buffer.concat([frame(1, '2026-12-05T00:00:00.1Z aaa'), frame(2, '2026-12-05T00:00:00.2Z err\n'), frame(1, '2026-12-05T00:00:00.3Z bbb\n')]));
    assert.deepEqual(lines, [
      { timestamp: '2026-12-05T00:00:00.2Z', stream: 'stderr', text: 'err' },
      { timestamp: '2026-12-05T00:00:00.1Z', stream: 'stdout', text: 'aaabbb' },
    ]);
  });
  it('reads a TTY\'s unframed stream', () => {
    const decoder = new OutputDecoder(false);
    assert.deepEqual([...decoder.push(Buffer.from('2026-12-05T00:00:00Z a\n2026-12-05T00:00:01Z b')), ...decoder.end()].map((line) => line.text), ['a', 'b']);
  });
  it('converts timestamps to milliseconds and to Docker\'s since', () => {
    assert.equal(epochMillis('2026-12-05T00:00:00.123456789Z'), Date.UTC(2026, 11, 5) + 123);
    assert.equal(epochMillis('2026-12-05T00:00:00Z'), Date.UTC(2026, 11, 5));
    assert.equal(sinceOf('2026-12-05T00:00:00.123456789Z'), `${Date.UTC(2026, 11, 5) / 1000}.123456789`);
    assert.equal(sinceOf('2026-12-05T00:00:00.5Z'), `${Date.UTC(2026, 11, 5) / 1000}.500000000`);
  });
  it('splits over-long lines at the event size, never inside a character', () => {
    assert.deepEqual(splitAtBytes('abcdef', 4), ['abcd', 'ef']);
    const pieces = splitAtBytes('aé€x', 3);
    assert.deepEqual(pieces, ['aé', '€', 'x']);
    assert.equal(splitAtBytes('x'.repeat(600_000)).length, 3);
  });
});

describe('PutLogEvents batches', () => {
  const event = (timestamp: number, bytes = 10): QueuedEvent => ({ timestamp, message: 'x'.repeat(bytes), bytes });
  it('takes at most 10,000 events', () => {
    assert.equal(nextBatchSize(Array.from({ length: 12_000 }, (_, i) => event(i))), 10_000);
  });
  it('takes at most 1 MiB counting 26 bytes each', () => {
    const big = Array.from({ length: 5 }, (_, i) => event(i, 262_118));
    assert.equal(nextBatchSize(big), 4);
    assert.ok(4 * (262_118 + 26) <= maxBatchBytes);
  });
  it('spans at most 24 hours', () => {
    assert.equal(nextBatchSize([event(0), event(3600_000), event(24 * 3600_000 + 1)]), 2);
  });
  it('orders a batch by time, stable for equal times', () => {
    const ordered = chronological([{ timestamp: 2, id: 'a' }, { timestamp: 1, id: 'b' }, { timestamp: 2, id: 'c' }]);
    assert.deepEqual(ordered.map((item) => item.id), ['b', 'a', 'c']);
  });
});
