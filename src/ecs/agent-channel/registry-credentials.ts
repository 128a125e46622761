/**
 * Private registry credentials for an assignment: each container's `repositoryCredentials` names a
 * Secrets Manager secret holding `{"username": …, "password": …}`, read in the task's own account
 * and region, as ECS's agent reads it with the task execution role. A secret that is missing or
 * malformed is not an error of the control plane: the agent fails the task with the reason, as
 * ECS does when it cannot retrieve registry auth.
 */
import type { AssignedTask, RegistryCredentials } from '../../agent-channel-protocol/messages.js';
import { Arn } from '../../core/arn.js';
import type { Wire } from '../../core/wire.js';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { resolveSecretString } from '../../secretsmanager/index.js';
import type { StoreTx, TaskDefinitionRecord, TaskRecord } from '../../store/types.js';
import { findSecret } from '../../secretsmanager/names.js';
import type { SecretReadCheck } from '../task-roles/execution-role.js';

/** Parses a secret's value; answers the problem in words when it is not usable credentials. */
export function parseRegistryCredentials(secretString: string): RegistryCredentials | string {
  let value: unknown;
  try {
    value = JSON.parse(secretString);
  } catch {
    return 'the secret is not JSON; store {"username":"…","password":"…"}';
  }
  const { username, password } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof username !== 'string' || username === '' || typeof password !== 'string' || password === '') {
    return 'the secret must hold the keys "username" and "password" with non-empty strings';
  }
  return { username, password };
}

const yetToPull = (task: TaskRecord) => task.desiredStatus !== 'STOPPED' && task.startedAt === undefined;

/** Containers whose credentials the task still needs: only a task yet to pull its images does. */
export function containersAsking(task: TaskRecord, definition: TaskDefinitionRecord): (Wire<ContainerDefinition> & { name: string })[] {
  if (!yetToPull(task)) return [];
  return (definition.containerDefinitions ?? []).filter(
    (container): container is Wire<ContainerDefinition> & { name: string } => Boolean(container.name && container.repositoryCredentials?.credentialsParameter),
  );
}

/** The credentials (or the reason there are none) of each container `containersAsking` found, by container name. */
export async function registryCredentialsFor(
  tx: StoreTx,
  task: TaskRecord,
  asking: readonly (Wire<ContainerDefinition> & { name: string })[],
  mayRead?: SecretReadCheck,
): Promise<Pick<AssignedTask, 'registryAuth' | 'registryAuthErrors'>> {
  const taskArn = Arn.parse(task.taskArn);
  if (!taskArn) return {};
  const registryAuth: Record<string, RegistryCredentials> = {};
  const registryAuthErrors: Record<string, string> = {};
  for (const container of asking) {
    const secretId = container.repositoryCredentials!.credentialsParameter!;
    if (mayRead) {
      // The execution role's policies name the secret by its ARN, whatever form the parameter takes.
      const found = await findSecret(tx, { accountId: taskArn.accountId, region: taskArn.region }, secretId);
      const denied = mayRead(found?.arn ?? secretId);
      if (denied !== undefined) {
        registryAuthErrors[container.name] = `unable to pull secrets or registry auth: unable to retrieve secret from asm: failed to fetch secret ${found?.arn ?? secretId} from secrets manager: ${denied}`;
        continue;
      }
    }
    const secret = await resolveSecretString(tx, taskArn.accountId, taskArn.region, secretId);
    const parsed = secret === undefined ? `no usable secret '${secretId}' in Secrets Manager (${taskArn.region})` : parseRegistryCredentials(secret);
    if (typeof parsed === 'string') registryAuthErrors[container.name] = `unable to pull secrets or registry auth: ${parsed}`;
    else registryAuth[container.name] = parsed;
  }
  return {
    ...(Object.keys(registryAuth).length > 0 ? { registryAuth } : {}),
    ...(Object.keys(registryAuthErrors).length > 0 ? { registryAuthErrors } : {}),
  };
}

/** Containers of a task yet to pull that name no credentials of their own, with their images (overrides cannot change an image). */
export function containersPulling(task: TaskRecord, definition: TaskDefinitionRecord): { name: string; image: string }[] {
  if (!yetToPull(task)) return [];
  return (definition.containerDefinitions ?? []).flatMap((container) =>
    container.name && container.image && !container.repositoryCredentials?.credentialsParameter ? [{ name: container.name, image: container.image }] : [],
  );
}
