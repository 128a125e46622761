/** Log group identities: the storage key, the ARNs, and group names given as names or ARNs. */
import { Arn } from '../core/arn.js';
import type { Scope } from '../core/principal.js';
import type { LogGroup } from '../store/types.js';
import { invalidParameter } from './errors.js';
import { checkGroupName } from './validate.js';

/** The key a group's streams and events are kept under in the log event storage: `<account>/<region>/<storage id>`. */
export const storageKey = (group: Pick<LogGroup, 'accountId' | 'region' | 'storageId'>) => `${group.accountId}/${group.region}/${group.storageId}`;

/** `arn:aws:logs:<region>:<account>:log-group:<name>`; DescribeLogGroups' `arn` adds `:*`. */
export const groupArn = (scope: Scope, name: string) => `arn:aws:logs:${scope.region}:${scope.accountId}:log-group:${name}`;

export const streamArn = (scope: Scope, group: string, stream: string) => `${groupArn(scope, group)}:log-stream:${stream}`;

/** The group name of a log group ARN in this scope (with or without `:*`), or undefined. */
export function groupNameOfArn(scope: Scope, arn: string): string | undefined {
  const parsed = Arn.parse(arn);
  if (!parsed || parsed.service !== 'logs' || parsed.accountId !== scope.accountId || parsed.region !== scope.region) return undefined;
  const match = /^log-group:([^:]+)(:\*)?$/.exec(parsed.resource);
  return match?.[1];
}

/** logGroupName or logGroupIdentifier (a name or an ARN): exactly one names the group. */
export function groupFrom(scope: Scope, input: { logGroupName?: string | undefined; logGroupIdentifier?: string | undefined }): string {
  if (input.logGroupName !== undefined && input.logGroupIdentifier !== undefined) {
    throw invalidParameter('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  }
  if (input.logGroupIdentifier !== undefined) {
    const identifier = input.logGroupIdentifier;
    if (identifier.startsWith('arn:')) {
      const name = groupNameOfArn(scope, identifier);
      if (name === undefined) throw invalidParameter(`${identifier} is not a log group ARN of this account and Region.`, 'logGroupIdentifier');
      return name;
    }
    return checkGroupName(identifier, 'logGroupIdentifier');
  }
  if (input.logGroupName === undefined) throw invalidParameter('Either LogGroup name or LogGroup ARN must be specified.', 'logGroupName');
  return checkGroupName(input.logGroupName);
}
