/**
 * CloudWatch Logs through the real `aws logs` (CLI v1, skipped where the machine has none; it sends
 * the same JSON 1.1 protocol as the SDKs): groups and streams, put-log-events, get-log-events, and
 * filter-log-events with the CLI's own paging and a JSON pattern; start-live-tail following new
 * lines; errors as the CLI prints them. CLI v1 has no `aws logs tail` (it came with v2).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { cliEnvironment, hasAwsCli, run } from '../helpers/aws-cli.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';

describe('aws logs against Berth', { timeout: 120_000, skip: hasAwsCli ? false : 'the aws command is not installed on this machine' }, () => {
  let berth: TestBerth;
  const aws = async (...args: string[]) => {
    const { stdout } = await run('aws', ['--endpoint-url', berth.url, '--output', 'json', 'logs', ...args], { env: cliEnvironment });
    return JSON.parse(stdout || '{}') as Record<string, any>;
  };
  const failure = async (...args: string[]) => {
    try {
      await run('aws', ['--endpoint-url', berth.url, 'logs', ...args], { env: cliEnvironment });
    } catch (error) {
      return String((error as { stderr?: string }).stderr).trim();
    }
    assert.fail(`aws logs ${args.join(' ')} succeeded`);
  };
  before(async () => {
    berth = await startBerth();
  });
  after(async () => berth.close());

  it('writes events with put-log-events and reads them with get-log-events and filter-log-events', async () => {
    await aws('create-log-group', '--log-group-name', '/ecs/web');
    await aws('create-log-stream', '--log-group-name', '/ecs/web', '--log-stream-name', 'web/app/1');
    await aws('create-log-stream', '--log-group-name', '/ecs/web', '--log-stream-name', 'web/app/2');
    const now = Date.now();
    const events = (stream: number) =>
      JSON.stringify(
        Array.from({ length: 30 }, (_, i) => ({
          timestamp: now - 60_000 + i * 2 + stream,
          message: i % 3 === 0 ? JSON.stringify({ level: 'error', n: i, stream }) : `INFO line ${i} of ${stream}`,
        })),
      );
    const put = await aws('put-log-events', '--log-group-name', '/ecs/web', '--log-stream-name', 'web/app/1', '--log-events', events(1));
    assert.match(put.nextSequenceToken, /^\d{56}$/);
    await aws('put-log-events', '--log-group-name', '/ecs/web', '--log-stream-name', 'web/app/2', '--log-events', events(2));

    const got = await aws('get-log-events', '--log-group-name', '/ecs/web', '--log-stream-name', 'web/app/1', '--start-from-head', '--limit', '5');
    assert.equal(got.events.length, 5);
    assert.equal(got.events[1].message, 'INFO line 1 of 1');
    assert.match(got.nextForwardToken, /^f\//);

    // The CLI follows nextToken itself: pages of 7 come back as one answer.
    const errors = await aws('filter-log-events', '--log-group-name', '/ecs/web', '--filter-pattern', '{ $.level = "error" }', '--page-size', '7');
    assert.equal(errors.events.length, 20);
    const order = errors.events.map((event: { timestamp: number }) => event.timestamp);
    assert.deepEqual(order, [...order].sort((a, b) => a - b), 'interleaved by time');
    assert.deepEqual(new Set(errors.events.map((event: { logStreamName: string }) => event.logStreamName)), new Set(['web/app/1', 'web/app/2']));
    const one = await aws('filter-log-events', '--log-group-name', '/ecs/web', '--log-stream-names', 'web/app/2', '--filter-pattern', '"line 4 of"');
    assert.deepEqual(one.events.map((event: { message: string }) => event.message), ['INFO line 4 of 2']);

    const streams = await aws('describe-log-streams', '--log-group-name', '/ecs/web', '--order-by', 'LastEventTime', '--descending');
    assert.deepEqual(streams.logStreams.map((stream: { logStreamName: string }) => stream.logStreamName), ['web/app/2', 'web/app/1']);
    await aws('put-retention-policy', '--log-group-name', '/ecs/web', '--retention-in-days', '7');
    assert.equal((await aws('describe-log-groups', '--log-group-name-prefix', '/ecs/')).logGroups[0].retentionInDays, 7);
  });

  it('prints CloudWatch Logs errors as AWS words them', async () => {
    assert.match(await failure('get-log-events', '--log-group-name', '/absent', '--log-stream-name', 's'), /ResourceNotFoundException.*The specified log group does not exist\./);
    assert.match(await failure('filter-log-events', '--log-group-name', '/ecs/web', '--filter-pattern', '{ $.level = '), /InvalidParameterException.*Invalid filter pattern/);
    const unordered = JSON.stringify([
      { timestamp: Date.now(), message: 'b' },
      { timestamp: Date.now() - 1000, message: 'a' },
    ]);
    assert.match(
      await failure('put-log-events', '--log-group-name', '/ecs/web', '--log-stream-name', 'web/app/1', '--log-events', unordered),
      /InvalidParameterException.*Log events in a single PutLogEvents request must be in chronological order\./,
    );
  });
  it('follows new lines with start-live-tail, host prefix injection turned off, and frees the session when it exits', async () => {
    await aws('create-log-group', '--log-group-name', '/live');
    await aws('create-log-stream', '--log-group-name', '/live', '--log-stream-name', 'app');
    const arn = (await aws('describe-log-groups', '--log-group-name-prefix', '/live')).logGroups[0].logGroupArn as string;
    const tail = spawn('aws', ['--endpoint-url', berth.url, 'logs', 'start-live-tail', '--log-group-identifiers', arn, '--log-event-filter-pattern', 'ERROR'], {
      env: { ...cliEnvironment, AWS_DISABLE_HOST_PREFIX_INJECTION: 'true' },
    });
    try {
      let printed = '';
      const shown = new Promise<void>((resolve, reject) => {
        tail.stdout.on('data', (chunk: Buffer) => {
          printed += chunk.toString();
          if (printed.includes('ERROR shown')) resolve();
        });
        tail.once('exit', (code) => reject(new Error(`start-live-tail exited (${code}) before printing; it printed: ${printed}`)));
      });
      await berth.server.logLiveTails.whenCount(1);
      const now = Date.now();
      await aws('put-log-events', '--log-group-name', '/live', '--log-stream-name', 'app', '--log-events', JSON.stringify([
        { timestamp: now, message: 'INFO hidden' },
        { timestamp: now, message: 'ERROR shown' },
      ]));
      await shown;
      assert.ok(!printed.includes('INFO hidden'), printed);
    } finally {
      tail.kill();
    }
    await berth.server.logLiveTails.whenCount(0);
  });
});
