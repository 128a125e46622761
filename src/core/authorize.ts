/**
 * Authorization: whether a principal may perform an action on a resource. Every operation of every
 * protocol passes through `authorize` calls before its handler runs (one per resource it names,
 * and iam:PassRole for each role it hands to a service); the edge makes the calls. The rules that
 * need no policy live here: what no principal needs permission for, and what only root may do.
 * Policy evaluation (src/authz/enforcer.ts) decides the rest, as AWS documents it: explicit deny,
 * then allow, then implicit deny, the decision naming what decided.
 *
 * `authorize` below is the step without policies (everything allowed except root-only calls);
 * servers use the enforcer, tests may pass their own.
 *
 * Glossary:
 *   action    "<service prefix>:<Operation>", as IAM names it: `ecs:RunTask`, `sts:GetCallerIdentity`.
 *   resource  the ARN the operation names where it names one, else `*`.
 *   decision  allowed or not, with the reason (the "why denied" answer).
 */
import { ApiError, withHelp } from './errors.js';
import type { Principal } from './principal.js';

/** A condition key's value(s), as the policy evaluator takes them. */
export type ConditionValue = string | number | boolean | readonly (string | number | boolean)[];

export interface AuthorizationContext {
  /** The region of the request's signature scope. */
  region: string;
  /** Only root credentials may perform the action. */
  rootOnly: boolean;
  /** The condition keys the request supplies (aws:RequestTag/…, ecs:cluster, iam:PassedToService, …). */
  keys?: Readonly<Record<string, ConditionValue>>;
  /** aws:SourceIp: the address the request came from. */
  sourceIp?: string;
  /** aws:SecureTransport. */
  secureTransport?: boolean;
}

export interface Decision {
  allowed: boolean;
  /** Why, in words a caller can act on. */
  reason: string;
  /** For a denial: AWS's message, when the decider has AWS's words for it ("… because no identity-based policy allows …"). */
  message?: string;
}

export type Authorizer = (principal: Principal, action: string, resource: string, context: AuthorizationContext) => Decision | Promise<Decision>;

/**
 * Actions AWS answers without checking any policy, even under an explicit deny: every principal may
 * ask who it is.
 */
const unconditionallyAllowed = new Set(['sts:GetCallerIdentity']);

/** The decision the rules without policies make, or undefined when policies must decide. */
export function ruleDecision(principal: Principal, action: string, context: AuthorizationContext): Decision | undefined {
  if (unconditionallyAllowed.has(action)) return { allowed: true, reason: `${action} needs no permission.` };
  if (context.rootOnly && !principal.isRoot) {
    return { allowed: false, reason: `Only root credentials may perform ${action}; ${principal.arn} is not the account's root.` };
  }
  return undefined;
}

/** Allows everything but root-only calls to non-root principals: the step for setups that evaluate no policies. */
export function authorize(principal: Principal, action: string, _resource: string, context: AuthorizationContext): Decision {
  return ruleDecision(principal, action, context) ?? { allowed: true, reason: 'This step evaluates no IAM policies: every authenticated principal is allowed.' };
}

/**
 * AWS's error for a denied call, in its words; the decision's reason goes into `berthHelp`.
 * (The AWS JSON services call it AccessDeniedException; the Query envelope renames it AccessDenied.)
 */
export function accessDenied(principal: Principal, action: string, resource: string, decision: Decision): ApiError {
  const message = decision.message ?? `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource}`;
  return withHelp(new ApiError('AccessDeniedException', message, 403), {
    resource,
    hint: decision.reason,
  });
}
