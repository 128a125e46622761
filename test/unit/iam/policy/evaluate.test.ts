/**
 * The evaluator against the examples of AWS's policy evaluation documentation (IAM User Guide:
 * "Policy evaluation logic", "Cross-account policy evaluation logic", "Permissions boundaries",
 * "Session policies", "NotPrincipal", "Policy variables") and the ECS cases Berth needs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  accessDeniedMessage,
  evaluate,
  parseAndCompile,
  type AttachedPolicy,
  type ParseOptions,
  type PolicySet,
  type RequestContext,
  type RequestPrincipal,
} from '../../../../src/iam/policy/index.js';

const account = '123456789012';
const other = '444455556666';
const now = new Date('2026-01-15T12:00:00Z');

const policy = (id: string, statements: object[], options: ParseOptions = { kind: 'identity' }, source?: string): AttachedPolicy => {
  const attached: AttachedPolicy = { id, policy: parseAndCompile({ Version: '2012-10-17', Statement: statements }, options) };
  if (source) attached.source = source;
  return attached;
};
const resourcePolicy = (id: string, statements: object[]) => policy(id, statements, { kind: 'resource' });

const user = (name: string, inAccount = account, extra: Partial<RequestPrincipal> = {}): RequestPrincipal => ({
  kind: 'user',
  arn: `arn:aws:iam::${inAccount}:user/${name}`,
  accountId: inAccount,
  username: name,
  userId: `AIDA${name.toUpperCase()}`,
  ...extra,
});
const session = (role: string, name: string, inAccount = account): RequestPrincipal => ({
  kind: 'assumed-role',
  arn: `arn:aws:sts::${inAccount}:assumed-role/${role}/${name}`,
  entityArn: `arn:aws:iam::${inAccount}:role/${role}`,
  accountId: inAccount,
  userId: `AROA${role.toUpperCase()}:${name}`,
});
const root = (inAccount = account): RequestPrincipal => ({ kind: 'root', arn: `arn:aws:iam::${inAccount}:root`, accountId: inAccount });

const request = (principal: RequestPrincipal, action: string, resource: string, extra: Partial<RequestContext> = {}): RequestContext => ({ principal, action, resource, now, ...extra });

function decides(req: RequestContext, policies: PolicySet, decision: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny', deciding?: string[]) {
  const result = evaluate(req, policies);
  assert.equal(result.decision, decision, `${req.action} on ${req.resource}: ${result.reason}`);
  assert.equal(result.allowed, decision === 'Allow');
  if (deciding) assert.deepEqual(result.deciding.map((found) => `${found.policyId}#${found.sid ?? found.index}`), deciding);
  return result;
}

describe('the Carlos example: identity-based and resource-based policies in one account', () => {
  const identity = policy('carlos-s3', [
    { Sid: 'AllowS3ListRead', Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:GetAccountPublicAccessBlock', 's3:ListAccessPoints', 's3:ListAllMyBuckets'], Resource: 'arn:aws:s3:::*' },
    { Sid: 'AllowS3Self', Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::carlossalazar/*', 'arn:aws:s3:::carlossalazar'] },
    { Sid: 'DenyS3Logs', Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::*log*' },
  ]);
  const bucket = resourcePolicy('bucket-policy', [
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:user/carlossalazar` }, Action: 's3:*', Resource: ['arn:aws:s3:::carlossalazar/*', 'arn:aws:s3:::carlossalazar'] },
  ]);
  const carlos = user('carlossalazar');

  it('denies saving to carlossalazar-logs with the explicit deny, naming DenyS3Logs', () => {
    const result = decides(request(carlos, 's3:PutObject', 'arn:aws:s3:::carlossalazar-logs/file'), { identity: [identity] }, 'ExplicitDeny', ['carlos-s3#DenyS3Logs']);
    assert.equal(result.deniedBy, 'identity');
    assert.equal(
      accessDeniedMessage(request(carlos, 's3:PutObject', 'arn:aws:s3:::carlossalazar-logs/file'), result),
      `User: arn:aws:iam::${account}:user/carlossalazar is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::carlossalazar-logs/file with an explicit deny in an identity-based policy`,
    );
  });

  it('allows saving to carlossalazar when both allow, and when either one alone allows', () => {
    const req = request(carlos, 's3:PutObject', 'arn:aws:s3:::carlossalazar/file');
    decides(req, { identity: [identity], resource: bucket }, 'Allow', ['bucket-policy#0']);
    decides(req, { identity: [identity] }, 'Allow', ['carlos-s3#AllowS3Self']);
    decides(req, { resource: bucket }, 'Allow', ['bucket-policy#0']);
    decides(req, {}, 'ImplicitDeny');
  });

  it('lets the explicit deny win over the bucket policy too', () => {
    const logs = resourcePolicy('logs-bucket', [{ Effect: 'Allow', Principal: { AWS: carlos.arn }, Action: 's3:*', Resource: 'arn:aws:s3:::carlossalazar-logs/*' }]);
    decides(request(carlos, 's3:PutObject', 'arn:aws:s3:::carlossalazar-logs/file'), { identity: [identity], resource: logs }, 'ExplicitDeny', ['carlos-s3#DenyS3Logs']);
  });

  it('lists every bucket with AllowS3ListRead (a `*` resource pattern)', () => {
    decides(request(carlos, 's3:ListAllMyBuckets', 'arn:aws:s3:::anything'), { identity: [identity] }, 'Allow', ['carlos-s3#AllowS3ListRead']);
  });
});

describe('explicit and implicit denies: the AllowGetList / DenyReports example', () => {
  const readOnly = policy('iam-read', [
    { Sid: 'AllowGetList', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' },
    { Sid: 'DenyReports', Effect: 'Deny', Action: 'iam:*Report', Resource: '*' },
  ]);
  const reports = policy('reports', [{ Effect: 'Allow', Action: 'iam:GenerateCredentialReport', Resource: '*' }]);
  const alice = user('alice');

  it('allows Get and List actions, case-insensitively', () => {
    decides(request(alice, 'iam:GetUser', '*'), { identity: [readOnly] }, 'Allow', ['iam-read#AllowGetList']);
    decides(request(alice, 'IAM:listroles', '*'), { identity: [readOnly] }, 'Allow');
  });

  it('implicitly denies iam:CreatePolicy, in AWS words', () => {
    const req = request(alice, 'iam:CreatePolicy', `arn:aws:iam::${account}:policy/x`);
    const result = decides(req, { identity: [readOnly] }, 'ImplicitDeny', []);
    assert.equal(
      accessDeniedMessage(req, result),
      `User: arn:aws:iam::${account}:user/alice is not authorized to perform: iam:CreatePolicy on resource: arn:aws:iam::${account}:policy/x because no identity-based policy allows the iam:CreatePolicy action`,
    );
  });

  it('explicitly denies report actions even when another policy allows them', () => {
    decides(request(alice, 'iam:GetOrganizationsAccessReport', '*'), { identity: [readOnly] }, 'ExplicitDeny', ['iam-read#DenyReports']);
    decides(request(alice, 'iam:GenerateCredentialReport', '*'), { identity: [reports, readOnly] }, 'ExplicitDeny', ['iam-read#DenyReports']);
    decides(request(alice, 'iam:GenerateCredentialReport', '*'), { identity: [reports] }, 'Allow', ['reports#0']);
  });
});

describe('permissions boundaries', () => {
  const identity = policy('identity', [{ Effect: 'Allow', Action: ['s3:*', 'ec2:*'], Resource: '*' }]);
  const boundary = policy('boundary', [{ Effect: 'Allow', Action: ['s3:*', 'cloudwatch:*'], Resource: '*' }]);
  const bob = user('bob');

  it('allows only what both the identity policies and the boundary allow', () => {
    decides(request(bob, 's3:GetObject', 'arn:aws:s3:::b/k'), { identity: [identity], boundary }, 'Allow', ['identity#0']);
    const ec2 = decides(request(bob, 'ec2:RunInstances', '*'), { identity: [identity], boundary }, 'ImplicitDeny');
    assert.equal(ec2.reason, 'because no permissions boundary allows the ec2:RunInstances action');
    const cw = decides(request(bob, 'cloudwatch:PutMetricData', '*'), { identity: [identity], boundary }, 'ImplicitDeny');
    assert.equal(cw.deniedBy, 'identity');
  });

  it('denies explicitly with a Deny in the boundary', () => {
    const denying = policy('boundary', [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Sid: 'NoDelete', Effect: 'Deny', Action: 's3:Delete*', Resource: '*' }]);
    const result = decides(request(bob, 's3:DeleteObject', 'arn:aws:s3:::b/k'), { identity: [identity], boundary: denying }, 'ExplicitDeny', ['boundary#NoDelete']);
    assert.equal(result.reason, 'with an explicit deny in a permissions boundary');
  });

  it('does not limit a resource policy that names the user, but limits one that names the role', () => {
    const byUser = resourcePolicy('queue', [{ Effect: 'Allow', Principal: { AWS: bob.arn }, Action: 'sqs:SendMessage', Resource: '*' }]);
    decides(request(bob, 'sqs:SendMessage', `arn:aws:sqs:us-east-1:${account}:q`), { boundary, resource: byUser }, 'Allow', ['queue#0']);
    const worker = session('worker', 's1');
    const byRole = resourcePolicy('queue', [{ Effect: 'Allow', Principal: { AWS: worker.entityArn }, Action: 'sqs:SendMessage', Resource: '*' }]);
    decides(request(worker, 'sqs:SendMessage', `arn:aws:sqs:us-east-1:${account}:q`), { boundary, resource: byRole }, 'ImplicitDeny');
    decides(request(worker, 'sqs:SendMessage', `arn:aws:sqs:us-east-1:${account}:q`), { resource: byRole }, 'Allow', ['queue#0']);
    const bySession = resourcePolicy('queue', [{ Effect: 'Allow', Principal: { AWS: worker.arn }, Action: 'sqs:SendMessage', Resource: '*' }]);
    decides(request(worker, 'sqs:SendMessage', `arn:aws:sqs:us-east-1:${account}:q`), { boundary, resource: bySession }, 'Allow');
  });
});

describe('session policies', () => {
  const rolePolicy = policy('role-inline', [{ Effect: 'Allow', Action: ['ecs:*', 'ecr:*'], Resource: '*' }], { kind: 'identity' }, `arn:aws:iam::${account}:role/deployer`);
  const sessionPolicy = policy('session', [{ Effect: 'Allow', Action: 'ecs:Describe*', Resource: '*' }]);
  const deployer = session('deployer', 'ci');

  it('intersects the role policies with the session policy', () => {
    decides(request(deployer, 'ecs:DescribeClusters', '*'), { identity: [rolePolicy], session: [sessionPolicy] }, 'Allow');
    const run = decides(request(deployer, 'ecs:RunTask', '*'), { identity: [rolePolicy], session: [sessionPolicy] }, 'ImplicitDeny');
    assert.equal(run.reason, 'because no session policy allows the ecs:RunTask action');
    decides(request(deployer, 'ecs:RunTask', '*'), { identity: [rolePolicy] }, 'Allow');
  });

  it('lets a resource policy naming the session grant directly, and one naming the role only within the session policy', () => {
    const repo = `arn:aws:ecr:us-east-1:${account}:repository/app`;
    const bySession = resourcePolicy('repo', [{ Effect: 'Allow', Principal: { AWS: deployer.arn }, Action: 'ecr:PutImage' }]);
    decides(request(deployer, 'ecr:PutImage', repo), { session: [sessionPolicy], resource: bySession }, 'Allow', ['repo#0']);
    const byRole = resourcePolicy('repo', [{ Effect: 'Allow', Principal: { AWS: deployer.entityArn }, Action: 'ecr:PutImage' }]);
    decides(request(deployer, 'ecr:PutImage', repo), { session: [sessionPolicy], resource: byRole }, 'ImplicitDeny');
  });

  it('explicitly denies with a Deny in the session policy', () => {
    const denying = policy('session', [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'ecs:Delete*', Resource: '*' }]);
    const result = decides(request(deployer, 'ecs:DeleteCluster', '*'), { identity: [rolePolicy], session: [denying] }, 'ExplicitDeny', ['session#1']);
    assert.equal(result.reason, 'with an explicit deny in a session policy');
  });

  it('denies a federated user with no session policy', () => {
    const federated: RequestPrincipal = { kind: 'federated-user', arn: `arn:aws:sts::${account}:federated-user/bob`, entityArn: `arn:aws:iam::${account}:user/bob`, accountId: account };
    decides(request(federated, 'ecs:ListClusters', '*'), { identity: [rolePolicy] }, 'ImplicitDeny');
    decides(request(federated, 'ecs:DescribeClusters', '*'), { identity: [rolePolicy], session: [sessionPolicy] }, 'Allow');
  });
});

describe('cross-account access: both sides must allow', () => {
  const repo = `arn:aws:ecr:us-east-1:${account}:repository/app`;
  const pull = policy('pull', [{ Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: '*' }]);
  const grantsAccount = resourcePolicy('repo', [{ Sid: 'CrossAccountPull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${other}:root` }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }]);
  const outsider = user('puller', other);
  const req = request(outsider, 'ecr:BatchGetImage', repo, { resourceAccountId: account });

  it('allows when the identity policy and the repository policy allow', () => {
    decides(req, { identity: [pull], resource: grantsAccount }, 'Allow', ['pull#0', 'repo#CrossAccountPull']);
  });

  it('denies without the repository policy, or without the identity policy', () => {
    const noResource = decides(req, { identity: [pull] }, 'ImplicitDeny');
    assert.equal(noResource.reason, 'because no resource-based policy allows the ecr:BatchGetImage action');
    decides(req, { resource: grantsAccount }, 'ImplicitDeny');
    // Neither side allows: the denial names the principal's side.
    assert.equal(decides(req, {}, 'ImplicitDeny').deniedBy, 'identity');
    // Even a grant naming the user directly needs the user's own account to allow it.
    const direct = resourcePolicy('repo', [{ Effect: 'Allow', Principal: { AWS: outsider.arn }, Action: 'ecr:*' }]);
    const result = decides(req, { resource: direct }, 'ImplicitDeny');
    assert.equal(result.deniedBy, 'identity');
  });

  it("lets the other account's root in with the repository policy alone", () => {
    decides(request(root(other), 'ecr:BatchGetImage', repo, { resourceAccountId: account }), { resource: grantsAccount }, 'Allow');
    decides(request(root(other), 'ecr:BatchGetImage', repo, { resourceAccountId: account }), {}, 'ImplicitDeny');
  });

  it('denies with an explicit deny in the repository policy', () => {
    const denying = resourcePolicy('repo', [
      { Effect: 'Allow', Principal: '*', Action: 'ecr:*' },
      { Effect: 'Deny', Principal: '*', Action: 'ecr:BatchGetImage', Condition: { StringNotEquals: { 'aws:PrincipalAccount': account } } },
    ]);
    const result = decides(req, { identity: [pull], resource: denying }, 'ExplicitDeny', ['repo#1']);
    assert.equal(result.reason, 'with an explicit deny in a resource-based policy');
    decides(request(user('insider'), 'ecr:BatchGetImage', repo), { resource: denying }, 'Allow');
  });
});

describe('the cross-account Carlos example: Production and Production-logs in account 222222222222', () => {
  const carlos = user('carlossalazar', '111111111111');
  const identity = policy('carlos', [
    { Sid: 'AllowS3ListRead', Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' },
    { Sid: 'AllowS3ProductionObjectActions', Effect: 'Allow', Action: 's3:*Object*', Resource: 'arn:aws:s3:::Production/*' },
    { Sid: 'DenyS3Logs', Effect: 'Deny', Action: 's3:*', Resource: ['arn:aws:s3:::*log*', 'arn:aws:s3:::*log*/*'] },
  ]);
  const production = resourcePolicy('production', [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject*', 's3:PutObject*', 's3:ReplicateObject', 's3:RestoreObject'],
      Principal: { AWS: 'arn:aws:iam::111111111111:user/carlossalazar' },
      Resource: 'arn:aws:s3:::Production/*',
    },
  ]);
  const put = (resource: string, action = 's3:PutObject') => request(carlos, action, resource, { resourceAccountId: '222222222222' });

  it('denies saving to Production-logs: explicitly, in his own account', () => {
    decides(put('arn:aws:s3:::Production-logs/file'), { identity: [identity] }, 'ExplicitDeny', ['carlos#DenyS3Logs']);
  });
  it('allows saving to Production: both accounts allow', () => {
    decides(put('arn:aws:s3:::Production/file'), { identity: [identity], resource: production }, 'Allow', ['carlos#AllowS3ProductionObjectActions', 'production#0']);
  });
  it('denies deleting in Production: the bucket policy does not allow it', () => {
    const result = decides(put('arn:aws:s3:::Production/file', 's3:DeleteObject'), { identity: [identity], resource: production }, 'ImplicitDeny');
    assert.equal(result.reason, 'because no resource-based policy allows the s3:DeleteObject action');
  });
});

