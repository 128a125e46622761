/**
 * Following a real container's awslogs output while it writes: `aws logs tail --follow`'s
 * requests (test/helpers/tail-follower.ts) and a Live Tail session (StartLiveTail) both show every
 * line once, in order. The container writes bursts of lines (many in one millisecond, as Docker
 * stamps them) between short pauses, so the follower's rounds and the agent's batches interleave.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  StartLiveTailCommand,
  type StartLiveTailResponseStream,
} from '@aws-sdk/client-cloudwatch-logs';
import { eventually } from '../helpers/agent.js';
import { awslogsOnDocker, runShipping } from '../helpers/awslogs-on-docker.js';
import { dockerAvailable } from '../helpers/images.js';
import { TailFollower } from '../helpers/tail-follower.js';

const dockerUp = await dockerAvailable();

describe('following awslogs output of a running container', { skip: dockerUp ? false : 'no Docker engine reachable', timeout: 180_000 }, () => {
  const env = awslogsOnDocker({ disableHostPrefix: true });

  test('tail --follow and Live Tail show each line once, in order, while the container writes', async () => {
    const { logs, tasks, berth } = env;
    const group = '/ecs/follow';
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    const arn = ((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups ?? [])[0]?.logGroupArn as string;
    const bursts = 8;
    const perBurst = 50;
    const expected = Array.from({ length: bursts * perBurst }, (_, i) => `line ${i}`);

    const live = await logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [arn] }));
    const liveLines: string[] = [];
    const liveDone = (async () => {
      for await (const frame of live.responseStream as AsyncIterable<StartLiveTailResponseStream>) {
        for (const event of frame.sessionUpdate?.sessionResults ?? []) liveLines.push(event.message as string);
        if (liveLines.length >= expected.length) return;
      }
    })();

    const follower = new TailFollower(logs, group, { since: Date.now() - 60_000 });
    const script = `i=0; b=0; while [ $b -lt ${bursts} ]; do j=0; while [ $j -lt ${perBurst} ]; do echo "line $i"; i=$((i+1)); j=$((j+1)); done; b=$((b+1)); sleep 0.2; done`;
    const task = await runShipping(env, 'follow', group, { command: ['sh', '-c', script] });
    let rounds = 0;
    await eventually(
      async () => {
        await follower.poll();
        rounds += 1;
        return follower.shown.length >= expected.length ? true : undefined;
      },
      120_000,
      'every line through the follow loop',
    );
    await tasks.until(task, 'STOPPED');
    // Rounds after the last line show nothing more.
    await follower.poll();
    await follower.poll();
    assert.deepEqual(
      follower.shown.map((event) => event.message),
      expected,
    );
    assert.ok(rounds > 1, 'the follower polled while the container wrote');
    const times = follower.shown.map((event) => event.timestamp);
    assert.ok(times.some((time, index) => index > 0 && time === times[index - 1]), 'lines share milliseconds');

    await liveDone;
    assert.deepEqual(liveLines, expected);
    logs.destroy();
    await berth.server.logLiveTails.whenCount(0);
  });
});
