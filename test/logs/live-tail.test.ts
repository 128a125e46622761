/**
 * StartLiveTail through the SDK over HTTP: the event stream's sessionStart, then the lines put
 * after it, through the filter pattern and the stream choices; 500 events a second at most,
 * `sampled` beyond; the 3-hour end (on a clock the test moves); sessions ending on the server when
 * their client goes, and when a reset deletes their groups; and the input refused in CloudWatch Logs' words. Updates follow the puts:
 * the test waits for frames, never for time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  PutLogEventsCommand,
  StartLiveTailCommand,
  type LiveTailSessionLogEvent,
  type StartLiveTailCommandInput,
  type StartLiveTailResponseStream,
} from '@aws-sdk/client-cloudwatch-logs';
import { signedFetch } from '../../src/cli/signed-fetch.js';
import { AdvancingClock } from '../../src/core/clock.js';
import { maxSessionsPerAccount } from '../../src/logs/live-tail/sessions.js';
import { rejects } from '../helpers/assertions.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';

// Bounded: a session the server failed to close would otherwise leave the wait for it hanging.
describe('CloudWatch Logs Live Tail (StartLiveTail)', { timeout: 60_000 }, () => {
  let berth: TestBerth;
  const clock = new AdvancingClock();
  const made: CloudWatchLogsClient[] = [];
  /** A client as a user of Berth sets one up for Live Tail: no `stream-` host prefix on the endpoint. */
  const client = (disableHostPrefix = true) => {
    const fresh = new CloudWatchLogsClient({
      endpoint: berth.url,
      region: 'us-east-1',
      credentials: testCredentials,
      maxAttempts: 1,
      disableHostPrefix,
      // The server's clock moves ahead in one test; a client made after that signs with its time.
      systemClockOffset: clock.now().getTime() - Date.now(),
    });
    made.push(fresh);
    return fresh;
  };
  const arns: Record<string, string> = {};
  const sessions = () => berth.server.logLiveTails;

  before(async () => {
    berth = await startBerth({}, { clock });
    const setup = client();
    for (const group of ['/live/a', '/live/b']) {
      await setup.send(new CreateLogGroupCommand({ logGroupName: group }));
      for (const stream of ['web-1', 'web-2', 'worker']) await setup.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
      arns[group] = ((await setup.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups ?? [])[0]?.logGroupArn as string;
    }
  });
  after(async () => {
    for (const each of made) each.destroy();
    await berth.close();
  });

  const put = (group: string, stream: string, messages: string[]) => {
    const writer = client();
    const now = clock.now().getTime();
    return writer.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: messages.map((message) => ({ timestamp: now, message })) })).finally(() => writer.destroy());
  };

  /** Opens a session and reads its frames; `update()` is the next sessionUpdate with events (the empty once-a-second ones are skipped). */
  async function open(input: StartLiveTailCommandInput) {
    const tailClient = client();
    const output = await tailClient.send(new StartLiveTailCommand(input));
    const frames = (output.responseStream as AsyncIterable<StartLiveTailResponseStream>)[Symbol.asyncIterator]();
    const first = await frames.next();
    assert.ok(first.value?.sessionStart, 'the first frame is sessionStart');
    return {
      start: first.value.sessionStart,
      client: tailClient,
      async update(): Promise<{ sampled: boolean; results: LiveTailSessionLogEvent[] }> {
        for (;;) {
          const frame = await frames.next();
          assert.ok(!frame.done, 'the stream goes on');
          const update = frame.value.sessionUpdate;
          if (update && (update.sessionResults ?? []).length > 0) return { sampled: update.sessionMetadata?.sampled as boolean, results: update.sessionResults ?? [] };
        }
      },
      async ending(): Promise<unknown> {
        try {
          for (;;) if ((await frames.next()).done) return undefined;
        } catch (error) {
          return error;
        }
      },
    };
  }

  it('streams the lines put after it starts, through the filter pattern, across groups, and ends when its client goes', async () => {
    await put('/live/a', 'web-1', ['ERROR before the session']);
    const tail = await open({ logGroupIdentifiers: [arns['/live/a'] as string, arns['/live/b'] as string], logEventFilterPattern: 'ERROR' });
    assert.match(tail.start.sessionId ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(tail.start.logGroupIdentifiers, [arns['/live/a'], arns['/live/b']]);
    assert.equal(tail.start.logEventFilterPattern, 'ERROR');
    assert.ok(tail.start.requestId);
    assert.equal(sessions().count(), 1);

    await put('/live/a', 'web-1', ['INFO not shown', 'ERROR one']);
    const first = await tail.update();
    assert.deepEqual(
      first.results.map(({ logStreamName, logGroupIdentifier, message }) => ({ logStreamName, logGroupIdentifier, message })),
      [{ logStreamName: 'web-1', logGroupIdentifier: arns['/live/a'], message: 'ERROR one' }],
    );
    assert.equal(first.sampled, false);
    assert.ok(typeof first.results[0]?.timestamp === 'number' && typeof first.results[0]?.ingestionTime === 'number');
    await put('/live/b', 'worker', ['ERROR two', 'ERROR three']);
    assert.deepEqual((await tail.update()).results.map((event) => [event.logGroupIdentifier, event.message]), [
      [arns['/live/b'], 'ERROR two'],
      [arns['/live/b'], 'ERROR three'],
    ]);

    tail.client.destroy();
    await sessions().whenCount(0);
    // A put after the session is gone reaches no one and fails nothing.
    await put('/live/a', 'web-1', ['ERROR after']);
    assert.equal(sessions().count(), 0);
  });

  it('keeps to the streams named, or named by prefix', async () => {
    const named = await open({ logGroupIdentifiers: [arns['/live/a'] as string], logStreamNames: ['worker'] });
    const prefixed = await open({ logGroupIdentifiers: [arns['/live/a'] as string], logStreamNamePrefixes: ['web-'] });
    await put('/live/a', 'web-2', ['from web-2']);
    await put('/live/a', 'worker', ['from worker']);
    assert.deepEqual((await named.update()).results.map((event) => event.message), ['from worker']);
    assert.deepEqual((await prefixed.update()).results.map((event) => event.message), ['from web-2']);
    assert.equal(named.start.logStreamNames?.[0], 'worker');
    assert.equal(prefixed.start.logStreamNamePrefixes?.[0], 'web-');
    named.client.destroy();
    prefixed.client.destroy();
    await sessions().whenCount(0);
  });

  it('sends at most 500 events a second, saying when it sampled', async () => {
    const tail = await open({ logGroupIdentifiers: [arns['/live/b'] as string] });
    await put('/live/b', 'web-1', Array.from({ length: 600 }, (_, index) => `burst ${index}`));
    const burst = await tail.update();
    assert.equal(burst.results.length, 500);
    assert.equal(burst.sampled, true);
    assert.equal(burst.results[0]?.message, 'burst 0');
    clock.advance(1000);
    await put('/live/b', 'web-1', ['next second']);
    const next = await tail.update();
    assert.deepEqual(next.results.map((event) => event.message), ['next second']);
    assert.equal(next.sampled, false);
    tail.client.destroy();
    await sessions().whenCount(0);
  });

  it('refuses what CloudWatch Logs refuses, and at most 15 sessions an account', async () => {
    const logs = client();
    const a = arns['/live/a'] as string;
    await rejects(logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [] })), 'InvalidParameterException', /Member must have length greater than or equal to 1/);
    await rejects(logs.send(new StartLiveTailCommand({ logGroupIdentifiers: ['/live/a'] })), 'InvalidParameterException', /is not a log group ARN/);
    await rejects(logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [`${a}:*`] })), 'InvalidParameterException', /Member must satisfy regular expression pattern/);
    await rejects(logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [a.replace('/live/a', '/live/none')] })), 'ResourceNotFoundException', /^The specified log group does not exist\.$/);
    await rejects(
      logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [a], logStreamNames: ['web-1'], logStreamNamePrefixes: ['web'] })),
      'InvalidParameterException',
      /mutually exclusive/,
    );
    await rejects(logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [a, arns['/live/b'] as string], logStreamNames: ['web-1'] })), 'InvalidParameterException', /exactly one log group/);
    await rejects(logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [a], logEventFilterPattern: '{ $.x = ' })), 'InvalidParameterException', /^Invalid filter pattern$/);
    assert.equal(sessions().count(), 0);

    const open15 = [];
    for (let n = 0; n < maxSessionsPerAccount; n++) open15.push(await open({ logGroupIdentifiers: [a] }));
    await rejects(logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [a] })), 'LimitExceededException', /^Resource limit exceeded\.$/);
    for (const tail of open15) tail.client.destroy();
    await sessions().whenCount(0);
  });

  it('needs disableHostPrefix against Berth: the SDK otherwise sends it to stream-<host>', async () => {
    await assert.rejects(client(false).send(new StartLiveTailCommand({ logGroupIdentifiers: [arns['/live/a'] as string] })), /stream-127\.0\.0\.1/);
  });

  it("ends the account's sessions with SessionStreamingException when a reset deletes their groups", async () => {
    const tail = await open({ logGroupIdentifiers: [arns['/live/a'] as string] });
    const reset = await signedFetch(berth.url, '/_berth/reset', { credentials: testCredentials, region: 'us-east-1', service: 'berth' });
    assert.equal(reset.status, 200);
    const error = (await tail.ending()) as Error | undefined;
    assert.equal(error?.name, 'SessionStreamingException');
    await sessions().whenCount(0);
  });

  // Last: it moves the server's clock 3 hours ahead.
  it('ends a session after 3 hours with SessionTimeoutException', async () => {
    const setup = client();
    await setup.send(new CreateLogGroupCommand({ logGroupName: '/live/late' }));
    await setup.send(new CreateLogStreamCommand({ logGroupName: '/live/late', logStreamName: 'web-1' }));
    const late = ((await setup.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/live/late' }))).logGroups ?? [])[0]?.logGroupArn as string;
    const tail = await open({ logGroupIdentifiers: [late] });
    clock.advance(3 * 3600_000);
    await put('/live/late', 'web-1', ['too late']);
    const error = (await tail.ending()) as Error | undefined;
    assert.equal(error?.name, 'SessionTimeoutException');
    await sessions().whenCount(0);
  });
});
