/**
 * The shipper's buffer while PutLogEvents fails (the control plane away): non-blocking mode keeps
 * at most max-buffer-size, dropping the oldest and counting them; blocking mode drops nothing and
 * sends everything once the calls succeed again. The runtime and the writer are stand-ins here;
 * test/agent/awslogs-on-docker.test.ts drives the same code through Docker and Berth.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { AwslogsSettings } from '../../../src/agent-channel-protocol/awslogs.js';
import { CheckpointStore } from '../../../src/agent/awslogs/checkpoint.js';
import { ContainerShipper } from '../../../src/agent/awslogs/shipper.js';
import type { LogsWriter } from '../../../src/agent/awslogs/writer.js';
import type { ContainerRuntime } from '../../../src/agent/runtime/types.js';

function frame(line: string, nanos: number): Buffer {
  const body = Buffer.from(`2026-12-05T00:00:00.${String(nanos).padStart(9, '0')}Z ${line}\n`);
  const header = Buffer.alloc(8);
  header[0] = 1;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** The writer fails until the whole output was read (`end`), or until `recoverAfter` failures: reading stops in blocking mode, so no end comes first. */
async function shipThroughOutage(settings: AwslogsSettings, lines: number, recoverAfter = Infinity) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-shipper-'));
  const stream = new PassThrough();
  let back = false;
  stream.on('end', () => (back = true));
  const sent: string[] = [];
  let failures = 0;
  const writer: LogsWriter = {
    createGroup: async () => undefined,
    createStream: async () => undefined,
    put: async (_group, _stream, events) => {
      if (!back) {
        if (++failures >= recoverAfter) back = true;
        throw new Error('connect ECONNREFUSED');
      }
      sent.push(...events.map((event) => event.message));
    },
    lastEvent: async () => undefined,
    destroy: () => undefined,
  };
  const runtime = { output: async () => ({ stream, multiplexed: true }), inspect: async () => ({ state: 'exited' }) } as unknown as ContainerRuntime;
  const checkpoints = new CheckpointStore(dir);
  const shipper = new ContainerShipper({ runtime, containerId: 'c1', settings, stream: 's', writer: () => writer, checkpoints, log: pino({ level: 'silent' }), retryDelayMs: () => 0 });
  const running = shipper.run();
  for (let i = 0; i < lines; i++) stream.write(frame(`line ${String(i).padStart(4, '0')} ${'x'.repeat(80)}`, i + 1));
  stream.end();
  await running;
  const checkpoint = await checkpoints.read('c1');
  rmSync(dir, { recursive: true, force: true });
  return { sent, dropped: shipper.dropped, checkpoint, failures };
}

const base: AwslogsSettings = { group: 'g', region: 'us-east-1', createGroup: false, mode: 'blocking', maxBufferBytes: 1024 * 1024 };

describe('awslogs shipper while PutLogEvents fails', () => {
  it('non-blocking: keeps max-buffer-size of the newest output, drops the oldest and counts them', async () => {
    const { sent, dropped, checkpoint } = await shipThroughOutage({ ...base, mode: 'non-blocking', maxBufferBytes: 1000 }, 100);
    assert.ok(dropped > 0, 'some were dropped');
    assert.equal(sent.length + dropped, 100, 'each line either sent or counted as dropped');
    assert.ok(sent.length > 0 && sent.reduce((bytes, message) => bytes + Buffer.byteLength(message), 0) <= 1000 + 100, 'no more than the buffer kept');
    const first = 100 - sent.length;
    assert.deepEqual(
      sent,
      Array.from({ length: sent.length }, (_, i) => `line ${String(first + i).padStart(4, '0')} ${'x'.repeat(80)}`),
      'the newest lines, in order',
    );
    assert.deepEqual(checkpoint, { timestamp: '2026-12-05T00:00:00.000000100Z', count: 1, finished: true });
  });

  it('blocking: drops nothing, and sends every line in order once the calls succeed', async () => {
    const { sent, dropped, failures } = await shipThroughOutage({ ...base, maxBufferBytes: 1000 }, 100, 3);
    assert.equal(dropped, 0);
    assert.equal(failures, 3);
    assert.deepEqual(sent, Array.from({ length: 100 }, (_, i) => `line ${String(i).padStart(4, '0')} ${'x'.repeat(80)}`));
  });

  it('a deleted log group: made again with awslogs-create-group; without it the output is dropped and counted, not held', async () => {
    for (const createGroup of [false, true]) {
      const dir = mkdtempSync(join(tmpdir(), 'berth-shipper-'));
      const stream = new PassThrough();
      let groupExists = false;
      const sent: string[] = [];
      const gone = () => Object.assign(new Error('The specified log group does not exist.'), { name: 'ResourceNotFoundException' });
      const writer: LogsWriter = {
        createGroup: async () => void (groupExists = true),
        createStream: async () => {
          if (!groupExists) throw gone();
        },
        put: async (_group, _stream, events) => void sent.push(...events.map((event) => event.message)),
        lastEvent: async () => undefined,
    destroy: () => undefined,
      };
      const runtime = { output: async () => ({ stream, multiplexed: true }), inspect: async () => ({ state: 'exited' }) } as unknown as ContainerRuntime;
      const checkpoints = new CheckpointStore(dir);
      const shipper = new ContainerShipper({ runtime, containerId: 'c1', settings: { ...base, createGroup }, stream: 's', writer: () => writer, checkpoints, log: pino({ level: 'silent' }), retryDelayMs: () => 0 });
      const running = shipper.run();
      for (let i = 0; i < 10; i++) stream.write(frame(`line ${i}`, i + 1));
      stream.end();
      await running;
      assert.deepEqual(await checkpoints.read('c1'), { timestamp: '2026-12-05T00:00:00.000000010Z', count: 1, finished: true });
      rmSync(dir, { recursive: true, force: true });
      if (createGroup) {
        assert.deepEqual(sent, Array.from({ length: 10 }, (_, i) => `line ${i}`));
        assert.equal(shipper.dropped, 0);
      } else {
        assert.deepEqual(sent, []);
        assert.equal(shipper.dropped, 10);
      }
    }
  });

  it('an output stream that ends under a running container (the engine restarted) is not taken for the container stopping', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-shipper-'));
    const stream = new PassThrough();
    const sent: string[] = [];
    const writer: LogsWriter = { createGroup: async () => undefined, createStream: async () => undefined, put: async (_g, _s, events) => void sent.push(...events.map((event) => event.message)), lastEvent: async () => undefined, destroy: () => undefined };
    const runtime = { output: async () => ({ stream, multiplexed: true }), inspect: async () => ({ state: 'running' }) } as unknown as ContainerRuntime;
    const checkpoints = new CheckpointStore(dir);
    const shipper = new ContainerShipper({ runtime, containerId: 'c1', settings: base, stream: 's', writer: () => writer, checkpoints, log: pino({ level: 'silent' }), retryDelayMs: () => 0 });
    const running = shipper.run();
    stream.end(frame('only line', 7));
    assert.equal(await running, false, 'not finished: the collector follows it again');
    assert.deepEqual(sent, ['only line']);
    assert.deepEqual(await checkpoints.read('c1'), { timestamp: '2026-12-05T00:00:00.000000007Z', count: 1 });
    rmSync(dir, { recursive: true, force: true });
  });
});
