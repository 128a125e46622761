/** Who made a request, and where: the account and region every resource is scoped to. */
export interface Principal {
  accountId: string;
  accessKeyId: string;
  /** e.g. arn:aws:iam::000000000000:root */
  arn: string;
  isRoot: boolean;
  /** The IAM user's unique id (AIDA…), when the credentials are an IAM user's access key. */
  uniqueId?: string;
}

export interface Scope {
  accountId: string;
  region: string;
}

export function rootPrincipalArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}
