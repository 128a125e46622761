/**
 * IAM's size quotas on policy documents. IAM counts characters after removing whitespace (outside
 * strings too: it strips every whitespace character, which is what its quota page describes), so
 * these take the document as sent and count it that way.
 */
export const policySizeLimits = {
  managed: 6_144,
  inlineUser: 2_048,
  inlineGroup: 5_120,
  inlineRole: 10_240,
} as const;

export type PolicySizeKind = keyof typeof policySizeLimits;

/** The characters IAM counts against a policy quota: the document without whitespace. */
export function policySize(text: string): number {
  let size = 0;
  for (const char of text) if (!/\s/.test(char)) size++;
  return size;
}

/** Whether a document fits the quota for where it is stored; `size` is what IAM counted. */
export function checkPolicySize(text: string, kind: PolicySizeKind): { fits: boolean; size: number; limit: number } {
  const size = policySize(text);
  const limit = policySizeLimits[kind];
  return { fits: size <= limit, size, limit };
}
