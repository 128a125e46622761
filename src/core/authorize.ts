/**
 * Authorization: whether a principal may perform an action on a resource. Every operation of every
 * protocol passes through one `authorize` call before its handler runs; the edge makes the call,
 * this module decides, over values only (no store, no clock), so IAM policy evaluation can fill it
 * in later as AWS documents it: explicit deny, then allow, then implicit deny, the decision naming
 * what decided.
 *
 * Today: everything is allowed except what only root credentials may do (Berth's own reset, and
 * any operation a service marks root-only).
 *
 * Glossary:
 *   action    "<service prefix>:<Operation>", as IAM names it: `ecs:RunTask`, `sts:GetCallerIdentity`.
 *   resource  the ARN the operation names where it names one, else `*`.
 *   decision  allowed or not, with the reason (the "why denied" answer).
 */
import { ApiError, withHelp } from './errors.js';
import type { Principal } from './principal.js';

export interface AuthorizationContext {
  /** The region of the request's signature scope. */
  region: string;
  /** Only root credentials may perform the action. */
  rootOnly: boolean;
}

export interface Decision {
  allowed: boolean;
  /** Why, in words a caller can act on. */
  reason: string;
}

export type Authorizer = (principal: Principal, action: string, resource: string, context: AuthorizationContext) => Decision;

/**
 * Actions AWS answers without checking any policy, even under an explicit deny: every principal may
 * ask who it is.
 */
const unconditionallyAllowed = new Set(['sts:GetCallerIdentity']);

export const authorize: Authorizer = (principal, action, _resource, context) => {
  if (unconditionallyAllowed.has(action)) return { allowed: true, reason: `${action} needs no permission.` };
  if (context.rootOnly && !principal.isRoot) {
    return { allowed: false, reason: `Only root credentials may perform ${action}; ${principal.arn} is not the account's root.` };
  }
  return { allowed: true, reason: 'Berth evaluates no IAM policies yet: every authenticated principal is allowed.' };
};

/**
 * AWS's error for a denied call, in its words; the decision's reason goes into `berthHelp`.
 * (The AWS JSON services call it AccessDeniedException; the Query envelope renames it AccessDenied.)
 */
export function accessDenied(principal: Principal, action: string, resource: string, decision: Decision): ApiError {
  return withHelp(new ApiError('AccessDeniedException', `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource}`, 403), {
    resource,
    hint: decision.reason,
  });
}
