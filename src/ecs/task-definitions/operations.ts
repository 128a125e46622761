/**
 * Task definitions: RegisterTaskDefinition, DescribeTaskDefinition, ListTaskDefinitions,
 * ListTaskDefinitionFamilies, DeregisterTaskDefinition, DeleteTaskDefinitions.
 *
 * Lifecycle: ACTIVE → (DeregisterTaskDefinition) INACTIVE → (DeleteTaskDefinitions)
 * DELETE_IN_PROGRESS. A revision pending deletion stays stored and describable; ECS removes it once
 * no task or service uses it, and Berth does not yet sweep them. Revision numbers are never reused:
 * the store keeps each family's last revision even when rows go.
 */
import {
  SortOrder,
  TaskDefinitionFamilyStatus,
  TaskDefinitionField,
  TaskDefinitionStatus,
  type DeleteTaskDefinitionsRequest,
  type DeleteTaskDefinitionsResponse,
  type DeregisterTaskDefinitionRequest,
  type DeregisterTaskDefinitionResponse,
  type DescribeTaskDefinitionRequest,
  type DescribeTaskDefinitionResponse,
  type Failure,
  type ListTaskDefinitionFamiliesRequest,
  type ListTaskDefinitionFamiliesResponse,
  type ListTaskDefinitionsRequest,
  type ListTaskDefinitionsResponse,
  type RegisterTaskDefinitionRequest,
  type RegisterTaskDefinitionResponse,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { withHelp } from '../../core/errors.js';
import type { Scope } from '../../core/principal.js';
import type { Wire } from '../../core/wire.js';
import type { RequestContext } from '../../core/request-context.js';
import type { Page, PageRequest, StoreTx, TaskDefinitionQuery, TaskDefinitionRecord } from '../../store/types.js';
import type { EcsDeps } from '../deps.js';
import { parseTaskDefinitionRef, taskDefinitionArnOf } from '../names.js';
import { nextTokenOf, pageRequest } from '../pagination.js';
import { checkTags } from '../tags.js';
import { checkEnum, checkMaxItems, clientError, invalidParameter, requireList, requireString } from '../validate.js';
import { describable, present, taskDefinitionHelp } from './lookup.js';
import { checkRegistration, recordOf } from './register.js';

export const unableToDescribe = 'Unable to describe task definition.';
export const doesNotExist = 'The specified task definition does not exist. Specify a valid account, family, revision and try again.';
export const invalidIdentifier = 'The specified task definition identifier is invalid. Specify a valid name or ARN and try again.';
export const stillActive = 'The specified task definition is still in ACTIVE status. Please deregister the target and try again.';

/**
 * family:revision or an ARN of the caller's account and region → the revision's ARN, checked the
 * way DeregisterTaskDefinition checks it: no revision is "Revision is missing.", a revision that is
 * not a number is "Invalid revision number. Number: <it>", and a name that is neither (or an ARN
 * of another account or region) is a task definition ECS cannot describe.
 */
function revisionArn(scope: Scope, given: string, field: string): string {
  const name = given.startsWith('arn:') ? given.slice(given.lastIndexOf('/') + 1) : given;
  const colon = name.indexOf(':');
  if (colon < 0) {
    throw withHelp(clientError('Revision is missing.'), { field, resource: given, hint: 'Give family:revision or the full task definition ARN.' });
  }
  const revision = name.slice(colon + 1);
  if (!/^\d+$/.test(revision)) throw withHelp(invalidParameter(`Invalid revision number. Number: ${revision}`), { field, resource: given });
  const ref = parseTaskDefinitionRef(scope, given);
  if (!ref || ref.revision === undefined) throw withHelp(clientError(unableToDescribe), { field, ...taskDefinitionHelp(scope, given) });
  return taskDefinitionArnOf(scope, ref.family, ref.revision);
}

/** Families with no ACTIVE revision, paged like the store's own family listing. */
async function familiesWithoutActive(tx: StoreTx, query: TaskDefinitionQuery, page: PageRequest): Promise<Page<string>> {
  const items: string[] = [];
  let after = page.after;
  for (;;) {
    const chunk = await tx.taskDefinitions.families(query, { limit: 100, ...(after !== undefined ? { after } : {}) });
    for (const family of chunk.items) {
      if (await tx.taskDefinitions.latestActive(query.accountId, query.region, family)) continue;
      if (items.length === page.limit) return { items, next: items[items.length - 1] as string };
      items.push(family);
    }
    if (chunk.next === undefined) return { items };
    after = chunk.next;
  }
}

export function taskDefinitionOperations(deps: EcsDeps) {
  const { store } = deps;
  return {
    async RegisterTaskDefinition(request: Wire<RegisterTaskDefinitionRequest>, ctx: RequestContext): Promise<Wire<RegisterTaskDefinitionResponse>> {
      const draft = checkRegistration(request);
      const tags = checkTags(request.tags);
      return store.write(async (tx) => {
        const revision = (await tx.taskDefinitions.latestRevision(ctx.scope.accountId, ctx.scope.region, draft.family)) + 1;
        const record = recordOf(draft, {
          arn: taskDefinitionArnOf(ctx.scope, draft.family, revision),
          revision,
          registeredAt: ctx.now.getTime() / 1000,
          registeredBy: ctx.principal.arn,
          tags,
        });
        await tx.taskDefinitions.put(record);
        return { taskDefinition: present(record), tags: record.tags };
      });
    },

    async DescribeTaskDefinition(input: Wire<DescribeTaskDefinitionRequest>, ctx: RequestContext): Promise<Wire<DescribeTaskDefinitionResponse>> {
      const given = requireString(input.taskDefinition, 'taskDefinition');
      const include = (input.include ?? []).map((field, index) => checkEnum(field, `include[${index}]`, TaskDefinitionField));
      return store.read(async (tx) => {
        const record = await describable(tx, ctx.scope, given);
        if (!record) throw withHelp(clientError(unableToDescribe), taskDefinitionHelp(ctx.scope, given));
        return { taskDefinition: present(record), ...(include.includes('TAGS') ? { tags: record.tags } : {}) };
      });
    },

    async ListTaskDefinitions(input: Wire<ListTaskDefinitionsRequest>, ctx: RequestContext): Promise<Wire<ListTaskDefinitionsResponse>> {
      const status = checkEnum(input.status, 'status', TaskDefinitionStatus) ?? 'ACTIVE';
      const sort = checkEnum(input.sort, 'sort', SortOrder) ?? 'ASC';
      const page = pageRequest(input);
      // Despite its name, familyPrefix is "the full family name" in ECS: an exact match.
      const family = input.familyPrefix === undefined || input.familyPrefix === '' ? undefined : input.familyPrefix;
      const result = await store.read((tx) =>
        tx.taskDefinitions.list(
          { accountId: ctx.scope.accountId, region: ctx.scope.region, status, descending: sort === 'DESC', ...(family !== undefined ? { family } : {}) },
          page,
        ),
      );
      return { taskDefinitionArns: result.items.map((record) => record.taskDefinitionArn), ...nextTokenOf(result) };
    },

    async ListTaskDefinitionFamilies(
      input: Wire<ListTaskDefinitionFamiliesRequest>,
      ctx: RequestContext,
    ): Promise<Wire<ListTaskDefinitionFamiliesResponse>> {
      const status = checkEnum(input.status, 'status', TaskDefinitionFamilyStatus) ?? 'ALL';
      const page = pageRequest(input);
      const query: TaskDefinitionQuery = {
        accountId: ctx.scope.accountId,
        region: ctx.scope.region,
        ...(input.familyPrefix ? { familyPrefix: input.familyPrefix } : {}),
      };
      const result = await store.read(async (tx) => {
        // ACTIVE: families with an ACTIVE revision; INACTIVE: families with none; ALL (the default): both.
        if (status === 'ACTIVE') return tx.taskDefinitions.families({ ...query, status: 'ACTIVE' }, page);
        if (status === 'INACTIVE') return familiesWithoutActive(tx, query, page);
        return tx.taskDefinitions.families(query, page);
      });
      return { families: result.items, ...nextTokenOf(result) };
    },

    async DeregisterTaskDefinition(input: Wire<DeregisterTaskDefinitionRequest>, ctx: RequestContext): Promise<Wire<DeregisterTaskDefinitionResponse>> {
      const given = requireString(input.taskDefinition, 'taskDefinition');
      const arn = revisionArn(ctx.scope, given, 'taskDefinition');
      return store.write(async (tx) => {
        const record = await tx.taskDefinitions.get(arn);
        if (!record || record.status === 'DELETE_IN_PROGRESS') throw withHelp(clientError(unableToDescribe), taskDefinitionHelp(ctx.scope, given));
        if (record.status !== 'ACTIVE') return { taskDefinition: present(record) };
        const updated: TaskDefinitionRecord = { ...record, status: 'INACTIVE', deregisteredAt: ctx.now.getTime() / 1000 };
        await tx.taskDefinitions.put(updated);
        return { taskDefinition: present(updated) };
      });
    },

    async DeleteTaskDefinitions(input: Wire<DeleteTaskDefinitionsRequest>, ctx: RequestContext): Promise<Wire<DeleteTaskDefinitionsResponse>> {
      const given = requireList(input.taskDefinitions, 'taskDefinitions');
      if (given.length === 0) throw invalidParameter('taskDefinitions must name 1 to 10 task definitions; it is empty.');
      checkMaxItems(given, 'taskDefinitions', 10);
      return store.write(async (tx) => {
        const taskDefinitions: Wire<TaskDefinition>[] = [];
        const failures: Wire<Failure>[] = [];
        const handled = new Set<string>();
        for (const name of given) {
          const ref = parseTaskDefinitionRef(ctx.scope, name);
          if (!ref || ref.revision === undefined) {
            failures.push({ arn: name, reason: invalidIdentifier });
            continue;
          }
          const arn = taskDefinitionArnOf(ctx.scope, ref.family, ref.revision);
          if (handled.has(arn)) continue;
          handled.add(arn);
          const record = await tx.taskDefinitions.get(arn);
          if (!record) {
            failures.push({ arn, reason: doesNotExist });
            continue;
          }
          if (record.status === 'ACTIVE') {
            failures.push({ arn, reason: stillActive });
            continue;
          }
          if (record.status === 'DELETE_IN_PROGRESS') {
            taskDefinitions.push(present(record));
            continue;
          }
          const updated: TaskDefinitionRecord = { ...record, status: 'DELETE_IN_PROGRESS', deleteRequestedAt: ctx.now.getTime() / 1000 };
          await tx.taskDefinitions.put(updated);
          taskDefinitions.push(present(updated));
        }
        return { taskDefinitions, failures };
      });
    },
  };
}
