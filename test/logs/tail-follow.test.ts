/**
 * `aws logs tail --follow` (AWS CLI v2) against Berth. The CLI cannot be installed here, so this
 * test sends what its follow loop sends (awscli/customizations/logs/tail.py, FollowLogEventsGenerator),
 * through the SDK over HTTP:
 *
 * - FilterLogEvents with logGroupName, `interleaved: true`, startTime (from `--since`), and
 *   filterPattern, logStreamNames or logStreamNamePrefix when given; never an endTime or a limit.
 * - While an answer has a nextToken, the same request again with that token.
 * - After the last page, the next request (5 s later in the CLI; here when the test says) drops the
 *   token and moves startTime to the newest timestamp shown so far. That timestamp is asked again,
 *   so the CLI remembers the eventIds shown at it and skips them.
 *
 * Every line must come out exactly once, in timestamp order, which holds only if startTime is
 * inclusive (events arriving in the same millisecond as the last one shown are not lost), eventIds
 * are the same on every read and differ between events (none shown twice, none swallowed as seen),
 * and pages interleave the streams by time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { TailFollower, type Shown, type TailOptions } from '../helpers/tail-follower.js';

describe('aws logs tail --follow (CLI v2) against Berth', { timeout: 120_000 }, () => {
  let berth: TestBerth;
  const clients: CloudWatchLogsClient[] = [];
  const client = () => {
    const made = new CloudWatchLogsClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    clients.push(made);
    return made;
  };
  before(async () => {
    berth = await startBerth();
  });
  after(async () => {
    for (const made of clients) made.destroy();
    await berth.close();
  });

  /** Everything in the group for these options, read in one go (the CLI without --follow). */
  async function everything(logs: CloudWatchLogsClient, group: string, options: TailOptions): Promise<Shown[]> {
    const all: Shown[] = [];
    let nextToken: string | undefined;
    do {
      const { since, ...rest } = options;
      const page = await logs.send(
        new FilterLogEventsCommand({ ...(rest.logGroupIdentifier === undefined ? { logGroupName: group } : {}), ...rest, startTime: since, ...(nextToken ? { nextToken } : {}) }),
      );
      for (const event of page.events ?? []) all.push({ stream: event.logStreamName as string, timestamp: event.timestamp as number, message: event.message as string });
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return all;
  }

  it('shows every line once, in order, across polls, pages, equal timestamps and every option the CLI sends', async () => {
    const writer = client();
    const group = '/tail/script';
    await writer.send(new CreateLogGroupCommand({ logGroupName: group }));
    for (const stream of ['app/a', 'app/b', 'side']) await writer.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    const arn = ((await writer.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups ?? [])[0]?.logGroupArn as string;
    assert.match(arn, /^arn:aws:logs:us-east-1:000000000000:log-group:\/tail\/script$/);

    const base = Date.now() - 60_000;
    const put = (stream: string, events: { timestamp: number; message: string }[]) => writer.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events }));
    // Before `--since`: never shown.
    await put('app/a', [{ timestamp: base - 5_000, message: 'before since keep' }]);

    const variants: Record<string, TailOptions> = {
      all: { since: base },
      byArn: { since: base, logGroupIdentifier: arn },
      byIdentifierName: { since: base, logGroupIdentifier: group },
      pattern: { since: base, filterPattern: 'keep' },
      names: { since: base, logStreamNames: ['app/a', 'side'] },
      prefix: { since: base, logStreamNamePrefix: 'app/' },
    };
    const followers = Object.fromEntries(Object.entries(variants).map(([name, options]) => [name, new TailFollower(client(), group, options)]));
    const pollAll = () => Promise.all(Object.values(followers).map((follower) => follower.poll()));

    // Three streams, equal timestamps across them.
    await put('app/a', [
      { timestamp: base, message: 'a1 keep' },
      { timestamp: base, message: 'a2' },
    ]);
    await put('app/b', [{ timestamp: base, message: 'b1 keep' }]);
    await put('side', [{ timestamp: base, message: 's1' }]);
    await pollAll();
    // Arriving in the millisecond the last poll ended on, in streams that already have an event there.
    await put('app/b', [{ timestamp: base, message: 'b2 keep' }]);
    await put('side', [{ timestamp: base, message: 's2 keep' }]);
    await pollAll();
    await put('app/a', [{ timestamp: base + 1, message: 'a3' }]);
    await pollAll();
    await put('app/b', [
      { timestamp: base + 1, message: 'b3 keep' },
      { timestamp: base + 2, message: 'b4' },
    ]);
    // A poll that finds nothing new keeps its place.
    await pollAll();
    await pollAll();
    // More than one answer's worth (1 MB): the follow loop pages with nextToken, page ends falling inside runs of equal timestamps.
    const filler = 'x'.repeat(8_000);
    for (const [round, stream] of ['app/a', 'side', 'app/b'].entries()) {
      await put(
        stream,
        Array.from({ length: 125 }, (_, index) => ({ timestamp: base + 3 + Math.floor(index / 50) + round, message: `${stream} big ${round}.${index}${index % 2 === 0 ? ' keep' : ''} ${filler}` })),
      );
    }
    await pollAll();
    // The newest millisecond shown (the last page's) gets more.
    await put('app/a', [{ timestamp: base + 7, message: 'a last keep' }]);
    await put('side', [{ timestamp: base + 7, message: 's last keep' }]);
    await pollAll();

    for (const [name, follower] of Object.entries(followers)) {
      const expected = await everything(writer, group, variants[name] as TailOptions);
      assert.ok(expected.length > 0, `${name}: events expected`);
      assert.deepEqual(follower.shown, expected, `${name}: shown once each, in order`);
      const timestamps = follower.shown.map((event) => event.timestamp);
      assert.deepEqual(timestamps, [...timestamps].sort((x, y) => x - y), `${name}: in timestamp order`);
      assert.ok(follower.requests.some((request) => request.nextToken !== undefined), `${name}: paged`);
      assert.ok(
        follower.requests.every((request) => request.endTime === undefined && request.limit === undefined && request.interleaved === true),
        `${name}: the CLI's parameters only`,
      );
    }
    const all = followers.all as TailFollower;
    assert.equal(all.shown.length, 9 + 375 + 2);
    assert.deepEqual(all.shown.slice(-3).map((event) => event.message.slice(0, 11)), ['app/b big 2', 'a last keep', 's last keep']);
    assert.deepEqual(
      all.shown.slice(0, 10).map((event) => event.message),
      ['a1 keep', 'a2', 'b1 keep', 's1', 'b2 keep', 's2 keep', 'a3', 'b3 keep', 'b4', 'app/a big 0.0 keep ' + filler],
    );
    assert.deepEqual(
      (followers.pattern as TailFollower).shown.slice(0, 4).map((event) => event.message),
      ['a1 keep', 'b1 keep', 'b2 keep', 's2 keep'],
    );
    assert.ok((followers.names as TailFollower).shown.every((event) => event.stream === 'app/a' || event.stream === 'side'));
    assert.ok((followers.prefix as TailFollower).shown.every((event) => event.stream.startsWith('app/')));
  });

  it('shows every line once while writers keep putting into the millisecond being read', async () => {
    const setup = client();
    const group = '/tail/live';
    const streams = ['w0', 'w1', 'w2'];
    await setup.send(new CreateLogGroupCommand({ logGroupName: group }));
    for (const stream of streams) await setup.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    const writers = streams.map(() => client());
    const base = Date.now() - 60_000;
    const follower = new TailFollower(client(), group, { since: base });

    // Each round, every writer puts a few batches stamped with the round's millisecond while the
    // follower polls; the next round starts once all are acknowledged, so timestamps never go back.
    const rounds = 12;
    let writing = true;
    const following = (async () => {
      let polls = 0;
      while (writing || polls === 0) {
        await follower.poll();
        polls += 1;
      }
      await follower.poll();
      return polls;
    })();
    const put: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const timestamp = base + round;
      await Promise.all(
        writers.map(async (writer, index) => {
          for (let batch = 0; batch < 3; batch++) {
            const messages = [0, 1].map((n) => `r${round} w${index} b${batch} n${n}`);
            await writer.send(
              new PutLogEventsCommand({ logGroupName: group, logStreamName: streams[index] as string, logEvents: messages.map((message) => ({ timestamp, message })) }),
            );
            put.push(...messages);
          }
        }),
      );
    }
    writing = false;
    const polls = await following;
    assert.ok(polls > 1, 'the follower polled while the writers wrote');

    const messages = follower.shown.map((event) => event.message);
    assert.equal(new Set(messages).size, messages.length, 'no line shown twice');
    assert.deepEqual([...messages].sort(), [...put].sort(), 'every line shown');
    assert.deepEqual(follower.shown, await everything(setup, group, { since: base }), 'in the order of a full read');
  });
});
