/**
 * DeleteSecret and RestoreSecret. A deletion is scheduled after a recovery window (7 to 30 days,
 * 30 by default) in which the secret keeps its name and can be restored but not used; forced, it
 * happens at once.
 */
import type {
  DeleteSecretRequest,
  DeleteSecretResponse,
  RestoreSecretRequest,
  RestoreSecretResponse,
} from '@aws-sdk/client-secrets-manager';
import { epochSeconds, type Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import { existingSecret, writeSecrets } from './access.js';
import type { SecretsManagerDeps } from './deps.js';
import { invalidParameter, markedForDeletion, secretNotFound } from './errors.js';
import { findSecret, nameInSecretId } from './names.js';
import { checkSecretId } from './validate.js';
import { versionOf } from '../store/types.js';

const secondsPerDay = 86400;
const defaultRecoveryWindowDays = 30;

function checkRecoveryWindow(input: Wire<DeleteSecretRequest>): number | undefined {
  const days = input.RecoveryWindowInDays;
  if (input.ForceDeleteWithoutRecovery && days !== undefined) {
    throw invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
  }
  if (days !== undefined && (!Number.isInteger(days) || days < 7 || days > 30)) {
    throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
  }
  return input.ForceDeleteWithoutRecovery ? undefined : (days ?? defaultRecoveryWindowDays);
}

export function lifecycleOperations(deps: SecretsManagerDeps) {
  return {
    async DeleteSecret(input: Wire<DeleteSecretRequest>, ctx: RequestContext): Promise<Wire<DeleteSecretResponse>> {
      const secretId = checkSecretId(input.SecretId);
      const windowDays = checkRecoveryWindow(input);
      return writeSecrets(deps, ctx, async (tx) => {
        const now = epochSeconds(ctx.now);
        const record = await findSecret(tx, ctx.scope, secretId, now);
        if (windowDays === undefined) {
          // Forced deletion of a secret that is already gone is not an error.
          if (!record) return { ...(secretId.startsWith('arn:') ? { ARN: secretId } : {}), Name: nameInSecretId(secretId), DeletionDate: now };
          await tx.secrets.delete(record.arn, versionOf(record));
          return { ARN: record.arn, Name: record.name, DeletionDate: now };
        }
        if (!record) throw secretNotFound(secretId);
        if (record.deletedDate !== undefined) throw markedForDeletion();
        const purgeDate = now + windowDays * secondsPerDay;
        await tx.secrets.put({ ...record, deletedDate: now, purgeDate, lastChangedDate: now });
        return { ARN: record.arn, Name: record.name, DeletionDate: purgeDate };
      });
    },

    async RestoreSecret(input: Wire<RestoreSecretRequest>, ctx: RequestContext): Promise<Wire<RestoreSecretResponse>> {
      const secretId = checkSecretId(input.SecretId);
      return writeSecrets(deps, ctx, async (tx) => {
        const record = await existingSecret(tx, ctx, secretId);
        if (record.deletedDate !== undefined) {
          await tx.secrets.put({ ...record, deletedDate: undefined, purgeDate: undefined, lastChangedDate: epochSeconds(ctx.now) });
        }
        return { ARN: record.arn, Name: record.name };
      });
    },
  };
}
