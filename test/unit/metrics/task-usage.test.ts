/** From agents' container samples to a task's usage: the stats message's checks, docker stats' fields, rates between two samples. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerStatsOf } from '../../../src/agent/stats-reporter.js';
import { checkAgentMessage } from '../../../src/ecs/agent-channel/message-checks.js';
import { measuredUsage, mergeSamples } from '../../../src/metrics/task-usage.js';
import type { TaskUsageRecord } from '../../../src/store/types.js';

const arn = 'arn:aws:ecs:us-east-1:000000000000:task/default/0123';
const sample = (sampledAt: number, cpuSeconds: number, memoryMiB: number, rx?: number) => ({
  name: 'app',
  sampledAt,
  cpuNanoseconds: cpuSeconds * 1e9,
  memoryBytes: memoryMiB * 1024 * 1024,
  ...(rx !== undefined ? { networkRxBytes: rx, networkTxBytes: rx / 2 } : {}),
});

describe('task usage from agent samples', () => {
  /** The record after each of these messages of one agent, merged in turn, as the recorder does. */
  const merged = (agentKey: string, messages: [TaskUsageRecord['containers'][number]['latest'], number][], from?: TaskUsageRecord) =>
    messages.reduce<TaskUsageRecord | undefined>((held, [container, receivedAt]) => mergeSamples(held, agentKey, { taskArn: arn, containers: [container] }, receivedAt), from);

  it('two samples give CPU units, memory and network rates; one is not enough', () => {
    const one = merged('ci/1', [[sample(0, 40, 100, 1000), 0]]);
    assert.equal(measuredUsage(one, 'ci/1', 0), undefined);
    const two = merged('ci/1', [[sample(10_000, 42.5, 120, 6000), 10_000]], one);
    assert.deepEqual(measuredUsage(two, 'ci/1', 0), { cpuUnitsUsed: 256, memoryMiBUsed: 120, sampledAt: 10_000, networkRxBytesPerSecond: 500, networkTxBytesPerSecond: 250 });
  });

  it('believes only the agent the task is assigned to, and forgets a silent one', () => {
    const record = merged('ci/1', [[sample(0, 0, 1), 0], [sample(1000, 1, 1), 1000]]);
    assert.equal(measuredUsage(record, 'ci/2', 0), undefined, 'another agent');
    assert.equal(measuredUsage(record, 'ci/1', 5000), undefined, 'nothing received since');
    assert.equal(measuredUsage(record, 'ci/1', 1000)?.cpuUnitsUsed, 1024);
    const moved = merged('ci/2', [[sample(2000, 3, 1), 2000]], record);
    assert.equal(moved?.agentKey, 'ci/2');
    assert.equal(measuredUsage(moved, 'ci/2', 0), undefined, 'a task that moved to another agent starts afresh');
  });

  it('ignores a sample no newer than the one held, and starts afresh after a container restart', () => {
    const record = merged('ci/1', [[sample(0, 10, 1), 0], [sample(1000, 11, 1), 1000], [sample(1000, 99, 1), 1000]]);
    assert.equal(measuredUsage(record, 'ci/1', 0)?.cpuUnitsUsed, 1024);
    const restarted = merged('ci/1', [[sample(2000, 0.5, 1), 2000]], record);
    assert.equal(measuredUsage(restarted, 'ci/1', 0), undefined, 'a restarted container has one sample of its own');
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
