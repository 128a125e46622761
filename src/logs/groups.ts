/** CreateLogGroup, DeleteLogGroup, DescribeLogGroups, PutRetentionPolicy and DeleteRetentionPolicy. */
import { randomUUID } from 'node:crypto';
import type {
  CreateLogGroupRequest,
  DeleteLogGroupRequest,
  DeleteRetentionPolicyRequest,
  DescribeLogGroupsRequest,
  DescribeLogGroupsResponse,
  LogGroup as LogGroupShape,
  PutRetentionPolicyRequest,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Scope } from '../core/principal.js';
import type { RequestContext } from '../core/request-context.js';
import type { Wire } from '../core/wire.js';
import type { LogGroup, LogGroupClass, StoreTx } from '../store/types.js';
import type { LogsDeps } from './deps.js';
import { constraintFailed, groupExists, groupNotFound, invalidNextToken, invalidParameter } from './errors.js';
import { groupArn, groupNameOfArn, storageKey } from './names.js';
import { checkRetention } from './retention.js';
import { opaqueToken, parseOpaqueToken } from './tokens.js';
import { checkGroupName, checkLength, checkLimit, checkTags } from './validate.js';

const classes: readonly LogGroupClass[] = ['STANDARD', 'INFREQUENT_ACCESS'];

function checkClass(value: string | undefined, field: string): LogGroupClass | undefined {
  if (value === undefined) return undefined;
  if (!classes.includes(value as LogGroupClass)) {
    if (value === 'DELIVERY') throw invalidParameter('Berth does not serve DELIVERY log groups (they receive vended logs from other AWS services).', field);
    throw constraintFailed(field, value, `satisfy enum value set: [${classes.join(', ')}]`);
  }
  return value as LogGroupClass;
}

export async function existingGroup(tx: StoreTx, scope: Scope, name: string): Promise<LogGroup> {
  const group = await tx.logGroups.get(scope.accountId, scope.region, name);
  if (!group) throw groupNotFound(name);
  return group;
}

function present(deps: LogsDeps, group: LogGroup): Wire<LogGroupShape> {
  const scope = { accountId: group.accountId, region: group.region };
  return {
    logGroupName: group.name,
    creationTime: group.creationTime,
    ...(group.retentionInDays !== undefined ? { retentionInDays: group.retentionInDays } : {}),
    metricFilterCount: 0,
    arn: `${groupArn(scope, group.name)}:*`,
    storedBytes: deps.events.groupBytes(storageKey(group)),
    logGroupClass: group.logGroupClass,
    logGroupArn: groupArn(scope, group.name),
  };
}

export function groupOperations(deps: LogsDeps) {
  return {
    async CreateLogGroup(input: Wire<CreateLogGroupRequest>, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkGroupName(input.logGroupName);
      const logGroupClass = checkClass(input.logGroupClass, 'logGroupClass') ?? 'STANDARD';
      const tags = input.tags === undefined ? {} : checkTags(input.tags);
      if (input.kmsKeyId !== undefined) {
        throw invalidParameter('Berth does not encrypt log groups with KMS keys; create the log group without kmsKeyId.', 'kmsKeyId');
      }
      if (input.deletionProtectionEnabled === true) {
        throw invalidParameter('Berth does not offer deletion protection for log groups; create the log group without deletionProtectionEnabled.', 'deletionProtectionEnabled');
      }
      const now = deps.clock.now().getTime();
      await deps.store.write(async (tx) => {
        if (await tx.logGroups.get(ctx.scope.accountId, ctx.scope.region, name)) throw groupExists(name);
        await tx.logGroups.put({ accountId: ctx.scope.accountId, region: ctx.scope.region, name, creationTime: now, storageId: randomUUID(), logGroupClass, tags });
      });
      return {};
    },

    async DeleteLogGroup(input: Wire<DeleteLogGroupRequest>, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkGroupName(input.logGroupName);
      const deleted = await deps.store.write(async (tx) => {
        const group = await existingGroup(tx, ctx.scope, name);
        await tx.logGroups.delete(group);
        return group;
      });
      // After the record: a writer that still found the group may have written until now; its streams go too.
      deps.events.deleteGroup(storageKey(deleted));
      return {};
    },

    async DescribeLogGroups(input: Wire<DescribeLogGroupsRequest>, ctx: RequestContext): Promise<Wire<DescribeLogGroupsResponse>> {
      const prefix = input.logGroupNamePrefix === undefined ? undefined : checkGroupName(input.logGroupNamePrefix, 'logGroupNamePrefix');
      const pattern = input.logGroupNamePattern === undefined ? undefined : checkLength(input.logGroupNamePattern, 'logGroupNamePattern', 0, 512);
      if (prefix !== undefined && pattern !== undefined) throw invalidParameter('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
      const identifiers = input.logGroupIdentifiers;
      if (identifiers !== undefined && (prefix !== undefined || pattern !== undefined)) {
        throw invalidParameter('logGroupIdentifiers is mutually exclusive with logGroupNamePrefix and logGroupNamePattern.');
      }
      const limit = checkLimit(input.limit, 'limit', 50) ?? 50;
      const logGroupClass = checkClass(input.logGroupClass, 'logGroupClass');
      for (const account of input.accountIdentifiers ?? []) {
        // Cross-account observability links accounts to a monitoring account; Berth has no such links, so only the caller's own account can be named.
        if (account !== ctx.scope.accountId) throw invalidParameter(`Account ${account} is not linked to this monitoring account.`, 'accountIdentifiers');
      }
      let after: string | undefined;
      if (input.nextToken !== undefined) {
        const token = parseOpaqueToken(input.nextToken) as { after?: unknown } | undefined;
        if (typeof token?.after !== 'string') throw invalidNextToken();
        after = token.after;
      }
      const wanted =
        identifiers === undefined
          ? undefined
          : new Set(identifiers.map((identifier) => (identifier.startsWith('arn:') ? groupNameOfArn(ctx.scope, identifier) : identifier)).filter((name) => name !== undefined));
      const lowerPattern = pattern?.toLowerCase();
      const groups = (await deps.store.read((tx) => tx.logGroups.list(ctx.scope.accountId, ctx.scope.region, prefix))).filter(
        (group) =>
          (after === undefined || group.name > after) &&
          (lowerPattern === undefined || group.name.toLowerCase().includes(lowerPattern)) &&
          (logGroupClass === undefined || group.logGroupClass === logGroupClass) &&
          (wanted === undefined || wanted.has(group.name)),
      );
      const page = groups.slice(0, limit);
      return {
        logGroups: page.map((group) => present(deps, group)),
        ...(groups.length > limit ? { nextToken: opaqueToken({ after: (page.at(-1) as LogGroup).name }) } : {}),
      };
    },

    async PutRetentionPolicy(input: Wire<PutRetentionPolicyRequest>, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkGroupName(input.logGroupName);
      const days = checkRetention(input.retentionInDays);
      await deps.store.write(async (tx) => {
        const group = await existingGroup(tx, ctx.scope, name);
        await tx.logGroups.put({ ...group, retentionInDays: days });
      });
      return {};
    },

    async DeleteRetentionPolicy(input: Wire<DeleteRetentionPolicyRequest>, ctx: RequestContext): Promise<Record<string, never>> {
      const name = checkGroupName(input.logGroupName);
      await deps.store.write(async (tx) => {
        const { retentionInDays: _dropped, ...group } = await existingGroup(tx, ctx.scope, name);
        await tx.logGroups.put(group);
      });
      return {};
    },
  };
}
