/**
 * AssumeRole, decided as AWS decides it: the role's trust policy is the resource-based policy and
 * must allow the caller (even within one account), the caller's own side (identity-based policies,
 * permissions boundary, session policies of a role session) must allow `sts:AssumeRole` on the
 * role unless the trust policy names the caller itself, and across accounts both sides always must.
 * Passing session tags needs `sts:TagSession`, a source identity (given, or carried by the calling
 * session) `sts:SetSourceIdentity`, both decided the same way. A role that does not exist is
 * denied in the same words as one that may not be assumed, as AWS does.
 *
 * Root credentials (and root's GetSessionToken sessions) may not assume roles, as in AWS: code
 * tested against Berth with root keys would otherwise pass here and fail there. Use an IAM user.
 *
 * The operation authorizes itself: the edge's generic step lets it through (service.ts).
 */
import type { AssumeRoleRequest, AssumeRoleResponse } from '@aws-sdk/client-sts';
import { MalformedPolicyDocumentException, PackedPolicyTooLargeException } from '@aws-sdk/client-sts';
import { Arn } from '../core/arn.js';
import { accessDenied } from '../core/authorize.js';
import { ApiError, modelled, withHelp } from '../core/errors.js';
import type { RequestContext } from '../core/request-context.js';
import { evaluate, parseAndCompile, PolicyDocumentError, policySize, type ContextValue, type Evaluation } from '../iam/policy/index.js';
import type { IamRole } from '../store/contract/iam.js';
import type { Store, StoreTx } from '../store/types.js';
import { callerPolicies, managedPolicyDocument, type CallerPolicies } from './caller.js';
import { credentialsOf, issueRoleSession } from './session-credentials.js';
import { checkRange, checkSessionTags, checkString, constraintError, externalIdPattern, notSupported, sessionNamePattern } from './validate.js';

/** What AWS allows at most for one session, and for one obtained by role chaining. */
const maxDurationSeconds = 43_200;
const chainedMaxSeconds = 3_600;
const defaultDurationSeconds = 3_600;
/**
 * The room session policies and tags share. AWS packs them into a compressed form whose size it
 * reports as a percentage; Berth counts their characters (the policy without whitespace, ARNs, tag
 * keys and values) against 2048, so the percentage is a conservative estimate of AWS's.
 */
const packedRoom = 2_048;

interface CheckedRequest {
  roleArn: Arn;
  sessionName: string;
  durationSeconds?: number;
  policy?: string;
  policyArns: string[];
  tags: Record<string, string>;
  transitiveTagKeys: string[];
  externalId?: string;
  sourceIdentity?: string;
}

function check(input: AssumeRoleRequest): CheckedRequest {
  if (input.SerialNumber !== undefined || input.TokenCode !== undefined) {
    throw notSupported(input.SerialNumber !== undefined ? 'SerialNumber' : 'TokenCode', 'Berth has no MFA devices; write trust policies without aws:MultiFactorAuthPresent conditions.');
  }
  if (input.ProvidedContexts !== undefined) throw notSupported('ProvidedContexts', 'Berth has no trusted context providers (IAM Identity Center).');
  if (input.MinimumSessionTokenSize !== undefined) throw notSupported('MinimumSessionTokenSize', "Berth's session tokens have one size.");
  const arnText = checkString('roleArn', input.RoleArn ?? '', 20, 2048);
  const roleArn = Arn.parse(arnText);
  if (!roleArn || roleArn.service !== 'iam' || roleArn.resourceType !== 'role' || !/^\d{12}$/.test(roleArn.accountId) || roleArn.resourcePath.length === 0) {
    throw withHelp(new ApiError('ValidationError', `${arnText} is invalid`), { field: 'RoleArn', hint: 'A role ARN has the form arn:aws:iam::<12-digit account>:role/<path><name>.' });
  }
  const sessionName = checkString('roleSessionName', input.RoleSessionName ?? '', 2, 64, sessionNamePattern);
  const checked: CheckedRequest = { roleArn, sessionName, policyArns: [], tags: {}, transitiveTagKeys: [] };
  if (input.DurationSeconds !== undefined) checked.durationSeconds = checkRange('durationSeconds', input.DurationSeconds, 900, maxDurationSeconds);
  if (input.Policy !== undefined) {
    checked.policy = checkString('policy', input.Policy, 1, 2048);
    try {
      parseAndCompile(checked.policy, { kind: 'identity' });
    } catch (error) {
      if (error instanceof PolicyDocumentError) throw withHelp(modelled(MalformedPolicyDocumentException, error.message), { field: 'Policy', hint: error.detail });
      throw error;
    }
  }
  const arns = input.PolicyArns ?? [];
  if (arns.length > 10) throw constraintError('policyArns', `[${arns.map((arn) => arn.arn).join(', ')}]`, 'Member must have length less than or equal to 10');
  checked.policyArns = arns.map((arn, index) => checkString(`policyArns.${index + 1}.member.arn`, arn.arn ?? '', 20, 2048));
  checked.tags = checkSessionTags(input.Tags);
  const keys = input.TransitiveTagKeys ?? [];
  if (keys.length > 50) throw constraintError('transitiveTagKeys', `[${keys.join(', ')}]`, 'Member must have length less than or equal to 50');
  const tagKeys = new Set(Object.keys(checked.tags).map((key) => key.toLowerCase()));
  for (const [index, key] of keys.entries()) {
    checkString(`transitiveTagKeys.${index + 1}.member`, key, 1, 128);
    if (!tagKeys.has(key.toLowerCase())) {
      throw withHelp(new ApiError('InvalidParameterValue', 'The specified transitive tag key must be included in the requested tags.'), { field: `TransitiveTagKeys.member.${index + 1}`, resource: key });
    }
  }
  checked.transitiveTagKeys = [...keys];
  if (input.ExternalId !== undefined) checked.externalId = checkString('externalId', input.ExternalId, 2, 1224, externalIdPattern);
  if (input.SourceIdentity !== undefined) {
    checked.sourceIdentity = checkString('sourceIdentity', input.SourceIdentity, 2, 64, sessionNamePattern);
    if (checked.sourceIdentity.toLowerCase().startsWith('aws:')) {
      throw withHelp(new ApiError('ValidationError', 'SourceIdentity cannot begin with the reserved prefix aws:'), { field: 'SourceIdentity' });
    }
  }
  return checked;
}

