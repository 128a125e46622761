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

const asStrings = (value: ContextValue): readonly string[] => (Array.isArray(value) ? (value as readonly unknown[]).map(String) : [String(value)]);

/**
 * The condition keys of a request: the caller's keys (which win), then the global keys derived
 * from the principal and the time. Resolved per key when a condition asks: most statements are
 * ruled out by their action or resource before any condition is read.
 */
export function contextLookup(request: RequestContext): ContextLookup {
  let given: Map<string, ContextValue> | undefined;
  // Each key's answer, once asked: statements of one request often test the same keys.
  const answered = new Map<string, readonly string[] | undefined>();
  return (key) => {
    const known = answered.get(key);
    if (known !== undefined || answered.has(key)) return known;
    const name = key.toLowerCase();
    given ??= lowerCased(request.keys);
    const value = given.get(name) ?? derivedKey(request, name);
    const answer = value === undefined ? undefined : asStrings(value);
    answered.set(key, answer);
    return answer;
  };
}

function lowerCased(keys: RequestContext['keys']): Map<string, ContextValue> {
  const map = new Map<string, ContextValue>();
  if (keys) for (const key in keys) if (keys[key] !== undefined) map.set(key.toLowerCase(), keys[key]!);
  return map;
}

const principalTagPrefix = 'aws:principaltag/';

/** A global key the request implies, by its lower-cased name. */
function derivedKey(request: RequestContext, name: string): ContextValue | undefined {
  const { principal } = request;
  if (principal.kind === 'service') return name === 'aws:principalservicename' ? principal.arn : timeKey(request, name);
  switch (name) {
    case 'aws:principalarn':
      return principal.kind === 'assumed-role' && principal.entityArn ? principal.entityArn : principal.arn;
    case 'aws:principalaccount':
      return principal.accountId;
    case 'aws:principaltype':
      return principalTypeNames[principal.kind];
    case 'aws:userid':
      return principal.userId ?? (principal.kind === 'root' ? principal.accountId : undefined);
    case 'aws:username':
      return principal.kind === 'user' ? principal.username : undefined;
  }
  if (name.startsWith(principalTagPrefix) && principal.tags) {
    // Tag keys are matched without regard to case, as condition key names are.
    const tag = name.slice(principalTagPrefix.length);
    for (const key in principal.tags) if (key.toLowerCase() === tag) return principal.tags[key];
    return undefined;
  }
  return timeKey(request, name);
}

function timeKey(request: RequestContext, name: string): ContextValue | undefined {
  if (name === 'aws:currenttime') return request.now.toISOString();
  if (name === 'aws:epochtime') return Math.floor(request.now.getTime() / 1000);
  return undefined;
}
