/**
 * Finding what an operation names, or IAM's NoSuchEntity: entities by name within the caller's
 * account, managed policies by ARN (the caller's own, or AWS's).
 */
import type { RequestContext } from '../core/request-context.js';
import type { IamEntityOf, IamEntityType, IamPolicy } from '../store/contract/iam.js';
import type { StoreTx } from '../store/types.js';
import { noSuchEntity, noSuchEntityMessage, notAttachable } from './errors.js';
import { parsePolicyArn } from './ids.js';
import { awsManagedPolicies, type AwsManagedPolicy } from './managed-policies/index.js';
import { checkPolicyArn } from './validate.js';

export async function entityOf<T extends Exclude<IamEntityType, 'policy'>>(tx: StoreTx, ctx: RequestContext, type: T, name: string): Promise<IamEntityOf<T>> {
  const record = await tx.iamEntities.get(ctx.principal.accountId, type, name);
  if (!record) throw noSuchEntity(type, name);
  return record;
}

export type AnyPolicy = { kind: 'customer'; record: IamPolicy } | { kind: 'aws'; policy: AwsManagedPolicy };

/** A managed policy the caller may see by ARN, or undefined. */
export async function findPolicy(tx: StoreTx, ctx: RequestContext, arn: string): Promise<AnyPolicy | undefined> {
  const parts = parsePolicyArn(arn);
  if (!parts) return undefined;
  if (parts.account === 'aws') {
    const policy = awsManagedPolicies().get(arn);
    return policy ? { kind: 'aws', policy } : undefined;
  }
  if (parts.account !== ctx.principal.accountId) return undefined;
  const record = await tx.iamEntities.get(ctx.principal.accountId, 'policy', parts.name);
  return record && record.arn === arn ? { kind: 'customer', record } : undefined;
}

export async function policyOf(tx: StoreTx, ctx: RequestContext, arn: string): Promise<AnyPolicy> {
  const found = await findPolicy(tx, ctx, arn);
  if (!found) throw noSuchEntity('policy', arn);
  return found;
}

/** The customer managed policy `arn` names, for the operations AWS's own policies refuse. */
export async function customerPolicyOf(tx: StoreTx, ctx: RequestContext, arn: string): Promise<IamPolicy> {
  const found = await policyOf(tx, ctx, arn);
  if (found.kind === 'aws') throw noSuchEntity('policy', arn);
  return found.record;
}

/** A policy that may be attached to a user, group or role. */
export async function attachablePolicyOf(tx: StoreTx, ctx: RequestContext, arn: string): Promise<AnyPolicy> {
  const found = await findPolicy(tx, ctx, arn);
  if (!found) throw notAttachable(arn);
  return found;
}

/** The boundary's ARN, once it names a managed policy the caller may attach. */
export async function checkBoundary(tx: StoreTx, ctx: RequestContext, arn: string | undefined): Promise<string | undefined> {
  if (arn === undefined) return undefined;
  const checked = checkPolicyArn(arn);
  const found = await findPolicy(tx, ctx, checked);
  if (!found || (found.kind === 'aws' && !found.policy.attachable)) throw noSuchEntityMessage(`Scope ARN: ${checked} does not exist or is not attachable.`);
  return checked;
}
