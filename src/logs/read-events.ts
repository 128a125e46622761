/**
 * GetLogEvents (one stream, by position, with AWS's `f/…` and `b/…` tokens) and FilterLogEvents
 * (a group's streams interleaved by time, through a filter pattern, paged by an opaque token).
 */
import type {
  FilterLogEventsRequest,
  FilterLogEventsResponse,
  GetLogEventsRequest,
  GetLogEventsResponse,
} from '@aws-sdk/client-cloudwatch-logs';
import { withHelp } from '../core/errors.js';
import type { RequestContext } from '../core/request-context.js';
import type { Wire } from '../core/wire.js';
import type { LogsDeps } from './deps.js';
import { invalidNextToken, invalidParameter, streamNotFound } from './errors.js';
import { FilterPatternError, parseFilterPattern, type FilterPattern } from './filter-pattern/index.js';
import { groupFrom } from './names.js';
import type { LogPosition } from './storage/types.js';
import { requireGroup } from './streams.js';
import { digits56, opaqueToken, parseOpaqueToken, parseStreamToken, streamToken } from './tokens.js';
import { checkLength, checkLimit, checkList, checkStreamName, checkTime, exclusive } from './validate.js';

const maxEvents = 10_000;
const maxResponseBytes = 1_048_576;
/** Events a FilterLogEvents call examines before answering with a token to go on (keeps one call from holding the process). */
export const filterScanBudget = 250_000;
const beforeAll: LogPosition = { timestamp: -1, seq: 0 };

export function compilePattern(pattern: string | undefined, field = 'filterPattern'): FilterPattern {
  if (pattern === undefined) return () => true;
  checkLength(pattern, field, 0, 1024);
  try {
    return parseFilterPattern(pattern);
  } catch (error) {
    if (!(error instanceof FilterPatternError)) throw error;
    throw withHelp(invalidParameter(error.awsMessage), { field, hint: `${error.reason} at position ${error.position} of the pattern` });
  }
}

const isPosition = (value: unknown): value is LogPosition =>
  typeof value === 'object' && value !== null && Number.isSafeInteger((value as LogPosition).timestamp) && Number.isSafeInteger((value as LogPosition).seq);

export function readEventsOperations(deps: LogsDeps) {
  return {
    async GetLogEvents(input: Wire<GetLogEventsRequest>, ctx: RequestContext): Promise<Wire<GetLogEventsResponse>> {
      const group = groupFrom(ctx.scope, input);
      const stream = checkStreamName(input.logStreamName);
      const startTime = checkTime(input.startTime, 'startTime');
      const endTime = checkTime(input.endTime, 'endTime');
      const limit = checkLimit(input.limit, 'limit', maxEvents) ?? maxEvents;
      const token = input.nextToken === undefined ? undefined : parseStreamToken(input.nextToken);
      if (input.nextToken !== undefined && !token) throw invalidNextToken();
      const key = await requireGroup(deps, ctx.scope, group);
      if (!deps.events.getStream(key, stream)) throw streamNotFound(group, stream);
      const direction = token ? (token.direction === 'f' ? 'forward' : 'backward') : input.startFromHead ? 'forward' : 'backward';
      const events = deps.events.read(key, stream, {
        direction,
        limit,
        maxBytes: maxResponseBytes,
        ...(token ? { from: token.position } : {}),
        ...(startTime !== undefined ? { startTime } : {}),
        ...(endTime !== undefined ? { endTime } : {}),
      });
      const first = events[0];
      const last = events.at(-1);
      // At either end of the stream, the token passed in comes back, as CloudWatch Logs does.
      const here = token?.position ?? beforeAll;
      return {
        events: events.map((event) => ({ timestamp: event.timestamp, message: event.message, ingestionTime: event.ingestionTime })),
        nextForwardToken: last ? streamToken('f', last) : token?.direction === 'f' ? (input.nextToken as string) : streamToken('f', here),
        nextBackwardToken: first ? streamToken('b', first) : token?.direction === 'b' ? (input.nextToken as string) : streamToken('b', here),
      };
    },

    async FilterLogEvents(input: Wire<FilterLogEventsRequest>, ctx: RequestContext): Promise<Wire<FilterLogEventsResponse>> {
      const group = groupFrom(ctx.scope, input);
      exclusive(input.logStreamNames, input.logStreamNamePrefix, 'logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
      const names = checkList(input.logStreamNames, 'logStreamNames', 100, (name, field) => void checkStreamName(name, field), 'names');
      const prefix = input.logStreamNamePrefix === undefined ? undefined : checkStreamName(input.logStreamNamePrefix, 'logStreamNamePrefix');
      const startTime = checkTime(input.startTime, 'startTime');
      const endTime = checkTime(input.endTime, 'endTime');
      const limit = checkLimit(input.limit, 'limit', maxEvents) ?? maxEvents;
      const matches = compilePattern(input.filterPattern);
      // Events come oldest first, interleaved across streams (`interleaved` has been ignored by AWS since 2019, always true);
      // `unmask` has nothing to reveal, as Berth has no data protection policies that mask.
      if (input.startFromHead === false) {
        throw invalidParameter('Berth answers FilterLogEvents oldest first only; leave out startFromHead or set it to true.', 'startFromHead');
      }
      let after: LogPosition | undefined;
      if (input.nextToken !== undefined) {
        const token = parseOpaqueToken(input.nextToken) as { after?: unknown } | undefined;
        if (!isPosition(token?.after)) throw invalidNextToken();
        after = token.after;
      }
      const key = await requireGroup(deps, ctx.scope, group);
      const result = deps.events.scan(key, {
        limit,
        maxBytes: maxResponseBytes,
        budget: filterScanBudget,
        matches: (event) => matches(event.message),
        ...(names !== undefined ? { streams: names } : {}),
        ...(prefix !== undefined ? { streamPrefix: prefix } : {}),
        ...(startTime !== undefined ? { startTime } : {}),
        ...(endTime !== undefined ? { endTime } : {}),
        ...(after ? { after } : {}),
      });
      return {
        events: result.events.map((event) => ({
          logStreamName: event.stream,
          timestamp: event.timestamp,
          message: event.message,
          ingestionTime: event.ingestionTime,
          eventId: digits56(event.seq),
        })),
        searchedLogStreams: result.searchedStreams.map((name) => ({ logStreamName: name, searchedCompletely: result.resumeAfter === undefined })),
        ...(result.resumeAfter ? { nextToken: opaqueToken({ after: result.resumeAfter }) } : {}),
      };
    },
  };
}
