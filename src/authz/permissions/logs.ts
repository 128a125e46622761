/**
 * CloudWatch Logs' permissions (Service Authorization Reference, "Amazon CloudWatch Logs").
 *
 *   log group actions   on arn:aws:logs:<region>:<account>:log-group:<name>:* — the form
 *                       DescribeLogGroups answers as `arn` and the one policies name
 *                       (`log-group:/ecs/web:*`); `log-group:/ecs/web*` matches it too.
 *   log stream actions  on arn:aws:logs:<region>:<account>:log-group:<name>:log-stream:<stream>
 *                       (CreateLogStream, DeleteLogStream, PutLogEvents, GetLogEvents).
 *   StartLiveTail       on each log group it names.
 *   DescribeLogGroups   on arn:aws:logs:<region>:<account>:log-group:* ; the query bookkeeping
 *                       (GetQueryResults, StopQuery, DescribeQueries) on `*`.
 *
 * A group named by ARN (`logGroupIdentifier`) is checked on that ARN's group. Tags set by
 * CreateLogGroup, TagLogGroup and TagResource supply aws:RequestTag/<key> and aws:TagKeys.
 */
import type { Scope } from '../../core/principal.js';
import { on, onAny, tagKeysOf, text, texts, type Keys, type PermissionOf, type PermissionTable } from './types.js';

/** A group's name from a name or an ARN (arn:aws:logs:…:log-group:<name>[:*]). */
function groupNameOf(identifier: string): string {
  const match = /^arn:[^:]+:logs:[^:]*:\d*:log-group:(.+?)(?::\*)?$/.exec(identifier);
  return match ? match[1]! : identifier;
}

const groupArn = (scope: Scope, name: string) => `arn:aws:logs:${scope.region}:${scope.accountId}:log-group:${groupNameOf(name)}:*`;
const streamArn = (scope: Scope, group: string, stream: string) =>
  `arn:aws:logs:${scope.region}:${scope.accountId}:log-group:${groupNameOf(group)}:log-stream:${stream}`;

/** The group a request names: logGroupName, else logGroupIdentifier. */
const groupOf = (input: Record<string, unknown>) => text(input.logGroupName) ?? text(input.logGroupIdentifier);

/** aws:RequestTag/<key> and aws:TagKeys of a `tags` map ({ team: "web" }). */
function mapTagKeys(tags: unknown): Keys {
  if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) return {};
  const entries = Object.entries(tags as Record<string, unknown>).filter(([, value]) => typeof value === 'string') as [string, string][];
  if (entries.length === 0) return {};
  return { ...Object.fromEntries(entries.map(([key, value]) => [`aws:RequestTag/${key}`, value])), 'aws:TagKeys': entries.map(([key]) => key) };
}

const onGroup =
  (keysOf: (input: Record<string, unknown>) => Keys = () => ({})): PermissionOf =>
  (input, scope) => {
    const group = groupOf(input);
    return on([group === undefined ? undefined : groupArn(scope, group)], keysOf(input));
  };

const onStream: PermissionOf = (input, scope) => {
  const group = groupOf(input);
  const stream = text(input.logStreamName);
  return on([group === undefined || stream === undefined ? undefined : streamArn(scope, group, stream)]);
};

/** TagResource and friends name the group by ARN. */
const onResourceArn =
  (keysOf: (input: Record<string, unknown>) => Keys): PermissionOf =>
  (input, scope) => {
    const arn = text(input.resourceArn);
    return on([arn === undefined ? undefined : groupArn(scope, arn)], keysOf(input));
  };

export const logsPermissions: PermissionTable = {
  CreateLogGroup: onGroup((input) => mapTagKeys(input.tags)),
  DeleteLogGroup: onGroup(),
  DescribeLogGroups: (_input, scope) => on([`arn:aws:logs:${scope.region}:${scope.accountId}:log-group:*`]),
  PutRetentionPolicy: onGroup(),
  DeleteRetentionPolicy: onGroup(),
  CreateLogStream: onStream,
  DeleteLogStream: onStream,
  DescribeLogStreams: onGroup(),
  PutLogEvents: onStream,
  GetLogEvents: onStream,
  FilterLogEvents: onGroup(),
  TagLogGroup: onGroup((input) => mapTagKeys(input.tags)),
  UntagLogGroup: onGroup((input) => tagKeysOf(input.tags)),
  ListTagsLogGroup: onGroup(),
  TagResource: onResourceArn((input) => mapTagKeys(input.tags)),
  UntagResource: onResourceArn((input) => tagKeysOf(input.tagKeys)),
  ListTagsForResource: onResourceArn(() => ({})),
  StartQuery: (input, scope) => {
    const groups = [text(input.logGroupName), ...texts(input.logGroupNames), ...texts(input.logGroupIdentifiers)].filter((group): group is string => group !== undefined);
    return on(groups.map((group) => groupArn(scope, group)));
  },
  StartLiveTail: (input, scope) => on(texts(input.logGroupIdentifiers).map((group) => groupArn(scope, group))),
  GetQueryResults: onAny,
  StopQuery: onAny,
  DescribeQueries: onAny,
};
