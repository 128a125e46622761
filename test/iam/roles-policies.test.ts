/**
 * IAM roles, inline and managed policies, attachments, instance profiles, service-linked roles and
 * GetAccountAuthorizationDetails through the AWS SDK, with AWS's managed policies listed, readable
 * and attachable, and documents answered URL-encoded as IAM answers them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AddRoleToInstanceProfileCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateServiceLinkedRoleCommand,
  CreateUserCommand,
  DeleteInstanceProfileCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DeleteServiceLinkedRoleCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetAccountAuthorizationDetailsCommand,
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetServiceLinkedRoleDeletionStatusCommand,
  GetUserPolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListInstanceProfilesForRoleCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListPolicyTagsCommand,
  ListInstanceProfileTagsCommand,
  TagInstanceProfileCommand,
  TagPolicyCommand,
  UntagPolicyCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  ListRolesCommand,
  PutGroupPolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
  SetDefaultPolicyVersionCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { rejects } from '../helpers/assertions.js';
import { permissionsBoundaryOf } from '../../src/iam/principal-policies.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { addOtherAccount, ecsTasksTrust, iamClient, otherAccount, readSecrets } from './iam-client.js';

const decoded = (text: string | undefined) => JSON.parse(decodeURIComponent(text ?? ''));
const policyArn = (name: string) => `arn:aws:iam::000000000000:policy/${name}`;

describe('IAM roles and policies', () => {
  let berth: TestBerth;
  let iam: IAMClient;
  before(async () => {
    berth = await startBerth();
    iam = iamClient(berth);
    await addOtherAccount(berth);
  });
  after(async () => {
    iam.destroy();
    await berth.close();
  });

  it('creates a role with its trust policy, path, session duration, description and tags', async () => {
    const { Role } = await iam.send(
      new CreateRoleCommand({ RoleName: 'app', Path: '/service-role/', AssumeRolePolicyDocument: ecsTasksTrust, MaxSessionDuration: 7200, Description: 'the app', Tags: [{ Key: 'env', Value: 'dev' }] }),
    );
    assert.match(Role?.RoleId ?? '', /^AROA[A-Z2-7]{17}$/);
    assert.equal(Role?.Arn, 'arn:aws:iam::000000000000:role/service-role/app');
    assert.equal(Role?.MaxSessionDuration, 7200);
    // IAM answers documents URL-encoded.
    assert.equal(Role?.AssumeRolePolicyDocument, encodeURIComponent(ecsTasksTrust));
    const got = (await iam.send(new GetRoleCommand({ RoleName: 'app' }))).Role;
    assert.deepEqual(decoded(got?.AssumeRolePolicyDocument), JSON.parse(ecsTasksTrust));
    assert.equal(got?.Description, 'the app');
    assert.deepEqual(got?.Tags, [{ Key: 'env', Value: 'dev' }]);
  });

  it('validates roles as IAM does', async () => {
    await rejects(iam.send(new CreateRoleCommand({ RoleName: 'app', AssumeRolePolicyDocument: ecsTasksTrust })), 'EntityAlreadyExistsException', /^Role with name app already exists\.$/);
    await rejects(
      iam.send(new CreateRoleCommand({ RoleName: 'short', AssumeRolePolicyDocument: ecsTasksTrust, MaxSessionDuration: 100 })),
      'ValidationError',
      /^1 validation error detected: Value '100' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600$/,
    );
    await rejects(
      iam.send(new CreateRoleCommand({ RoleName: 'long', AssumeRolePolicyDocument: ecsTasksTrust, MaxSessionDuration: 43201 })),
      'ValidationError',
      /Member must have value less than or equal to 43200$/,
    );
    await rejects(iam.send(new CreateRoleCommand({ RoleName: 'bad', AssumeRolePolicyDocument: '{not json' })), 'MalformedPolicyDocumentException', /^Syntax errors in policy\.$/);
    await rejects(iam.send(new CreateRoleCommand({ RoleName: 'bad', AssumeRolePolicyDocument: readSecrets })), 'MalformedPolicyDocumentException', /Principal/);
    await rejects(iam.send(new GetRoleCommand({ RoleName: 'ghost' })), 'NoSuchEntityException', /^The role with name ghost cannot be found\.$/);
  });

  it('updates a role, its trust policy and its tags', async () => {
    await iam.send(new UpdateRoleCommand({ RoleName: 'app', MaxSessionDuration: 43200, Description: 'changed' }));
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'sts:AssumeRole' }] });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'app', PolicyDocument: trust }));
    await iam.send(new TagRoleCommand({ RoleName: 'app', Tags: [{ Key: 'owner', Value: 'me' }] }));
    await iam.send(new UntagRoleCommand({ RoleName: 'app', TagKeys: ['env'] }));
    const role = (await iam.send(new GetRoleCommand({ RoleName: 'app' }))).Role;
    assert.equal(role?.MaxSessionDuration, 43200);
    assert.equal(role?.Description, 'changed');
    assert.deepEqual(decoded(role?.AssumeRolePolicyDocument), JSON.parse(trust));
    assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: 'app' }))).Tags, [{ Key: 'owner', Value: 'me' }]);
    assert.deepEqual((await iam.send(new ListRolesCommand({ PathPrefix: '/service-role/' }))).Roles?.map((listed) => listed.RoleName), ['app']);
  });

  it('keeps inline policies of users, groups and roles, answered URL-encoded', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'dev' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'team' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'dev', PolicyName: 'read', PolicyDocument: readSecrets }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'team', PolicyName: 'read', PolicyDocument: readSecrets }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'app', PolicyName: 'read-config', PolicyDocument: readSecrets }));
    const got = await iam.send(new GetRolePolicyCommand({ RoleName: 'app', PolicyName: 'read-config' }));
    assert.equal(got.PolicyDocument, encodeURIComponent(readSecrets));
    assert.equal(got.RoleName, 'app');
    assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: 'app' }))).PolicyNames, ['read-config']);
    assert.deepEqual(decoded((await iam.send(new GetUserPolicyCommand({ UserName: 'dev', PolicyName: 'read' }))).PolicyDocument), JSON.parse(readSecrets));
    await rejects(iam.send(new GetRolePolicyCommand({ RoleName: 'app', PolicyName: 'none' })), 'NoSuchEntityException', /^The role policy with name none cannot be found\.$/);
    const withPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] });
    await rejects(iam.send(new PutUserPolicyCommand({ UserName: 'dev', PolicyName: 'p', PolicyDocument: withPrincipal })), 'MalformedPolicyDocumentException', /^Policy document should not specify a principal\.$/);
    const noVendor = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'GetObject', Resource: '*' }] });
    await rejects(
      iam.send(new PutUserPolicyCommand({ UserName: 'dev', PolicyName: 'p', PolicyDocument: noVendor })),
      'MalformedPolicyDocumentException',
      /^Actions\/Conditions must be prefaced by a vendor, e\.g\., iam, sdb, ec2, etc\.$/,
    );
    const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: Array.from({ length: 80 }, (_, index) => `arn:aws:s3:::bucket-${index}/*`) }] });
    await rejects(iam.send(new PutUserPolicyCommand({ UserName: 'dev', PolicyName: 'big', PolicyDocument: big })), 'LimitExceededException', /^Maximum policy size of 2048 bytes exceeded for user dev$/);
    await iam.send(new PutRolePolicyCommand({ RoleName: 'app', PolicyName: 'big', PolicyDocument: big }));
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'app', PolicyName: 'big' }));
    await rejects(iam.send(new DeleteRoleCommand({ RoleName: 'app' })), 'DeleteConflictException', /^Cannot delete entity, must delete policies first\.$/);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'app', PolicyName: 'read-config' }));
  });

  it('keeps versions of a customer managed policy: at most five, one default', async () => {
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'secrets-read', PolicyDocument: readSecrets, Description: 'reads secrets', Path: '/app/' }));
    assert.match(Policy?.PolicyId ?? '', /^ANPA[A-Z2-7]{17}$/);
    assert.equal(Policy?.Arn, 'arn:aws:iam::000000000000:policy/app/secrets-read');
    assert.equal(Policy?.DefaultVersionId, 'v1');
    const arn = Policy?.Arn as string;
    await rejects(iam.send(new CreatePolicyCommand({ PolicyName: 'secrets-read', PolicyDocument: readSecrets })), 'EntityAlreadyExistsException', /^A policy called secrets-read already exists\. Duplicate names are not allowed\.$/);
    for (let version = 2; version <= 5; version += 1) {
      const created = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: readSecrets, SetAsDefault: version === 3 }));
      assert.equal(created.PolicyVersion?.VersionId, `v${version}`);
    }
    await rejects(
      iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: readSecrets })),
      'LimitExceededException',
      /^A managed policy can have up to 5 versions\. Before you create a new version, you must delete an existing version\.$/,
    );
    const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions;
    assert.deepEqual(versions?.map((version) => [version.VersionId, version.IsDefaultVersion]), [['v5', false], ['v4', false], ['v3', true], ['v2', false], ['v1', false]]);
    await rejects(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v3' })), 'DeleteConflictException', /^Cannot delete the default version of a policy\.$/);
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v5' }));
    for (const version of ['v1', 'v2', 'v3', 'v4']) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: version }));
    const got = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v5' }));
    assert.equal(got.PolicyVersion?.Document, encodeURIComponent(readSecrets));
    assert.equal(got.PolicyVersion?.IsDefaultVersion, true);
    await rejects(iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' })), 'NoSuchEntityException', /does not exist or is not attachable\.$/);
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.Description, 'reads secrets');
    await iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    await iam.send(new UntagPolicyCommand({ PolicyArn: arn, TagKeys: ['a'] }));
    assert.deepEqual((await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn }))).Tags, [{ Key: 'b', Value: '2' }]);
    await rejects(iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: 'aws:x', Value: '1' }] })), 'InvalidInputException', /^User is not authorized to create tags with the aws: prefix\.$/);
  });

  it('attaches customer and AWS managed policies, counts and lists the attachments, and refuses deleting what is attached', async () => {
    const arn = policyArn('app/secrets-read');
    const ecrPower = 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser';
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'app', PolicyArn: arn }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'app', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy' }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'dev', PolicyArn: ecrPower }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'team', PolicyArn: arn }));
    assert.deepEqual((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'app' }))).AttachedPolicies, [
      { PolicyName: 'secrets-read', PolicyArn: arn },
      { PolicyName: 'AmazonECSTaskExecutionRolePolicy', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy' },
    ]);
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.AttachmentCount, 2);
    const entities = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn }));
    assert.deepEqual(entities.PolicyRoles?.map((role) => role.RoleName), ['app']);
    assert.deepEqual(entities.PolicyGroups?.map((group) => group.GroupName), ['team']);
    assert.deepEqual(entities.PolicyUsers, []);
    await rejects(iam.send(new DeletePolicyCommand({ PolicyArn: arn })), 'DeleteConflictException', /^Cannot delete a policy attached to entities\.$/);
    await rejects(iam.send(new DeleteRoleCommand({ RoleName: 'app' })), 'DeleteConflictException', /^Cannot delete entity, must detach all policies first\.$/);
    await rejects(iam.send(new AttachRolePolicyCommand({ RoleName: 'app', PolicyArn: policyArn('missing') })), 'NoSuchEntityException', /^Policy arn:aws:iam::000000000000:policy\/missing does not exist or is not attachable\.$/);
    await rejects(
      iam.send(new AttachRolePolicyCommand({ RoleName: 'app', PolicyArn: 'arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy' })),
      'PolicyNotAttachableException',
    );
    const attached = await iam.send(new ListPoliciesCommand({ OnlyAttached: true }));
    assert.deepEqual(attached.Policies?.map((policy) => policy.PolicyName), ['AmazonEC2ContainerRegistryPowerUser', 'AmazonECSTaskExecutionRolePolicy', 'secrets-read']);
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'app', PolicyArn: arn }));
    await iam.send(new DetachGroupPolicyCommand({ GroupName: 'team', PolicyArn: arn }));
    await iam.send(new DetachUserPolicyCommand({ UserName: 'dev', PolicyArn: ecrPower }));
    await rejects(iam.send(new DetachUserPolicyCommand({ UserName: 'dev', PolicyArn: ecrPower })), 'NoSuchEntityException', /was not attached\.$/);
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    await rejects(iam.send(new GetPolicyCommand({ PolicyArn: arn })), 'NoSuchEntityException', new RegExp(`^Policy ${arn} was not found\\.$`));
  });

  it('answers AWS managed policies with their real documents, by scope and page', async () => {
    const admin = await iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    assert.equal(admin.Policy?.IsAttachable, true);
    assert.equal(admin.Policy?.DefaultVersionId, 'v1');
    const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess', VersionId: 'v1' }));
    assert.deepEqual(decoded(version.PolicyVersion?.Document), { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    const execution = await iam.send(new GetPolicyVersionCommand({ PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy', VersionId: 'v1' }));
    assert.ok(decoded(execution.PolicyVersion?.Document).Statement[0].Action.includes('ecr:GetAuthorizationToken'));
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await iam.send(new ListPoliciesCommand({ Scope: 'AWS', MaxItems: 5, ...(marker ? { Marker: marker } : {}) }));
      names.push(...(page.Policies ?? []).map((policy) => policy.PolicyName as string));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    for (const name of [
      'AdministratorAccess', 'ReadOnlyAccess', 'PowerUserAccess', 'AmazonECS_FullAccess', 'AmazonECSTaskExecutionRolePolicy', 'AmazonEC2ContainerServiceforEC2Role',
      'AmazonEC2ContainerServiceRole', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonEC2ContainerRegistryPowerUser', 'AmazonEC2ContainerRegistryFullAccess',
      'SecretsManagerReadWrite', 'AmazonSSMReadOnlyAccess', 'CloudWatchLogsFullAccess', 'ElasticLoadBalancingFullAccess', 'AmazonECSServiceRolePolicy',
    ]) {
      assert.ok(names.includes(name), `${name} is listed`);
    }
    assert.deepEqual((await iam.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies, []);
    assert.deepEqual((await iam.send(new ListPoliciesCommand({ Scope: 'AWS', PathPrefix: '/aws-service-role/' }))).Policies?.map((policy) => policy.PolicyName).sort(), [
      'AmazonECSServiceRolePolicy', 'AWSApplicationAutoscalingECSServicePolicy', 'AWSElasticLoadBalancingServiceRolePolicy',
    ].sort());
  });

  it('keeps instance profiles holding one role, and refuses deleting a role one holds', async () => {
    const { InstanceProfile } = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'ecsInstanceProfile' }));
    assert.match(InstanceProfile?.InstanceProfileId ?? '', /^AIPA[A-Z2-7]{17}$/);
    assert.equal(InstanceProfile?.Arn, 'arn:aws:iam::000000000000:instance-profile/ecsInstanceProfile');
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'ecsInstanceProfile', RoleName: 'app' }));
    await iam.send(new TagInstanceProfileCommand({ InstanceProfileName: 'ecsInstanceProfile', Tags: [{ Key: 'env', Value: 'dev' }] }));
    assert.deepEqual((await iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: 'ecsInstanceProfile' }))).Tags, [{ Key: 'env', Value: 'dev' }]);
    await iam.send(new CreateRoleCommand({ RoleName: 'second', AssumeRolePolicyDocument: ecsTasksTrust }));
    await rejects(
      iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'ecsInstanceProfile', RoleName: 'second' })),
      'LimitExceededException',
      /^Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1$/,
    );
    assert.deepEqual((await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'ecsInstanceProfile' }))).InstanceProfile?.Roles?.map((role) => role.RoleName), ['app']);
    assert.deepEqual((await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'app' }))).InstanceProfiles?.map((profile) => profile.InstanceProfileName), ['ecsInstanceProfile']);
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'app', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy' }));
    await rejects(iam.send(new DeleteRoleCommand({ RoleName: 'app' })), 'DeleteConflictException', /^Cannot delete entity, must remove roles from instance profile first\.$/);
    await rejects(iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'ecsInstanceProfile' })), 'DeleteConflictException', /must remove roles from instance profile first/);
    await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'ecsInstanceProfile', RoleName: 'app' }));
    await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'ecsInstanceProfile' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'app' }));
    await rejects(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'ecsInstanceProfile' })), 'NoSuchEntityException', /^Instance Profile ecsInstanceProfile cannot be found\.$/);
  });

  it('creates the service-linked roles of the services Berth serves, and protects them', async () => {
    const { Role } = await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'ecs.amazonaws.com' }));
    assert.equal(Role?.Arn, 'arn:aws:iam::000000000000:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS');
    assert.equal(Role?.Path, '/aws-service-role/ecs.amazonaws.com/');
    assert.deepEqual((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'AWSServiceRoleForECS' }))).AttachedPolicies?.map((policy) => policy.PolicyName), ['AmazonECSServiceRolePolicy']);
    await rejects(
      iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'ecs.amazonaws.com' })),
      'InvalidInputException',
      /^Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix\.$/,
    );
    await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'elasticloadbalancing.amazonaws.com' }));
    const scaling = await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'ecs.application-autoscaling.amazonaws.com' }));
    assert.equal(scaling.Role?.RoleName, 'AWSServiceRoleForApplicationAutoScaling_ECSService');
    await rejects(iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'nothing.amazonaws.com' })), 'InvalidInputException');
    await rejects(iam.send(new DeleteRoleCommand({ RoleName: 'AWSServiceRoleForECS' })), 'UnmodifiableEntityException', /protected role 'AWSServiceRoleForECS'/);
    const { DeletionTaskId } = await iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: 'AWSServiceRoleForElasticLoadBalancing' }));
    assert.match(DeletionTaskId ?? '', /^task\/aws-service-role\/elasticloadbalancing\.amazonaws\.com\/AWSServiceRoleForElasticLoadBalancing\/[0-9a-f-]{36}$/);
    assert.equal((await iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId }))).Status, 'SUCCEEDED');
    await rejects(iam.send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForElasticLoadBalancing' })), 'NoSuchEntityException');
    await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'elasticloadbalancing.amazonaws.com' }));
  });

  it('answers GetAccountAuthorizationDetails with every entity and what it carries', async () => {
    const details = await iam.send(new GetAccountAuthorizationDetailsCommand({}));
    const dev = details.UserDetailList?.find((user) => user.UserName === 'dev');
    assert.deepEqual(dev?.UserPolicyList?.map((policy) => [policy.PolicyName, decoded(policy.PolicyDocument)]), [['read', JSON.parse(readSecrets)]]);
    assert.deepEqual(details.GroupDetailList?.map((group) => group.GroupName), ['team']);
    assert.ok(details.RoleDetailList?.some((role) => role.RoleName === 'AWSServiceRoleForECS'));
    const roles = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'] }));
    assert.deepEqual(roles.UserDetailList, []);
    assert.equal(roles.RoleDetailList?.length, details.RoleDetailList?.length);
  });

  it('keeps permissions boundaries of users and roles, counted on the policy', async () => {
    const boundary = 'arn:aws:iam::aws:policy/PowerUserAccess';
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: 'bounded', AssumeRolePolicyDocument: ecsTasksTrust, PermissionsBoundary: boundary }));
    assert.deepEqual(Role?.PermissionsBoundary, { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: boundary });
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'dev', PermissionsBoundary: boundary }));
    assert.equal((await iam.send(new GetUserCommand({ UserName: 'dev' }))).User?.PermissionsBoundary?.PermissionsBoundaryArn, boundary);
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: boundary }))).Policy?.PermissionsBoundaryUsageCount, 2);
    const fromStore = await berth.server.store.read((tx) => permissionsBoundaryOf(tx, 'arn:aws:iam::000000000000:role/bounded'));
    assert.deepEqual(fromStore?.source, { kind: 'managed', arn: boundary, versionId: 'v12' });
    await rejects(
      iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'dev', PermissionsBoundary: policyArn('nothing') })),
      'NoSuchEntityException',
      /^Scope ARN: arn:aws:iam::000000000000:policy\/nothing does not exist or is not attachable\.$/,
    );
    await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'bounded' }));
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: 'bounded' }))).Role?.PermissionsBoundary, undefined);
    await iam.send(new DeleteRoleCommand({ RoleName: 'bounded' }));
  });

  it('keeps accounts apart', async () => {
    const other = iamClient(berth, otherAccount);
    try {
      await rejects(other.send(new GetRoleCommand({ RoleName: 'second' })), 'NoSuchEntityException');
      // Another account's policy by ARN: a cross-account call, AccessDenied as IAM has no resource policies.
      await rejects(other.send(new GetPolicyCommand({ PolicyArn: policyArn('anything') })), 'AccessDenied', /iam:GetPolicy/);
      assert.deepEqual((await other.send(new ListRolesCommand({}))).Roles, []);
      assert.ok((await other.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }))).Policy);
    } finally {
      other.destroy();
    }
  });
});
