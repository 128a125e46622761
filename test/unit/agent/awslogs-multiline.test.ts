/**
 * Multi-line awslogs events as Docker's awslogs driver assembles them: the options, the strftime
 * conversion, the pure assembler (table-tested, time given), and the shipper's checkpoint moving
 * only past whole events so that a restart neither loses nor repeats a line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { ManualClock } from '../../../src/core/clock.js';
import { parseAwslogsOptions, type AwslogsSettings } from '../../../src/agent-channel-protocol/awslogs.js';
import { datetimeFormatPattern } from '../../../src/agent-channel-protocol/strftime.js';
import { CheckpointStore, type Checkpoint } from '../../../src/agent/awslogs/checkpoint.js';
import { MultilineAssembler } from '../../../src/agent/awslogs/multiline.js';
import { epochMillis, maxEventBytes, sinceOf } from '../../../src/agent/awslogs/output-lines.js';
import { ContainerShipper, type Ticker } from '../../../src/agent/awslogs/shipper.js';
import type { LogsWriter } from '../../../src/agent/awslogs/writer.js';
import type { ContainerRuntime } from '../../../src/agent/runtime/types.js';

const base = { 'awslogs-group': '/ecs/web', 'awslogs-region': 'us-east-1' };

describe('awslogs multi-line options', () => {
  it('reads awslogs-multiline-pattern as given, and awslogs-datetime-format through Docker\'s table', () => {
    const pattern = parseAwslogsOptions({ ...base, 'awslogs-multiline-pattern': '^INFO' });
    assert.equal('multilinePattern' in pattern && pattern.multilinePattern, '^INFO');
    const format = parseAwslogsOptions({ ...base, 'awslogs-datetime-format': '%Y-%m-%d' });
    assert.equal('multilinePattern' in format && format.multilinePattern, '\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[1,2][0-9]|3[0,1])');
    assert.equal('multilinePattern' in parseAwslogsOptions(base), false, 'no pattern: one line, one event');
  });

  const problems: [string, Record<string, string>, RegExp][] = [
    ['both options, as Docker refuses them', { 'awslogs-multiline-pattern': '^INFO', 'awslogs-datetime-format': '%Y' }, /you cannot configure log opt 'awslogs-datetime-format' and 'awslogs-multiline-pattern' at the same time/],
    ['a pattern that does not compile', { 'awslogs-multiline-pattern': '(' }, /awslogs could not parse multiline pattern key "\("/],
    ['a lookahead, which Go\'s regexp (Docker\'s) has not either', { 'awslogs-multiline-pattern': '^INFO(?=:)' }, /awslogs could not parse multiline pattern key "\^INFO\(\?=:\)": the lookahead \(\?= is not supported/],
    ['a strftime sequence not in Docker\'s table', { 'awslogs-datetime-format': '%Y %Q' }, /has %Q, which is not in Docker's strftime table/],
  ];
  for (const [title, options, message] of problems) {
    it(`refuses ${title}, at container start (not a Berth limit)`, () => {
      const parsed = parseAwslogsOptions({ ...base, ...options });
      assert.ok('problem' in parsed, 'a problem');
      assert.match(parsed.problem, message);
      assert.equal(parsed.notYet, undefined);
    });
  }
});

describe('strftime → regular expression (Docker\'s conversion table)', () => {
  const cases: [string, string, boolean][] = [
    ['%Y-%m-%d %H:%M:%S', '2026-12-05 00:59:59 started', true],
    ['%Y-%m-%d %H:%M:%S', '    at Foo.bar (foo.js:1)', false],
    ['%H.%M', '12x30', true], // Docker does not escape the rest: '.' is any character
    ['%a %b %d', 'Sat Dec 05 x', true],
    ['%H:%M:%S%L', '12:00:00.123', true],
    ['%H:%M:%S%L', '12:00:00', false],
    ['%I:%M %p', '09:30 PM', true],
    ['%z', '+0100', true],
    ['%j', '366', true],
    ['%j', '367', false],
  ];
  for (const [format, line, matches] of cases) {
    it(`${format} ${matches ? 'matches' : 'does not match'} '${line}'`, () => {
      const source = datetimeFormatPattern(format);
      assert.equal(typeof source, 'string');
      assert.equal(new RegExp(source as string).test(line), matches);
    });
  }
});

describe('multi-line assembly', () => {
  type Step = [at: number, text: string] | ['due', number] | ['end'];
  const table: [string, Step[], string[]][] = [
    ['a matching line starts an event; the others join it, each followed by "\\n"', [[0, 'INFO a'], [1, '  at x'], [2, '  at y'], [3, 'INFO b'], ['end']], ['0:INFO a\n  at x\n  at y\n', '3:INFO b\n']],
    ['lines before the first match make an event of their own', [[0, 'stray'], [1, 'INFO a'], ['end']], ['0:stray\n', '1:INFO a\n']],
    ['empty lines belong to the event', [[0, 'INFO a'], [1, ''], [2, 'INFO b'], ['end']], ['0:INFO a\n\n', '2:INFO b\n']],
    ['the pending event is flushed 5 s after its first line, not before', [[0, 'INFO a'], [1, 'more'], ['due', 4_999], ['due', 5_000], [6_000, 'late'], ['end']], ['0:INFO a\nmore\n', '6000:late\n']],
    ['a pending event dated in the future is flushed at once', [[10_000, 'INFO a'], ['due', 0]], ['10000:INFO a\n']],
    ['nothing pending: nothing flushed', [['due', 100_000], ['end']], []],
  ];
  for (const [title, steps, expected] of table) {
    it(title, () => {
      const assembler = new MultilineAssembler<number>(/^INFO/);
      const events: string[] = [];
      const out = (event: { timestamp: number; message: string } | undefined) => event && events.push(`${event.timestamp}:${event.message}`);
      steps.forEach((step, index) => {
        if (step[0] === 'due') out(assembler.due(step[1]));
        else if (step[0] === 'end') out(assembler.end());
        else assembler.push(step[0], step[1], index).forEach(out);
      });
      assert.deepEqual(events, expected);
    });
  }

  it('an event carries the position of its last line', () => {
    const assembler = new MultilineAssembler<string>(/^INFO/);
    assert.deepEqual(assembler.push(0, 'INFO a', 'p1'), []);
    assert.deepEqual(assembler.push(0, 'x', 'p2'), []);
    assert.deepEqual(assembler.push(1, 'INFO b', 'p3'), [{ timestamp: 0, message: 'INFO a\nx\n', position: 'p2' }]);
    assert.equal(assembler.due(5_000), undefined, 'the pending event began at 1');
    assert.deepEqual(assembler.due(5_001), { timestamp: 1, message: 'INFO b\n', position: 'p3' });
  });

  it('an event is given out before a line would pass the event size', () => {
    const assembler = new MultilineAssembler<number>(/^INFO/, 5_000, 10);
    assert.deepEqual(assembler.push(0, 'INFO', 1), []);
    assert.deepEqual(assembler.push(0, '123456', 2).map((event) => event.message), ['INFO\n']);
    assert.equal(assembler.end()?.message, '123456\n');
  });
});

/** One line of stdout as Docker's multiplexed stream frames it, with its timestamp. */
function frame(timestamp: string, text: string): Buffer {
  const body = Buffer.from(`${timestamp} ${text}\n`);
  const header = Buffer.alloc(8);
  header[0] = 1;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** Docker's output from `since` on: the stand-in runtime gives the lines at or after it, as Docker's logs API does. */
function outputFrom(lines: readonly [string, string][], since: string | undefined) {
  const stream = new PassThrough();
  for (const [timestamp, text] of lines) {
    // Fixed-width 'seconds.nanoseconds': compared as text, as a float would lose the nanoseconds.
    if (since !== undefined && sinceOf(timestamp) < since) continue;
    stream.write(frame(timestamp, text));
  }
  stream.end();
  return { stream, multiplexed: true };
}

/** A writer that keeps the messages PutLogEvents is given in `sent`. */
const recordingWriter = (sent: string[]): LogsWriter => ({
  createGroup: async () => undefined,
  createStream: async () => undefined,
  put: async (_group, _stream, events) => void sent.push(...events.map((event) => event.message)),
  lastEvent: async () => undefined,
  destroy: () => undefined,
});

async function ship(lines: readonly [string, string][], checkpoints: CheckpointStore, settings: AwslogsSettings) {
  const sent: string[] = [];
  const writer = recordingWriter(sent);
  const runtime = { output: async (_id: string, since?: string) => outputFrom(lines, since), inspect: async () => ({ state: 'exited' }) } as unknown as ContainerRuntime;
  const shipper = new ContainerShipper({ runtime, containerId: 'c1', settings, stream: 's', writer: () => writer, checkpoints, log: pino({ level: 'silent' }) });
  assert.equal(await shipper.run(), true);
  return sent;
}

describe('awslogs shipper with a multi-line pattern', () => {
  const settings: AwslogsSettings = { group: 'g', region: 'us-east-1', createGroup: false, mode: 'blocking', maxBufferBytes: 1024 * 1024, multilinePattern: '^INFO' };
  const t = (n: number) => `2026-12-05T00:00:00.${String(n).padStart(9, '0')}Z`;
  // Two lines share a timestamp, as Docker may give them.
  const lines: [string, string][] = [[t(1), 'INFO a'], [t(2), '  at x'], [t(2), '  at y'], [t(3), 'INFO b'], [t(4), '  at z'], [t(5), 'INFO c']];

  it('ships whole events, and checkpoints at the last line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-multiline-'));
    try {
      const checkpoints = new CheckpointStore(dir);
      assert.deepEqual(await ship(lines, checkpoints, settings), ['INFO a\n  at x\n  at y\n', 'INFO b\n  at z\n', 'INFO c\n']);
      assert.deepEqual(await checkpoints.read('c1'), { timestamp: t(5), count: 1, finished: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('resumes after the last whole event taken: nothing lost, nothing repeated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-multiline-'));
    try {
      const checkpoints = new CheckpointStore(dir);
      // The first event was taken: its last line is the second of those at t(2).
      const taken: Checkpoint = { timestamp: t(2), count: 2 };
      await checkpoints.write('c1', taken);
      assert.deepEqual(await ship(lines, checkpoints, settings), ['INFO b\n  at z\n', 'INFO c\n']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the multi-line flush on the agent's clock", () => {
  it('a pending event goes out once the clock says it is 5 s old: not at 4,999 ms, and without waiting 5 s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-multiline-'));
    const stream = new PassThrough();
    const sent: string[] = [];
    const first = '2026-12-05T00:00:00.000000001Z';
    const manual = new ManualClock(new Date(epochMillis(first)));
    // The test is the flush timer: it ticks by hand, and each tick says whether it flushed.
    let tick: (() => boolean) | undefined;
    const ticker: Ticker = (given) => ((tick = given), () => (tick = undefined));
    let putDone: () => void = () => undefined;
    const put = new Promise<void>((resolve) => (putDone = resolve));
    const writer: LogsWriter = { ...recordingWriter(sent), put: async (_group, _stream, events) => (sent.push(...events.map((event) => event.message)), putDone()) };
    const runtime = { output: async () => ({ stream, multiplexed: true }), inspect: async () => ({ state: 'exited' }) } as unknown as ContainerRuntime;
    const settings: AwslogsSettings = { group: 'g', region: 'us-east-1', createGroup: false, mode: 'blocking', maxBufferBytes: 1024 * 1024, multilinePattern: '^INFO' };
    const shipper = new ContainerShipper({ runtime, containerId: 'c1', settings, stream: 's', writer: () => writer, checkpoints: new CheckpointStore(dir), log: pino({ level: 'silent' }), clock: manual, multilineTicker: ticker });
    try {
      const running = shipper.run();
      stream.write(frame(first, 'INFO boom'));
      stream.write(frame('2026-12-05T00:00:00.500000000Z', '  at x'));
      // Until the shipper has started its ticker and read both lines (turns of the event loop, no timer).
      for (let turn = 0; (tick === undefined || stream.readableLength > 0) && turn < 10_000; turn++) await new Promise((resolve) => setImmediate(resolve));
      assert.ok(tick, 'a multi-line shipper runs a ticker');
      assert.equal(stream.readableLength, 0, 'the shipper read both lines');
      assert.equal(tick(), false, 'no following line and no time passed: the event waits');
      manual.advance(4_999);
      assert.equal(tick(), false, 'not before 5 s');
      manual.advance(1);
      assert.equal(tick(), true, 'at 5 s');
      await put;
      assert.deepEqual(sent, ['INFO boom\n  at x\n']);
      stream.end();
      assert.equal(await running, true);
      assert.deepEqual(sent, ['INFO boom\n  at x\n'], 'flushed once');
    } finally {
      shipper.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a multi-line event larger than the event size, across a kill between its pieces', () => {
  const settings: AwslogsSettings = { group: 'g', region: 'us-east-1', createGroup: false, mode: 'blocking', maxBufferBytes: 8 * 1024 * 1024, multilinePattern: '^INFO' };
  const t = (n: number) => `2026-12-05T00:00:00.${String(n).padStart(9, '0')}Z`;
  // About 1.5 MB: six pieces at the event size, more than one PutLogEvents batch (four pieces fill 1 MiB).
  const huge = `INFO ${'x'.repeat(1_500_000)}`;
  const scenarios: [string, [string, string][]][] = [
    ['after a whole event', [[t(1), 'INFO a'], [t(2), huge], [t(3), 'INFO c']]],
    ['as the very first event', [[t(2), huge], [t(3), 'INFO c']]],
  ];
  for (const [title, lines] of scenarios) {
    it(`${title}: a new agent sends each piece once, none lost`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'berth-multiline-'));
      try {
        /** What CloudWatch holds, in the order taken. */
        const stored: { timestamp: number; message: string }[] = [];
        let puts = 0;
        let killedAtPut: () => void = () => undefined;
        const killedPut = new Promise<void>((resolve) => (killedAtPut = resolve));
        const writerFor = (killAtPut: number): LogsWriter => ({
          createGroup: async () => undefined,
          createStream: async () => undefined,
          // The agent dies during the call: no answer ever comes, and nothing of the batch arrives.
          put: (_group, _stream, events) => (++puts === killAtPut ? (killedAtPut(), new Promise<void>(() => undefined)) : Promise.resolve(void stored.push(...events))),
          lastEvent: async () => stored.at(-1),
          destroy: () => undefined,
        });
        const runtime = { output: async (_id: string, since?: string) => outputFrom(lines, since), inspect: async () => ({ state: 'exited' }) } as unknown as ContainerRuntime;
        const checkpoints = new CheckpointStore(dir);
        const options = { runtime, containerId: 'c1', settings, stream: 's', checkpoints, log: pino({ level: 'silent' }) };
        const killed = new ContainerShipper({ ...options, writer: () => writerFor(2) });
        void killed.run();
        await killedPut; // the second batch is sent, and never answered
        killed.stop();
        const taken = stored.filter((event) => event.message !== 'INFO a\n').map((event) => event.message).join('');
        assert.ok(taken.length > 0 && taken.length < huge.length && huge.startsWith(taken), `killed between the pieces of the large event (${taken.length} bytes of it taken)`);
        assert.equal((await checkpoints.read('c1'))?.pieces, stored.filter((event) => event.message !== 'INFO a\n').length);

        assert.equal(await new ContainerShipper({ ...options, writer: () => writerFor(0) }).run(), true);
        const messages = stored.map((event) => event.message);
        const pieces = messages.filter((message) => message !== 'INFO a\n' && message !== 'INFO c\n');
        assert.equal(pieces.join(''), huge, 'the pieces, each once, in order, make the line');
        assert.equal(pieces.length, Math.ceil(huge.length / maxEventBytes));
        assert.deepEqual(messages.filter((message) => !pieces.includes(message)), lines.length === 3 ? ['INFO a\n', 'INFO c\n'] : ['INFO c\n']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
