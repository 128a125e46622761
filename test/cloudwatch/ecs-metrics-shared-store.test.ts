/**
 * AWS/ECS metrics when several control planes share one data directory: the agent is connected to
 * the one that does not hold the `ecs-metrics` lease, so its samples reach the publisher only
 * through the store. A CPU-bound service task on Docker (task cpu 256) must show its
 * CPUUtilization through GetMetricData from either control plane, and its samples must go once
 * the task stops. Both control planes run on one clock the test moves (5-second periods).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateClusterCommand, UpdateServiceCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { AdvancingClock } from '../../src/core/clock.js';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { createBurnService, runningBurnTask } from '../helpers/burn-service.js';

const dockerUp = await dockerAvailable();
const periodMs = 5_000;

describe('ECS metrics from the agents of every control plane on one store', { skip: dockerUp ? false : 'no Docker engine reachable' }, () => {
  const clock = new AdvancingClock();
  /** Holds the ecs-metrics lease: the only one that publishes. */
  let leader: TestBerth;
  /** Shares the leader's data directory; the agent is connected to it. */
  let follower: TestBerth;
  let agent: TestAgent;
  let ecs: ECSClient;
  const cloudwatch: CloudWatchClient[] = [];
  const startedAt = Date.now();

  const leaseHolder = async () => (await leader.server.store.read((tx) => tx.leases.get('ecs-metrics')))?.holder;

  /** The service's CPUUtilization averages, read through GetMetricData from one control plane. */
  const cpuUtilization = async (client: CloudWatchClient) => {
    const { MetricDataResults = [] } = await client.send(
      new GetMetricDataCommand({
        StartTime: new Date(startedAt - 600_000),
        EndTime: new Date(clock.now().getTime() + 600_000),
        MetricDataQueries: [
          {
            Id: 'cpu',
            MetricStat: {
              Metric: { Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', Dimensions: [{ Name: 'ClusterName', Value: 'default' }, { Name: 'ServiceName', Value: 'burn' }] },
              Period: 5,
              Stat: 'Average',
            },
          },
        ],
      }),
    );
    return MetricDataResults[0]?.Values ?? [];
  };

  /** Ends a period on the clock and has the leader publish it. */
  const period = async () => {
    clock.advance(periodMs);
    await leader.server.ecsMetrics.settle();
  };

  before(async () => {
    const image = await buildBusyboxImage();
    leader = await startBerth({ metricPeriodSeconds: 5 }, { clock });
    // Its first pass takes the lease (and marks the period): the second control plane starts as a follower.
    await leader.server.ecsMetrics.settle();
    follower = await startBerth({ metricPeriodSeconds: 5, dataDir: leader.dataDir }, { clock });
    for (const berth of [leader, follower]) cloudwatch.push(new CloudWatchClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 }));
    ecs = follower.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = await startTestAgent(follower, { statsIntervalMs: 1_000 });
    await createBurnService(ecs, image);
  });
  after(async () => {
    await agent?.close();
    for (const client of cloudwatch) client.destroy();
    await follower?.close();
    await leader?.close();
  });

  it('publishes the usage an agent of the follower sent, readable from both control planes', async () => {
    assert.equal(await leaseHolder(), leader.server.ecsMetrics.lease?.holder, 'the leader holds the ecs-metrics lease');
    assert.notEqual(follower.server.ecsMetrics.lease?.holder, leader.server.ecsMetrics.lease?.holder);
    const task = await runningBurnTask(ecs);

    // The follower wrote the agent's samples into the store; the leader reads them there.
    const stored = await eventually(async () => {
      const records = await leader.server.store.read((tx) => tx.taskUsage.getMany([task.taskArn!]));
      return records[0]?.containers[0]?.previous ? records[0] : undefined;
    }, 20_000, 'two samples of the task in the store');
    assert.equal(stored.agentKey, agent.agent.registration.containerInstanceArn);

    const values = await eventually(async () => {
      await period();
      const [fromLeader, fromFollower] = await Promise.all(cloudwatch.map(cpuUtilization));
      return fromLeader!.length > 0 && fromFollower!.length > 0 ? { fromLeader: fromLeader!, fromFollower: fromFollower! } : undefined;
    }, 30_000, 'a CPUUtilization point through both control planes');
    assert.deepEqual(values.fromFollower, values.fromLeader, 'both read the same metric store');
    // A task burning CPU up to its 256 units: about 100 %.
    assert.ok(values.fromLeader[0]! > 50 && values.fromLeader[0]! < 130, `CPUUtilization ${values.fromLeader[0]}`);
    assert.equal(await leaseHolder(), leader.server.ecsMetrics.lease?.holder, 'the follower never published');
  });

  it('deletes the samples of a task once it stopped', async () => {
    const [record] = await leader.server.store.read((tx) => tx.taskUsage.list());
    assert.ok(record, 'samples held while the task runs');
    await ecs.send(new UpdateServiceCommand({ cluster: 'default', service: 'burn', desiredCount: 0 }));
    await eventually(async () => {
      await period();
      const held = await leader.server.store.read((tx) => tx.taskUsage.getMany([record.taskArn]));
      return held.length === 0 ? true : undefined;
    }, 60_000, 'the stopped task’s samples deleted');
  });
});
