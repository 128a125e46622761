/**
 * Logs Insights: StartQuery, GetQueryResults, StopQuery and DescribeQueries, in the CloudWatch
 * Logs Insights query language (insights/). A query runs over the events of its groups in its
 * time range when it starts; its results are kept in the query book.
 */
import { randomUUID } from 'node:crypto';
import type {
  DescribeQueriesRequest,
  DescribeQueriesResponse,
  GetQueryResultsRequest,
  GetQueryResultsResponse,
  StartQueryRequest,
  StartQueryResponse,
  StopQueryRequest,
  StopQueryResponse,
} from '@aws-sdk/client-cloudwatch-logs';
import { LimitExceededException, MalformedQueryException, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { modelled, withHelp } from '../core/errors.js';
import type { RequestContext } from '../core/request-context.js';
import type { Wire } from '../core/wire.js';
import type { LogsDeps } from './deps.js';
import { constraintFailed, invalidNextToken, invalidParameter } from './errors.js';
import { existingGroup } from './groups.js';
import { runQuery, type SourceEvent } from './insights/evaluate.js';
import { malformedQueryMessage, QuerySyntaxError } from './insights/lexer.js';
import { parseQuery } from './insights/parser.js';
import type { QueryBook } from './insights/query-book.js';
import { groupNameOfArn, storageKey } from './names.js';
import { eventBytes } from './storage/sqlite.js';
import { opaqueToken, parseOpaqueToken } from './tokens.js';
import { checkGroupName, checkLength, checkLimit, required } from './validate.js';

export interface InsightsDeps extends LogsDeps {
  queries: QueryBook;
}

/** Events one query reads at most: a query runs in the server's process, holding its events in memory. */
export const maxQueryEvents = 2_000_000;

const queryNotFound = (queryId: string) =>
  withHelp(modelled(ResourceNotFoundException, 'Query does not exist.'), { resource: queryId, hint: 'Queries are kept by the Berth process that ran them, until it restarts.' });

function groupsOf(ctx: RequestContext, input: Wire<StartQueryRequest>): string[] {
  const given = [input.logGroupName !== undefined, input.logGroupNames !== undefined, input.logGroupIdentifiers !== undefined].filter(Boolean).length;
  if (given === 0) throw invalidParameter('One of logGroupName, logGroupNames or logGroupIdentifiers must be specified.', 'logGroupNames');
  if (given > 1) throw invalidParameter('Only one of logGroupName, logGroupNames or logGroupIdentifiers may be specified.', 'logGroupNames');
  if (input.logGroupName !== undefined) return [checkGroupName(input.logGroupName)];
  const list = (input.logGroupNames ?? input.logGroupIdentifiers) as string[];
  const field = input.logGroupNames ? 'logGroupNames' : 'logGroupIdentifiers';
  if (list.length < 1 || list.length > 50) throw constraintFailed(field, `(${list.length} groups)`, 'have length between 1 and 50');
  return list.map((entry) => {
    if (!entry.startsWith('arn:')) return checkGroupName(entry, field);
    const name = groupNameOfArn(ctx.scope, entry);
    if (name === undefined) throw invalidParameter(`${entry} is not a log group ARN of this account and Region.`, field);
    return name;
  });
}

export function queryOperations(deps: InsightsDeps) {
  return {
    async StartQuery(input: Wire<StartQueryRequest>, ctx: RequestContext): Promise<Wire<StartQueryResponse>> {
      const groups = groupsOf(ctx, input);
      const startTime = required(input.startTime, 'startTime');
      const endTime = required(input.endTime, 'endTime');
      if (!Number.isInteger(startTime) || startTime < 0) throw constraintFailed('startTime', startTime, 'have value greater than or equal to 0');
      if (!Number.isInteger(endTime) || endTime < 0) throw constraintFailed('endTime', endTime, 'have value greater than or equal to 0');
      if (endTime < startTime) throw invalidParameter('endTime must be greater than or equal to startTime.', 'endTime');
      const queryString = checkLength(required(input.queryString, 'queryString'), 'queryString', 0, 10_000);
      const limit = checkLimit(input.limit, 'limit', 10_000) ?? 10_000;
      if (input.queryLanguage !== undefined && input.queryLanguage !== 'CWLI') {
        throw invalidParameter(`Berth runs Logs Insights queries in the CWLI language only, not ${input.queryLanguage}.`, 'queryLanguage');
      }
      let query;
      try {
        query = parseQuery(queryString);
      } catch (error) {
        if (!(error instanceof QuerySyntaxError)) throw error;
        const location = { startCharOffset: error.start, endCharOffset: error.end };
        const message = malformedQueryMessage(queryString, error.start, error.end);
        throw withHelp(modelled(MalformedQueryException, message, { queryCompileError: { location, message } }), {
          field: 'queryString',
          hint: `${error.message}, characters ${error.start} to ${error.end} of the query`,
        });
      }
      const records = await deps.store.read(async (tx) => Promise.all(groups.map((group) => existingGroup(tx, ctx.scope, group))));
      const started = deps.clock.now().getTime();
      const events: SourceEvent[] = [];
      let bytesScanned = 0;
      for (const record of records) {
        const group = record.name;
        const found = deps.events.scan(storageKey(record), { startTime: startTime * 1000, endTime: endTime * 1000 + 999, limit: maxQueryEvents + 1 - events.length, matches: () => true });
        if (found.resumeAfter || events.length + found.events.length > maxQueryEvents) {
          throw withHelp(modelled(LimitExceededException, 'Resource limit exceeded.'), {
            field: 'startTime',
            hint: `Berth reads at most ${maxQueryEvents} events per query and these log groups hold more between startTime and endTime; query a shorter time range or fewer log groups.`,
          });
        }
        for (const event of found.events) {
          bytesScanned += eventBytes(event.message);
          events.push({ timestamp: event.timestamp, message: event.message, stream: event.stream, group: `${ctx.scope.accountId}:${group}`, ingestionTime: event.ingestionTime });
        }
      }
      const output = runQuery(query, events, limit);
      const queryId = randomUUID();
      deps.queries.add(ctx.scope, {
        queryId,
        queryString,
        logGroupNames: groups,
        createTime: started,
        durationMs: Math.max(0, deps.clock.now().getTime() - started),
        status: 'Complete',
        output,
        recordsScanned: events.length,
        bytesScanned,
      });
      return { queryId };
    },

    async GetQueryResults(input: Wire<GetQueryResultsRequest>, ctx: RequestContext): Promise<Wire<GetQueryResultsResponse>> {
      const queryId = checkLength(required(input.queryId, 'queryId'), 'queryId', 0, 256);
      const maxItems = checkLimit(input.maxItems, 'maxItems', 10_000);
      let offset = 0;
      if (input.nextToken !== undefined) {
        const token = parseOpaqueToken(input.nextToken) as { offset?: unknown } | undefined;
        if (typeof token?.offset !== 'number') throw invalidNextToken();
        offset = token.offset;
      }
      const query = deps.queries.get(ctx.scope, queryId);
      if (!query) throw queryNotFound(queryId);
      const rows = query.output.rows;
      const page = maxItems === undefined ? rows.slice(offset) : rows.slice(offset, offset + maxItems);
      return {
        queryLanguage: 'CWLI',
        status: query.status,
        results: page,
        statistics: { recordsMatched: query.output.recordsMatched, recordsScanned: query.recordsScanned, bytesScanned: query.bytesScanned, logGroupsScanned: query.logGroupNames.length },
        ...(maxItems !== undefined && offset + maxItems < rows.length ? { nextToken: opaqueToken({ offset: offset + maxItems }) } : {}),
      };
    },

    async StopQuery(input: Wire<StopQueryRequest>, ctx: RequestContext): Promise<Wire<StopQueryResponse>> {
      const queryId = checkLength(required(input.queryId, 'queryId'), 'queryId', 0, 256);
      if (!deps.queries.get(ctx.scope, queryId)) throw queryNotFound(queryId);
      // Queries finish as they start: there is never one running to stop.
      return { success: false };
    },

    async DescribeQueries(input: Wire<DescribeQueriesRequest>, ctx: RequestContext): Promise<Wire<DescribeQueriesResponse>> {
      const group = input.logGroupName === undefined ? undefined : checkGroupName(input.logGroupName);
      const statuses = ['Scheduled', 'Running', 'Complete', 'Failed', 'Cancelled', 'Timeout', 'Unknown'];
      if (input.status !== undefined && !statuses.includes(input.status)) throw constraintFailed('status', input.status, `satisfy enum value set: [${statuses.join(', ')}]`);
      if (input.queryLanguage !== undefined && input.queryLanguage !== 'CWLI') return { queries: [] };
      const maxResults = checkLimit(input.maxResults, 'maxResults', 1000) ?? 1000;
      let offset = 0;
      if (input.nextToken !== undefined) {
        const token = parseOpaqueToken(input.nextToken) as { offset?: unknown } | undefined;
        if (typeof token?.offset !== 'number') throw invalidNextToken();
        offset = token.offset;
      }
      const matching = deps.queries.list(ctx.scope).filter((query) => (group === undefined || query.logGroupNames.includes(group)) && (input.status === undefined || query.status === input.status));
      const page = matching.slice(offset, offset + maxResults);
      return {
        queries: page.map((query) => ({
          queryLanguage: 'CWLI',
          queryId: query.queryId,
          queryString: query.queryString,
          status: query.status,
          createTime: query.createTime,
          ...(query.logGroupNames.length === 1 ? { logGroupName: query.logGroupNames[0] } : {}),
          queryDuration: query.durationMs,
          bytesScanned: query.bytesScanned,
        })),
        ...(offset + maxResults < matching.length ? { nextToken: opaqueToken({ offset: offset + maxResults }) } : {}),
      };
    },
  };
}
