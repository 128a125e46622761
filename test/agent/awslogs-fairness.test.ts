/**
 * A flood from one container does not starve another's awslogs output: one container of a task
 * writes as fast as its shell can, the other a line a second; each of the slow container's lines
 * reaches CloudWatch Logs within 5 s of being written (its Docker timestamp against its
 * ingestionTime) while the flood runs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { eventually } from '../helpers/agent.js';
import { allEvents, awslogs, awslogsOnDocker } from '../helpers/awslogs-on-docker.js';
import { dockerAvailable } from '../helpers/images.js';

const dockerUp = await dockerAvailable();

describe('awslogs fairness between containers', { skip: dockerUp ? false : 'no Docker engine reachable' }, () => {
  const env = awslogsOnDocker();

  test('the slow container\'s lines arrive within 5 s while the other floods', async (t) => {
    const { logs, tasks, image, executionRole } = env;
    const group = '/ecs/fair';
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    const lines = 12;
    const arn = await tasks.run(
      await tasks.register({
        family: 'fair',
        executionRoleArn: executionRole,
        containerDefinitions: [
          // Stopped with the task when the slow container, the essential one, is done.
          { name: 'flood', image, memory: 64, essential: false, command: ['sh', '-c', 'i=0; while true; do echo "flood $i"; i=$((i+1)); done'], logConfiguration: awslogs(group) },
          { name: 'slow', image, memory: 32, command: ['sh', '-c', `sleep 2; i=0; while [ $i -lt ${lines} ]; do echo "slow $i"; i=$((i+1)); sleep 1; done`], logConfiguration: awslogs(group) },
        ],
      }),
    );
    const taskId = arn.split('/').at(-1);
    await tasks.until(arn, 'STOPPED', 120_000);
    const slow = await eventually(async () => {
      const events = await allEvents(logs, group, `web/slow/${taskId}`).catch(() => []);
      return events.length >= lines ? events : undefined;
    }, 60_000, 'the slow lines');
    const flood = await allEvents(logs, group, `web/flood/${taskId}`);
    assert.ok(flood.length > 10 * lines, `the other container flooded (${flood.length} lines shipped)`);
    assert.deepEqual(slow.map((event) => event.message), Array.from({ length: lines }, (_, i) => `slow ${i}`));
    const lags = slow.map((event) => event.ingestionTime! - event.timestamp!);
    t.diagnostic(`flood lines shipped: ${flood.length}; slow lags (ms): ${lags.join(', ')}`);
    assert.ok(lags.every((lag) => lag < 5_000), `each slow line within 5 s of being written; lags ${lags.join(', ')} ms`);
  });
});
