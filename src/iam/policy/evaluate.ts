/**
 * AWS's policy evaluation logic, as a pure function of the request context and the policies that
 * apply to it. It returns the decision, its kind and the statements that decided: the trace that
 * answers "why denied" and names the statement in SimulatePrincipalPolicy.
 *
 * Within one account (IAM User Guide, "Determining whether a request is allowed or denied"):
 *   1. an explicit Deny in any policy (identity, resource, boundary, session) → Deny;
 *   2. a resource-based policy that allows the caller directly (its user or session ARN, or
 *      "*") → Allow, whatever the identity policies, boundary or session policies say;
 *   3. otherwise an Allow is needed from an identity-based policy, or from a resource-based
 *      policy naming the role behind the session (a grant to the account only delegates to the
 *      account's IAM policies) → else implicit Deny;
 *   4. a permissions boundary, if set, must allow too → else implicit Deny;
 *   5. session policies, if any, must allow too (a federated-user session must have one) →
 *      else implicit Deny;
 *   6. Allow.
 * Across accounts (the resource's account differs from the principal's), the principal's side
 * (identity policies, boundary, session policies) must allow AND the resource-based policy must
 * allow the principal (any form of naming it, the account included); a denial names the
 * principal's side first.
 * Trust policies (and any resource policy with `resourcePolicyRequired`) must allow the principal
 * even within one account.
 *
 * The account's root user is allowed everything in its own account unless a resource-based
 * policy denies it; it has no identity policies. Organizations SCPs and RCPs are not modelled:
 * Berth has no organizations, so nothing above them can deny.
 */
import type { CompiledPolicy, CompiledStatement } from './compile.js';
import { contextLookup, type ContextLookup, type RequestContext } from './context.js';
import { resourceName, type ResourceName } from './patterns.js';
import type { TextRange } from './positions.js';
import { strongerGrant, type GrantLevel } from './principals.js';

export type PolicyType = 'identity' | 'resource' | 'boundary' | 'session';

export interface AttachedPolicy {
  /** The policy's ARN (managed) or name (inline): what a decision names. */
  id: string;
  /** Where it comes from: the user, group or role ARN it is attached to, for an identity policy. */
  source?: string;
  policy: CompiledPolicy;
}

export interface PolicySet {
  identity?: AttachedPolicy[];
  resource?: AttachedPolicy;
  boundary?: AttachedPolicy;
  session?: AttachedPolicy[];
  /** The resource policy must allow the principal even within one account (role trust policies, KMS key policies). */
  resourcePolicyRequired?: boolean;
}

export interface StatementRef {
  policyType: PolicyType;
  policyId: string;
  source?: string;
  sid?: string;
  /** Position of the statement in its policy, from 0. */
  index: number;
  /** Where the statement is in the policy's text, when it was parsed from text. */
  range?: TextRange;
}

export type DecisionKind = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface Evaluation {
  allowed: boolean;
  decision: DecisionKind;
  /** The statements that decided: the denying ones, or the allowing ones; empty for an implicit deny. */
  deciding: StatementRef[];
  /** For a denial: which kind of policy denied (explicitly) or failed to allow (implicitly). */
  deniedBy?: PolicyType;
  /** AWS's words for a denial ("because no identity-based policy allows the ecs:RunTask action"), or why allowed. */
  reason: string;
}

const typeNames: Record<PolicyType, string> = {
  identity: 'identity-based policy',
  resource: 'resource-based policy',
  boundary: 'permissions boundary',
  session: 'session policy',
};
const withArticle = (type: PolicyType) => `${type === 'identity' ? 'an' : 'a'} ${typeNames[type]}`;

interface Found {
  allows: StatementRef[];
  denies: StatementRef[];
}

interface RequestView {
  request: RequestContext;
  action: string;
  resource: ResourceName;
  lookup: ContextLookup;
}

function conditionsHold(statement: CompiledStatement, lookup: ContextLookup): boolean {
  for (const clause of statement.conditions) if (!clause(lookup)) return false;
  return true;
}

function ref(type: PolicyType, attached: AttachedPolicy, statement: CompiledStatement): StatementRef {
  const found: StatementRef = { policyType: type, policyId: attached.id, index: statement.statement.index };
  if (attached.source !== undefined) found.source = attached.source;
  if (statement.statement.sid !== undefined) found.sid = statement.statement.sid;
  if (statement.statement.range !== undefined) found.range = statement.statement.range;
  return found;
}

/** The statements of the policies that apply to the request, split by effect. */
function scan(type: PolicyType, policies: readonly AttachedPolicy[], view: RequestView, found: Found): void {
  for (const attached of policies) {
    for (const statement of attached.policy.forAction(view.action)) {
      if (!statement.coversResource(view.resource, view.lookup)) continue;
      if (!conditionsHold(statement, view.lookup)) continue;
      (statement.statement.effect === 'Deny' ? found.denies : found.allows).push(ref(type, attached, statement));
    }
  }
}

