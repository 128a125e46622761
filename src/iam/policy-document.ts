/**
 * The checks IAM makes on a policy document before storing it: the size quota, then the policy
 * language itself (src/iam/policy/: the same parser the evaluator compiles from), so what IAM
 * stores is exactly what enforcement can evaluate. `checkPolicyDocument` is the one entry point.
 *
 * IAM answers documents URL-encoded (GetRolePolicy's PolicyDocument, GetRole's
 * AssumeRolePolicyDocument, …); the CLI decodes them, the SDKs leave that to the caller.
 */
import { withHelp } from '../core/errors.js';
import { limitExceeded, malformedPolicy } from './errors.js';
import { parseAndCompile, PolicyDocumentError, policySize } from './policy/index.js';

/**
 * identity: a policy attached to a user, group or role (inline or managed); no Principal.
 * trust: a role's AssumeRolePolicyDocument; Principal required, no Resource.
 */
export type PolicyKind = 'inline' | 'managed' | 'trust';

const sizeQuota: Record<PolicyKind, { bytes: number; message: string }> = {
  inline: { bytes: 10240, message: 'Maximum policy size of 10240 bytes exceeded.' },
  managed: { bytes: 6144, message: 'Cannot exceed quota for PolicySize: 6144' },
  trust: { bytes: 2048, message: 'Cannot exceed quota for ACLSizePerRole: 2048' },
};

/** Throws IAM's MalformedPolicyDocument (or LimitExceeded for size) when `text` is not a policy of that kind. */
export function checkPolicyDocument(text: string, kind: PolicyKind): void {
  const quota = sizeQuota[kind];
  // IAM counts characters without whitespace against the quota.
  if (policySize(text) > quota.bytes) throw limitExceeded(quota.message);
  try {
    parseAndCompile(text, { kind: kind === 'trust' ? 'trust' : 'identity' });
  } catch (error) {
    if (error instanceof PolicyDocumentError) throw withHelp(malformedPolicy(error.message), { hint: error.detail });
    throw error;
  }
}

/** A document as IAM answers it: URL-encoded. */
export const encodedDocument = (text: string): string => encodeURIComponent(text);
