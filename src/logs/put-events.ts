/**
 * PutLogEvents, with CloudWatch Logs' batch rules: 1 to 10,000 events, at most 1,048,576 bytes
 * (each message's UTF-8 bytes + 26), each event at most 1 MiB so counted, in chronological
 * order, spanning at most 24 hours. Events older than 14 days or than the group's retention, or
 * more than 2 hours ahead of now, are not kept and are reported in rejectedLogEventsInfo; the rest
 * are. Sequence tokens are accepted and ignored, as CloudWatch Logs does since January 2023; the
 * answer still carries a nextSequenceToken.
 */
import type { PutLogEventsRequest, PutLogEventsResponse, RejectedLogEventsInfo } from '@aws-sdk/client-cloudwatch-logs';
import type { RequestContext } from '../core/request-context.js';
import type { Wire } from '../core/wire.js';
import type { LogsDeps } from './deps.js';
import type { LiveTailSessions } from './live-tail/sessions.js';
import { constraintFailed, invalidParameter, storageFull, streamNotFound } from './errors.js';
import { existingGroup } from './groups.js';
import { storageKey } from './names.js';
import { dayMs, retentionCutoff } from './retention.js';
import { eventBytes } from './storage/sqlite.js';
import { LogStorageFull, type LogStreamInfo, type NewLogEvent } from './storage/types.js';
import { digits56 } from './tokens.js';
import { checkGroupName, checkStreamName, required } from './validate.js';

export const maxBatchEvents = 10_000;
export const maxBatchBytes = 1_048_576;
/** Since 2025 an event may be as large as the whole batch (it was 256 KiB before). */
export const maxEventBytes = 1_048_576;
const maxSpanMs = dayMs;
const tooOldMs = 14 * dayMs;
const tooNewMs = 2 * 60 * 60 * 1000;

function checkEvents(events: readonly { timestamp?: number | undefined; message?: string | undefined }[]): NewLogEvent[] {
  if (events.length < 1) throw constraintFailed('logEvents', '[]', 'have length greater than or equal to 1');
  if (events.length > maxBatchEvents) throw constraintFailed('logEvents', `(${events.length} events)`, `have length less than or equal to ${maxBatchEvents}`);
  let total = 0;
  const checked = events.map((event, index) => {
    const timestamp = required(event.timestamp, `logEvents.${index + 1}.member.timestamp`);
    const message = required(event.message, `logEvents.${index + 1}.member.message`);
    if (!Number.isInteger(timestamp) || timestamp < 0) throw constraintFailed(`logEvents.${index + 1}.member.timestamp`, timestamp, 'have value greater than or equal to 0');
    if (message.length < 1) throw constraintFailed(`logEvents.${index + 1}.member.message`, message, 'have length greater than or equal to 1');
    const bytes = eventBytes(message);
    if (bytes > maxEventBytes) throw invalidParameter(`Log event too large: ${bytes} bytes exceeds limit of ${maxEventBytes}`, `logEvents[${index}].message`);
    total += bytes;
    return { timestamp, message };
  });
  if (total > maxBatchBytes) throw invalidParameter(`Upload too large: ${total} bytes exceeds limit of ${maxBatchBytes}`, 'logEvents');
  for (let i = 1; i < checked.length; i++) {
    if ((checked[i] as NewLogEvent).timestamp < (checked[i - 1] as NewLogEvent).timestamp) {
      throw invalidParameter('Log events in a single PutLogEvents request must be in chronological order.', `logEvents[${i}].timestamp`);
    }
  }
  if ((checked.at(-1) as NewLogEvent).timestamp - (checked[0] as NewLogEvent).timestamp > maxSpanMs) {
    throw invalidParameter('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.', 'logEvents');
  }
  return checked;
}

export function putEventsOperation(deps: LogsDeps, liveTails: LiveTailSessions) {
  return {
    async PutLogEvents(input: Wire<PutLogEventsRequest>, ctx: RequestContext): Promise<Wire<PutLogEventsResponse>> {
      const group = checkGroupName(input.logGroupName);
      const stream = checkStreamName(input.logStreamName);
      const events = checkEvents(required(input.logEvents, 'logEvents'));
      if (input.entity !== undefined) {
        throw invalidParameter('Berth does not relate log events to entities; send the events without entity.', 'entity');
      }
      const record = await deps.store.read((tx) => existingGroup(tx, ctx.scope, group));
      const key = storageKey(record);

      const now = deps.clock.now().getTime();
      // Sorted, so the rejected events are a run at each end: too old (and expired) first, too new last.
      let tooOldEnd = -1;
      let expiredEnd = -1;
      let tooNewStart = events.length;
      const expiredBefore = record.retentionInDays === undefined ? undefined : retentionCutoff(record.retentionInDays, now);
      events.forEach((event, index) => {
        if (event.timestamp < now - tooOldMs) tooOldEnd = index;
        if (expiredBefore !== undefined && event.timestamp < expiredBefore) expiredEnd = index;
        if (event.timestamp > now + tooNewMs && tooNewStart === events.length) tooNewStart = index;
      });
      const firstKept = Math.max(tooOldEnd, expiredEnd) + 1;
      const kept = events.slice(firstKept, Math.max(firstKept, tooNewStart));
      let appended: LogStreamInfo | undefined;
      try {
        appended = deps.events.append(key, stream, kept, now);
      } catch (error) {
        if (error instanceof LogStorageFull) throw storageFull(error.message);
        throw error;
      }
      if (!appended) throw streamNotFound(group, stream);
      if (kept.length > 0) liveTails.appended(key, stream, kept, now);
      const rejected: Wire<RejectedLogEventsInfo> = {
        ...(tooNewStart < events.length ? { tooNewLogEventStartIndex: tooNewStart } : {}),
        ...(tooOldEnd >= 0 ? { tooOldLogEventEndIndex: tooOldEnd } : {}),
        ...(expiredEnd >= 0 ? { expiredLogEventEndIndex: expiredEnd } : {}),
      };
      return {
        nextSequenceToken: digits56(appended.appends + 1),
        ...(Object.keys(rejected).length > 0 ? { rejectedLogEventsInfo: rejected } : {}),
      };
    },
  };
}
