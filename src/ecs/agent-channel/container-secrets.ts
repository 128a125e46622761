/**
 * A container's `secrets`, resolved by the control plane when it gives the task to the agent, as
 * ECS's agent resolves them with the task execution role, and delivered as environment variables.
 * `valueFrom` is a Secrets Manager secret ARN, optionally followed by ECS's
 * `:json-key:version-stage:version-id` (each part may be empty):
 *
 *   arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf                → the whole SecretString
 *   arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf:password::     → its JSON key "password"
 *   arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf::AWSPREVIOUS:  → the AWSPREVIOUS version
 *
 * Any other `valueFrom` names an SSM parameter, as in ECS: its name in the task's account and
 * Region, or its ARN (arn:aws:ssm:<region>:<account>:parameter/<name>); a SecureString is
 * decrypted. ARNs of other services are refused at launch (`field-support.ts`). A secret, version or key
 * that cannot be read is not an error of the control plane: the agent stops the task with
 * `ResourceInitializationError: unable to pull secrets or registry auth: …`, as ECS does. Values
 * travel only in the assignment to the agent; they are never logged or stored.
 */
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { AssignedTask } from '../../agent-channel-protocol/messages.js';
import { Arn } from '../../core/arn.js';
import type { Wire } from '../../core/wire.js';
import { readSecretString } from '../../secretsmanager/index.js';
import { parameterArn, parameterArnParts } from '../../ssm/names.js';
import { isParameterReference, readParameterValue } from '../../ssm/resolve.js';
import type { StoreTx, TaskDefinitionRecord, TaskRecord } from '../../store/types.js';
import type { SecretReadCheck } from '../task-roles/execution-role.js';

export interface SecretReference {
  /** The secret's ARN without ECS's suffixes. */
  secretArn: string;
  accountId: string;
  region: string;
  jsonKey?: string;
  versionStage?: string;
  versionId?: string;
}

const referencePattern = /^(arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:[^:]+)(?::([^:]*))?(?::([^:]*))?(?::([^:]*))?$/;

/** A Secrets Manager `valueFrom` taken apart, or undefined for any other form. */
export function parseSecretReference(valueFrom: string): SecretReference | undefined {
  const match = referencePattern.exec(valueFrom);
  if (!match) return undefined;
  const [, secretArn, region, accountId, jsonKey, versionStage, versionId] = match;
  return {
    secretArn: secretArn!,
    region: region!,
    accountId: accountId!,
    ...(jsonKey ? { jsonKey } : {}),
    ...(versionStage ? { versionStage } : {}),
    ...(versionId ? { versionId } : {}),
  };
}

type Named = Wire<ContainerDefinition> & { name: string };

/** Containers with secrets, while the task is meant to run (a container may be created late, after its dependencies). */
export function containersWithSecrets(task: TaskRecord, definition: TaskDefinitionRecord): Named[] {
  if (task.desiredStatus === 'STOPPED') return [];
  return (definition.containerDefinitions ?? []).filter((container): container is Named => Boolean(container.name && container.secrets?.length));
}

/** The ARN a parameter reference names: its own when it is one, else the name's in the task's account and Region. */
function parameterArnOf(valueFrom: string, scope: { accountId: string; region: string }): string {
  return parameterArnParts(valueFrom) ? valueFrom : parameterArn(scope, valueFrom);
}

/** The value of one reference, or why there is none, in ECS's words where known. */
async function valueOf(tx: StoreTx, taskArn: Arn, valueFrom: string, mayRead?: SecretReadCheck): Promise<{ value: string } | { error: string }> {
  const taskAccount = taskArn.accountId;
  const reference = parseSecretReference(valueFrom);
  if (!reference) {
    const scope = { accountId: taskAccount, region: taskArn.region };
    // With an execution role, its policies decide (ssm:GetParameters), as SSM decides for ECS's agent.
    const denied = isParameterReference(valueFrom) ? mayRead?.(parameterArnOf(valueFrom, scope), 'ssm:GetParameters') : undefined;
    if (denied !== undefined) return { error: `unable to retrieve secrets from ssm: fetching secret data from SSM Parameter Store in ${scope.region}: ${denied}` };
    return readParameterValue(tx, scope, valueFrom);
  }
  const failed = (why: string) => ({ error: `unable to retrieve secret from asm: failed to fetch secret ${reference.secretArn} from secrets manager: ${why}` });
  // Secret resource policies are not evaluated on this path yet, so a secret is read only in the task's own account.
  if (reference.accountId !== taskAccount) return failed("ResourceNotFoundException: Secrets Manager can't find the specified secret.");
  // With an execution role, its policies decide, as Secrets Manager decides for ECS's agent.
  const denied = mayRead?.(reference.secretArn);
  if (denied !== undefined) return failed(denied);
  const read = await readSecretString(tx, reference.accountId, reference.region, reference.secretArn, {
    ...(reference.versionId ? { versionId: reference.versionId } : {}),
    ...(reference.versionStage ? { versionStage: reference.versionStage } : {}),
  });
  if ('error' in read) return failed(read.error);
  if (reference.jsonKey === undefined) return { value: read.secretString };
  let parsed: unknown;
  try {
    parsed = JSON.parse(read.secretString);
  } catch {
    return { error: `unable to retrieve secret from asm: the secret ${reference.secretArn} is not JSON, so it has no json key ${reference.jsonKey}` };
  }
  const value = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>)[reference.jsonKey] : undefined;
  if (value === undefined) return { error: `retrieved secret from Secrets Manager did not contain json key ${reference.jsonKey}` };
  return { value: typeof value === 'string' ? value : JSON.stringify(value) };
}

/** Each container's secret environment, or the first reason one of its secrets cannot be read, by container name. */
export async function secretsFor(
  tx: StoreTx,
  task: TaskRecord,
  containers: readonly Named[],
  mayRead?: SecretReadCheck,
): Promise<Pick<AssignedTask, 'secretEnvironment' | 'registryAuthErrors'>> {
  const taskArn = Arn.parse(task.taskArn);
  if (!taskArn) return {};
  const secretEnvironment: Record<string, Record<string, string>> = {};
  const errors: Record<string, string> = {};
  for (const container of containers) {
    const environment: Record<string, string> = {};
    for (const secret of container.secrets ?? []) {
      const resolved = await valueOf(tx, taskArn, secret.valueFrom ?? '', mayRead);
      if ('error' in resolved) {
        errors[container.name] = `unable to pull secrets or registry auth: ${resolved.error}`;
        break;
      }
      environment[secret.name ?? ''] = resolved.value;
    }
    if (errors[container.name] === undefined) secretEnvironment[container.name] = environment;
  }
  return {
    ...(Object.keys(secretEnvironment).length > 0 ? { secretEnvironment } : {}),
    ...(Object.keys(errors).length > 0 ? { registryAuthErrors: errors } : {}),
  };
}
