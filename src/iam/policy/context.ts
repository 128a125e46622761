/**
 * The request context: who asks, for what, on what, and the condition keys of the request. All
 * inputs, the current time included: the evaluator reads no clock.
 *
 * Glossary:
 *   principal kinds  root (the account's root user), user (IAM user), assumed-role (a role
 *                    session: arn:aws:sts::<account>:assumed-role/<role>/<session>),
 *                    federated-user (GetFederationToken), service (an AWS service principal such
 *                    as ecs-tasks.amazonaws.com, asking a trust policy to assume a role).
 *   condition key    case-insensitive name → one or more string values; absent when unknown.
 */

export type PrincipalKind = 'root' | 'user' | 'assumed-role' | 'federated-user' | 'service';

export interface RequestPrincipal {
  kind: PrincipalKind;
  /** The caller's own ARN (the session ARN for a role session); the service name for `service`. */
  arn: string;
  /** The account the principal belongs to (empty for a service principal). */
  accountId: string;
  /** aws:userid: AIDA… for a user, AROA…:<session> for a role session, the account id for root. */
  userId?: string;
  /** aws:username: IAM users only. */
  username?: string;
  /** For a role session: the role's ARN (arn:aws:iam::<account>:role/<path><name>). For a federated user: the IAM user's ARN. */
  entityArn?: string;
  /** aws:PrincipalTag/<key>: the user's or role's tags, session tags winning. */
  tags?: Record<string, string>;
}

/** A condition key's value(s): a string, a number, a boolean, or a list of them (multi-valued keys such as aws:TagKeys). */
export type ContextValue = string | number | boolean | readonly (string | number | boolean)[];

export interface RequestContext {
  principal: RequestPrincipal;
  /** "<service>:<Action>", e.g. ecs:RunTask. */
  action: string;
  /** The resource ARN, or `*` for actions that name no resource. */
  resource: string;
  /** The account that owns the resource; absent means the principal's own account. */
  resourceAccountId?: string;
  /** aws:CurrentTime and aws:EpochTime. */
  now: Date;
  /**
   * Every other condition key: aws:SourceIp, aws:SecureTransport, aws:RequestTag/<k>,
   * aws:TagKeys, aws:ResourceTag/<k>, ecs:cluster, iam:PassedToService, … Keys are matched without
   * regard to case. These override the keys derived from the principal.
   */
  keys?: Record<string, ContextValue | undefined>;
}

/** A condition key's values, or undefined when the request has no such key. */
export type ContextLookup = (key: string) => readonly string[] | undefined;

const principalTypeNames: Record<PrincipalKind, string> = {
  root: 'Account',
  user: 'User',
  'assumed-role': 'AssumedRole',
  'federated-user': 'FederatedUser',
  service: 'Service',
};

const asStrings = (value: ContextValue): string[] => (Array.isArray(value) ? (value as readonly unknown[]).map(String) : [String(value)]);

/** The condition keys of a request, global keys derived from the principal and the time included. */
export function contextLookup(request: RequestContext): ContextLookup {
  const keys = new Map<string, readonly string[]>();
  const set = (key: string, value: ContextValue | undefined) => {
    if (value !== undefined) keys.set(key.toLowerCase(), asStrings(value));
  };
  const { principal } = request;
  if (principal.kind !== 'service') {
    set('aws:PrincipalArn', principal.kind === 'assumed-role' && principal.entityArn ? principal.entityArn : principal.arn);
    set('aws:PrincipalAccount', principal.accountId);
    set('aws:PrincipalType', principalTypeNames[principal.kind]);
    set('aws:userid', principal.userId ?? (principal.kind === 'root' ? principal.accountId : undefined));
    set('aws:username', principal.kind === 'user' ? principal.username : undefined);
    for (const [tag, value] of Object.entries(principal.tags ?? {})) set(`aws:PrincipalTag/${tag}`, value);
  } else {
    set('aws:PrincipalServiceName', principal.arn);
  }
  set('aws:CurrentTime', request.now.toISOString());
  set('aws:EpochTime', Math.floor(request.now.getTime() / 1000));
  for (const [key, value] of Object.entries(request.keys ?? {})) set(key, value);
  return (key) => keys.get(key.toLowerCase());
}
