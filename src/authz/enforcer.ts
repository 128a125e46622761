/**
 * Enforcement: the authorize step with IAM policies, for every call of every Berth API, the
 * registry's /v2/ and the agent channel included.
 *
 *   root        the account's root user (and root's session credentials) may do anything in its
 *               own account without a policy being read; on another account's resource it needs
 *               that resource's policy, like everyone.
 *   others      evaluated by `evaluate` (src/iam/policy/) over their identity-based policies, their
 *               permissions boundary, their session policies, and the resource's policy where its
 *               service has them; across accounts the resource policy must allow too. A user or
 *               role that no longer exists is allowed nothing.
 *
 * A denial carries AWS's message ("User: <arn> is not authorized to perform: <action> on resource:
 * <arn> because no identity-based policy allows the <action> action") and, as its reason, which
 * statement or missing allow decided.
 */
import { Arn } from '../core/arn.js';
import { ruleDecision, type AuthorizationContext, type Authorizer, type Decision } from '../core/authorize.js';
import type { Clock } from '../core/clock.js';
import type { Principal } from '../core/principal.js';
import { accessDeniedMessage, compilePolicy, evaluate, explainDecision, PolicyDocumentError, type AttachedPolicy, type PolicySet, type RequestContext, type RequestPrincipal } from '../iam/policy/index.js';
import { managedDocument } from '../iam/principal-policies.js';
import type { Store } from '../store/types.js';
import { compiled, PrincipalPoliciesCache, type EntityPolicies } from './principal-policies-cache.js';
import { mayHavePolicy, resourcePolicyText } from './resource-policies.js';

export interface EnforcerDeps {
  store: Store;
  clock: Clock;
}

interface Caller {
  principal: RequestPrincipal;
  /** Absent for root, which has no identity side. */
  entity?: EntityPolicies;
}

