/**
 * Repository policies: the IAM policy grammar a resource policy must follow (parsed by the IAM
 * policy language in src/iam/policy), and the lock-out check SetRepositoryPolicy's `force`
 * overrides.
 */
import { withHelp } from '../core/errors.js';
import { PolicyDocumentError, parseAndCompile, type CompiledPolicy } from '../iam/policy/index.js';
import { constraintFailed } from './errors.js';

/** ECR's message says only that the policy is invalid; what is wrong with it goes in Berth's help. */
const invalid = (reason: string) =>
  withHelp(constraintFailed('PolicyText', 'Invalid repository policy provided'), { field: 'policyText', hint: `The policy is invalid: ${reason}.` });

/**
 * The policy, once the document follows the grammar. ECR differs from IAM in three ways: Version
 * is required, statements may share a Sid, and Resource (optional: the repository) is not checked.
 */
export function parsePolicy(text: string): CompiledPolicy {
  try {
    return parseAndCompile(text, { kind: 'resource', requireVersion: true, uniqueSids: false, checkResourceFormat: false });
  } catch (error) {
    if (error instanceof PolicyDocumentError) throw invalid(error.detail);
    throw error;
  }
}

/** Whether a statement denies the caller ecr:SetRepositoryPolicy without condition: the caller could never change the policy again. */
export function locksOutCaller(policy: CompiledPolicy, caller: { accountId: string; principalArn: string }): boolean {
  const principal = { kind: 'user', arn: caller.principalArn, accountId: caller.accountId } as const;
  return policy.forAction('ecr:setrepositorypolicy').some(
    (statement) => statement.statement.effect === 'Deny' && statement.conditions.length === 0 && statement.grantTo?.(principal) !== undefined,
  );
}
