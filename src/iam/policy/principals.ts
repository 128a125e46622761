/**
 * Principal and NotPrincipal in resource-based and trust policies.
 *
 * A request's principal stands for several identities at once: its account, the IAM entity behind
 * a session (the role of an assumed-role session, the user of a federated-user session), and the
 * caller itself (the user, or the session). A Principal element matches when it names any of
 * them, and how it names the caller decides what an Allow is worth within one account:
 *   direct   the caller itself, or "*": the grant stands on its own;
 *   entity   the role (or the federating user): still limited by a permissions boundary and a
 *            session policy;
 *   account  the account (its id or its root ARN): a delegation to the account's own IAM
 *            policies, which must allow the request too.
 * A NotPrincipal excludes the caller only when it lists every one of those identities (IAM's
 * documented NotPrincipal-with-Deny behaviour: list the account, the role and the session).
 */
import type { PrincipalSpec } from './document.js';
import type { RequestPrincipal } from './context.js';

export type GrantLevel = 'direct' | 'entity' | 'account';

const rank: Record<GrantLevel, number> = { direct: 3, entity: 2, account: 1 };

export function strongerGrant(a: GrantLevel | undefined, b: GrantLevel | undefined): GrantLevel | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return rank[a] >= rank[b] ? a : b;
}

function namesAccount(name: string, accountId: string): boolean {
  return name === accountId || name === `arn:aws:iam::${accountId}:root`;
}

/** How strongly the AWS/Service names in `spec` grant to `principal`, or undefined when they do not name it. */
export function principalGrant(spec: PrincipalSpec, principal: RequestPrincipal): GrantLevel | undefined {
  if (spec.everyone) return 'direct';
  if (principal.kind === 'service') return spec.byType.Service?.includes(principal.arn) ? 'direct' : undefined;
  let level: GrantLevel | undefined;
  for (const name of spec.byType.AWS ?? []) {
    if (name === '*' || name === principal.arn) return 'direct';
    if (principal.entityArn !== undefined && name === principal.entityArn) level = strongerGrant(level, 'entity');
    else if (namesAccount(name, principal.accountId)) level = strongerGrant(level, principal.kind === 'root' ? 'direct' : 'account');
  }
  return level;
}

/** Whether a NotPrincipal element excludes the principal (lists every identity it stands for). */
export function notPrincipalExcludes(spec: PrincipalSpec, principal: RequestPrincipal): boolean {
  if (spec.everyone) return true;
  if (principal.kind === 'service') return spec.byType.Service?.includes(principal.arn) ?? false;
  const names = spec.byType.AWS ?? [];
  if (names.includes('*')) return true;
  const listsAccount = names.some((name) => namesAccount(name, principal.accountId));
  if (principal.kind === 'root') return listsAccount;
  const listsEntity = principal.entityArn === undefined || names.includes(principal.entityArn);
  return listsAccount && listsEntity && names.includes(principal.arn);
}
