/**
 * A secret's resource-based policy: Put/Get/Delete/ValidateResourcePolicy. The policy is stored
 * with the secret as the text the caller sent (GetResourcePolicy answers it unchanged), once it
 * parses as a resource policy; enforcement reads it with `secretResourcePolicy`.
 */
import type {
  DeleteResourcePolicyRequest,
  DeleteResourcePolicyResponse,
  GetResourcePolicyRequest,
  GetResourcePolicyResponse,
  PutResourcePolicyRequest,
  PutResourcePolicyResponse,
  ValidateResourcePolicyRequest,
  ValidateResourcePolicyResponse,
} from '@aws-sdk/client-secrets-manager';
import type { RequestContext } from '../core/request-context.js';
import { epochSeconds, type Wire } from '../core/wire.js';
import type { SecretsTables } from '../store/types.js';
import { existingSecret, usableSecret, writeSecrets } from './access.js';
import type { SecretsManagerDeps } from './deps.js';
import { constraintFailed } from './errors.js';
import { broadAccessStatements, parseSecretPolicy, publicPolicy } from './resource-policy-document.js';
import { checkSecretId, requireMember } from './validate.js';

/** The resource policy attached to the secret `secretArn`, as stored, if it has one (and exists). */
export async function secretResourcePolicy(tx: SecretsTables, secretArn: string): Promise<string | undefined> {
  return (await tx.secrets.get(secretArn))?.resourcePolicy;
}

function checkBlockPublic(value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw constraintFailed('blockPublicPolicy', value, 'be a boolean');
  return value;
}

export function resourcePolicyOperations(deps: SecretsManagerDeps) {
  return {
    async PutResourcePolicy(input: Wire<PutResourcePolicyRequest>, ctx: RequestContext): Promise<Wire<PutResourcePolicyResponse>> {
      const secretId = checkSecretId(input.SecretId);
      const text = requireMember(input.ResourcePolicy, 'resourcePolicy');
      const blockPublic = checkBlockPublic(input.BlockPublicPolicy);
      const policy = parseSecretPolicy(text);
      if (blockPublic) {
        const broad = broadAccessStatements(policy);
        if (broad.length > 0) throw publicPolicy(broad);
      }
      return writeSecrets(deps, ctx, async (tx) => {
        const record = await usableSecret(tx, ctx, secretId);
        await tx.secrets.put({ ...record, resourcePolicy: text, lastChangedDate: epochSeconds(ctx.now) });
        return { ARN: record.arn, Name: record.name };
      });
    },

    async GetResourcePolicy(input: Wire<GetResourcePolicyRequest>, ctx: RequestContext): Promise<Wire<GetResourcePolicyResponse>> {
      const secretId = checkSecretId(input.SecretId);
      return deps.store.read(async (tx) => {
        const record = await existingSecret(tx, ctx, secretId);
        return { ARN: record.arn, Name: record.name, ...(record.resourcePolicy !== undefined ? { ResourcePolicy: record.resourcePolicy } : {}) };
      });
    },

    async DeleteResourcePolicy(input: Wire<DeleteResourcePolicyRequest>, ctx: RequestContext): Promise<Wire<DeleteResourcePolicyResponse>> {
      const secretId = checkSecretId(input.SecretId);
      return writeSecrets(deps, ctx, async (tx) => {
        const { resourcePolicy, ...record } = await usableSecret(tx, ctx, secretId);
        // Deleting a policy the secret does not have changes nothing and is not an error.
        if (resourcePolicy !== undefined) await tx.secrets.put({ ...record, lastChangedDate: epochSeconds(ctx.now) });
        return { ARN: record.arn, Name: record.name };
      });
    },

    /**
     * The checks PutResourcePolicy makes, without storing anything: syntax (MalformedPolicyDocument,
     * as Put answers it) and broad access, reported as a validation error whatever BlockPublicPolicy
     * would be. With a SecretId, the secret must exist.
     */
    async ValidateResourcePolicy(input: Wire<ValidateResourcePolicyRequest>, ctx: RequestContext): Promise<Wire<ValidateResourcePolicyResponse>> {
      const secretId = input.SecretId !== undefined ? checkSecretId(input.SecretId) : undefined;
      const text = requireMember(input.ResourcePolicy, 'resourcePolicy');
      const policy = parseSecretPolicy(text);
      if (secretId !== undefined) await deps.store.read((tx) => existingSecret(tx, ctx, secretId));
      const broad = broadAccessStatements(policy);
      if (broad.length === 0) return { PolicyValidationPassed: true, ValidationErrors: [] };
      return { PolicyValidationPassed: false, ValidationErrors: [{ CheckName: 'BROAD_ACCESS', ErrorMessage: 'The resource policy allows broad access to the secret: an Allow statement names every principal without a condition that limits the caller.' }] };
    },
  };
}
