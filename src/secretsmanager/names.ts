/**
 * Secret identities. A secret's ARN is its name followed by a hyphen and six random characters;
 * a SecretId names a secret by that full ARN, by its name, or by the ARN without the six
 * characters (a partial ARN). Secrets live per account and region: another account's or region's
 * ARN names nothing.
 */
import { randomInt } from 'node:crypto';
import { Arn } from '../core/arn.js';
import type { Scope } from '../core/principal.js';
import type { SecretRecord, SecretsTables } from '../store/types.js';

const suffixAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** What ends a full ARN; a partial ARN ending so is taken as a full one, as AWS does. */
const suffixPattern = /-[A-Za-z0-9]{6}$/;

function randomSuffix(): string {
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += suffixAlphabet[randomInt(suffixAlphabet.length)];
  return suffix;
}

const secretArnOf = (scope: Scope, resource: string) => new Arn('secretsmanager', scope.region, scope.accountId, `secret:${resource}`).toString();

/** A new ARN for a secret named `name`, unused in the store. */
export async function newSecretArn(tx: SecretsTables, scope: Scope, name: string): Promise<string> {
  for (;;) {
    const arn = secretArnOf(scope, `${name}-${randomSuffix()}`);
    if (!(await tx.secrets.get(arn))) return arn;
  }
}

/** The name part of a secretsmanager ARN of the scope's account and region, or undefined for any other ARN. */
function ownArnResource(scope: Scope, secretId: string): string | undefined {
  const arn = Arn.parse(secretId);
  if (!arn || arn.partition !== 'aws' || arn.service !== 'secretsmanager') return undefined;
  if (arn.accountId !== scope.accountId || arn.region !== scope.region) return undefined;
  if (!arn.resource.startsWith('secret:')) return undefined;
  return arn.resource.slice('secret:'.length) || undefined;
}

/** Whether a secret scheduled for deletion has passed its recovery window (`now` in epoch seconds). */
export const isPurged = (record: SecretRecord, now: number) => record.purgeDate !== undefined && record.purgeDate <= now;

/**
 * The secret a SecretId names within the scope, whether or not it is scheduled for deletion;
 * undefined when there is none (or its recovery window has ended by `now`, epoch seconds).
 */
export async function findSecret(tx: SecretsTables, scope: Scope, secretId: string, now?: number): Promise<SecretRecord | undefined> {
  const record = await lookup(tx, scope, secretId);
  return record && (now === undefined || !isPurged(record, now)) ? record : undefined;
}

async function lookup(tx: SecretsTables, scope: Scope, secretId: string): Promise<SecretRecord | undefined> {
  if (!secretId.startsWith('arn:')) return tx.secrets.findByName(scope.accountId, scope.region, secretId);
  const resource = ownArnResource(scope, secretId);
  if (resource === undefined) return undefined;
  const exact = await tx.secrets.get(secretId);
  if (exact) return exact;
  return suffixPattern.test(resource) ? undefined : tx.secrets.findByName(scope.accountId, scope.region, resource);
}

/** The name a SecretId gives, for answers about secrets that do not exist. */
export function nameInSecretId(secretId: string): string {
  const at = secretId.indexOf(':secret:');
  if (!secretId.startsWith('arn:') || at === -1) return secretId;
  const resource = secretId.slice(at + ':secret:'.length);
  return resource.replace(suffixPattern, '');
}
