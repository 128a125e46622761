/**
 * The CloudWatch Logs API (JSON 1.1, target prefix Logs_20140328, as both the current AWS SDKs and
 * the aws CLI v1 send it), for the operations Berth serves; the rest answer UnknownOperationException.
 */
import * as logsModel from '@aws-sdk/client-cloudwatch-logs';
import { defineJsonService, type JsonHandler, type JsonService } from '../edge/protocols/aws-json.js';
import type { LogsDeps } from './deps.js';
import { groupOperations } from './groups.js';
import { QueryBook } from './insights/query-book.js';
import { LiveTailSessions } from './live-tail/sessions.js';
import { liveTailOperations } from './live-tail/start.js';
import { putEventsOperation } from './put-events.js';
import { queryOperations } from './queries.js';
import { readEventsOperations } from './read-events.js';
import { streamOperations } from './streams.js';
import { taggingOperations } from './tagging.js';

export const logsTargetPrefix = 'Logs_20140328';

export function logsService(deps: LogsDeps, queries = new QueryBook(), liveTails = new LiveTailSessions(deps.clock)): JsonService {
  const operations: Record<string, JsonHandler> = {
    ...groupOperations(deps),
    ...streamOperations(deps),
    ...putEventsOperation(deps, liveTails),
    ...readEventsOperations(deps),
    ...taggingOperations(deps),
    ...queryOperations({ ...deps, queries }),
    ...liveTailOperations(deps, liveTails),
  };
  return defineJsonService(logsModel as Record<string, unknown>, { id: 'logs', signingName: 'logs', targetPrefix: logsTargetPrefix, jsonVersion: '1.1' }, operations);
}
