/** The IAM policy language and evaluator: pure, no I/O, no clock. */
export { PolicyDocumentError, iamMessages } from './errors.js';
export { parsePolicyDocument, type PolicyDocument, type Statement, type ParseOptions, type PolicyKind, type PrincipalSpec } from './document.js';
export { isConditionOperator, parseOperator } from './conditions.js';
export { compilePolicy, parseAndCompile, type CompiledPolicy } from './compile.js';
export { contextLookup, type RequestContext, type RequestPrincipal, type PrincipalKind, type ContextValue } from './context.js';
export { evaluate, accessDeniedMessage, type Evaluation, type PolicySet, type AttachedPolicy, type StatementRef, type PolicyType, type DecisionKind } from './evaluate.js';
export { policySize, checkPolicySize, policySizeLimits, type PolicySizeKind } from './limits.js';
export { evalDecision, explainDecision, missingContextKeys, type EvalDecision } from './explain.js';
export type { TextRange, TextPosition } from './positions.js';