/** PackedPolicySize: the share of the room the session policies and tags take, in percent. */
function packedPercent(request: CheckedRequest): number {
  let used = request.policy !== undefined ? policySize(request.policy) : 0;
  for (const arn of request.policyArns) used += arn.length;
  for (const [key, value] of Object.entries(request.tags)) used += key.length + value.length;
  return Math.ceil((used * 100) / packedRoom);
}

interface Decided {
  role: IamRole;
  caller: CallerPolicies;
}

/** The session's tags: those the calling session passes on (transitive), then the requested ones. */
function inheritedTags(ctx: RequestContext): { tags: Record<string, string>; keys: string[] } {
  const session = ctx.principal.session;
  const tags: Record<string, string> = {};
  for (const key of session?.transitiveTagKeys ?? []) {
    const value = session?.tags?.[key];
    if (value !== undefined) tags[key] = value;
  }
  return { tags, keys: Object.keys(tags) };
}

async function decide(tx: StoreTx, ctx: RequestContext, request: CheckedRequest, tags: Record<string, string>): Promise<Decided> {
  const resource = request.roleArn.toString();
  const caller = await callerPolicies(tx, ctx.principal);
  const denied = (action: string, reason: string) => accessDenied(ctx.principal, action, resource, { allowed: false, reason });
  const roleName = request.roleArn.resourcePath.at(-1) ?? '';
  const role = await tx.iamEntities.get(request.roleArn.accountId, 'role', roleName);
  if (!role || role.arn !== resource) {
    throw denied('sts:AssumeRole', `No role ${resource} exists. List the account's roles: aws iam list-roles.`);
  }
  const trust = parseAndCompile(role.assumeRolePolicyDocument, { kind: 'trust' });
  const keys: Record<string, ContextValue | undefined> = {
    'sts:RoleSessionName': request.sessionName,
    'sts:ExternalId': request.externalId,
    'sts:SourceIdentity': request.sourceIdentity ?? ctx.principal.session?.sourceIdentity,
    'sts:TransitiveTagKeys': request.transitiveTagKeys.length > 0 ? request.transitiveTagKeys : undefined,
    'aws:TagKeys': Object.keys(tags).length > 0 ? Object.keys(tags) : undefined,
  };
  for (const [key, value] of Object.entries(tags)) keys[`aws:RequestTag/${key}`] = value;
  const actions = ['sts:AssumeRole'];
  if (Object.keys(tags).length > 0) actions.push('sts:TagSession');
  // A source identity set now, or carried from the calling session: every role of a chain must allow it.
  if (request.sourceIdentity !== undefined || ctx.principal.session?.sourceIdentity !== undefined) actions.push('sts:SetSourceIdentity');
  for (const action of actions) {
    const evaluation: Evaluation = evaluate(
      { principal: caller.principal, action, resource, resourceAccountId: role.accountId, now: ctx.now, keys },
      {
        identity: caller.identity,
        ...(caller.boundary ? { boundary: caller.boundary } : {}),
        session: caller.session,
        resource: { id: `trust policy of role ${role.name}`, policy: trust },
        resourcePolicyRequired: true,
      },
    );
    if (!evaluation.allowed) throw denied(action, explain(action, evaluation, role));
  }
  return { role, caller };
}

