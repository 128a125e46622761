/**
 * IAM's records in the store: the change feed reports every entity written (kind `iamEntity`,
 * labelled with its account and type), names are unique per account and type regardless of case,
 * and an installation reset deletes every IAM entity and IAM users' access keys but no root
 * credentials.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteUserCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateRoleDescriptionCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { identityPoliciesOf } from '../../src/iam/principal-policies.js';
import type { Change } from '../../src/store/changes.js';
import { StoreConflict } from '../../src/store/contract/core.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { ecsTasksTrust, iamClient, readSecrets } from './iam-client.js';

describe('IAM in the store', () => {
  let berth: TestBerth;
  let iam: IAMClient;
  before(async () => {
    berth = await startBerth();
    iam = iamClient(berth);
  });
  after(async () => {
    iam.destroy();
    await berth.close();
  });

  it('reports each entity written on the change feed, labelled with its account and type', async () => {
    const seen: Change[] = [];
    const subscription = berth.server.store.changes.watch({ kinds: ['iamEntity'] }, (batch) => seen.push(...batch.changes));
    try {
      await iam.send(new CreateUserCommand({ UserName: 'Watched' }));
      await iam.send(new DeleteUserCommand({ UserName: 'watched' }));
      const deadline = Date.now() + 5000;
      while (seen.length < 2 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(
        seen.map((change) => [change.key, change.op, change.labels]),
        [
          ['000000000000/user/watched', 'created', { account: '000000000000', iamType: 'user' }],
          ['000000000000/user/watched', 'deleted', { account: '000000000000', iamType: 'user' }],
        ],
      );
    } finally {
      subscription.close();
    }
  });

  it('keeps names unique per account and type regardless of case, and compares versions on update', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Shared', AssumeRolePolicyDocument: ecsTasksTrust }));
    const role = await berth.server.store.read((tx) => tx.iamEntities.get('000000000000', 'role', 'SHARED'));
    assert.equal(role?.name, 'Shared');
    const { Role } = await iam.send(new UpdateRoleDescriptionCommand({ RoleName: 'shared', Description: 'newer' }));
    assert.equal(Role?.Description, 'newer');
    // `role` was read before the update: writing it back is a conflict, not a lost update.
    await assert.rejects(berth.server.store.write((tx) => tx.iamEntities.put({ ...role!, description: 'stale' })), StoreConflict);
  });

  it("gathers a principal's identity-based policies for evaluation: its own, its groups', the default versions", async () => {
    const account = '000000000000';
    const allowAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    await iam.send(new CreateUserCommand({ UserName: 'evaluated', Path: '/team/' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'evaluated', PolicyName: 'own', PolicyDocument: readSecrets }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'evaluated', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'evaluators' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'evaluators', UserName: 'evaluated' }));
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'versioned', PolicyDocument: readSecrets }));
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: Policy?.Arn, PolicyDocument: allowAll, SetAsDefault: true }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'evaluators', PolicyArn: Policy?.Arn }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'shared', PolicyName: 'role-own', PolicyDocument: readSecrets }));
    const store = berth.server.store;
    const userPolicies = await store.read((tx) => identityPoliciesOf(tx, `arn:aws:iam::${account}:user/team/evaluated`));
    assert.deepEqual(
      userPolicies.map((policy) => [policy.holder.type, policy.holder.name, policy.source]),
      [
        ['user', 'evaluated', { kind: 'inline', name: 'own' }],
        ['user', 'evaluated', { kind: 'managed', arn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser', versionId: 'v3' }],
        ['group', 'evaluators', { kind: 'managed', arn: Policy?.Arn, versionId: 'v2' }],
      ],
    );
    assert.equal(userPolicies[2]?.document, allowAll);
    assert.ok(JSON.parse(userPolicies[1]?.document ?? '{}').Statement[0].Action.includes('ecr:PutImage'));
    const sessionPolicies = await store.read((tx) => identityPoliciesOf(tx, `arn:aws:sts::${account}:assumed-role/shared/session-1`));
    assert.deepEqual(sessionPolicies.map((policy) => policy.source), [{ kind: 'inline', name: 'role-own' }]);
    assert.deepEqual(await store.read((tx) => identityPoliciesOf(tx, `arn:aws:iam::${account}:user/evaluated`)), [], 'an ARN with another path is another user');
    assert.deepEqual(await store.read((tx) => identityPoliciesOf(tx, `arn:aws:iam::${account}:root`)), []);
  });

  it('deletes every IAM entity and users’ access keys with an installation reset, keeping root credentials', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'gone' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'gone' }));
    await berth.server.store.reset({ kind: 'installation' });
    await berth.server.store.read(async (tx) => {
      assert.deepEqual(await tx.iamEntities.list('000000000000', 'user'), []);
      assert.deepEqual(await tx.iamEntities.list('000000000000', 'role'), []);
      assert.equal(await tx.credentials.get(AccessKey?.AccessKeyId as string), undefined);
      assert.ok(await tx.credentials.get(testCredentials.accessKeyId));
    });
  });
});
