/** CreateLogStream, DeleteLogStream and DescribeLogStreams. */
import type {
  CreateLogStreamRequest,
  DeleteLogStreamRequest,
  DescribeLogStreamsRequest,
  DescribeLogStreamsResponse,
  LogStream,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Scope } from '../core/principal.js';
import type { RequestContext } from '../core/request-context.js';
import type { Wire } from '../core/wire.js';
import type { LogsDeps } from './deps.js';
import { constraintFailed, groupNotFound, invalidNextToken, invalidParameter, streamExists, streamNotFound } from './errors.js';
import { existingGroup } from './groups.js';
import { groupFrom, storageKey, streamArn } from './names.js';
import type { LogStreamInfo } from './storage/types.js';
import { digits56, opaqueToken, parseOpaqueToken } from './tokens.js';
import { checkGroupName, checkLimit, checkStreamName } from './validate.js';

/** The storage key of a group that exists in the record store; ResourceNotFoundException otherwise. */
export async function requireGroup(deps: LogsDeps, scope: Scope, name: string): Promise<string> {
  return storageKey(await deps.store.read((tx) => existingGroup(tx, scope, name)));
}

function present(scope: Scope, group: string, stream: LogStreamInfo): Wire<LogStream> {
  return {
    logStreamName: stream.name,
    creationTime: stream.creationTime,
    ...(stream.firstEventTimestamp !== undefined ? { firstEventTimestamp: stream.firstEventTimestamp } : {}),
    ...(stream.lastEventTimestamp !== undefined ? { lastEventTimestamp: stream.lastEventTimestamp } : {}),
    ...(stream.lastIngestionTime !== undefined ? { lastIngestionTime: stream.lastIngestionTime } : {}),
    uploadSequenceToken: digits56(stream.appends + 1),
    arn: streamArn(scope, group, stream.name),
    // CloudWatch Logs has reported zero for a stream's storedBytes since June 2019; DescribeLogGroups counts them.
    storedBytes: 0,
  };
}

type Order = 'LogStreamName' | 'LastEventTime';

export function streamOperations(deps: LogsDeps) {
  return {
    async CreateLogStream(input: Wire<CreateLogStreamRequest>, ctx: RequestContext): Promise<Record<string, never>> {
      const group = checkGroupName(input.logGroupName);
      const stream = checkStreamName(input.logStreamName);
      const key = await requireGroup(deps, ctx.scope, group);
      if (!deps.events.createStream(key, stream, deps.clock.now().getTime())) throw streamExists(group, stream);
      // The group may have been deleted since it was read: then the stream must not stay behind it.
      const still = await deps.store.read((tx) => tx.logGroups.get(ctx.scope.accountId, ctx.scope.region, group));
      if (!still || storageKey(still) !== key) {
        deps.events.deleteStream(key, stream);
        throw groupNotFound(group);
      }
      return {};
    },

    async DeleteLogStream(input: Wire<DeleteLogStreamRequest>, ctx: RequestContext): Promise<Record<string, never>> {
      const group = checkGroupName(input.logGroupName);
      const stream = checkStreamName(input.logStreamName);
      const key = await requireGroup(deps, ctx.scope, group);
      if (!deps.events.deleteStream(key, stream)) throw streamNotFound(group, stream);
      return {};
    },

    async DescribeLogStreams(input: Wire<DescribeLogStreamsRequest>, ctx: RequestContext): Promise<Wire<DescribeLogStreamsResponse>> {
      const group = groupFrom(ctx.scope, input);
      const prefix = input.logStreamNamePrefix === undefined ? undefined : checkStreamName(input.logStreamNamePrefix, 'logStreamNamePrefix');
      const orderBy = (input.orderBy ?? 'LogStreamName') as Order;
      if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') throw constraintFailed('orderBy', orderBy, 'satisfy enum value set: [LogStreamName, LastEventTime]');
      if (orderBy === 'LastEventTime' && prefix !== undefined) throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
      const descending = input.descending ?? false;
      const limit = checkLimit(input.limit, 'limit', 50) ?? 50;
      let offset = 0;
      if (input.nextToken !== undefined) {
        const token = parseOpaqueToken(input.nextToken) as { offset?: unknown; orderBy?: unknown; descending?: unknown } | undefined;
        if (typeof token?.offset !== 'number' || token.orderBy !== orderBy || token.descending !== descending) throw invalidNextToken();
        offset = token.offset;
      }
      const key = await requireGroup(deps, ctx.scope, group);
      let streams = deps.events.listStreams(key).filter((stream) => prefix === undefined || stream.name.startsWith(prefix));
      if (orderBy === 'LastEventTime') {
        // Streams without events sort first, as their last event time is unset; names break ties.
        streams = streams.sort((a, b) => (a.lastEventTimestamp ?? -1) - (b.lastEventTimestamp ?? -1) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      }
      if (descending) streams.reverse();
      const page = streams.slice(offset, offset + limit);
      return {
        logStreams: page.map((stream) => present(ctx.scope, group, stream)),
        ...(offset + limit < streams.length ? { nextToken: opaqueToken({ offset: offset + limit, orderBy, descending }) } : {}),
      };
    },
  };
}