function explain(action: string, evaluation: Evaluation, role: IamRole): string {
  const by = evaluation.deciding.map((found) => `${found.policyId}${found.sid !== undefined ? ` (Sid ${found.sid})` : ` (statement ${found.index})`}`).join(', ');
  if (evaluation.decision === 'ExplicitDeny') return `Denied ${evaluation.reason}: ${by}.`;
  if (evaluation.deniedBy === 'resource') return `The trust policy of role ${role.name} does not allow this caller ${action}. Show it: aws iam get-role --role-name ${role.name}.`;
  return `Denied ${evaluation.reason}: the caller's own policies must allow ${action} on the role too, unless the trust policy names the caller itself.`;
}

function checkDuration(request: CheckedRequest, role: IamRole, chained: boolean): number {
  const duration = request.durationSeconds ?? defaultDurationSeconds;
  if (chained && duration > chainedMaxSeconds) {
    throw withHelp(new ApiError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.'), {
      field: 'DurationSeconds',
      hint: 'A role session that assumes a role gets at most 3600 seconds.',
    });
  }
  if (duration > role.maxSessionDuration) {
    throw withHelp(new ApiError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'), {
      field: 'DurationSeconds',
      resource: role.arn,
      hint: `Role ${role.name} allows at most ${role.maxSessionDuration} seconds: aws iam update-role --role-name ${role.name} --max-session-duration <seconds> raises it.`,
    });
  }
  return duration;
}

export async function assumeRole(store: Store, input: AssumeRoleRequest, ctx: RequestContext): Promise<AssumeRoleResponse> {
  const request = check(input);
  const inherited = inheritedTags(ctx);
  for (const key of Object.keys(request.tags)) {
    if (inherited.keys.some((carried) => carried.toLowerCase() === key.toLowerCase())) {
      throw withHelp(new ApiError('InvalidParameterValue', `Session tag key ${key} is a transitive tag key of the calling session and cannot be set again.`), { field: 'Tags', resource: key });
    }
  }
  const callerSource = ctx.principal.session?.sourceIdentity;
  if (callerSource !== undefined && request.sourceIdentity !== undefined && request.sourceIdentity !== callerSource) {
    throw withHelp(accessDenied(ctx.principal, 'sts:SetSourceIdentity', request.roleArn.toString(), { allowed: false, reason: '' }), {
      field: 'SourceIdentity',
      hint: `The calling session's source identity is ${callerSource}; a chained session keeps it.`,
    });
  }
  if (ctx.principal.isRoot) {
    throw withHelp(new ApiError('AccessDenied', 'Roles may not be assumed by root accounts.', 403), {
      resource: request.roleArn.toString(),
      hint: 'Create an IAM user with a policy allowing sts:AssumeRole on the role (aws iam create-user, put-user-policy, create-access-key) and call AssumeRole with its keys.',
    });
  }
  const tags = { ...inherited.tags, ...request.tags };
  const percent = packedPercent(request);
  if (percent > 100) {
    throw withHelp(modelled(PackedPolicyTooLargeException, `Packed policy consumes ${percent}% of allotted space, please use smaller policy.`), {
      hint: 'Berth counts the session policy (without whitespace), the policy ARNs and the session tags against 2048 characters.',
    });
  }
  return store.write(async (tx) => {
    const { role } = await decide(tx, ctx, request, tags);
    for (const [index, arn] of request.policyArns.entries()) {
      if ((await managedPolicyDocument(tx, role.accountId, arn)) === undefined) {
        throw withHelp(new ApiError('InvalidParameterValue', `Policy ${arn} does not exist or is not attachable.`), {
          field: `PolicyArns.member.${index + 1}`,
          hint: `A managed session policy is one of AWS's or a customer managed policy of the role's account ${role.accountId}.`,
        });
      }
    }
    const duration = checkDuration(request, role, ctx.principal.session?.type === 'AssumedRole');
    const sourceIdentity = request.sourceIdentity ?? callerSource;
    const transitive = [...new Set([...inherited.keys, ...request.transitiveTagKeys])];
    const issued = await issueRoleSession(
      tx,
      role,
      {
        sessionName: request.sessionName,
        durationSeconds: duration,
        issuedTo: ctx.principal.arn,
        ...(request.policy !== undefined ? { sessionPolicy: request.policy } : {}),
        ...(request.policyArns.length > 0 ? { sessionPolicyArns: request.policyArns } : {}),
        ...(Object.keys(tags).length > 0 ? { tags } : {}),
        ...(transitive.length > 0 ? { transitiveTagKeys: transitive } : {}),
        ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
      },
      ctx.now,
    );
    const packs = request.policy !== undefined || request.policyArns.length > 0 || Object.keys(request.tags).length > 0;
    return {
      Credentials: credentialsOf(issued),
      AssumedRoleUser: { AssumedRoleId: issued.principalId, Arn: issued.principalArn },
      ...(packs ? { PackedPolicySize: percent } : {}),
      ...(sourceIdentity !== undefined ? { SourceIdentity: sourceIdentity } : {}),
    };
  });
}