describe("the account's root user", () => {
  it('may do anything in its own account without any policy', () => {
    decides(request(root(), 'ecs:DeleteCluster', `arn:aws:ecs:us-east-1:${account}:cluster/x`), {}, 'Allow', []);
  });
  it('is still denied by an explicit deny in a resource-based policy', () => {
    const denying = resourcePolicy('repo', [{ Effect: 'Deny', Principal: { AWS: account }, Action: 'ecr:DeleteRepository' }]);
    decides(request(root(), 'ecr:DeleteRepository', `arn:aws:ecr:us-east-1:${account}:repository/a`), { resource: denying }, 'ExplicitDeny');
  });
});

describe('role trust policies: the trust policy must allow, even within the account', () => {
  const role = `arn:aws:iam::${account}:role/app`;
  const trustByService = policy('trust', [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }], { kind: 'trust' });
  const trustByAccount = policy('trust', [{ Effect: 'Allow', Principal: { AWS: account }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'xyz' } } }], { kind: 'trust' });
  const mayAssume = policy('assume', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: role }]);
  const ecsTasks: RequestPrincipal = { kind: 'service', arn: 'ecs-tasks.amazonaws.com', accountId: '' };

  it('lets the named service assume the role, and no other', () => {
    decides(request(ecsTasks, 'sts:AssumeRole', role), { resource: trustByService, resourcePolicyRequired: true }, 'Allow');
    decides(request({ ...ecsTasks, arn: 'ec2.amazonaws.com' }, 'sts:AssumeRole', role), { resource: trustByService, resourcePolicyRequired: true }, 'ImplicitDeny');
  });

  it('needs both the trust policy naming the account and the identity policy, with the external id', () => {
    const ci = user('ci');
    const withId = request(ci, 'sts:AssumeRole', role, { keys: { 'sts:ExternalId': 'xyz' } });
    decides(withId, { identity: [mayAssume], resource: trustByAccount, resourcePolicyRequired: true }, 'Allow', ['assume#0', 'trust#0']);
    decides(withId, { resource: trustByAccount, resourcePolicyRequired: true }, 'ImplicitDeny');
    decides(request(ci, 'sts:AssumeRole', role), { identity: [mayAssume], resource: trustByAccount, resourcePolicyRequired: true }, 'ImplicitDeny');
    decides(withId, { identity: [mayAssume], resource: trustByService, resourcePolicyRequired: true }, 'ImplicitDeny');
  });
});

