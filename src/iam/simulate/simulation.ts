/**
 * The policy simulator's core, pure: every action against every resource, evaluated with the
 * same evaluator enforcement uses, answered in SimulatePrincipalPolicy's shape (EvaluationResult:
 * the decision in IAM's words, the statements that decided with their place in the policy text,
 * the condition keys the request lacked, what the permissions boundary alone says).
 *
 * Each policy is labelled as IAM labels it in MatchedStatements: SourcePolicyId (the policy's name,
 * or `PolicyInputList.<n>` for a policy given in the request) and SourcePolicyType (user, group,
 * role for inline policies, aws-managed or user-managed, resource, none for a policy given in the
 * request).
 */
import type { EvaluationResult, PolicySourceType, ResourceSpecificResult, Statement as MatchedStatement } from '@aws-sdk/client-iam';
import { Arn } from '../../core/arn.js';
import { evalDecision, evaluate, missingContextKeys, type AttachedPolicy, type ContextValue, type PolicySet, type RequestContext, type RequestPrincipal, type StatementRef } from '../policy/index.js';

export interface PolicyLabel {
  id: string;
  type: PolicySourceType;
}

/** A policy in the simulation: `attached.id` is unique within it; `label` is how IAM names it. */
export interface SimulatedPolicy {
  attached: AttachedPolicy;
  label: PolicyLabel;
}

export interface Simulation {
  principal: RequestPrincipal;
  identity: SimulatedPolicy[];
  boundary?: SimulatedPolicy;
  resourcePolicy?: SimulatedPolicy;
  actions: readonly string[];
  /** The ResourceArns given; none means `*`. */
  resources?: readonly string[];
  /** The account of resources whose ARN names none (ResourceOwner), else the principal's. */
  resourceOwner?: string;
  keys: Record<string, ContextValue>;
  now: Date;
}

function matched(refs: readonly StatementRef[], labels: ReadonlyMap<string, PolicyLabel>): MatchedStatement[] {
  return refs.map((ref) => {
    const label = labels.get(ref.policyId);
    return {
      ...(label ? { SourcePolicyId: label.id, SourcePolicyType: label.type } : { SourcePolicyId: ref.policyId }),
      ...(ref.range
        ? { StartPosition: { Line: ref.range.start.line, Column: ref.range.start.column }, EndPosition: { Line: ref.range.end.line, Column: ref.range.end.column } }
        : {}),
    };
  });
}

function resourceAccount(resource: string, simulation: Simulation): string {
  const named = Arn.parse(resource)?.accountId;
  return named || simulation.resourceOwner || simulation.principal.accountId;
}

export function simulate(simulation: Simulation): EvaluationResult[] {
  const labels = new Map<string, PolicyLabel>();
  const all = [...simulation.identity, ...(simulation.boundary ? [simulation.boundary] : []), ...(simulation.resourcePolicy ? [simulation.resourcePolicy] : [])];
  for (const policy of all) labels.set(policy.attached.id, policy.label);
  const policies: PolicySet = {
    identity: simulation.identity.map((policy) => policy.attached),
    ...(simulation.boundary ? { boundary: simulation.boundary.attached } : {}),
    ...(simulation.resourcePolicy ? { resource: simulation.resourcePolicy.attached } : {}),
  };
  // The boundary alone: does it allow (and not deny) the request? PermissionsBoundaryDecisionDetail.
  const boundaryAlone: PolicySet | undefined = simulation.boundary ? { identity: [simulation.boundary.attached] } : undefined;

  const results: EvaluationResult[] = [];
  for (const action of simulation.actions) {
    for (const resource of simulation.resources ?? ['*']) {
      const request: RequestContext = {
        principal: simulation.principal,
        action,
        resource,
        resourceAccountId: resourceAccount(resource, simulation),
        now: simulation.now,
        keys: simulation.keys,
      };
      const evaluation = evaluate(request, policies);
      const decision = evalDecision(evaluation);
      const statements = matched(evaluation.deciding, labels);
      const missing = missingContextKeys(request, policies);
      const boundary = boundaryAlone ? { PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: evaluate(request, boundaryAlone).allowed } } : {};
      const result: EvaluationResult = { EvalActionName: action, EvalResourceName: resource, EvalDecision: decision, MatchedStatements: statements, MissingContextValues: missing, ...boundary };
      if (simulation.resources) {
        const specific: ResourceSpecificResult = { EvalResourceName: resource, EvalResourceDecision: decision, MatchedStatements: statements, MissingContextValues: missing, ...boundary };
        result.ResourceSpecificResults = [specific];
      }
      results.push(result);
    }
  }
  return results;
}
