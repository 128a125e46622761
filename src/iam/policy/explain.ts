/**
 * What SimulatePrincipalPolicy and a "why denied" answer need beyond the decision: IAM's name for
 * the decision, the condition keys the request lacked, and the decision in words that name the
 * statements that made it.
 */
import type { CompiledPolicy } from './compile.js';
import { contextLookup, type RequestContext } from './context.js';
import type { Evaluation, PolicySet, PolicyType, StatementRef } from './evaluate.js';
import { resourceName } from './patterns.js';

/** SimulatePrincipalPolicy's EvalDecision. */
export type EvalDecision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export function evalDecision(evaluation: Evaluation): EvalDecision {
  switch (evaluation.decision) {
    case 'Allow':
      return 'allowed';
    case 'ExplicitDeny':
      return 'explicitDeny';
    case 'ImplicitDeny':
      return 'implicitDeny';
  }
}

/**
 * SimulatePrincipalPolicy's MissingContextValues: condition keys of the statements that apply to
 * the action and resource which the request does not supply (and cannot be derived from the
 * principal or the time), in first-use order, without duplicates.
 */
export function missingContextKeys(request: RequestContext, policies: PolicySet): string[] {
  const lookup = contextLookup(request);
  const action = request.action.toLowerCase();
  const resource = resourceName(request.resource);
  const missing = new Map<string, string>();
  const all: CompiledPolicy[] = [
    ...(policies.identity ?? []),
    ...(policies.resource ? [policies.resource] : []),
    ...(policies.boundary ? [policies.boundary] : []),
    ...(policies.session ?? []),
  ].map((attached) => attached.policy);
  for (const policy of all) {
    for (const statement of policy.forAction(action)) {
      if (!statement.coversResource(resource, lookup)) continue;
      for (const clause of statement.statement.conditions) {
        if (lookup(clause.key) === undefined && !missing.has(clause.key.toLowerCase())) missing.set(clause.key.toLowerCase(), clause.key);
      }
    }
  }
  return [...missing.values()];
}

const kinds: Record<PolicyType, string> = {
  identity: 'identity-based policy',
  resource: 'resource-based policy',
  boundary: 'permissions boundary',
  session: 'session policy',
};

function describe(found: StatementRef): string {
  const statement = found.sid ? `statement "${found.sid}"` : `statement ${found.index + 1}`;
  const from = found.source ? ` attached to ${found.source}` : '';
  return `${statement} of ${kinds[found.policyType]} ${found.policyId}${from}`;
}

/** The decision in words, naming what decided: the `berth why-denied` answer. */
export function explainDecision(request: RequestContext, evaluation: Evaluation): string {
  const subject = `${request.principal.arn} ${request.action} on ${request.resource}`;
  switch (evaluation.decision) {
    case 'Allow':
      return evaluation.deciding.length > 0
        ? `Allowed: ${subject}, by ${evaluation.deciding.map(describe).join('; ')}.`
        : `Allowed: ${subject}: ${evaluation.reason}.`;
    case 'ExplicitDeny':
      return `Denied: ${subject}, explicitly, by ${evaluation.deciding.map(describe).join('; ')}.`;
    case 'ImplicitDeny':
      return `Denied: ${subject}, implicitly: no ${kinds[evaluation.deniedBy ?? 'identity']} allows ${request.action}${evaluation.deniedBy === 'resource' ? ' for this principal' : ''}.`;
  }
}