describe('NotPrincipal with Deny: the caller is excluded only when all its identities are listed', () => {
  const admin = session('admin', 'ops');
  const bucket = 'arn:aws:s3:::secrets';
  const notPrincipal = (names: string[]) =>
    resourcePolicy('bucket', [
      { Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: `${bucket}/*` },
      { Effect: 'Deny', NotPrincipal: { AWS: names }, Action: 's3:*', Resource: [bucket, `${bucket}/*`] },
    ]);
  it('excludes the session listed with its role and account', () => {
    decides(request(admin, 's3:GetObject', `${bucket}/k`), { resource: notPrincipal([`arn:aws:iam::${account}:root`, admin.entityArn!, admin.arn]) }, 'Allow');
  });
  it('denies the session when only the role is listed', () => {
    decides(request(admin, 's3:GetObject', `${bucket}/k`), { resource: notPrincipal([admin.entityArn!]) }, 'ExplicitDeny', ['bucket#1']);
    decides(request(admin, 's3:GetObject', `${bucket}/k`), { resource: notPrincipal([`arn:aws:iam::${account}:root`, admin.entityArn!]) }, 'ExplicitDeny');
    decides(request(admin, 's3:GetObject', `${bucket}/k`), { resource: notPrincipal([admin.arn]) }, 'ExplicitDeny');
    decides(request(admin, 's3:GetObject', `${bucket}/k`), { resource: notPrincipal([admin.arn, admin.entityArn!]) }, 'ExplicitDeny');
  });
  it('denies everyone else', () => {
    decides(request(user('eve'), 's3:GetObject', `${bucket}/k`), { resource: notPrincipal([`arn:aws:iam::${account}:root`, admin.entityArn!, admin.arn]) }, 'ExplicitDeny');
  });
});

