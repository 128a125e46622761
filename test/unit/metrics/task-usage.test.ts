/** From agents' container samples to a task's usage: the stats message's checks, docker stats' fields, rates between two samples. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerStatsOf } from '../../../src/agent/stats-reporter.js';
import { checkAgentMessage } from '../../../src/ecs/agent-channel/message-checks.js';
import { TaskUsageBook } from '../../../src/metrics/task-usage.js';

const arn = 'arn:aws:ecs:us-east-1:000000000000:task/default/0123';
const sample = (sampledAt: number, cpuSeconds: number, memoryMiB: number, rx?: number) => ({
  name: 'app',
  sampledAt,
  cpuNanoseconds: cpuSeconds * 1e9,
  memoryBytes: memoryMiB * 1024 * 1024,
  ...(rx !== undefined ? { networkRxBytes: rx, networkTxBytes: rx / 2 } : {}),
});

describe('task usage from agent samples', () => {
  it('two samples give CPU units, memory and network rates; one is not enough', () => {
    const book = new TaskUsageBook();
    book.record('ci/1', [{ taskArn: arn, containers: [sample(0, 40, 100, 1000)] }], 0);
    assert.equal(book.usageOf(arn, 'ci/1', 0), undefined);
    book.record('ci/1', [{ taskArn: arn, containers: [sample(10_000, 42.5, 120, 6000)] }], 10_000);
    assert.deepEqual(book.usageOf(arn, 'ci/1', 0), { cpuUnitsUsed: 256, memoryMiBUsed: 120, sampledAt: 10_000, networkRxBytesPerSecond: 500, networkTxBytesPerSecond: 250 });
  });

  it('believes only the agent the task is assigned to, and forgets a silent one', () => {
    const book = new TaskUsageBook();
    book.record('ci/1', [{ taskArn: arn, containers: [sample(0, 0, 1)] }], 0);
    book.record('ci/1', [{ taskArn: arn, containers: [sample(1000, 1, 1)] }], 1000);
    assert.equal(book.usageOf(arn, 'ci/2', 0), undefined, 'another agent');
    assert.equal(book.usageOf(arn, 'ci/1', 5000), undefined, 'nothing received since');
    assert.equal(book.usageOf(arn, 'ci/1', 1000)?.cpuUnitsUsed, 1024);
  });

  it('ignores a sample no newer than the one held, and starts afresh after a container restart', () => {
    const book = new TaskUsageBook();
    book.record('ci/1', [{ taskArn: arn, containers: [sample(0, 10, 1)] }], 0);
    book.record('ci/1', [{ taskArn: arn, containers: [sample(1000, 11, 1)] }], 1000);
    book.record('ci/1', [{ taskArn: arn, containers: [sample(1000, 99, 1)] }], 1000);
    assert.equal(book.usageOf(arn, 'ci/1', 0)?.cpuUnitsUsed, 1024);
    book.record('ci/1', [{ taskArn: arn, containers: [sample(2000, 0.5, 1)] }], 2000);
    assert.equal(book.usageOf(arn, 'ci/1', 0), undefined, 'a restarted container has one sample of its own');
    book.retainOnly(new Set());
    assert.deepEqual(book.taskArns(), []);
  });

  it('forgets a task whose samples stopped arriving ten minutes ago, even without a publisher pruning', () => {
    const book = new TaskUsageBook();
    const other = arn.replace('0123', '4567');
    book.record('ci/1', [{ taskArn: arn, containers: [sample(0, 0, 1)] }], 0);
    book.record('ci/1', [{ taskArn: other, containers: [sample(0, 0, 1)] }], 9 * 60_000);
    assert.deepEqual(book.taskArns(), [arn, other]);
    book.record('ci/1', [{ taskArn: other, containers: [sample(1, 0, 1)] }], 10 * 60_000 + 1);
    assert.deepEqual(book.taskArns(), [other]);
  });

  it("reads docker stats' answer: CPU time, memory without cache, the networks' bytes", () => {
    const stats = containerStatsOf(
      'app',
      {
        read: '2026-01-01T00:00:10.5Z',
        cpu_stats: { cpu_usage: { total_usage: 5e9 } },
        memory_stats: { usage: 50 << 20, stats: { cache: 20 << 20 } },
        networks: { eth0: { rx_bytes: 100, tx_bytes: 10 }, eth1: { rx_bytes: 1, tx_bytes: 2 } },
      },
      0,
    );
    assert.deepEqual(stats, { name: 'app', sampledAt: Date.parse('2026-01-01T00:00:10.5Z'), cpuNanoseconds: 5e9, memoryBytes: 30 << 20, networkRxBytes: 101, networkTxBytes: 12 });
    assert.equal(containerStatsOf('app', { read: '0001-01-01T00:00:00Z', cpu_stats: {} }, 7), undefined, 'a stopped container has no CPU figure');
    assert.equal(containerStatsOf('app', { read: '0001-01-01T00:00:00Z', cpu_stats: { cpu_usage: { total_usage: 1 } } }, 7)?.sampledAt, 7);
  });

  it('the agent channel takes well-formed stats messages and drops others', () => {
    const good = { type: 'stats', tasks: [{ taskArn: arn, containers: [sample(1, 2, 3)] }] };
    assert.deepEqual(checkAgentMessage(good), good);
    const bad: [unknown, RegExp][] = [
      [{ type: 'stats', tasks: {} }, /stats.tasks must be a list/],
      [{ type: 'stats', tasks: [{ containers: [] }] }, /taskArn must be a string/],
      [{ type: 'stats', tasks: [{ taskArn: arn, containers: [{ ...sample(1, 2, 3), cpuNanoseconds: -1 }] }] }, /cpuNanoseconds must be a number of at least 0/],
      [{ type: 'stats', tasks: [{ taskArn: arn, containers: [{ ...sample(1, 2, 3), networkRxBytes: 'x' }] }] }, /networkRxBytes/],
      [{ type: 'stats', tasks: Array.from({ length: 1001 }, () => ({ taskArn: arn, containers: [] })) }, /at most 1000 tasks/],
    ];
    for (const [message, error] of bad) assert.throws(() => checkAgentMessage(message), error);
  });
});
