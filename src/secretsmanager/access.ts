/** How operations reach a secret: within the caller's account and region, past the recovery windows that ended. */
import { epochSeconds } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import type { SecretRecord, SecretsTables, StoreTx } from '../store/types.js';
import type { SecretsManagerDeps } from './deps.js';
import { markedForDeletion, secretNotFound } from './errors.js';
import { findSecret } from './names.js';

/** A write transaction that first removes the secrets whose recovery window has ended. */
export function writeSecrets<T>(deps: SecretsManagerDeps, ctx: RequestContext, fn: (tx: StoreTx) => Promise<T>): Promise<T> {
  return deps.store.write(async (tx) => {
    await tx.secrets.purgeDue(epochSeconds(ctx.now));
    return fn(tx);
  });
}

/** The secret a SecretId names, even if scheduled for deletion, or ResourceNotFoundException. */
export async function existingSecret(tx: SecretsTables, ctx: RequestContext, secretId: string): Promise<SecretRecord> {
  const record = await findSecret(tx, ctx.scope, secretId, epochSeconds(ctx.now));
  if (!record) throw secretNotFound(secretId);
  return record;
}

/** The secret a SecretId names, refusing one scheduled for deletion. */
export async function usableSecret(tx: SecretsTables, ctx: RequestContext, secretId: string): Promise<SecretRecord> {
  const record = await existingSecret(tx, ctx, secretId);
  if (record.deletedDate !== undefined) throw markedForDeletion();
  return record;
}