describe('NotAction and NotResource', () => {
  const alice = user('alice');
  it('allows everything but IAM with Allow + NotAction', () => {
    const allButIam = policy('p', [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }]);
    decides(request(alice, 'ecs:RunTask', '*'), { identity: [allButIam] }, 'Allow');
    decides(request(alice, 'iam:CreateUser', '*'), { identity: [allButIam] }, 'ImplicitDeny');
  });
  it('denies outside the listed resources with Deny + NotResource', () => {
    const policies = {
      identity: [policy('p', [{ Effect: 'Allow', Action: 'ecs:*', Resource: '*' }, { Effect: 'Deny', Action: 'ecs:*', NotResource: `arn:aws:ecs:*:${account}:cluster/dev` }])],
    };
    decides(request(alice, 'ecs:DeleteCluster', `arn:aws:ecs:us-east-1:${account}:cluster/dev`), policies, 'Allow');
    decides(request(alice, 'ecs:DeleteCluster', `arn:aws:ecs:us-east-1:${account}:cluster/prod`), policies, 'ExplicitDeny', ['p#1']);
  });
  it('denies every action outside the approved regions except global services (NotAction + condition)', () => {
    const regions = policy('regions', [
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Sid: 'DenyAllOutsideRequestedRegions', Effect: 'Deny', NotAction: ['iam:*', 'sts:*'], Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-central-1', 'eu-west-1'] } } },
    ]);
    decides(request(alice, 'ecs:RunTask', '*', { keys: { 'aws:RequestedRegion': 'us-east-1' } }), { identity: [regions] }, 'ExplicitDeny', ['regions#DenyAllOutsideRequestedRegions']);
    decides(request(alice, 'ecs:RunTask', '*', { keys: { 'aws:RequestedRegion': 'eu-west-1' } }), { identity: [regions] }, 'Allow');
    decides(request(alice, 'iam:GetUser', '*', { keys: { 'aws:RequestedRegion': 'us-east-1' } }), { identity: [regions] }, 'Allow');
  });
});

