/** Finding task definitions by the names ECS accepts: "family", "family:revision" or a task definition ARN. */
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import type { ErrorHelp } from '../../core/errors.js';
import type { Scope } from '../../core/principal.js';
import type { Wire } from '../../core/wire.js';
import type { StoreTx, TaskDefinitionRecord } from '../../store/types.js';
import { parseTaskDefinitionRef, taskDefinitionArnOf } from '../names.js';

/**
 * The definition a task would run: a bare family is its latest ACTIVE revision; family:revision or
 * an ARN is that revision in any status but DELETE_IN_PROGRESS (callers refuse INACTIVE ones as they
 * need). Undefined when there is none, or the name is malformed or of another account or region.
 */
export async function findTaskDefinition(tx: StoreTx, scope: Scope, given: string): Promise<TaskDefinitionRecord | undefined> {
  const record = await describable(tx, scope, given);
  return record && record.status !== 'DELETE_IN_PROGRESS' ? record : undefined;
}

/** What DescribeTaskDefinition shows: as findTaskDefinition, but a revision pending deletion is still shown, as in ECS. */
export async function describable(tx: StoreTx, scope: Scope, given: string): Promise<TaskDefinitionRecord | undefined> {
  const ref = parseTaskDefinitionRef(scope, given);
  if (!ref) return undefined;
  if (ref.revision === undefined) return tx.taskDefinitions.latestActive(scope.accountId, scope.region, ref.family);
  return tx.taskDefinitions.get(taskDefinitionArnOf(scope, ref.family, ref.revision));
}

/** Berth's help for a task definition that is not there: the name as given, and what to check or do. */
export function taskDefinitionHelp(scope: Scope, given: string): ErrorHelp {
  const ref = parseTaskDefinitionRef(scope, given);
  if (!ref) {
    return {
      resource: given,
      hint: given.startsWith('arn:')
        ? `The ARN is not a task definition of this account and Region (task definitions are Region-specific); sign for the Region in the ARN, or give family:revision.`
        : `Give a family ('web'), family:revision ('web:3') or a task definition ARN.`,
    };
  }
  const list = `aws ecs list-task-definitions --family-prefix ${ref.family}`;
  return {
    resource: given,
    hint:
      ref.revision === undefined
        ? `Family '${ref.family}' has no ACTIVE revision in this Region. Register one: aws ecs register-task-definition --cli-input-json file://<definition>.json; see its revisions: ${list} --status INACTIVE`
        : `Revision ${ref.revision} of '${ref.family}' is not registered in this Region. See its revisions: ${list}; register a new one with aws ecs register-task-definition.`,
  };
}

/** The TaskDefinition shape of a record: everything but the tags, which ECS returns beside it. */
export function present(record: TaskDefinitionRecord): Wire<TaskDefinition> {
  const { tags: _tags, ...definition } = record;
  return definition;
}
