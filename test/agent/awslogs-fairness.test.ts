/**
 * A flood from one container does not starve another's awslogs output: one container of a task
 * writes as fast as its shell can, the other a line a second; each of the slow container's lines
 * reaches CloudWatch Logs within 5 s of being written (its Docker timestamp against its
 * ingestionTime) while the flood runs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CloudWatchLogsClient, CreateLogGroupCommand, GetLogEventsCommand, type OutputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { executionRoleFor } from '../helpers/execution-role.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { TaskDriver } from '../helpers/tasks.js';

const dockerUp = await dockerAvailable();

describe('awslogs fairness between containers', { skip: dockerUp ? false : 'no Docker engine reachable' }, () => {
  let berth: TestBerth;
  let agent: TestAgent;
  let ecs: ECSClient;
  let logs: CloudWatchLogsClient;
  let tasks: TaskDriver;
  let image: string;
  let executionRole: string;

  before(async () => {
    berth = await startBerth();
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = await startTestAgent(berth);
    tasks = new TaskDriver(ecs);
    image = await buildBusyboxImage();
    executionRole = await executionRoleFor(berth);
    logs = new CloudWatchLogsClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
  });
  after(async () => {
    logs?.destroy();
    await agent?.close();
    await berth?.close();
  });

  async function allEvents(group: string, stream: string): Promise<OutputLogEvent[]> {
    const events: OutputLogEvent[] = [];
    let token: string | undefined;
    for (;;) {
      const page = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, ...(token ? { nextToken: token } : {}) }));
      events.push(...(page.events ?? []));
      if (!page.nextForwardToken || page.nextForwardToken === token) return events;
      token = page.nextForwardToken;
    }
  }

  test('the slow container\'s lines arrive within 5 s while the other floods', async (t) => {
    const group = '/ecs/fair';
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    const options = { 'awslogs-group': group, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'web' };
    const lines = 12;
    const arn = await tasks.run(
      await tasks.register({
        family: 'fair',
        executionRoleArn: executionRole,
        containerDefinitions: [
          // Stopped with the task when the slow container, the essential one, is done.
          { name: 'flood', image, memory: 64, essential: false, command: ['sh', '-c', 'i=0; while true; do echo "flood $i"; i=$((i+1)); done'], logConfiguration: { logDriver: 'awslogs', options } },
          { name: 'slow', image, memory: 32, command: ['sh', '-c', `sleep 2; i=0; while [ $i -lt ${lines} ]; do echo "slow $i"; i=$((i+1)); sleep 1; done`], logConfiguration: { logDriver: 'awslogs', options } },
        ],
      }),
    );
    const taskId = arn.split('/').at(-1);
    await tasks.until(arn, 'STOPPED', 120_000);
    const slow = await eventually(async () => {
      const events = await allEvents(group, `web/slow/${taskId}`).catch(() => []);
      return events.length >= lines ? events : undefined;
    }, 60_000, 'the slow lines');
    const flood = await allEvents(group, `web/flood/${taskId}`);
    assert.ok(flood.length > 10 * lines, `the other container flooded (${flood.length} lines shipped)`);
    assert.deepEqual(slow.map((event) => event.message), Array.from({ length: lines }, (_, i) => `slow ${i}`));
    const lags = slow.map((event) => event.ingestionTime! - event.timestamp!);
    t.diagnostic(`flood lines shipped: ${flood.length}; slow lags (ms): ${lags.join(', ')}`);
    assert.ok(lags.every((lag) => lag < 5_000), `each slow line within 5 s of being written; lags ${lags.join(', ')} ms`);
  });
});
