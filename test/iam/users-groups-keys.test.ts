/**
 * IAM users, groups and access keys through the AWS SDK: AWS-formed ids and ARNs, paths, tags,
 * pagination, renaming, the DeleteConflicts IAM answers, and access keys that are real
 * credentials: a new key signs an ECS call at once, and stops at once when deleted or made Inactive.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ListClustersCommand } from '@aws-sdk/client-ecs';
import {
  AttachUserPolicyCommand,
  PutUserPolicyCommand,
  AddUserToGroupCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteGroupCommand,
  DeleteUserCommand,
  GetAccessKeyLastUsedCommand,
  GetGroupCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListGroupsCommand,
  ListGroupsForUserCommand,
  ListUserTagsCommand,
  ListUsersCommand,
  RemoveUserFromGroupCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateAccessKeyCommand,
  UpdateGroupCommand,
  UpdateUserCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { rejects } from '../helpers/assertions.js';
import { RegistryHttp } from '../helpers/registry.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { addOtherAccount, iamClient, otherAccount } from './iam-client.js';

describe('IAM users, groups and access keys', () => {
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

  it('creates a user with an AIDA id, an ARN carrying its path, and tags', async () => {
    const { User } = await iam.send(new CreateUserCommand({ UserName: 'alice', Path: '/engineering/', Tags: [{ Key: 'team', Value: 'core' }] }));
    assert.match(User?.UserId ?? '', /^AIDA[A-Z2-7]{17}$/);
    assert.equal(User?.Arn, 'arn:aws:iam::000000000000:user/engineering/alice');
    assert.equal(User?.Path, '/engineering/');
    assert.ok(User?.CreateDate instanceof Date);
    assert.deepEqual(User?.Tags, [{ Key: 'team', Value: 'core' }]);
    const got = await iam.send(new GetUserCommand({ UserName: 'alice' }));
    assert.equal(got.User?.UserId, User?.UserId);
  });

  it('answers GetUser without a name with the caller: for root, the account', async () => {
    const { User } = await iam.send(new GetUserCommand({}));
    assert.equal(User?.Arn, 'arn:aws:iam::000000000000:root');
    assert.equal(User?.UserId, '000000000000');
  });

  it('answers IAM errors with their codes and words', async () => {
    await rejects(iam.send(new CreateUserCommand({ UserName: 'ALICE' })), 'EntityAlreadyExistsException', /^User with name ALICE already exists\.$/);
    await rejects(iam.send(new GetUserCommand({ UserName: 'nobody' })), 'NoSuchEntityException', /^The user with name nobody cannot be found\.$/);
    await rejects(
      iam.send(new CreateUserCommand({ UserName: 'a b' })),
      'ValidationError',
      /^1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\\w\+=,\.@-\]\+$/,
    );
    await rejects(iam.send(new CreateUserCommand({ UserName: 'x'.repeat(65) })), 'ValidationError', /at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64/);
    await rejects(iam.send(new CreateUserCommand({ UserName: 'pathless', Path: 'nope' })), 'ValidationError', /at 'path' failed to satisfy constraint/);
    await rejects(iam.send(new CreateUserCommand({} as never)), 'ValidationError', /Value null at 'userName' failed to satisfy constraint: Member must not be null/);
  });

  it('pages ListUsers with Marker and MaxItems, and filters by PathPrefix', async () => {
    for (const name of ['u1', 'u2', 'u3']) await iam.send(new CreateUserCommand({ UserName: name, Path: '/paged/' }));
    const first = await iam.send(new ListUsersCommand({ PathPrefix: '/paged/', MaxItems: 2 }));
    assert.deepEqual(first.Users?.map((user) => user.UserName), ['u1', 'u2']);
    assert.equal(first.IsTruncated, true);
    const second = await iam.send(new ListUsersCommand({ PathPrefix: '/paged/', MaxItems: 2, Marker: first.Marker }));
    assert.deepEqual(second.Users?.map((user) => user.UserName), ['u3']);
    assert.equal(second.IsTruncated, false);
    assert.equal(second.Marker, undefined);
    await rejects(iam.send(new ListUsersCommand({ MaxItems: 0 })), 'ValidationError', /at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1/);
  });

  it('tags and untags users', async () => {
    await iam.send(new TagUserCommand({ UserName: 'u1', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    await iam.send(new UntagUserCommand({ UserName: 'u1', TagKeys: ['a'] }));
    assert.deepEqual((await iam.send(new ListUserTagsCommand({ UserName: 'u1' }))).Tags, [{ Key: 'b', Value: '2' }]);
  });

  it('keeps group membership, lists it both ways, and refuses to delete a group with members', async () => {
    const { Group } = await iam.send(new CreateGroupCommand({ GroupName: 'devs' }));
    assert.match(Group?.GroupId ?? '', /^AGPA[A-Z2-7]{17}$/);
    assert.equal(Group?.Arn, 'arn:aws:iam::000000000000:group/devs');
    await iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'u1' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'u2' }));
    const got = await iam.send(new GetGroupCommand({ GroupName: 'devs' }));
    assert.deepEqual(got.Users?.map((user) => user.UserName), ['u1', 'u2']);
    assert.deepEqual((await iam.send(new ListGroupsForUserCommand({ UserName: 'u1' }))).Groups?.map((group) => group.GroupName), ['devs']);
    assert.deepEqual((await iam.send(new ListGroupsCommand({}))).Groups?.map((group) => group.GroupName), ['devs']);
    await rejects(iam.send(new CreateGroupCommand({ GroupName: 'DEVS' })), 'EntityAlreadyExistsException', /^Group with name DEVS already exists\.$/);
    await rejects(iam.send(new DeleteGroupCommand({ GroupName: 'devs' })), 'DeleteConflictException', /^Cannot delete entity, must remove users from group first\.$/);
    await rejects(iam.send(new DeleteUserCommand({ UserName: 'u2' })), 'DeleteConflictException', /^Cannot delete entity, must remove users from group first\.$/);
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'devs', UserName: 'u2' }));
    await iam.send(new DeleteUserCommand({ UserName: 'u2' }));
    await rejects(iam.send(new GetGroupCommand({ GroupName: 'nogroup' })), 'NoSuchEntityException', /^The group with name nogroup cannot be found\.$/);
    await iam.send(new UpdateGroupCommand({ GroupName: 'devs', NewGroupName: 'developers', NewPath: '/eng/' }));
    const renamed = await iam.send(new GetGroupCommand({ GroupName: 'developers' }));
    assert.equal(renamed.Group?.Arn, 'arn:aws:iam::000000000000:group/eng/developers');
    assert.deepEqual(renamed.Users?.map((user) => user.UserName), ['u1']);
    await iam.send(new UpdateGroupCommand({ GroupName: 'developers', NewGroupName: 'devs', NewPath: '/' }));
  });

  it('renames a user, carrying its group membership', async () => {
    await iam.send(new UpdateUserCommand({ UserName: 'u1', NewUserName: 'u1-renamed', NewPath: '/moved/' }));
    const { User } = await iam.send(new GetUserCommand({ UserName: 'u1-renamed' }));
    assert.equal(User?.Arn, 'arn:aws:iam::000000000000:user/moved/u1-renamed');
    assert.deepEqual((await iam.send(new GetGroupCommand({ GroupName: 'devs' }))).Users?.map((user) => user.UserName), ['u1-renamed']);
    await rejects(iam.send(new GetUserCommand({ UserName: 'u1' })), 'NoSuchEntityException');
  });

  it('creates access keys that sign requests at once, and stop at once when made Inactive or deleted', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'ci' }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'ci', PolicyArn: 'arn:aws:iam::aws:policy/AmazonECS_FullAccess' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'ci' }));
    assert.match(AccessKey?.AccessKeyId ?? '', /^AKIA[A-Z2-7]{16}$/);
    assert.equal(AccessKey?.Status, 'Active');
    const credentials = { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string };
    const sts = new STSClient({ endpoint: berth.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    const ecs = berth.ecs('us-east-1', credentials);
    try {
      const identity = await sts.send(new GetCallerIdentityCommand({}));
      assert.equal(identity.Arn, 'arn:aws:iam::000000000000:user/ci');
      assert.equal(identity.UserId, (await iam.send(new GetUserCommand({ UserName: 'ci' }))).User?.UserId);
      await ecs.send(new ListClustersCommand({}));
      const listed = await iam.send(new ListAccessKeysCommand({ UserName: 'ci' }));
      assert.deepEqual(listed.AccessKeyMetadata?.map((key) => [key.AccessKeyId, key.Status, key.UserName]), [[credentials.accessKeyId, 'Active', 'ci']]);
      const lastUsed = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: credentials.accessKeyId }));
      assert.equal(lastUsed.UserName, 'ci');
      // The first use (STS) is recorded; the ECS call within the hour after it is not written again.
      assert.equal(lastUsed.AccessKeyLastUsed?.ServiceName, 'sts');
      assert.equal(lastUsed.AccessKeyLastUsed?.Region, 'us-east-1');
      assert.ok(lastUsed.AccessKeyLastUsed?.LastUsedDate instanceof Date);

      await iam.send(new UpdateAccessKeyCommand({ UserName: 'ci', AccessKeyId: credentials.accessKeyId, Status: 'Inactive' }));
      await rejects(ecs.send(new ListClustersCommand({})), 'UnrecognizedClientException', /^The security token included in the request is invalid\.$/);
      await rejects(sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId');
      assert.equal((await iam.send(new ListAccessKeysCommand({ UserName: 'ci' }))).AccessKeyMetadata?.[0]?.Status, 'Inactive');
      await iam.send(new UpdateAccessKeyCommand({ UserName: 'ci', AccessKeyId: credentials.accessKeyId, Status: 'Active' }));
      await ecs.send(new ListClustersCommand({}));

      await rejects(iam.send(new DeleteUserCommand({ UserName: 'ci' })), 'DeleteConflictException', /^Cannot delete entity, must delete access keys first\.$/);
      await iam.send(new DeleteAccessKeyCommand({ UserName: 'ci', AccessKeyId: credentials.accessKeyId }));
      await rejects(ecs.send(new ListClustersCommand({})), 'UnrecognizedClientException');
      await rejects(
        iam.send(new DeleteAccessKeyCommand({ UserName: 'ci', AccessKeyId: credentials.accessKeyId })),
        'NoSuchEntityException',
        new RegExp(`^The Access Key with id ${credentials.accessKeyId} cannot be found\\.$`),
      );
    } finally {
      sts.destroy();
      ecs.destroy();
    }
  });

  it("stops a key's registry tokens at once when the key is made Inactive or deleted", async () => {
    await iam.send(new CreateUserCommand({ UserName: 'puller' }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'puller', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'puller' }));
    const credentials = { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string };
    const registry = await RegistryHttp.login(berth, credentials);
    assert.equal((await registry.fetch('/v2/')).status, 200);
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'puller', AccessKeyId: credentials.accessKeyId, Status: 'Inactive' }));
    assert.equal((await registry.fetch('/v2/')).status, 401);
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'puller', AccessKeyId: credentials.accessKeyId, Status: 'Active' }));
    assert.equal((await registry.fetch('/v2/')).status, 200);
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'puller', AccessKeyId: credentials.accessKeyId }));
    assert.equal((await registry.fetch('/v2/')).status, 401);
  });

  it('holds a user to two access keys, and lets a user with a key manage its own keys', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'twokeys' }));
    // AWS's "manage your own credentials" pattern: the user's own ARN through ${aws:username}.
    const ownUser = { Effect: 'Allow', Action: ['iam:GetUser', 'iam:ListAccessKeys'], Resource: 'arn:aws:iam::*:user/${aws:username}' };
    await iam.send(new PutUserPolicyCommand({ UserName: 'twokeys', PolicyName: 'own-keys', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [ownUser] }) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'twokeys' }));
    const unused = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: AccessKey?.AccessKeyId }));
    assert.deepEqual(unused.AccessKeyLastUsed, { ServiceName: 'N/A', Region: 'N/A' });
    await iam.send(new CreateAccessKeyCommand({ UserName: 'twokeys' }));
    await rejects(iam.send(new CreateAccessKeyCommand({ UserName: 'twokeys' })), 'LimitExceededException', /^Cannot exceed quota for AccessKeysPerUser: 2$/);
    const own = iamClient(berth, { accessKeyId: AccessKey?.AccessKeyId as string, secretAccessKey: AccessKey?.SecretAccessKey as string });
    try {
      const { User } = await own.send(new GetUserCommand({}));
      assert.equal(User?.UserName, 'twokeys');
      assert.equal((await own.send(new ListAccessKeysCommand({}))).AccessKeyMetadata?.length, 2);
    } finally {
      own.destroy();
    }
  });

  it('keeps accounts apart', async () => {
    const other = iamClient(berth, otherAccount);
    try {
      await rejects(other.send(new GetUserCommand({ UserName: 'alice' })), 'NoSuchEntityException');
      await other.send(new CreateUserCommand({ UserName: 'alice' }));
      const { User } = await other.send(new GetUserCommand({ UserName: 'alice' }));
      assert.equal(User?.Arn, `arn:aws:iam::${otherAccount.accountId}:user/alice`);
      assert.deepEqual((await other.send(new ListUsersCommand({}))).Users?.map((user) => user.UserName), ['alice']);
    } finally {
      other.destroy();
    }
  });

  it('deletes a user and its access keys with an account reset, and keeps the root credentials', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'reset-me' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'reset-me' }));
    await berth.server.store.reset({ kind: 'account', accountId: '000000000000' });
    assert.equal(await berth.server.store.read((tx) => tx.credentials.get(AccessKey?.AccessKeyId as string)), undefined);
    assert.deepEqual((await iam.send(new ListUsersCommand({}))).Users, []);
    const other = iamClient(berth, otherAccount);
    try {
      assert.deepEqual((await other.send(new ListUsersCommand({}))).Users?.map((user) => user.UserName), ['alice']);
    } finally {
      other.destroy();
    }
  });
});
