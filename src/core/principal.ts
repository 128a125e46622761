/** Who made a request, and where: the account and region every resource is scoped to. */
export interface Principal {
  accountId: string;
  accessKeyId: string;
  /** e.g. arn:aws:iam::000000000000:root */
  arn: string;
  isRoot: boolean;
  /**
   * aws:userid: the IAM user's unique id (AIDA…) for a user's key, `AROA…:<session name>` for a
   * role session.
   */
  uniqueId?: string;
  /** Present when the credentials are temporary (STS): what the session was issued as. */
  session?: SessionInfo;
}

/**
 * What a set of temporary credentials stands for.
 *
 *   AssumedRole   AssumeRole, or a task's role: the principal is
 *                 arn:aws:sts::<account>:assumed-role/<role name>/<session name>; its permissions
 *                 are the role's policies, narrowed by the session policies when there are any.
 *   SessionToken  GetSessionToken: the same user (or root) as the long-term key that asked, for a
 *                 while; AWS refuses IAM calls and STS calls other than AssumeRole and
 *                 GetCallerIdentity with such credentials unless MFA was given (Berth has no MFA).
 */
export interface SessionInfo {
  type: 'AssumedRole' | 'SessionToken';
  /** Epoch seconds. */
  issuedAt: number;
  /** Epoch seconds; signature verification answers ExpiredToken from then on. */
  expiresAt: number;
  /** AssumedRole: the role's ARN (arn:aws:iam::<account>:role/<path><name>), name and unique id (AROA…). */
  roleArn?: string;
  roleName?: string;
  roleId?: string;
  sessionName?: string;
  /** AssumedRole: the inline session policy (JSON text) and the managed session policies' ARNs. */
  sessionPolicy?: string;
  sessionPolicyArns?: string[];
  /** Session tags (aws:PrincipalTag/<key>, winning over the role's own tags) and which of them are transitive. */
  tags?: Record<string, string>;
  transitiveTagKeys?: string[];
  sourceIdentity?: string;
  /** Who obtained the session: a principal ARN, or a service principal such as ecs-tasks.amazonaws.com. */
  issuedTo: string;
}

export interface Scope {
  accountId: string;
  region: string;
}

export function rootPrincipalArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}
