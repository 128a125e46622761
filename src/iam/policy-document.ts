/**
 * The checks IAM makes on a policy document before storing it: valid JSON, the grammar's basic
 * shape, and the size quota. `checkPolicyDocument` is the one entry point: the full policy
 * language (src/iam/policy/) will replace its body, so callers must not grow checks of their own.
 *
 * IAM answers documents URL-encoded (GetRolePolicy's PolicyDocument, GetRole's
 * AssumeRolePolicyDocument, …); the CLI decodes them, the SDKs leave that to the caller.
 */
import { limitExceeded, malformedPolicy } from './errors.js';

/**
 * identity: a policy attached to a user, group or role (inline or managed); no Principal.
 * trust: a role's AssumeRolePolicyDocument; Principal required, no Resource.
 */
export type PolicyKind = 'inline' | 'managed' | 'trust';

const sizeQuota: Record<PolicyKind, { bytes: number; message: string }> = {
  inline: { bytes: 10240, message: 'Maximum policy size of 10240 bytes exceeded.' },
  managed: { bytes: 6144, message: 'Cannot exceed quota for PolicySize: 6144' },
  trust: { bytes: 2048, message: 'Cannot exceed quota for ACLSizePerRole: 2048' },
};

const versions = new Set(['2012-10-17', '2008-10-17']);
const actionPattern = /^(\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+)$/;

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

function checkStatement(statement: unknown, kind: PolicyKind): void {
  if (statement === null || typeof statement !== 'object' || Array.isArray(statement)) throw malformedPolicy('Syntax errors in policy.');
  const fields = statement as Record<string, unknown>;
  if (fields.Effect !== 'Allow' && fields.Effect !== 'Deny') throw malformedPolicy('Syntax errors in policy.');
  const actions = fields.Action ?? fields.NotAction;
  if (actions === undefined || (fields.Action !== undefined && fields.NotAction !== undefined)) throw malformedPolicy('Policy statement must contain actions.');
  for (const action of asList(actions)) {
    if (typeof action !== 'string') throw malformedPolicy('Syntax errors in policy.');
    if (!actionPattern.test(action)) throw malformedPolicy('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
  }
  const hasPrincipal = fields.Principal !== undefined || fields.NotPrincipal !== undefined;
  const resources = fields.Resource ?? fields.NotResource;
  if (kind === 'trust') {
    if (!hasPrincipal) throw malformedPolicy('Missing required field Principal');
    if (resources !== undefined) throw malformedPolicy('Has prohibited field Resource');
  } else {
    if (hasPrincipal) throw malformedPolicy('Policy document should not specify a principal.');
    if (resources === undefined) throw malformedPolicy('Policy statement must contain resources.');
    for (const resource of asList(resources)) {
      if (typeof resource !== 'string') throw malformedPolicy('Syntax errors in policy.');
      if (resource !== '*' && !resource.startsWith('arn:')) throw malformedPolicy(`Resource ${resource} must be in ARN format or "*".`);
    }
  }
  if (fields.Condition !== undefined && (fields.Condition === null || typeof fields.Condition !== 'object' || Array.isArray(fields.Condition))) {
    throw malformedPolicy('Syntax errors in policy.');
  }
}

/** Throws IAM's MalformedPolicyDocument (or LimitExceeded for size) when `text` is not a policy of that kind. */
export function checkPolicyDocument(text: string, kind: PolicyKind): void {
  const quota = sizeQuota[kind];
  // IAM counts characters without whitespace against the quota.
  if (text.replace(/\s/g, '').length > quota.bytes) throw limitExceeded(quota.message);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw malformedPolicy('Syntax errors in policy.');
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) throw malformedPolicy('Syntax errors in policy.');
  const fields = document as Record<string, unknown>;
  if (fields.Version !== undefined && !versions.has(fields.Version as string)) throw malformedPolicy('The policy failed legacy parsing');
  if (fields.Statement === undefined) throw malformedPolicy('Syntax errors in policy.');
  const statements = asList(fields.Statement);
  if (statements.length === 0) throw malformedPolicy('Syntax errors in policy.');
  for (const statement of statements) checkStatement(statement, kind);
}

/** A document as IAM answers it: URL-encoded. */
export const encodedDocument = (text: string): string => encodeURIComponent(text);
