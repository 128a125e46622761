/**
 * The IAM policy language and evaluator: pure, no I/O, no clock (the time and every condition key
 * are inputs).
 *
 * How the rest of Berth uses it:
 *   - the IAM API parses every document it stores with `parseAndCompile` (kind identity, trust or
 *     resource), answers MalformedPolicyDocument with the error's `message`, and checks quotas
 *     with `checkPolicySize`;
 *   - enforcement (the edge's `authorize`) builds a RequestContext (principal, action, resource
 *     ARN, resource account, now, condition keys) and a PolicySet from compiled policies it keeps
 *     per principal, calls `evaluate`, and on a denial answers `accessDeniedMessage`;
 *   - STS AssumeRole evaluates the role's trust policy as `resource` with
 *     `resourcePolicyRequired: true`, the caller's policies as `identity`;
 *   - SimulatePrincipalPolicy reports `evalDecision`, the deciding statements (policy id, Sid,
 *     text range) and `missingContextKeys`; `explainDecision` is the "why denied" answer.
 * Compile once, evaluate many times: a CompiledPolicy remembers per action which statements apply.
 */
export { PolicyDocumentError, iamMessages } from './errors.js';
export { parsePolicyDocument, type PolicyDocument, type Statement, type ParseOptions, type PolicyKind, type PrincipalSpec } from './document.js';
export { isConditionOperator, parseOperator } from './conditions.js';
export { compilePolicy, parseAndCompile, type CompiledPolicy } from './compile.js';
export { contextLookup, type RequestContext, type RequestPrincipal, type PrincipalKind, type ContextValue } from './context.js';
export { evaluate, accessDeniedMessage, type Evaluation, type PolicySet, type AttachedPolicy, type StatementRef, type PolicyType, type DecisionKind } from './evaluate.js';
export { policySize, checkPolicySize, policySizeLimits, type PolicySizeKind } from './limits.js';
export { evalDecision, explainDecision, missingContextKeys, type EvalDecision } from './explain.js';
export type { TextRange, TextPosition } from './positions.js';