/** A resource policy's matching statements, each Allow with how it grants to the principal. */
function scanResource(attached: AttachedPolicy, view: RequestView, denies: StatementRef[]): ResourceScan {
  const byLevel = new Map<GrantLevel, StatementRef[]>();
  const allows: StatementRef[] = [];
  let level: GrantLevel | undefined;
  for (const statement of attached.policy.forAction(view.action)) {
    const grant = statement.grantTo?.(view.request.principal);
    if (grant === undefined) continue;
    if (!statement.coversResource(view.resource, view.lookup) || !conditionsHold(statement, view.lookup)) continue;
    const found = ref('resource', attached, statement);
    if (statement.statement.effect === 'Deny') {
      denies.push(found);
      continue;
    }
    allows.push(found);
    level = strongerGrant(level, grant);
    byLevel.set(grant, [...(byLevel.get(grant) ?? []), found]);
  }
  return { allows, level, byLevel };
}

interface ResourceScan {
  allows: StatementRef[];
  level: GrantLevel | undefined;
  byLevel: Map<GrantLevel, StatementRef[]>;
}
const noResourcePolicy = (): ResourceScan => ({ allows: [], level: undefined, byLevel: new Map() });

const implicitDeny = (type: PolicyType, action: string): Evaluation => ({
  allowed: false,
  decision: 'ImplicitDeny',
  deciding: [],
  deniedBy: type,
  reason: `because no ${typeNames[type]} allows the ${action} action`,
});

const allow = (deciding: StatementRef[], reason: string): Evaluation => ({ allowed: true, decision: 'Allow', deciding, reason });

export function evaluate(request: RequestContext, policies: PolicySet): Evaluation {
  const view: RequestView = { request, action: request.action.toLowerCase(), resource: resourceName(request.resource), lookup: contextLookup(request) };
  const { principal } = request;
  const isRoot = principal.kind === 'root';
  const isService = principal.kind === 'service';
  // Root and service principals carry no identity policies, boundaries or session policies.
  const hasIdentitySide = !isRoot && !isService;

  const identity: Found = { allows: [], denies: [] };
  const boundary: Found = { allows: [], denies: [] };
  const session: Found = { allows: [], denies: [] };
  const resourceDenies: StatementRef[] = [];
  if (hasIdentitySide) {
    scan('identity', policies.identity ?? [], view, identity);
    if (policies.boundary) scan('boundary', [policies.boundary], view, boundary);
    scan('session', policies.session ?? [], view, session);
  }
  const resource = policies.resource ? scanResource(policies.resource, view, resourceDenies) : noResourcePolicy();

  // 1. Explicit deny, named by the first kind of policy in the order AWS reports them.
  const deniedBy: PolicyType | undefined =
    identity.denies.length > 0 ? 'identity' : resourceDenies.length > 0 ? 'resource' : boundary.denies.length > 0 ? 'boundary' : session.denies.length > 0 ? 'session' : undefined;
  if (deniedBy !== undefined) {
    const all = [...identity.denies, ...resourceDenies, ...boundary.denies, ...session.denies];
    return { allowed: false, decision: 'ExplicitDeny', deciding: all, deniedBy, reason: `with an explicit deny in ${withArticle(deniedBy)}` };
  }

  const sameAccount = request.resourceAccountId === undefined || request.resourceAccountId === principal.accountId;
  // The resource policy must allow on its own account's behalf: across accounts, for a service, for a trust policy.
  const resourceRequired = !sameAccount || isService || policies.resourcePolicyRequired === true;
  if (isService || isRoot) {
    if (resourceRequired && resource.level === undefined) return implicitDeny('resource', request.action);
    if (isService) return allow(resource.allows, 'the resource-based policy allows the service principal');
    return resourceRequired
      ? allow(resource.allows, "the resource-based policy allows the account's root user")
      : allow([], "the account's root user may perform every action in its own account");
  }

  // 2. A direct grant in a resource policy of the same account stands on its own.
  const direct = resource.byLevel.get('direct') ?? [];
  if (sameAccount && direct.length > 0) return allow(direct, 'a resource-based policy allows the principal directly');

  // 3. An identity-based allow (or, within one account, a resource policy naming the role).
  const entity = sameAccount ? (resource.byLevel.get('entity') ?? []) : [];
  if (identity.allows.length === 0 && entity.length === 0) return implicitDeny('identity', request.action);
  // 4. and 5. Boundary and session policies limit what the identity side allows.
  if (policies.boundary && boundary.allows.length === 0) return implicitDeny('boundary', request.action);
  if ((policies.session?.length ?? 0) > 0 && session.allows.length === 0) return implicitDeny('session', request.action);
  // A federated-user session (GetFederationToken) has only what its session policy allows.
  if (principal.kind === 'federated-user' && (policies.session?.length ?? 0) === 0) return implicitDeny('session', request.action);
  // 6. The principal's side allows; across accounts (or for a trust policy) the resource's side must too.
  if (resourceRequired && resource.level === undefined) return implicitDeny('resource', request.action);

  const deciding = [...identity.allows, ...entity];
  if (resourceRequired) deciding.push(...resource.allows.filter((found) => !deciding.includes(found)));
  return allow(deciding, sameAccount ? 'an identity-based policy allows the action' : "an identity-based policy and the resource owner's resource-based policy allow the action");
}

/** AWS's AccessDenied message for a denial: "User: <arn> is not authorized to perform: <action> on resource: <arn> because …". */
export function accessDeniedMessage(request: RequestContext, evaluation: Evaluation): string {
  return `User: ${request.principal.arn} is not authorized to perform: ${request.action} on resource: ${request.resource} ${evaluation.reason}`;
}
