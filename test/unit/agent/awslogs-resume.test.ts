/**
 * A checkpoint left with a pending batch (the agent killed between PutLogEvents' answer and the
 * checkpoint's move): the shipper reads the stream's last event back. The batch arrived → it is
 * not sent again; it did not → it is sent again; the read is refused → it is sent again (at
 * least once, never lost). The runtime and the writer are stand-ins here.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { AwslogsSettings } from '../../../src/agent-channel-protocol/awslogs.js';
import { CheckpointStore, type Checkpoint } from '../../../src/agent/awslogs/checkpoint.js';
import { epochMillis, sinceOf } from '../../../src/agent/awslogs/output-lines.js';
import { ContainerShipper } from '../../../src/agent/awslogs/shipper.js';
import type { LogsWriter } from '../../../src/agent/awslogs/writer.js';
import type { ContainerRuntime } from '../../../src/agent/runtime/types.js';

const t = (n: number) => `2026-12-05T00:00:00.${String(n).padStart(9, '0')}Z`;
const lines: [string, string][] = [1, 2, 3, 4, 5].map((n) => [t(n * 1_000_000), `line ${n}`]);

function outputFrom(since: string | undefined) {
  const stream = new PassThrough();
  for (const [timestamp, text] of lines) {
    // Fixed-width 'seconds.nanoseconds': compared as text, as a float would lose the nanoseconds.
    if (since !== undefined && sinceOf(timestamp) < since) continue;
    const body = Buffer.from(`${timestamp} ${text}\n`);
    const header = Buffer.alloc(8);
    header[0] = 1;
    header.writeUInt32BE(body.length, 4);
    stream.write(Buffer.concat([header, body]));
  }
  stream.end();
  return { stream, multiplexed: true };
}

async function resumeWith(lastEvent: LogsWriter['lastEvent'], readerLastEvent?: LogsWriter['lastEvent']) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-resume-'));
  try {
    const checkpoints = new CheckpointStore(dir);
    // Lines 1 and 2 were taken; the batch of line 3 was being sent when the agent died.
    const killed: Checkpoint = { timestamp: t(2_000_000), count: 1, pending: { position: { timestamp: t(3_000_000), count: 1 }, last: { timestamp: epochMillis(t(3_000_000)), message: 'line 3' } } };
    await checkpoints.write('c1', killed);
    const sent: string[] = [];
    const writer: LogsWriter = {
      createGroup: async () => undefined,
      createStream: async () => undefined,
      put: async (_group, _stream, events) => void sent.push(...events.map((event) => event.message)),
      lastEvent,
      destroy: () => undefined,
    };
    const runtime = { output: async (_id: string, since?: string) => outputFrom(since), inspect: async () => ({ state: 'exited' }) } as unknown as ContainerRuntime;
    const settings: AwslogsSettings = { group: 'g', region: 'us-east-1', createGroup: false, mode: 'blocking', maxBufferBytes: 1024 * 1024 };
    const reader = readerLastEvent && (() => ({ ...writer, lastEvent: readerLastEvent }));
    const shipper = new ContainerShipper({ runtime, containerId: 'c1', settings, stream: 's', writer: () => writer, ...(reader ? { reader } : {}), checkpoints, log: pino({ level: 'silent' }) });
    assert.equal(await shipper.run(), true);
    return { sent, checkpoint: await checkpoints.read('c1') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('awslogs resume after a kill mid-batch', () => {
  it('the batch arrived (the stream ends with its last event): it is not sent again', async () => {
    const { sent, checkpoint } = await resumeWith(async () => ({ timestamp: epochMillis(t(3_000_000)), message: 'line 3' }));
    assert.deepEqual(sent, ['line 4', 'line 5']);
    assert.deepEqual(checkpoint, { timestamp: t(5_000_000), count: 1, finished: true });
  });

  it('the batch did not arrive: it is sent again, from the line after the last taken', async () => {
    const { sent } = await resumeWith(async () => ({ timestamp: epochMillis(t(2_000_000)), message: 'line 2' }));
    assert.deepEqual(sent, ['line 3', 'line 4', 'line 5']);
  });

  it('the task\'s role may not read: the agent\'s own credentials read the stream back', async () => {
    const denied = async () => {
      throw Object.assign(new Error('not authorized to perform: logs:GetLogEvents'), { name: 'AccessDeniedException' });
    };
    const { sent } = await resumeWith(denied, async () => ({ timestamp: epochMillis(t(3_000_000)), message: 'line 3' }));
    assert.deepEqual(sent, ['line 4', 'line 5']);
  });

  it('the read-back is refused: the batch is sent again rather than lost', async () => {
    const { sent } = await resumeWith(async () => {
      throw Object.assign(new Error('not authorized to perform: logs:GetLogEvents'), { name: 'AccessDeniedException' });
    });
    assert.deepEqual(sent, ['line 3', 'line 4', 'line 5']);
  });

  it('each batch is marked pending before it is sent, and the mark is gone once it is taken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-resume-'));
    try {
      const checkpoints = new CheckpointStore(dir);
      const seen: (Checkpoint | undefined)[] = [];
      const writer: LogsWriter = {
        createGroup: async () => undefined,
        createStream: async () => undefined,
        put: async () => void seen.push(await checkpoints.read('c1')),
        lastEvent: async () => undefined,
        destroy: () => undefined,
      };
      const runtime = { output: async (_id: string, since?: string) => outputFrom(since), inspect: async () => ({ state: 'exited' }) } as unknown as ContainerRuntime;
      const settings: AwslogsSettings = { group: 'g', region: 'us-east-1', createGroup: false, mode: 'blocking', maxBufferBytes: 1024 * 1024 };
      await new ContainerShipper({ runtime, containerId: 'c1', settings, stream: 's', writer: () => writer, checkpoints, log: pino({ level: 'silent' }) }).run();
      assert.ok(seen.length > 0);
      for (const during of seen) assert.ok(during?.pending, 'pending while PutLogEvents is under way');
      assert.equal(seen.at(-1)!.pending!.last.message, 'line 5');
      assert.equal((await checkpoints.read('c1'))?.pending, undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