/** The account a resource ARN belongs to; undefined for `*` and account-less ARNs (AWS managed policies). */
function resourceAccount(resource: string): string | undefined {
  if (!resource.startsWith('arn:')) return undefined;
  const account = Arn.parse(resource)?.accountId;
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

/** The user or role behind a principal's credentials. */
function entityOf(principal: Principal): { kind: 'user' | 'role'; arn: string; name: string } | undefined {
  const session = principal.session;
  if (session?.type === 'AssumedRole' && session.roleArn && session.roleName) return { kind: 'role', arn: session.roleArn, name: session.roleName };
  const arn = Arn.parse(principal.arn);
  if (arn?.service === 'iam' && arn.resourceType === 'user') return { kind: 'user', arn: principal.arn, name: arn.resourcePath.at(-1) ?? '' };
  return undefined;
}

export class PolicyEnforcer {
  private readonly cache: PrincipalPoliciesCache;

  constructor(private readonly deps: EnforcerDeps) {
    this.cache = new PrincipalPoliciesCache(deps.store);
  }

  /** Starts following IAM changes, so that compiled policies can be kept between calls. */
  start(): void {
    this.cache.start();
  }

  stop(): void {
    this.cache.stop();
  }

  readonly authorize: Authorizer = async (principal, action, resource, context) => {
    try {
      return await this.decide(principal, action, resource, context);
    } catch (error) {
      // A policy that cannot be read (stored under older rules, say) must not let anything through, nor fail the call with a 500.
      if (!(error instanceof PolicyDocumentError)) throw error;
      return denied(principal, action, resource, `A policy that applies to ${principal.arn} cannot be read, so nothing is allowed until it is fixed: ${error.message}`);
    }
  };

  private async decide(principal: Principal, action: string, resource: string, context: AuthorizationContext): Promise<Decision> {
    const ruled = ruleDecision(principal, action, context);
    if (ruled) return ruled;
    const account = resourceAccount(resource);
    // Root in its own account: allowed, unless a resource policy denies it explicitly (so one is read where there may be one).
    if (principal.isRoot && (account === undefined || account === principal.accountId) && !mayHavePolicy(resource)) {
      return { allowed: true, reason: "the account's root user may perform every action in its own account" };
    }
    const caller = await this.callerOf(principal);
    if (!caller) return { allowed: false, reason: `${principal.arn} is no user or role Berth knows: its credentials name no principal policies could apply to.` };
    if (caller.entity && !caller.entity.exists) {
      return denied(principal, action, resource, `The ${entityOf(principal)?.kind ?? 'principal'} ${caller.entity.arn} no longer exists: its credentials are allowed nothing.`);
    }
    const request: RequestContext = {
      principal: caller.principal,
      action,
      resource,
      ...(account !== undefined ? { resourceAccountId: account } : {}),
      now: this.deps.clock.now(),
      keys: keysOf(context),
    };
    const policies = await this.policiesFor(principal, caller, resource);
    const evaluation = evaluate(request, policies);
    if (evaluation.allowed) return { allowed: true, reason: explainDecision(request, evaluation) };
    return { allowed: false, reason: explainDecision(request, evaluation), message: accessDeniedMessage(request, evaluation) };
  }

  private async callerOf(principal: Principal): Promise<Caller | undefined> {
    if (principal.isRoot) return { principal: { kind: 'root', arn: principal.arn, accountId: principal.accountId, userId: principal.accountId } };
    const behind = entityOf(principal);
    if (!behind) return undefined;
    const found = await this.cache.of(behind.arn, behind.kind, principal.accountId, behind.name);
    // A session belongs to the role it was issued for, by id: a role deleted and created again under
    // the same name is another role, and lends the old sessions nothing (as in AWS).
    const roleId = principal.session?.roleId;
    const entity = behind.kind === 'role' && roleId !== undefined && found.exists && found.id !== roleId ? { ...found, exists: false } : found;
    const userId = principal.uniqueId ?? entity.id;
    if (behind.kind === 'user') {
      return { entity, principal: { kind: 'user', arn: principal.arn, accountId: principal.accountId, userId, username: entity.name, tags: entity.tags } };
    }
    const tags = { ...entity.tags, ...(principal.session?.tags ?? {}) };
    return { entity, principal: { kind: 'assumed-role', arn: principal.arn, accountId: principal.accountId, userId, entityArn: entity.arn, tags } };
  }

  private async policiesFor(principal: Principal, caller: Caller, resource: string): Promise<PolicySet> {
    const session = principal.session;
    const sessionArns = session?.sessionPolicyArns ?? [];
    const needsStore = mayHavePolicy(resource) || sessionArns.length > 0;
    const read = needsStore
      ? await this.deps.store.read(async (tx) => ({
          resourcePolicy: mayHavePolicy(resource) ? await resourcePolicyText(tx, resource) : undefined,
          managed: await Promise.all(sessionArns.map(async (arn) => ({ arn, document: (await managedDocument(tx, principal.accountId, arn))?.document }))),
        }))
      : { resourcePolicy: undefined, managed: [] };
    const sessionPolicies: AttachedPolicy[] = [];
    if (session?.sessionPolicy !== undefined) sessionPolicies.push({ id: 'session policy', policy: compiled(session.sessionPolicy, 'identity') });
    for (const { arn, document } of read.managed) {
      // A managed session policy deleted since the session began allows nothing, and still narrows the session.
      sessionPolicies.push({ id: arn, policy: document === undefined ? allowsNothing : compiled(document, 'identity') });
    }
    return {
      ...(caller.entity ? { identity: caller.entity.identity } : {}),
      ...(caller.entity?.boundary ? { boundary: caller.entity.boundary } : {}),
      ...(sessionPolicies.length > 0 ? { session: sessionPolicies } : {}),
      ...(read.resourcePolicy !== undefined ? { resource: { id: resource, policy: compiled(read.resourcePolicy, 'resource') } } : {}),
    };
  }
}

/** A policy without statements: what a managed session policy deleted since the session began still is. */
const allowsNothing = compilePolicy({ version: '2012-10-17', statements: [] });

function denied(principal: Principal, action: string, resource: string, reason: string): Decision {
  return { allowed: false, reason, message: `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action` };
}

function keysOf(context: AuthorizationContext): RequestContext['keys'] {
  return {
    ...(context.sourceIp !== undefined ? { 'aws:SourceIp': context.sourceIp } : {}),
    ...(context.secureTransport !== undefined ? { 'aws:SecureTransport': context.secureTransport } : {}),
    'aws:RequestedRegion': context.region,
    ...context.keys,
  };
}