describe('wildcards: actions ignore case, resources do not', () => {
  const alice = user('alice');
  const p = policy('p', [{ Effect: 'Allow', Action: 'ecs:Describe?lusters', Resource: `arn:aws:ecs:*:${account}:cluster/Dev-*` }]);
  it('matches', () => {
    decides(request(alice, 'ECS:describeclusters', `arn:aws:ecs:us-east-1:${account}:cluster/Dev-1`), { identity: [p] }, 'Allow');
  });
  it('does not match', () => {
    decides(request(alice, 'ecs:DescribeCCclusters', `arn:aws:ecs:us-east-1:${account}:cluster/Dev-1`), { identity: [p] }, 'ImplicitDeny');
    decides(request(alice, 'ecs:DescribeClusters', `arn:aws:ecs:us-east-1:${account}:cluster/dev-1`), { identity: [p] }, 'ImplicitDeny');
    decides(request(alice, 'ecs:DescribeClusters', `arn:aws:ecs:us-east-1:${other}:cluster/Dev-1`), { identity: [p] }, 'ImplicitDeny');
  });
});

describe('policy variables and global condition keys from the request context', () => {
  it('gives each user their own home prefix with ${aws:username}', () => {
    const home = policy('home', [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::bucket/home/${aws:username}/*' }]);
    decides(request(user('alice'), 's3:GetObject', 'arn:aws:s3:::bucket/home/alice/a.txt'), { identity: [home] }, 'Allow');
    decides(request(user('alice'), 's3:GetObject', 'arn:aws:s3:::bucket/home/bob/a.txt'), { identity: [home] }, 'ImplicitDeny');
    // A role session has no aws:username: the resource matches nothing.
    decides(request(session('r', 's'), 's3:GetObject', 'arn:aws:s3:::bucket/home/r/a.txt'), { identity: [home] }, 'ImplicitDeny');
  });

  it('treats variables as text in a 2008-10-17 policy', () => {
    const old: AttachedPolicy = { id: 'old', policy: parseAndCompile({ Version: '2008-10-17', Statement: { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::bucket/${aws:username}' } }, { kind: 'identity' }) };
    decides(request(user('alice'), 's3:GetObject', 'arn:aws:s3:::bucket/alice'), { identity: [old] }, 'ImplicitDeny');
    decides(request(user('alice'), 's3:GetObject', 'arn:aws:s3:::bucket/${aws:username}'), { identity: [old] }, 'Allow');
  });

  it('matches principal tags against resource tags (ABAC) and uses defaults', () => {
    const abac = policy('abac', [{ Effect: 'Allow', Action: 'ecs:*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } }]);
    const web = user('alice', account, { tags: { team: 'web' } });
    decides(request(web, 'ecs:UpdateService', '*', { keys: { 'aws:ResourceTag/team': 'web' } }), { identity: [abac] }, 'Allow');
    decides(request(web, 'ecs:UpdateService', '*', { keys: { 'aws:ResourceTag/team': 'db' } }), { identity: [abac] }, 'ImplicitDeny');
    decides(request(user('untagged'), 'ecs:UpdateService', '*', { keys: { 'aws:ResourceTag/team': 'web' } }), { identity: [abac] }, 'ImplicitDeny');
  });

  it('reads aws:CurrentTime from the request, not from a clock', () => {
    const window = policy('window', [{ Effect: 'Allow', Action: 'ecs:*', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' }, DateLessThan: { 'aws:CurrentTime': '2026-02-01T00:00:00Z' } } }]);
    decides(request(user('a'), 'ecs:ListClusters', '*'), { identity: [window] }, 'Allow');
    decides(request(user('a'), 'ecs:ListClusters', '*', { now: new Date('2026-03-01T00:00:00Z') }), { identity: [window] }, 'ImplicitDeny');
  });

  it('derives aws:PrincipalArn (the role for a session), aws:PrincipalType, aws:userid and aws:PrincipalAccount', () => {
    const p = policy('p', [
      { Effect: 'Allow', Action: 'ecs:*', Resource: '*', Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${account}:role/ops-*` }, StringEquals: { 'aws:PrincipalType': 'AssumedRole', 'aws:PrincipalAccount': account } } },
      { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:userid}/*' },
    ]);
    decides(request(session('ops-1', 'x'), 'ecs:ListClusters', '*'), { identity: [p] }, 'Allow');
    decides(request(session('dev-1', 'x'), 'ecs:ListClusters', '*'), { identity: [p] }, 'ImplicitDeny');
    decides(request(user('ops-1'), 'ecs:ListClusters', '*'), { identity: [p] }, 'ImplicitDeny');
    decides(request(session('ops-1', 'x'), 's3:GetObject', 'arn:aws:s3:::b/AROAOPS-1:x/k'), { identity: [p] }, 'Allow');
  });

  it('requires MFA with BoolIfExists (the documented deny-without-MFA pattern)', () => {
    const mfa = policy('mfa', [
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Sid: 'DenyWithoutMFA', Effect: 'Deny', NotAction: 'iam:ListMFADevices', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } },
    ]);
    decides(request(user('a'), 'ecs:RunTask', '*'), { identity: [mfa] }, 'ExplicitDeny', ['mfa#DenyWithoutMFA']);
    decides(request(user('a'), 'ecs:RunTask', '*', { keys: { 'aws:MultiFactorAuthPresent': true } }), { identity: [mfa] }, 'Allow');
    decides(request(user('a'), 'iam:ListMFADevices', '*'), { identity: [mfa] }, 'Allow');
  });

  it('checks iam:PassedToService on iam:PassRole and ecs:cluster on RunTask', () => {
    const pass = policy('pass', [
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: `arn:aws:iam::${account}:role/app-*`, Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } },
      { Effect: 'Allow', Action: 'ecs:RunTask', Resource: '*', Condition: { ArnEquals: { 'ecs:cluster': `arn:aws:ecs:us-east-1:${account}:cluster/dev` } } },
    ]);
    decides(request(user('a'), 'iam:PassRole', `arn:aws:iam::${account}:role/app-web`, { keys: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } }), { identity: [pass] }, 'Allow');
    decides(request(user('a'), 'iam:PassRole', `arn:aws:iam::${account}:role/app-web`, { keys: { 'iam:PassedToService': 'ec2.amazonaws.com' } }), { identity: [pass] }, 'ImplicitDeny');
    decides(request(user('a'), 'ecs:RunTask', '*', { keys: { 'ecs:cluster': `arn:aws:ecs:us-east-1:${account}:cluster/dev` } }), { identity: [pass] }, 'Allow');
    decides(request(user('a'), 'ecs:RunTask', '*', { keys: { 'ecs:cluster': `arn:aws:ecs:us-east-1:${account}:cluster/prod` } }), { identity: [pass] }, 'ImplicitDeny');
  });
});

describe('condition blocks: OR within a key, AND across keys and operators', () => {
  const p = policy('p', [
    {
      Effect: 'Allow',
      Action: 'ecs:RunTask',
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestTag/env': ['dev', 'test'], 'aws:RequestTag/team': 'web' }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    },
  ]);
  const run = (keys: RequestContext['keys']) => evaluate(request(user('a'), 'ecs:RunTask', '*', { keys }), { identity: [p] }).decision;
  it('allows when every key of every operator matches one of its values', () => {
    assert.equal(run({ 'aws:RequestTag/env': 'dev', 'aws:RequestTag/team': 'web', 'aws:SourceIp': '10.2.3.4' }), 'Allow');
    assert.equal(run({ 'aws:RequestTag/env': 'test', 'aws:RequestTag/team': 'web', 'aws:SourceIp': '10.2.3.4' }), 'Allow');
  });
  it('denies when one key, or one operator, does not match', () => {
    assert.equal(run({ 'aws:RequestTag/env': 'prod', 'aws:RequestTag/team': 'web', 'aws:SourceIp': '10.2.3.4' }), 'ImplicitDeny');
    assert.equal(run({ 'aws:RequestTag/env': 'dev', 'aws:RequestTag/team': 'db', 'aws:SourceIp': '10.2.3.4' }), 'ImplicitDeny');
    assert.equal(run({ 'aws:RequestTag/env': 'dev', 'aws:RequestTag/team': 'web', 'aws:SourceIp': '192.0.2.1' }), 'ImplicitDeny');
    assert.equal(run({ 'aws:RequestTag/env': 'dev', 'aws:SourceIp': '10.2.3.4' }), 'ImplicitDeny');
  });
});

describe('tag-based creation: aws:RequestTag with aws:TagKeys', () => {
  const tagged = policy('tagged', [
    {
      Effect: 'Allow',
      Action: 'ecs:CreateCluster',
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestTag/env': ['dev', 'prod'] }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } },
    },
  ]);
  const onlyAllowedKeys = policy('keys', [{ Effect: 'Allow', Action: 'ecs:TagResource', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } } }]);
  const create = (keys: RequestContext['keys']) => evaluate(request(user('a'), 'ecs:CreateCluster', '*', { keys }), { identity: [tagged] }).decision;
  const tag = (keys: RequestContext['keys']) => evaluate(request(user('a'), 'ecs:TagResource', '*', { keys }), { identity: [onlyAllowedKeys] }).decision;

  it('allows creation with an allowed env tag and only allowed keys', () => {
    assert.equal(create({ 'aws:RequestTag/env': 'dev', 'aws:TagKeys': ['env'] }), 'Allow');
    assert.equal(create({ 'aws:RequestTag/env': 'prod', 'aws:RequestTag/team': 'web', 'aws:TagKeys': ['env', 'team'] }), 'Allow');
  });
  it('denies another env value, an extra key, or no env tag', () => {
    assert.equal(create({ 'aws:RequestTag/env': 'test', 'aws:TagKeys': ['env'] }), 'ImplicitDeny');
    assert.equal(create({ 'aws:RequestTag/env': 'dev', 'aws:RequestTag/owner': 'x', 'aws:TagKeys': ['env', 'owner'] }), 'ImplicitDeny');
    assert.equal(create({}), 'ImplicitDeny');
  });
  it('lets ForAllValues alone pass a request with no tags at all, as AWS warns', () => {
    assert.equal(tag({}), 'Allow');
    assert.equal(tag({ 'aws:TagKeys': ['owner'] }), 'ImplicitDeny');
  });
});

describe('the decision names its statements', () => {
  it('names the policy, its source, the Sid or the index of every deciding statement', () => {
    const group = policy('arn:aws:iam::aws:policy/ReadOnlyAccess', [{ Effect: 'Allow', Action: 'ecs:Describe*', Resource: '*' }], { kind: 'identity' }, `arn:aws:iam::${account}:group/readers`);
    const inline = policy('inline-deny', [{ Sid: 'NoProd', Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/env': 'prod' } } }], { kind: 'identity' }, `arn:aws:iam::${account}:user/a`);
    const allowed = evaluate(request(user('a'), 'ecs:DescribeServices', '*'), { identity: [group, inline] });
    assert.deepEqual(allowed.deciding, [{ policyType: 'identity', policyId: 'arn:aws:iam::aws:policy/ReadOnlyAccess', source: `arn:aws:iam::${account}:group/readers`, index: 0 }]);
    const denied = evaluate(request(user('a'), 'ecs:DescribeServices', '*', { keys: { 'aws:ResourceTag/env': 'prod' } }), { identity: [group, inline] });
    assert.deepEqual(denied.deciding, [{ policyType: 'identity', policyId: 'inline-deny', source: `arn:aws:iam::${account}:user/a`, sid: 'NoProd', index: 0 }]);
  });
});
