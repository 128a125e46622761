import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { signedFetch } from '../../src/cli/signed-fetch.js';
import { rejects } from '../helpers/assertions.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';

const arnPattern = (name: string, region = 'us-east-1', account = '000000000000') =>
  new RegExp(`^arn:aws:secretsmanager:${region}:${account}:secret:${name.replace(/[.+/]/g, '\\$&')}-[A-Za-z0-9]{6}$`);
const token = (n: number) => `token-${String(n).padStart(4, '0')}-aaaaaaaaaaaaaaaaaaaaaaaaa`;
const notFound = /^Secrets Manager can't find the specified secret\.$/;
const markedForDeletion = /^You can't perform this operation on the secret because it was marked for deletion\.$/;
const dayOf = (date: Date) => Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());

describe('Secrets Manager', () => {
  let berth: TestBerth;
  let sm: SecretsManagerClient;
  before(async () => {
    berth = await startBerth();
    sm = berth.secretsManager();
  });
  after(async () => berth.close());

  it('creates a secret and reads it by name, full ARN and partial ARN', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'prod/registry', SecretString: '{"username":"u","password":"p"}' }));
    assert.match(created.ARN ?? '', arnPattern('prod/registry'));
    assert.equal(created.Name, 'prod/registry');
    assert.match(created.VersionId ?? '', /^[0-9a-f-]{36}$/);
    const arn = created.ARN as string;
    for (const secretId of ['prod/registry', arn, arn.slice(0, -7)]) {
      const value = await sm.send(new GetSecretValueCommand({ SecretId: secretId }));
      assert.equal(value.ARN, arn);
      assert.equal(value.Name, 'prod/registry');
      assert.equal(value.VersionId, created.VersionId);
      assert.equal(value.SecretString, '{"username":"u","password":"p"}');
      assert.equal(value.SecretBinary, undefined);
      assert.deepEqual(value.VersionStages, ['AWSCURRENT']);
      assert.ok(value.CreatedDate instanceof Date && Math.abs(value.CreatedDate.getTime() - Date.now()) < 60_000);
    }
  });

  it('takes a partial ARN ending like a random suffix as a full ARN, as AWS does', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'looks-abc123', SecretString: 'x' }));
    await rejects(sm.send(new GetSecretValueCommand({ SecretId: (created.ARN as string).slice(0, -7) })), 'ResourceNotFoundException', notFound);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'looks-abc123' }))).SecretString, 'x');
  });

  it('stores binary secrets', async () => {
    const bytes = Uint8Array.from([0, 1, 2, 250, 255]);
    await sm.send(new CreateSecretCommand({ Name: 'binary', SecretBinary: bytes }));
    const value = await sm.send(new GetSecretValueCommand({ SecretId: 'binary' }));
    assert.deepEqual(Uint8Array.from(value.SecretBinary ?? []), bytes);
    assert.equal(value.SecretString, undefined);
  });

  it('creates a secret without a value, which has no version until one is put', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'empty' }));
    assert.equal(created.VersionId, undefined);
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: 'empty' }))).VersionIdsToStages, undefined);
    await rejects(
      sm.send(new GetSecretValueCommand({ SecretId: 'empty' })),
      'ResourceNotFoundException',
      /^Secrets Manager can't find the specified secret value for staging label: AWSCURRENT$/,
    );
    const put = await sm.send(new PutSecretValueCommand({ SecretId: 'empty', SecretString: 'now' }));
    assert.deepEqual(put.VersionStages, ['AWSCURRENT']);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'empty' }))).SecretString, 'now');
  });

  it('refuses a second secret of the same name, but answers a retry of the same request as before', async () => {
    const first = await sm.send(new CreateSecretCommand({ Name: 'once', SecretString: 'v1', ClientRequestToken: token(1) }));
    assert.equal(first.VersionId, token(1));
    const retried = await sm.send(new CreateSecretCommand({ Name: 'once', SecretString: 'v1', ClientRequestToken: token(1) }));
    assert.deepEqual({ ARN: retried.ARN, Name: retried.Name, VersionId: retried.VersionId }, { ARN: first.ARN, Name: 'once', VersionId: token(1) });
    await rejects(
      sm.send(new CreateSecretCommand({ Name: 'once', SecretString: 'v2', ClientRequestToken: token(1) })),
      'ResourceExistsException',
      /can't modify an existing version/,
    );
    await rejects(sm.send(new CreateSecretCommand({ Name: 'once', SecretString: 'v1' })), 'ResourceExistsException', /the secret once already exists/);
  });

  it('describes a secret: description, tags, versions, and the dates it was changed and read', async () => {
    const created = await sm.send(
      new CreateSecretCommand({ Name: 'described', Description: 'registry login', SecretString: 's', Tags: [{ Key: 'team', Value: 'web' }] }),
    );
    const before = await sm.send(new DescribeSecretCommand({ SecretId: 'described' }));
    assert.equal(before.ARN, created.ARN);
    assert.equal(before.Name, 'described');
    assert.equal(before.Description, 'registry login');
    assert.deepEqual(before.Tags, [{ Key: 'team', Value: 'web' }]);
    assert.deepEqual(before.VersionIdsToStages, { [created.VersionId as string]: ['AWSCURRENT'] });
    assert.ok(before.CreatedDate instanceof Date);
    assert.equal(before.LastChangedDate?.getTime(), before.CreatedDate?.getTime());
    assert.equal(before.LastAccessedDate, undefined);
    assert.equal(before.DeletedDate, undefined);
    assert.equal(before.KmsKeyId, undefined);
    assert.equal(before.RotationEnabled, undefined);

    await sm.send(new GetSecretValueCommand({ SecretId: 'described' }));
    const after = await sm.send(new DescribeSecretCommand({ SecretId: created.ARN }));
    assert.equal(after.LastAccessedDate?.getTime(), dayOf(new Date()));
  });

  it('puts new versions: the new one becomes AWSCURRENT and the one before AWSPREVIOUS', async () => {
    const v1 = await sm.send(new CreateSecretCommand({ Name: 'rotating', SecretString: 'one', ClientRequestToken: token(11) }));
    const v2 = await sm.send(new PutSecretValueCommand({ SecretId: 'rotating', SecretString: 'two', ClientRequestToken: token(12) }));
    assert.deepEqual({ ARN: v2.ARN, Name: v2.Name, VersionId: v2.VersionId, VersionStages: v2.VersionStages }, {
      ARN: v1.ARN,
      Name: 'rotating',
      VersionId: token(12),
      VersionStages: ['AWSCURRENT'],
    });
    const previous = await sm.send(new GetSecretValueCommand({ SecretId: 'rotating', VersionStage: 'AWSPREVIOUS' }));
    assert.deepEqual([previous.VersionId, previous.SecretString, previous.VersionStages], [token(11), 'one', ['AWSPREVIOUS']]);

    await sm.send(new PutSecretValueCommand({ SecretId: 'rotating', SecretString: 'three', ClientRequestToken: token(13) }));
    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'rotating' }));
    assert.deepEqual(described.VersionIdsToStages, { [token(12)]: ['AWSPREVIOUS'], [token(13)]: ['AWSCURRENT'] });
    // A version without labels is deprecated, yet still readable by its VersionId.
    const oldest = await sm.send(new GetSecretValueCommand({ SecretId: 'rotating', VersionId: token(11) }));
    assert.deepEqual([oldest.SecretString, oldest.VersionStages], ['one', []]);

    await rejects(
      sm.send(new GetSecretValueCommand({ SecretId: 'rotating', VersionId: token(12), VersionStage: 'AWSCURRENT' })),
      'InvalidRequestException',
      /VersionStage that is not associated to the provided VersionId/,
    );
    await rejects(
      sm.send(new GetSecretValueCommand({ SecretId: 'rotating', VersionId: token(99) })),
      'ResourceNotFoundException',
      new RegExp(`^Secrets Manager can't find the specified secret value for VersionId: ${token(99)}$`),
    );
    await rejects(
      sm.send(new GetSecretValueCommand({ SecretId: 'rotating', VersionStage: 'AWSPENDING' })),
      'ResourceNotFoundException',
      /for staging label: AWSPENDING$/,
    );
  });

  it('puts a version under custom labels without moving AWSCURRENT, and treats a repeated token as a retry', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'staged', SecretString: 'live', ClientRequestToken: token(21) }));
    const pending = await sm.send(
      new PutSecretValueCommand({ SecretId: 'staged', SecretString: 'next', ClientRequestToken: token(22), VersionStages: ['AWSPENDING', 'canary'] }),
    );
    assert.deepEqual(pending.VersionStages, ['AWSPENDING', 'canary']);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'staged' }))).SecretString, 'live');
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'staged', VersionStage: 'canary' }))).SecretString, 'next');

    const again = await sm.send(
      new PutSecretValueCommand({ SecretId: 'staged', SecretString: 'next', ClientRequestToken: token(22), VersionStages: ['AWSPENDING', 'canary'] }),
    );
    assert.equal(again.VersionId, token(22));
    assert.equal(Object.keys((await sm.send(new DescribeSecretCommand({ SecretId: 'staged' }))).VersionIdsToStages ?? {}).length, 2);
    await rejects(
      sm.send(new PutSecretValueCommand({ SecretId: 'staged', SecretString: 'other', ClientRequestToken: token(22) })),
      'ResourceExistsException',
      /can't modify an existing version/,
    );
    await rejects(sm.send(new PutSecretValueCommand({ SecretId: 'staged' })), 'InvalidRequestException', /either SecretString or SecretBinary/);
  });

  it('updates the description and the value', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'updated', SecretString: 'a' }));
    const described = await sm.send(new UpdateSecretCommand({ SecretId: 'updated', Description: 'now described' }));
    assert.deepEqual([described.ARN, described.Name, described.VersionId], [created.ARN, 'updated', undefined]);
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: 'updated' }))).Description, 'now described');

    const changed = await sm.send(new UpdateSecretCommand({ SecretId: created.ARN, SecretString: 'b' }));
    assert.ok(changed.VersionId && changed.VersionId !== created.VersionId);
    const value = await sm.send(new GetSecretValueCommand({ SecretId: 'updated' }));
    assert.deepEqual([value.SecretString, value.VersionId], ['b', changed.VersionId]);
    const after = await sm.send(new DescribeSecretCommand({ SecretId: 'updated' }));
    assert.deepEqual(after.VersionIdsToStages, { [created.VersionId as string]: ['AWSPREVIOUS'], [changed.VersionId]: ['AWSCURRENT'] });
    assert.equal(after.Description, 'now described');

    await rejects(
      sm.send(new UpdateSecretCommand({ SecretId: 'updated', SecretString: 'c', SecretBinary: Uint8Array.from([1]) })),
      'InvalidParameterException',
      /can't specify both a binary secret value and a string secret value/,
    );
  });

  it('tags and untags a secret', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'tagged', SecretString: 't', Tags: [{ Key: 'a', Value: '1' }] }));
    await sm.send(new TagResourceCommand({ SecretId: 'tagged', Tags: [{ Key: 'a', Value: '2' }, { Key: 'b', Value: '3' }] }));
    assert.deepEqual((await sm.send(new DescribeSecretCommand({ SecretId: 'tagged' }))).Tags, [{ Key: 'a', Value: '2' }, { Key: 'b', Value: '3' }]);
    await sm.send(new UntagResourceCommand({ SecretId: 'tagged', TagKeys: ['a', 'missing'] }));
    assert.deepEqual((await sm.send(new DescribeSecretCommand({ SecretId: 'tagged' }))).Tags, [{ Key: 'b', Value: '3' }]);

    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejects(sm.send(new TagResourceCommand({ SecretId: 'tagged', Tags: many })), 'InvalidParameterException', /at most 50 tags/);
    await rejects(sm.send(new TagResourceCommand({ SecretId: 'tagged', Tags: [{ Key: 'aws:x', Value: 'v' }] })), 'InvalidParameterException', /aws:/);
    await rejects(
      sm.send(new TagResourceCommand({ SecretId: 'tagged', Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] })),
      'ValidationException',
      /at 'tags\.1\.member\.key' failed to satisfy constraint: Member must have length less than or equal to 128/,
    );
  });

  it('schedules a deletion: the secret is unusable but described, and can be restored', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'doomed', SecretString: 'd' }));
    const deleted = await sm.send(new DeleteSecretCommand({ SecretId: 'doomed' }));
    assert.deepEqual([deleted.ARN, deleted.Name], [created.ARN, 'doomed']);
    const thirtyDays = Date.now() + 30 * 86_400_000;
    assert.ok(Math.abs((deleted.DeletionDate?.getTime() ?? 0) - thirtyDays) < 60_000, `DeletionDate ${deleted.DeletionDate?.toISOString()} is 30 days away`);

    await rejects(sm.send(new GetSecretValueCommand({ SecretId: 'doomed' })), 'InvalidRequestException', markedForDeletion);
    await rejects(sm.send(new PutSecretValueCommand({ SecretId: 'doomed', SecretString: 'x' })), 'InvalidRequestException', markedForDeletion);
    await rejects(sm.send(new UpdateSecretCommand({ SecretId: 'doomed', Description: 'x' })), 'InvalidRequestException', markedForDeletion);
    await rejects(sm.send(new TagResourceCommand({ SecretId: 'doomed', Tags: [{ Key: 'k', Value: 'v' }] })), 'InvalidRequestException', markedForDeletion);
    await rejects(sm.send(new DeleteSecretCommand({ SecretId: 'doomed' })), 'InvalidRequestException', markedForDeletion);
    await rejects(sm.send(new CreateSecretCommand({ Name: 'doomed', SecretString: 'again' })), 'InvalidRequestException', /already scheduled for deletion/);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'doomed' }));
    assert.ok(described.DeletedDate instanceof Date && Math.abs(described.DeletedDate.getTime() - Date.now()) < 60_000);

    const restored = await sm.send(new RestoreSecretCommand({ SecretId: created.ARN }));
    assert.deepEqual([restored.ARN, restored.Name], [created.ARN, 'doomed']);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'doomed' }))).SecretString, 'd');
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: 'doomed' }))).DeletedDate, undefined);
  });

  it('checks the recovery window and refuses it together with a forced deletion', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'windowed', SecretString: 'w' }));
    for (const days of [6, 31]) {
      await rejects(
        sm.send(new DeleteSecretCommand({ SecretId: 'windowed', RecoveryWindowInDays: days })),
        'InvalidParameterException',
        /RecoveryWindowInDays value must be between 7 and 30 days/,
      );
    }
    await rejects(
      sm.send(new DeleteSecretCommand({ SecretId: 'windowed', RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })),
      'InvalidParameterException',
      /can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays/,
    );
    const deleted = await sm.send(new DeleteSecretCommand({ SecretId: 'windowed', RecoveryWindowInDays: 7 }));
    assert.ok(Math.abs((deleted.DeletionDate?.getTime() ?? 0) - (Date.now() + 7 * 86_400_000)) < 60_000);
  });

  it('deletes at once when forced, freeing the name; forcing the deletion of a missing secret is not an error', async () => {
    const first = await sm.send(new CreateSecretCommand({ Name: 'forced', SecretString: 'f' }));
    const deleted = await sm.send(new DeleteSecretCommand({ SecretId: 'forced', ForceDeleteWithoutRecovery: true }));
    assert.equal(deleted.ARN, first.ARN);
    assert.ok(Math.abs((deleted.DeletionDate?.getTime() ?? 0) - Date.now()) < 60_000);
    await rejects(sm.send(new DescribeSecretCommand({ SecretId: 'forced' })), 'ResourceNotFoundException', notFound);
    await rejects(sm.send(new RestoreSecretCommand({ SecretId: 'forced' })), 'ResourceNotFoundException', notFound);
    const second = await sm.send(new CreateSecretCommand({ Name: 'forced', SecretString: 'g' }));
    assert.notEqual(second.ARN, first.ARN);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'forced' }))).SecretString, 'g');

    const ghost = await sm.send(new DeleteSecretCommand({ SecretId: 'never-existed', ForceDeleteWithoutRecovery: true }));
    assert.equal(ghost.Name, 'never-existed');
    await rejects(sm.send(new DeleteSecretCommand({ SecretId: 'never-existed' })), 'ResourceNotFoundException', notFound);
  });

  it('removes a secret for good once its recovery window has passed', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'expired', SecretString: 'e' }));
    await sm.send(new DeleteSecretCommand({ SecretId: 'expired', RecoveryWindowInDays: 7 }));
    await berth.server.store.write(async (tx) => {
      const record = await tx.secrets.get(created.ARN as string);
      assert.ok(record);
      await tx.secrets.put({ ...record, purgeDate: Date.now() / 1000 - 1 });
    });
    await rejects(sm.send(new DescribeSecretCommand({ SecretId: 'expired' })), 'ResourceNotFoundException', notFound);
    const listed = await sm.send(new ListSecretsCommand({ IncludePlannedDeletion: true, Filters: [{ Key: 'name', Values: ['expired'] }] }));
    assert.deepEqual(listed.SecretList, []);
    const again = await sm.send(new CreateSecretCommand({ Name: 'expired', SecretString: 'new' }));
    assert.notEqual(again.ARN, created.ARN);
  });

  it('answers ResourceNotFoundException for a secret that does not exist, in every operation', async () => {
    const missing = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:missing-AbCdEf';
    const calls: Promise<unknown>[] = [
      sm.send(new GetSecretValueCommand({ SecretId: 'missing' })),
      sm.send(new DescribeSecretCommand({ SecretId: missing })),
      sm.send(new PutSecretValueCommand({ SecretId: 'missing', SecretString: 'x' })),
      sm.send(new UpdateSecretCommand({ SecretId: 'missing', Description: 'x' })),
      sm.send(new DeleteSecretCommand({ SecretId: 'missing' })),
      sm.send(new RestoreSecretCommand({ SecretId: 'missing' })),
      sm.send(new TagResourceCommand({ SecretId: 'missing', Tags: [{ Key: 'k', Value: 'v' }] })),
      sm.send(new UntagResourceCommand({ SecretId: 'missing', TagKeys: ['k'] })),
    ];
    for (const call of calls) await rejects(call, 'ResourceNotFoundException', notFound);
  });

  it('answers malformed input with ValidationException naming the member', async () => {
    const invalidName = /^Invalid name\. Must be a valid name containing alphanumeric characters, or any of the following: -\/_\+=\.@!$/;
    await rejects(sm.send(new CreateSecretCommand({ Name: 'has space', SecretString: 'x' })), 'ValidationException', invalidName);
    await rejects(sm.send(new GetSecretValueCommand({ SecretId: 'bad*id' })), 'ValidationException', invalidName);
    await rejects(
      sm.send(new CreateSecretCommand({ Name: 'n'.repeat(513), SecretString: 'x' })),
      'ValidationException',
      /at 'name' failed to satisfy constraint: Member must have length less than or equal to 512/,
    );
    await rejects(
      sm.send(new CreateSecretCommand({ Name: 'short-token', SecretString: 'x', ClientRequestToken: 'abc' })),
      'ValidationException',
      /Value 'abc' at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 32/,
    );
    await rejects(
      sm.send(new CreateSecretCommand({ Name: 'long-description', SecretString: 'x', Description: 'd'.repeat(2049) })),
      'ValidationException',
      /at 'description' failed to satisfy constraint/,
    );
    await rejects(
      sm.send(new CreateSecretCommand({ Name: 'too-big', SecretString: 'x'.repeat(65537) })),
      'ValidationException',
      /^1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536$/,
    );
    await rejects(
      sm.send(new CreateSecretCommand({ Name: 'both', SecretString: 'x', SecretBinary: Uint8Array.from([1]) })),
      'InvalidParameterException',
      /both a binary secret value and a string secret value/,
    );
    await rejects(sm.send(new GetSecretValueCommand({ SecretId: undefined as unknown as string })), 'ValidationException', /Value null at 'secretId'/);
  });

  it('keeps each account and region to its own secrets', async () => {
    const other = { accessKeyId: 'AKIATESTOTHERACCT001', secretAccessKey: 'other-account-secret-key-for-berth-tests-1' };
    await berth.server.store.write((tx) =>
      tx.credentials.put({ ...other, accountId: '111111111111', principalArn: 'arn:aws:iam::111111111111:root', isRoot: true, createdAt: 0 }),
    );
    const mine = await sm.send(new CreateSecretCommand({ Name: 'shared-name', SecretString: 'mine' }));
    const theirs = berth.secretsManager('us-east-1', other);
    await rejects(theirs.send(new GetSecretValueCommand({ SecretId: 'shared-name' })), 'ResourceNotFoundException', notFound);
    // By ARN it is a cross-account call: without a resource policy allowing it, AWS's AccessDenied.
    const crossAccount = (action: string) => new RegExp(`^User: arn:aws:iam::111111111111:root is not authorized to perform: ${action} on resource: ${mine.ARN} because no resource-based policy allows the ${action} action$`);
    await rejects(theirs.send(new GetSecretValueCommand({ SecretId: mine.ARN })), 'AccessDeniedException', crossAccount('secretsmanager:GetSecretValue'));
    await rejects(theirs.send(new DeleteSecretCommand({ SecretId: mine.ARN })), 'AccessDeniedException', crossAccount('secretsmanager:DeleteSecret'));
    const created = await theirs.send(new CreateSecretCommand({ Name: 'shared-name', SecretString: 'theirs' }));
    assert.match(created.ARN ?? '', arnPattern('shared-name', 'us-east-1', '111111111111'));
    assert.deepEqual((await theirs.send(new ListSecretsCommand({}))).SecretList?.map((entry) => entry.Name), ['shared-name']);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'shared-name' }))).SecretString, 'mine');

    const west = berth.secretsManager('us-west-2');
    await rejects(west.send(new GetSecretValueCommand({ SecretId: 'shared-name' })), 'ResourceNotFoundException', notFound);
    const westCreated = await west.send(new CreateSecretCommand({ Name: 'shared-name', SecretString: 'west' }));
    assert.match(westCreated.ARN ?? '', arnPattern('shared-name', 'us-west-2'));
  });

  it('keeps secrets, versions and deletions across a restart', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'durable', SecretString: 'v1', Tags: [{ Key: 'k', Value: 'v' }] }));
    await sm.send(new PutSecretValueCommand({ SecretId: 'durable', SecretString: 'v2' }));
    await sm.send(new CreateSecretCommand({ Name: 'durable-deleted', SecretString: 'x' }));
    await sm.send(new DeleteSecretCommand({ SecretId: 'durable-deleted' }));
    await berth.stop();
    await berth.restart();
    const again = berth.secretsManager();
    const value = await again.send(new GetSecretValueCommand({ SecretId: created.ARN }));
    assert.equal(value.SecretString, 'v2');
    const previous = await again.send(new GetSecretValueCommand({ SecretId: 'durable', VersionId: created.VersionId }));
    assert.deepEqual([previous.SecretString, previous.VersionStages], ['v1', ['AWSPREVIOUS']]);
    assert.deepEqual((await again.send(new DescribeSecretCommand({ SecretId: 'durable' }))).Tags, [{ Key: 'k', Value: 'v' }]);
    await rejects(again.send(new GetSecretValueCommand({ SecretId: 'durable-deleted' })), 'InvalidRequestException', markedForDeletion);
  });

  it('is emptied by a reset', async () => {
    const reset = await signedFetch(berth.url, '/_berth/reset', { credentials: testCredentials, region: 'us-east-1', service: 'berth' });
    assert.equal(reset.status, 200);
    const again = berth.secretsManager();
    assert.deepEqual((await again.send(new ListSecretsCommand({ IncludePlannedDeletion: true }))).SecretList, []);
    await again.send(new CreateSecretCommand({ Name: 'durable', SecretString: 'fresh' }));
  });
});
