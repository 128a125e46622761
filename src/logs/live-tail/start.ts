/**
 * StartLiveTail: log groups by ARN (1 to 10, no trailing `:*`), optionally some of their streams
 * by name or by prefix (then exactly one group), and a filter pattern; answered with an event
 * stream of the session (sessions.ts).
 */
import { LimitExceededException, type StartLiveTailRequest } from '@aws-sdk/client-cloudwatch-logs';
import { modelled, withHelp } from '../../core/errors.js';
import type { RequestContext } from '../../core/request-context.js';
import type { Wire } from '../../core/wire.js';
import { EventStreamOutput } from '../../edge/protocols/event-stream.js';
import type { LogsDeps } from '../deps.js';
import { invalidParameter } from '../errors.js';
import { groupNameOfArn } from '../names.js';
import { compilePattern } from '../read-events.js';
import { requireGroup } from '../streams.js';
import { checkLength, checkList, checkPattern, checkStreamName, exclusive, required } from '../validate.js';
import { maxSessionsPerAccount, type LiveTailSessions } from './sessions.js';

export function liveTailOperations(deps: LogsDeps, sessions: LiveTailSessions) {
  return {
    async StartLiveTail(input: Wire<StartLiveTailRequest>, ctx: RequestContext): Promise<EventStreamOutput> {
      const identifiers = checkList(required(input.logGroupIdentifiers, 'logGroupIdentifiers'), 'logGroupIdentifiers', 10, (identifier, field) => {
        checkLength(identifier, field, 1, 2048);
        checkPattern(identifier, field, /^[\w#+=/:,.@-]*$/, '[\\w#+=/:,.@-]*');
      }) as readonly string[];
      const streamNames = checkList(input.logStreamNames, 'logStreamNames', 100, (name, field) => void checkStreamName(name, field));
      const streamNamePrefixes = checkList(input.logStreamNamePrefixes, 'logStreamNamePrefixes', 100, (prefix, field) => void checkStreamName(prefix, field));
      exclusive(streamNames, streamNamePrefixes, 'logStreamNames and logStreamNamePrefixes are mutually exclusive parameters.');
      if ((streamNames || streamNamePrefixes) && identifiers.length !== 1) {
        throw invalidParameter('When logStreamNames or logStreamNamePrefixes is specified, logGroupIdentifiers must contain exactly one log group.', streamNames ? 'logStreamNames' : 'logStreamNamePrefixes');
      }
      const matches = compilePattern(input.logEventFilterPattern, 'logEventFilterPattern');
      const names = identifiers.map((identifier, index) => {
        const field = `logGroupIdentifiers.${index + 1}.member`;
        // The pattern has no `*`: an ARN here never ends in `:*`.
        const name = groupNameOfArn(ctx.scope, identifier);
        if (name === undefined) {
          throw withHelp(invalidParameter(`${identifier} is not a log group ARN of this account and Region.`), {
            field,
            hint: 'StartLiveTail takes log groups by ARN without a trailing :* (the logGroupArn that aws logs describe-log-groups shows).',
          });
        }
        return name;
      });
      const groups = new Map<string, string>();
      for (const [index, name] of names.entries()) groups.set(await requireGroup(deps, ctx.scope, name), identifiers[index] as string);
      // Counted after the lookups' awaits, right before the session opens, so the limit holds under concurrent calls.
      const owner = `${ctx.scope.accountId}/${ctx.scope.region}`;
      if (sessions.count(owner) >= maxSessionsPerAccount) {
        throw withHelp(modelled(LimitExceededException, 'Resource limit exceeded.'), {
          hint: `An account has at most ${maxSessionsPerAccount} Live Tail sessions open in a Region; close one (end its StartLiveTail call) first.`,
        });
      }
      const session = sessions.start({
        owner,
        groups,
        ...(streamNames ? { streamNames } : {}),
        ...(streamNamePrefixes ? { streamNamePrefixes } : {}),
        matches: (message) => matches(message),
        start: {
          requestId: ctx.requestId,
          logGroupIdentifiers: identifiers,
          ...(streamNames ? { logStreamNames: streamNames } : {}),
          ...(streamNamePrefixes ? { logStreamNamePrefixes: streamNamePrefixes } : {}),
          ...(input.logEventFilterPattern !== undefined ? { logEventFilterPattern: input.logEventFilterPattern } : {}),
        },
      });
      return new EventStreamOutput(session);
    },
  };
}
