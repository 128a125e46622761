/**
 * Logs Insights: the query language run over known events (fields, filter with comparisons, like,
 * regular expressions and and/or/not, stats with count/avg/sum/min/max/pct by bin() and fields,
 * sort, limit, parse with globs and named groups), malformed queries with their offsets, and the
 * four operations through the AWS SDK.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogStreamsCommand,
  DescribeQueriesCommand,
  FilterLogEventsCommand,
  GetQueryResultsCommand,
  MalformedQueryException,
  PutLogEventsCommand,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { signedFetch } from '../../src/cli/signed-fetch.js';
import { runQuery, type SourceEvent } from '../../src/logs/insights/evaluate.js';
import { malformedQueryMessage, QuerySyntaxError } from '../../src/logs/insights/lexer.js';
import { parseQuery } from '../../src/logs/insights/parser.js';
import { rejects } from '../helpers/assertions.js';
import { bounded } from '../helpers/bounded.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';

const t0 = Date.UTC(2026, 11, 5, 0, 0, 0);
const events: SourceEvent[] = [
  { timestamp: t0, message: JSON.stringify({ level: 'info', latency: 10, path: '/a' }), stream: 'web/1', group: '000000000000:/app', ingestionTime: t0 },
  { timestamp: t0 + 60_000, message: JSON.stringify({ level: 'error', latency: 250, path: '/b', user: { id: 7 } }), stream: 'web/1', group: '000000000000:/app', ingestionTime: t0 },
  { timestamp: t0 + 120_000, message: JSON.stringify({ level: 'info', latency: 30, path: '/a' }), stream: 'web/2', group: '000000000000:/app', ingestionTime: t0 },
  { timestamp: t0 + 360_000, message: JSON.stringify({ level: 'error', latency: 500, path: '/a' }), stream: 'web/2', group: '000000000000:/app', ingestionTime: t0 },
  { timestamp: t0 + 420_000, message: 'GET /health 200 user=alice took=12ms', stream: 'web/3', group: '000000000000:/app', ingestionTime: t0 },
];

const run = (query: string) => runQuery(parseQuery(query), events).rows.map((row) => Object.fromEntries(row.map((cell) => [cell.field, cell.value])));

describe('Logs Insights query language', () => {
  it('shows @timestamp and @message, newest first, without fields or sort', () => {
    const rows = run('limit 2');
    assert.deepEqual(rows.map((row) => row['@timestamp']), ['2026-12-05 00:07:00.000', '2026-12-05 00:06:00.000']);
    assert.equal(rows[0]?.['@message'], 'GET /health 200 user=alice took=12ms');
  });

  it('filters with comparisons, like, regular expressions and and/or/not', () => {
    assert.deepEqual(run('fields path, latency | filter level = "error" and latency > 300'), [{ path: '/a', latency: '500' }]);
    assert.deepEqual(run('fields @logStream | filter @message like /health/'), [{ '@logStream': 'web/3' }]);
    assert.deepEqual(run('fields latency | filter level = "info" or latency >= 500 | sort latency asc'), [{ latency: '10' }, { latency: '30' }, { latency: '500' }]);
    assert.deepEqual(run('fields latency | filter not (level = "info") and ispresent(latency) | sort latency desc'), [{ latency: '500' }, { latency: '250' }]);
    assert.deepEqual(run('fields `user.id` as uid | filter ispresent(user.id)'), [{ uid: '7' }]);
    assert.deepEqual(run('fields path | filter path like "/b"'), [{ path: '/b' }]);
    assert.deepEqual(run('fields @message | filter @message =~ /^GET/ | display @logStream'), [{ '@logStream': 'web/3' }]);
  });

  it('computes statistics by fields and by bin()', () => {
    assert.deepEqual(run('stats count(*) as n, avg(latency), sum(latency), min(latency), max(latency) by level | sort level'), [
      { level: 'error', n: '2', 'avg(latency)': '375', 'sum(latency)': '750', 'min(latency)': '250', 'max(latency)': '500' },
      { level: 'info', n: '2', 'avg(latency)': '20', 'sum(latency)': '40', 'min(latency)': '10', 'max(latency)': '30' },
      { n: '1', 'sum(latency)': '0' },
    ]);
    assert.deepEqual(run('filter ispresent(latency) | stats count(*) by bin(5m) | sort @timestamp'), [
      { 'bin(5m)': '2026-12-05 00:00:00.000', 'count(*)': '3' },
      { 'bin(5m)': '2026-12-05 00:05:00.000', 'count(*)': '1' },
    ]);
    assert.deepEqual(run('stats pct(latency, 50) as p50, pct(latency, 99) as p99'), [{ p50: '30', p99: '500' }]);
    assert.equal(runQuery(parseQuery('filter level = "error" | stats count(*) by path'), events).recordsMatched, 2);
  });

  it('parses fields out of messages with globs and named groups', () => {
    assert.deepEqual(run('parse @message "GET * * user=* took=*ms" as path, status, user, took | filter ispresent(user) | fields path, status, user, took'), [
      { path: '/health', status: '200', user: 'alice', took: '12' },
    ]);
    assert.deepEqual(run('parse @message /user=(?<who>\\w+)/ | filter ispresent(who) | fields who'), [{ who: 'alice' }]);
  });

  it('refuses malformed queries with the offsets of the problem', () => {
    const failing: [string, number][] = [
      ['fields', 6],
      ['filter level = ', 15],
      ['stats count(*) by', 17],
      ['stats median(x)', 6],
      ['sort x | limit 0', 15],
      ['fields a | bogus b', 11],
      ['parse @message "a * b" as x, y', 15],
      ['filter "open', 7],
      ['stats count(*) by bin(5 minutes)', 22],
    ];
    for (const [query, start] of failing) {
      assert.throws(
        () => parseQuery(query),
        (error: unknown) => error instanceof QuerySyntaxError && error.start === start,
        `${query} should fail at ${start}`,
      );
    }
  });

  it('sorts by a field or a name given with as, and refuses an expression after sort in Logs Insights words', () => {
    assert.deepEqual(run('filter ispresent(latency) | stats count(*) as n by bin(5m) as period | sort period desc'), [
      { period: '2026-12-05 00:05:00.000', n: '1' },
      { period: '2026-12-05 00:00:00.000', n: '3' },
    ]);
    assert.deepEqual(run('fields latency, path | filter ispresent(latency) | sort path asc, latency desc'), [
      { latency: '500', path: '/a' },
      { latency: '30', path: '/a' },
      { latency: '10', path: '/a' },
      { latency: '250', path: '/b' },
    ]);
    assert.deepEqual(run('fields latency as `took ms` | filter ispresent(latency) | sort `took ms` | limit 1'), [{ 'took ms': '10' }]);
    const refused: [query: string, message: string][] = [
      ['stats count(*) by bin(1d)\n| sort bin(1d) desc', 'unexpected symbol found ( at line 2 and position 10'],
      ['sort latency + 1', 'unexpected symbol found + at line 1 and position 13'],
      ['sort -latency', 'unexpected symbol found - at line 1 and position 5'],
      ['sort "latency"', 'unexpected symbol found "latency" at line 1 and position 5'],
      ['fields latency | sort | limit 1', 'unexpected symbol found | at line 1 and position 22'],
      ['sort tolower(path)', 'unexpected symbol found ( at line 1 and position 12'],
    ];
    for (const [query, message] of refused) {
      assert.throws(
        () => parseQuery(query),
        (error: unknown) => error instanceof QuerySyntaxError && malformedQueryMessage(query, error.start, error.end) === message,
        `${query} should be refused with ${message}`,
      );
    }
  });
});

describe('Logs Insights through the AWS SDK', () => {
  let berth: TestBerth;
  let logs: CloudWatchLogsClient;
  before(async () => {
    berth = await startBerth();
    logs = new CloudWatchLogsClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/app' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/app', logStreamName: 'web/1' }));
    const now = Date.now() - 60_000;
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: '/app',
        logStreamName: 'web/1',
        logEvents: Array.from({ length: 100 }, (_, i) => ({ timestamp: now + i, message: JSON.stringify({ level: i % 10 === 0 ? 'error' : 'info', latency: i }) })),
      }),
    );
  });
  after(async () => {
    logs.destroy();
    await berth.close();
  });

  it('runs a query, answers its results and statistics, pages them, and lists it', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const { queryId } = await logs.send(
      new StartQueryCommand({ logGroupName: '/app', startTime: nowSeconds - 3600, endTime: nowSeconds + 60, queryString: 'filter level = "error" | stats count(*) as errors, max(latency) as worst' }),
    );
    const results = await logs.send(new GetQueryResultsCommand({ queryId }));
    assert.equal(results.status, 'Complete');
    assert.deepEqual(results.results, [[{ field: 'errors', value: '10' }, { field: 'worst', value: '90' }]]);
    assert.equal(results.statistics?.recordsMatched, 10);
    assert.equal(results.statistics?.recordsScanned, 100);

    const { queryId: listing } = await logs.send(
      new StartQueryCommand({ logGroupNames: ['/app'], startTime: nowSeconds - 3600, endTime: nowSeconds + 60, queryString: 'fields latency | sort latency desc | limit 25' }),
    );
    const first = await logs.send(new GetQueryResultsCommand({ queryId: listing, maxItems: 10 }));
    assert.equal(first.results?.length, 10);
    assert.deepEqual(first.results?.[0], [{ field: 'latency', value: '99' }]);
    const rest = await logs.send(new GetQueryResultsCommand({ queryId: listing, maxItems: 100, nextToken: first.nextToken }));
    assert.equal(rest.results?.length, 15);
    assert.equal(rest.nextToken, undefined);

    const described = await logs.send(new DescribeQueriesCommand({ logGroupName: '/app' }));
    assert.deepEqual(described.queries?.map((query) => query.queryId), [listing, queryId]);
    assert.equal(described.queries?.[0]?.status, 'Complete');
    assert.deepEqual(await logs.send(new StopQueryCommand({ queryId })).then((answer) => answer.success), false);
  });

  it('answers MalformedQueryException with the location, and refuses unknown groups and queries', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    await assert.rejects(
      logs.send(new StartQueryCommand({ logGroupName: '/app', startTime: nowSeconds - 60, endTime: nowSeconds, queryString: 'filter level = ' })),
      (error: unknown) => {
        assert.ok(error instanceof MalformedQueryException);
        assert.deepEqual(error.queryCompileError?.location, { startCharOffset: 15, endCharOffset: 16 });
        assert.equal(error.message, 'unexpected symbol found <EOF> at line 1 and position 15');
        return true;
      },
    );
    // Logs Insights' words name the symbol, its line (from 1) and its position in that line (from 0).
    await assert.rejects(
      logs.send(new StartQueryCommand({ logGroupName: '/app', startTime: nowSeconds - 60, endTime: nowSeconds, queryString: 'fields @message\n| stats count( by level' })),
      (error: unknown) => {
        assert.ok(error instanceof MalformedQueryException);
        assert.equal(error.message, 'unexpected symbol found level at line 2 and position 18');
        return true;
      },
    );
    await assert.rejects(
      logs.send(new StartQueryCommand({ logGroupName: '/app', startTime: nowSeconds - 60, endTime: nowSeconds, queryString: 'stats count(*) by bin(1d)\n| sort bin(1d) desc' })),
      (error: unknown) => {
        assert.ok(error instanceof MalformedQueryException);
        assert.equal(error.message, 'unexpected symbol found ( at line 2 and position 10');
        assert.match((error as unknown as { berthHelp?: { hint?: string } }).berthHelp?.hint ?? '', /sort takes a field name/);
        return true;
      },
    );
    await rejects(logs.send(new StartQueryCommand({ logGroupName: '/absent', startTime: nowSeconds - 60, endTime: nowSeconds, queryString: 'fields @message' })), 'ResourceNotFoundException');
    await rejects(logs.send(new GetQueryResultsCommand({ queryId: 'no-such-query' })), 'ResourceNotFoundException');
    await rejects(logs.send(new StartQueryCommand({ logGroupName: '/app', startTime: nowSeconds, endTime: nowSeconds - 60, queryString: 'fields @message' })), 'InvalidParameterException');
  });

  it("takes the account's log groups, their events and its queries with a reset", async () => {
    const response = await signedFetch(berth.url, '/_berth/reset', { credentials: testCredentials, region: 'us-east-1', service: 'berth' });
    assert.equal(response.status, 200);
    await rejects(logs.send(new FilterLogEventsCommand({ logGroupName: '/app' })), 'ResourceNotFoundException');
    assert.deepEqual((await logs.send(new DescribeQueriesCommand({}))).queries, []);
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/app' }));
    assert.deepEqual((await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/app' }))).logStreams, []);
  });
});

describe('Logs Insights regular expressions run in linear time', () => {
  it('answers a filter whose regex backtracks catastrophically in JavaScript, within the bound', async () => {
    const messages = [`${'a'.repeat(64)}!`, 'a'.repeat(64)];
    assert.equal(await bounded('insights', ['filter @message like /^(a+)+$/', messages]), 1);
  });

  it('parses with named groups, and refuses what only a backtracking engine has', () => {
    assert.deepEqual(run("filter @message like /user=/ | parse @message /user=(?<who>\\w+) took=(?<ms>\\d+)/ | fields who, ms"), [{ who: 'alice', ms: '12' }]);
    assert.throws(() => parseQuery('parse @message /(?<who>\\w+)(?=x)/'), (error: unknown) => error instanceof QuerySyntaxError && /lookahead/.test(error.message));
  });
});
