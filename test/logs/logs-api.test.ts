/**
 * CloudWatch Logs through the AWS SDK: groups and streams, PutLogEvents' batch rules and rejected
 * events, GetLogEvents' tokens both ways, FilterLogEvents with patterns across streams and pages,
 * retention that really deletes (on a clock the test moves), tags, and errors in CloudWatch Logs'
 * words with Berth's help beside them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  TagLogGroupCommand,
  TagResourceCommand,
  UntagLogGroupCommand,
  UntagResourceCommand,
  paginateFilterLogEvents,
} from '@aws-sdk/client-cloudwatch-logs';
import { join } from 'node:path';
import { AdvancingClock } from '../../src/core/clock.js';
import { logsDatabaseFileName, SqliteLogStorage } from '../../src/logs/storage/sqlite.js';
import { rejects } from '../helpers/assertions.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';

const dayMs = 24 * 3600_000;

describe('CloudWatch Logs', () => {
  let berth: TestBerth;
  let logs: CloudWatchLogsClient;
  const clock = new AdvancingClock();
  const client = () =>
    new CloudWatchLogsClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1, systemClockOffset: clock.now().getTime() - Date.now() });
  before(async () => {
    berth = await startBerth({}, { clock });
    logs = client();
  });
  after(async () => {
    logs.destroy();
    await berth.close();
  });

  /**
   * A client per request: the retention test moves the server's clock a day ahead, and a client's
   * clock offset follows the Date header of its first answer (the real time) back out of step.
   */
  const send: CloudWatchLogsClient['send'] = ((command: never) => {
    const fresh = client();
    return fresh.send(command).finally(() => fresh.destroy());
  }) as never;
  const put = (group: string, stream: string, events: { timestamp: number; message: string }[]) =>
    send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events }));
  const helpOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error as Error & { berthHelp?: { field?: string; hint?: string } };
    }
    assert.fail('the call succeeded');
  };

  it('creates, describes and deletes log groups, with prefixes, patterns, paging and classes', async () => {
    for (const name of ['/ecs/web', '/ecs/api', '/lambda/fn', 'app.audit']) await logs.send(new CreateLogGroupCommand({ logGroupName: name }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/cold', logGroupClass: 'INFREQUENT_ACCESS', tags: { team: 'a' } }));
    await rejects(logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/web' })), 'ResourceAlreadyExistsException', /^The specified log group already exists$/);
    // CloudWatch Logs' words do not quote the value refused.
    await rejects(
      logs.send(new CreateLogGroupCommand({ logGroupName: 'bad name!' })),
      'InvalidParameterException',
      /^1 validation error detected: Value at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\\.\\-_\/#A-Za-z0-9\]\+$/,
    );
    const kms = await helpOf(logs.send(new CreateLogGroupCommand({ logGroupName: '/enc', kmsKeyId: 'arn:aws:kms:us-east-1:000000000000:key/1' })));
    assert.equal(kms.name, 'InvalidParameterException');

    const ecs = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/ecs/' }));
    assert.deepEqual(ecs.logGroups?.map((group) => group.logGroupName), ['/ecs/api', '/ecs/cold', '/ecs/web']);
    const web = ecs.logGroups?.[2];
    assert.equal(web?.arn, 'arn:aws:logs:us-east-1:000000000000:log-group:/ecs/web:*');
    assert.equal(web?.logGroupArn, 'arn:aws:logs:us-east-1:000000000000:log-group:/ecs/web');
    assert.equal(web?.storedBytes, 0);
    assert.equal(web?.logGroupClass, 'STANDARD');
    assert.equal(ecs.logGroups?.[1]?.logGroupClass, 'INFREQUENT_ACCESS');
    assert.deepEqual((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: 'AUDIT' }))).logGroups?.map((group) => group.logGroupName), ['app.audit']);
    await rejects(logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/ecs', logGroupNamePattern: 'web' })), 'InvalidParameterException', /mutually exclusive/);

    const first = await logs.send(new DescribeLogGroupsCommand({ limit: 2 }));
    assert.equal(first.logGroups?.length, 2);
    const rest = await logs.send(new DescribeLogGroupsCommand({ limit: 50, nextToken: first.nextToken }));
    assert.equal(rest.nextToken, undefined);
    assert.deepEqual([...(first.logGroups ?? []), ...(rest.logGroups ?? [])].map((group) => group.logGroupName), ['/ecs/api', '/ecs/cold', '/ecs/web', '/lambda/fn', 'app.audit']);

    await logs.send(new DeleteLogGroupCommand({ logGroupName: '/lambda/fn' }));
    await rejects(logs.send(new DeleteLogGroupCommand({ logGroupName: '/lambda/fn' })), 'ResourceNotFoundException', /^The specified log group does not exist\.$/);
  });

  it('keeps groups per account and region', async () => {
    const west = new CloudWatchLogsClient({ endpoint: berth.url, region: 'us-west-2', credentials: testCredentials, maxAttempts: 1, systemClockOffset: clock.now().getTime() - Date.now() });
    try {
      assert.deepEqual((await west.send(new DescribeLogGroupsCommand({}))).logGroups, []);
      await west.send(new CreateLogGroupCommand({ logGroupName: '/ecs/web' }));
    } finally {
      west.destroy();
    }
  });

  it('writes events and reads them back in order, with the stream counters', async () => {
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/ecs/web', logStreamName: 'web/app/1' }));
    await rejects(logs.send(new CreateLogStreamCommand({ logGroupName: '/ecs/web', logStreamName: 'web/app/1' })), 'ResourceAlreadyExistsException');
    await rejects(logs.send(new CreateLogStreamCommand({ logGroupName: '/nope', logStreamName: 's' })), 'ResourceNotFoundException', /^The specified log group does not exist\.$/);
    await rejects(put('/ecs/web', 'missing', [{ timestamp: clock.now().getTime(), message: 'x' }]), 'ResourceNotFoundException', /^The specified log stream does not exist\.$/);
    const t0 = clock.now().getTime() - 60_000;
    const answer = await put('/ecs/web', 'web/app/1', [
      { timestamp: t0, message: 'first' },
      { timestamp: t0, message: 'second, same time' },
      { timestamp: t0 + 5, message: 'third' },
    ]);
    assert.match(answer.nextSequenceToken ?? '', /^\d{56}$/);
    assert.equal(answer.rejectedLogEventsInfo, undefined);
    // Sequence tokens are accepted and ignored, whatever they say.
    await logs.send(new PutLogEventsCommand({ logGroupName: '/ecs/web', logStreamName: 'web/app/1', sequenceToken: 'stale', logEvents: [{ timestamp: t0 + 10, message: 'fourth' }] }));

    const all = await logs.send(new GetLogEventsCommand({ logGroupName: '/ecs/web', logStreamName: 'web/app/1', startFromHead: true }));
    assert.deepEqual(all.events?.map((event) => event.message), ['first', 'second, same time', 'third', 'fourth']);
    assert.ok(all.events?.every((event) => typeof event.ingestionTime === 'number'));
    const [stream] = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/web' }))).logStreams ?? [];
    assert.equal(stream?.firstEventTimestamp, t0);
    assert.equal(stream?.lastEventTimestamp, t0 + 10);
    assert.ok((stream?.lastIngestionTime ?? 0) >= t0);
    assert.equal(stream?.arn, 'arn:aws:logs:us-east-1:000000000000:log-group:/ecs/web:log-stream:web/app/1');
    const [group] = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/ecs/web' }))).logGroups ?? [];
    assert.equal(group?.storedBytes, ['first', 'second, same time', 'third', 'fourth'].reduce((sum, message) => sum + message.length + 26, 0));
  });

  it('pages GetLogEvents forward and backward with f/ and b/ tokens, answering the same token at the end', async () => {
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/ecs/web', logStreamName: 'paged' }));
    const t0 = clock.now().getTime() - 3600_000;
    await put('/ecs/web', 'paged', Array.from({ length: 25 }, (_, i) => ({ timestamp: t0 + Math.floor(i / 2), message: `line ${i}` })));
    const read = (input: { nextToken?: string; startFromHead?: boolean; startTime?: number; endTime?: number }) =>
      logs.send(new GetLogEventsCommand({ logGroupName: '/ecs/web', logStreamName: 'paged', limit: 10, ...input }));

    const tail = await read({});
    assert.deepEqual(tail.events?.map((event) => event.message), Array.from({ length: 10 }, (_, i) => `line ${15 + i}`));
    assert.match(tail.nextForwardToken ?? '', /^f\/\d{56}\/s$/);
    assert.match(tail.nextBackwardToken ?? '', /^b\/\d{56}\/s$/);
    const earlier = await read({ nextToken: tail.nextBackwardToken });
    assert.deepEqual(earlier.events?.map((event) => event.message), Array.from({ length: 10 }, (_, i) => `line ${5 + i}`));
    const earliest = await read({ nextToken: earlier.nextBackwardToken });
    assert.deepEqual(earliest.events?.map((event) => event.message), Array.from({ length: 5 }, (_, i) => `line ${i}`));
    const before = await read({ nextToken: earliest.nextBackwardToken });
    assert.deepEqual(before.events, []);
    assert.equal(before.nextBackwardToken, earliest.nextBackwardToken);

    const seen: string[] = [];
    let token: string | undefined;
    for (;;) {
      const page = await read(token ? { nextToken: token } : { startFromHead: true });
      seen.push(...(page.events ?? []).map((event) => event.message ?? ''));
      if (page.nextForwardToken === token) break;
      token = page.nextForwardToken;
    }
    assert.deepEqual(seen, Array.from({ length: 25 }, (_, i) => `line ${i}`));
    await put('/ecs/web', 'paged', [{ timestamp: t0 + 100, message: 'late' }]);
    assert.deepEqual((await read({ nextToken: token })).events?.map((event) => event.message), ['late']);

    // endTime is exclusive, startTime inclusive.
    const window = await read({ startFromHead: true, startTime: t0 + 2, endTime: t0 + 4 });
    assert.deepEqual(window.events?.map((event) => event.message), ['line 4', 'line 5', 'line 6', 'line 7']);
    await rejects(read({ nextToken: 'f/123' }), 'InvalidParameterException', /^The specified nextToken is invalid\.$/);
  });

  it('applies the batch rules and reports too old, expired and too new events', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/rules' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/rules', logStreamName: 's' }));
    const now = clock.now().getTime();
    await rejects(put('/rules', 's', [{ timestamp: now, message: 'b' }, { timestamp: now - 1, message: 'a' }]), 'InvalidParameterException', /^Log events in a single PutLogEvents request must be in chronological order\.$/);
    await rejects(put('/rules', 's', [{ timestamp: now - dayMs - 1, message: 'a' }, { timestamp: now, message: 'b' }]), 'InvalidParameterException', /cannot span more than 24 hours/);
    await rejects(put('/rules', 's', []), 'InvalidParameterException', /Member must have length greater than or equal to 1/);
    await rejects(put('/rules', 's', Array.from({ length: 10_001 }, () => ({ timestamp: now, message: 'x' }))), 'InvalidParameterException', /less than or equal to 10000/);
    const big = 'x'.repeat(200_000);
    await rejects(put('/rules', 's', Array.from({ length: 6 }, () => ({ timestamp: now, message: big }))), 'InvalidParameterException', /^Upload too large: 1200156 bytes exceeds limit of 1048576$/);
    await rejects(put('/rules', 's', [{ timestamp: now, message: 'y'.repeat(1_048_551) }]), 'InvalidParameterException', /^Log event too large: 1048577 bytes exceeds limit of 1048576$/);
    // Larger than the 256 KiB of old: events may now be as large as the batch.
    await put('/rules', 's', [{ timestamp: now, message: 'z'.repeat(300_000) }]);

    const old = now - 15 * dayMs;
    const answer = await put('/rules', 's', [
      { timestamp: old, message: 'too old' },
      { timestamp: old + 1, message: 'too old too' },
      { timestamp: old + 2 * 3600_000, message: 'still too old' },
    ]);
    assert.deepEqual(answer.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 2 });
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: '/rules', retentionInDays: 1 }));
    const expired = await put('/rules', 's', [
      { timestamp: now - dayMs - 3600_000, message: 'expired' },
      { timestamp: now - dayMs - 60_000, message: 'expired too' },
      { timestamp: now - dayMs + 3600_000, message: 'kept' },
    ]);
    assert.deepEqual(expired.rejectedLogEventsInfo, { expiredLogEventEndIndex: 1 });
    const tooNew = await put('/rules', 's', [
      { timestamp: now, message: 'kept too' },
      { timestamp: now + 2 * 3600_000 + 60_000, message: 'too new' },
      { timestamp: now + 3 * 3600_000, message: 'too new too' },
    ]);
    assert.deepEqual(tooNew.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 1 });
    const kept = await logs.send(new GetLogEventsCommand({ logGroupName: '/rules', logStreamName: 's', startFromHead: true }));
    assert.deepEqual(kept.events?.map((event) => event.message?.slice(0, 8)), ['kept', 'z'.repeat(8), 'kept too']);
    await rejects(logs.send(new PutRetentionPolicyCommand({ logGroupName: '/rules', retentionInDays: 2 })), 'InvalidParameterException', /Member must satisfy enum value set: \[1, 3, 5, 7, 14/);
  });

  it('filters events across streams, interleaved by time, with patterns, prefixes, time ranges and pages', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/filter' }));
    const base = clock.now().getTime() - 600_000;
    for (const stream of ['api/1', 'api/2', 'worker/1']) await logs.send(new CreateLogStreamCommand({ logGroupName: '/filter', logStreamName: stream }));
    await put('/filter', 'api/1', [
      { timestamp: base, message: 'ERROR disk full' },
      { timestamp: base + 20, message: '{"level":"error","latency":250,"user":{"id":7}}' },
    ]);
    await put('/filter', 'api/2', [
      { timestamp: base + 10, message: 'INFO started' },
      { timestamp: base + 30, message: '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534' },
    ]);
    await put('/filter', 'worker/1', [{ timestamp: base + 15, message: 'ERROR Exiting now' }]);
    const filter = async (input: Record<string, unknown>) => {
      const answer = await logs.send(new FilterLogEventsCommand({ logGroupName: '/filter', ...input }));
      return answer.events?.map((event) => `${event.logStreamName}:${event.message}`);
    };

    assert.deepEqual(await filter({}), [
      'api/1:ERROR disk full',
      'api/2:INFO started',
      'worker/1:ERROR Exiting now',
      'api/1:{"level":"error","latency":250,"user":{"id":7}}',
      'api/2:127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534',
    ]);
    assert.deepEqual(await filter({ filterPattern: 'ERROR -Exiting' }), ['api/1:ERROR disk full']);
    assert.deepEqual(await filter({ filterPattern: '?INFO ?Exiting' }), ['api/2:INFO started', 'worker/1:ERROR Exiting now']);
    assert.deepEqual(await filter({ filterPattern: '{ $.level = "error" && $.latency > 100 }' }), ['api/1:{"level":"error","latency":250,"user":{"id":7}}']);
    assert.deepEqual(await filter({ filterPattern: '[ip, user, username, timestamp, request = "*html*", status_code = 4*, bytes > 1000]' }), [
      'api/2:127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534',
    ]);
    assert.deepEqual(await filter({ filterPattern: 'ERROR', logStreamNamePrefix: 'worker/' }), ['worker/1:ERROR Exiting now']);
    assert.deepEqual(await filter({ filterPattern: 'ERROR', logStreamNames: ['api/1', 'api/2'] }), ['api/1:ERROR disk full']);
    assert.deepEqual(await filter({ startTime: base + 10, endTime: base + 20 }), [
      'api/2:INFO started',
      'worker/1:ERROR Exiting now',
      'api/1:{"level":"error","latency":250,"user":{"id":7}}',
    ]);
    const searched = await logs.send(new FilterLogEventsCommand({ logGroupName: '/filter', logStreamNamePrefix: 'api/' }));
    assert.deepEqual(searched.searchedLogStreams, [
      { logStreamName: 'api/1', searchedCompletely: true },
      { logStreamName: 'api/2', searchedCompletely: true },
    ]);
    assert.match(searched.events?.[0]?.eventId ?? '', /^\d{56}$/);

    const pages: string[] = [];
    for await (const page of paginateFilterLogEvents({ client: logs, pageSize: 2 }, { logGroupName: '/filter' })) {
      assert.ok((page.events?.length ?? 0) <= 2);
      pages.push(...(page.events ?? []).map((event) => event.message ?? ''));
    }
    assert.equal(pages.length, 5);

    const malformed = await helpOf(logs.send(new FilterLogEventsCommand({ logGroupName: '/filter', filterPattern: '{ $.level = "error" ' })));
    assert.equal(malformed.name, 'InvalidParameterException');
    assert.equal(malformed.message, 'Invalid filter pattern');
    // An unquoted term holds only letters, digits and '_'; AWS names the first other character.
    const colon = await helpOf(logs.send(new FilterLogEventsCommand({ logGroupName: '/filter', filterPattern: '?Status: timeout' })));
    assert.equal(colon.name, 'InvalidParameterException');
    assert.equal(colon.message, "Invalid character(s) in term ':'");
    assert.equal(colon.berthHelp?.field, 'filterPattern');
    assert.match(colon.berthHelp?.hint ?? '', /the unquoted term 'Status:' holds ':'.* at position 7 of the pattern/);
    const group = await helpOf(logs.send(new FilterLogEventsCommand({ logGroupName: '/filter', filterPattern: '%(ERROR|INFO) started%' })));
    assert.equal(group.message, "Invalid character(s) in term '('");
    const three = await helpOf(logs.send(new FilterLogEventsCommand({ logGroupName: '/filter', filterPattern: '{ $.level = %a% || $.level = %b% || $.level = %c% }' })));
    assert.equal(three.message, 'There is a limit of 2 regex for each filter pattern.');
    assert.deepEqual(await filter({ filterPattern: '"Exiting now"' }), ['worker/1:ERROR Exiting now']);
    assert.deepEqual(await filter({ filterPattern: '%ERROR|INFO started%' }), ['api/1:ERROR disk full', 'api/2:INFO started', 'worker/1:ERROR Exiting now']);
    await rejects(logs.send(new FilterLogEventsCommand({ logGroupName: '/filter', logStreamNames: ['a'], logStreamNamePrefix: 'a' })), 'InvalidParameterException');
    await rejects(logs.send(new FilterLogEventsCommand({ logGroupName: '/filter', nextToken: 'garbage' })), 'InvalidParameterException', /nextToken is invalid/);
  });

  it('orders streams by name or by last event time, and pages them', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/order' }));
    const now = clock.now().getTime();
    for (const [stream, offset] of [['c', 3], ['a', 1], ['b', 2]] as const) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: '/order', logStreamName: stream }));
      await put('/order', stream, [{ timestamp: now - 1000 + offset * (stream === 'a' ? 100 : 1), message: stream }]);
    }
    const names = async (input: Record<string, unknown>) =>
      (await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/order', ...input }))).logStreams?.map((stream) => stream.logStreamName);
    assert.deepEqual(await names({}), ['a', 'b', 'c']);
    assert.deepEqual(await names({ orderBy: 'LastEventTime', descending: true }), ['a', 'c', 'b']);
    assert.deepEqual(await names({ logStreamNamePrefix: 'b' }), ['b']);
    await rejects(logs.send(new DescribeLogStreamsCommand({ logGroupName: '/order', orderBy: 'LastEventTime', logStreamNamePrefix: 'a' })), 'InvalidParameterException', /^Cannot order by LastEventTime with a logStreamNamePrefix\.$/);
    const page = await logs.send(new DescribeLogStreamsCommand({ logGroupIdentifier: 'arn:aws:logs:us-east-1:000000000000:log-group:/order', limit: 2 }));
    assert.deepEqual(page.logStreams?.map((stream) => stream.logStreamName), ['a', 'b']);
    assert.deepEqual(await names({ nextToken: page.nextToken, limit: 2 }), ['c']);
    await logs.send(new DeleteLogStreamCommand({ logGroupName: '/order', logStreamName: 'b' }));
    assert.deepEqual(await names({}), ['a', 'c']);
    await rejects(logs.send(new DeleteLogStreamCommand({ logGroupName: '/order', logStreamName: 'b' })), 'ResourceNotFoundException', /^The specified log stream does not exist\.$/);
  });

  it('tags log groups by name and by ARN', async () => {
    const arn = 'arn:aws:logs:us-east-1:000000000000:log-group:/ecs/cold';
    await logs.send(new TagLogGroupCommand({ logGroupName: '/ecs/cold', tags: { env: 'prod' } }));
    await logs.send(new TagResourceCommand({ resourceArn: arn, tags: { owner: 'ops' } }));
    assert.deepEqual((await logs.send(new ListTagsLogGroupCommand({ logGroupName: '/ecs/cold' }))).tags, { team: 'a', env: 'prod', owner: 'ops' });
    await logs.send(new UntagLogGroupCommand({ logGroupName: '/ecs/cold', tags: ['team'] }));
    await logs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['env'] }));
    assert.deepEqual((await logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { owner: 'ops' });
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    await rejects(logs.send(new TagLogGroupCommand({ logGroupName: '/ecs/cold', tags: many })), 'TooManyTagsException');
    await rejects(logs.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:logs:us-east-1:000000000000:log-group:/absent' })), 'ResourceNotFoundException');
  });

  it('deletes a group with its streams and events, and a group made again starts empty', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/gone' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/gone', logStreamName: 's' }));
    await put('/gone', 's', [{ timestamp: clock.now().getTime(), message: 'x' }]);
    await logs.send(new DeleteLogGroupCommand({ logGroupName: '/gone' }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/gone' }));
    assert.deepEqual((await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/gone' }))).logStreams, []);
    assert.deepEqual((await logs.send(new FilterLogEventsCommand({ logGroupName: '/gone' }))).events, []);
  });

  it('keeps acknowledged events across a restart', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/durable' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/durable', logStreamName: 's' }));
    await put('/durable', 's', [{ timestamp: clock.now().getTime(), message: 'kept across restart' }]);
    await berth.stop();
    await berth.restart();
    logs.destroy();
    logs = client();
    const events = await logs.send(new GetLogEventsCommand({ logGroupName: '/durable', logStreamName: 's' }));
    assert.deepEqual(events.events?.map((event) => event.message), ['kept across restart']);
  });
  it('expires events past the retention period, and keeps them all without one', async () => {
    await send(new CreateLogGroupCommand({ logGroupName: '/retained' }));
    await send(new CreateLogStreamCommand({ logGroupName: '/retained', logStreamName: 's' }));
    const now = clock.now().getTime();
    await put('/retained', 's', [
      { timestamp: now - 2 * 3600_000, message: 'older' },
      { timestamp: now - 3600_000, message: 'newer' },
    ]);
    await send(new PutRetentionPolicyCommand({ logGroupName: '/retained', retentionInDays: 1 }));
    const messages = async () =>
      (await send(new GetLogEventsCommand({ logGroupName: '/retained', logStreamName: 's', startFromHead: true }))).events?.map((event) => event.message);
    await berth.server.logRetention.settle();
    assert.deepEqual(await messages(), ['older', 'newer']);
    assert.equal((await send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/retained' }))).logGroups?.[0]?.retentionInDays, 1);

    clock.advance(dayMs - 2 * 3600_000 + 60_000);
    await berth.server.logRetention.settle();
    assert.deepEqual(await messages(), ['newer']);
    const [stream] = (await send(new DescribeLogStreamsCommand({ logGroupName: '/retained' }))).logStreams ?? [];
    assert.equal(stream?.firstEventTimestamp, now - 3600_000);
    assert.equal((await send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/retained' }))).logGroups?.[0]?.storedBytes, 'newer'.length + 26);

    await send(new DeleteRetentionPolicyCommand({ logGroupName: '/retained' }));
    clock.advance(2 * dayMs);
    await berth.server.logRetention.settle();
    assert.deepEqual(await messages(), ['newer']);
    assert.equal((await send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/retained' }))).logGroups?.[0]?.retentionInDays, undefined);
  });

  it('removes the events of a log group whose record is gone, as a crash mid-deletion leaves them', async () => {
    await send(new CreateLogGroupCommand({ logGroupName: '/orphaned' }));
    await send(new CreateLogStreamCommand({ logGroupName: '/orphaned', logStreamName: 's' }));
    await put('/orphaned', 's', [{ timestamp: clock.now().getTime(), message: 'left behind' }]);
    const record = await berth.server.store.write(async (tx) => {
      const group = await tx.logGroups.get('000000000000', 'us-east-1', '/orphaned');
      assert.ok(group);
      await tx.logGroups.delete(group);
      return group;
    });
    const key = `000000000000/us-east-1/${record.storageId}`;
    const observer = new SqliteLogStorage(join(berth.dataDir, logsDatabaseFileName));
    try {
      assert.ok(observer.groups().includes(key));
      await berth.server.logRetention.settle();
      assert.ok(observer.groups().includes(key), 'swept before its resync');
      clock.advance(3600_000 + 1000);
      await berth.server.logRetention.settle();
      assert.ok(!observer.groups().includes(key), 'the orphaned events stayed');
      assert.ok(observer.groups().length > 0, 'live groups were swept too');
    } finally {
      observer.close();
    }
  });
});
