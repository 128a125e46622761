/**
 * awslogs multi-line events on a real container: with awslogs-datetime-format, a line starting
 * with a date starts an event and the lines after it (a stack trace) join it, as Docker's awslogs
 * driver assembles them; the last event is sent when the container ends. Both multi-line options
 * at once fail the container, in Docker's words. The trace is written to stdout only: Docker
 * copies stdout and stderr through two pipes, so their relative order is not kept (Docker's own
 * awslogs driver sees them in the same racing order).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateLogGroupCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { eventually } from '../helpers/agent.js';
import { awslogsOnDocker } from '../helpers/awslogs-on-docker.js';
import { dockerAvailable } from '../helpers/images.js';

const dockerUp = await dockerAvailable();

describe('awslogs multi-line events on Docker', { skip: dockerUp ? false : 'no Docker engine reachable' }, () => {
  const env = awslogsOnDocker();

  const awslogs = (group: string, extra: Record<string, string>) => ({
    logDriver: 'awslogs' as const,
    options: { 'awslogs-group': group, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'web', ...extra },
  });

  test('awslogs-datetime-format: a dated line starts an event, the stack trace under it joins it', async () => {
    const { logs, tasks, image, executionRole } = env;
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/trace' }));
    const script = [
      "echo 'stray line before any date'",
      "echo '2026-12-05 10:00:00 ERROR boom'",
      "echo '    at a (a.js:1)'",
      "echo '    at b (b.js:2)'",
      "echo '2026-12-05 10:00:01 INFO fine'",
      "echo '2026-12-05 10:00:02 WARN hm'",
      "echo ''",
      "echo '  last words'",
    ].join('; ');
    const arn = await tasks.run(
      await tasks.register({
        family: 'trace',
        executionRoleArn: executionRole,
        containerDefinitions: [{ name: 'app', image, memory: 32, command: ['sh', '-c', script], logConfiguration: awslogs('/ecs/trace', { 'awslogs-datetime-format': '%Y-%m-%d %H:%M:%S' }) }],
      }),
    );
    await tasks.until(arn, 'STOPPED');
    const stream = `web/app/${arn.split('/').at(-1)}`;
    const expected = [
      'stray line before any date\n',
      '2026-12-05 10:00:00 ERROR boom\n    at a (a.js:1)\n    at b (b.js:2)\n',
      '2026-12-05 10:00:01 INFO fine\n',
      '2026-12-05 10:00:02 WARN hm\n\n  last words\n',
    ];
    const messages = await eventually(
      async () => {
        const page = await logs.send(new GetLogEventsCommand({ logGroupName: '/ecs/trace', logStreamName: stream, startFromHead: true })).catch(() => undefined);
        const found = (page?.events ?? []).map((event) => event.message);
        return found.length >= expected.length ? found : undefined;
      },
      30_000,
      'the multi-line events',
    );
    assert.deepEqual(messages, expected);
  });

  test('awslogs-multiline-pattern with awslogs-datetime-format: the container cannot start, in Docker\'s words', async () => {
    const { logs, tasks, image, executionRole } = env;
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/both' }));
    const arn = await tasks.run(
      await tasks.register({
        family: 'both',
        executionRoleArn: executionRole,
        containerDefinitions: [
          { name: 'app', image, memory: 32, command: ['echo', 'hi'], logConfiguration: awslogs('/ecs/both', { 'awslogs-multiline-pattern': '^INFO', 'awslogs-datetime-format': '%Y' }) },
        ],
      }),
    );
    const stopped = await tasks.until(arn, 'STOPPED');
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.equal(
      stopped.stoppedReason,
      "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: you cannot configure log opt 'awslogs-datetime-format' and 'awslogs-multiline-pattern' at the same time",
    );
  });
});
