/** resolveSecretString: how the ECS control plane reads repositoryCredentials.credentialsParameter. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { resolveSecretString } from '../../src/secretsmanager/index.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';

describe('resolveSecretString', () => {
  let berth: TestBerth;
  let sm: SecretsManagerClient;
  let arn: string;
  const resolve = (secretId: string, accountId = '000000000000', region = 'us-east-1') =>
    berth.server.store.read((tx) => resolveSecretString(tx, accountId, region, secretId));

  before(async () => {
    berth = await startBerth();
    sm = berth.secretsManager();
    const created = await sm.send(new CreateSecretCommand({ Name: 'registry/creds', SecretString: '{"username":"u","password":"p1"}' }));
    arn = created.ARN as string;
  });
  after(async () => berth.close());

  it('finds the current value by full ARN, name and partial ARN', async () => {
    for (const secretId of [arn, 'registry/creds', arn.slice(0, -7)]) {
      assert.equal(await resolve(secretId), '{"username":"u","password":"p1"}', secretId);
    }
  });

  it('follows AWSCURRENT to the newest value', async () => {
    await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: '{"username":"u","password":"p2"}' }));
    assert.equal(await resolve(arn), '{"username":"u","password":"p2"}');
    await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'pending', VersionStages: ['AWSPENDING'] }));
    assert.equal(await resolve(arn), '{"username":"u","password":"p2"}');
  });

  it('answers undefined for a missing, deleted, valueless or binary secret, or one of another account or region', async () => {
    assert.equal(await resolve('registry/missing'), undefined);
    assert.equal(await resolve('not a valid name'), undefined);
    assert.equal(await resolve(arn, '111111111111'), undefined);
    assert.equal(await resolve(arn, '000000000000', 'eu-west-1'), undefined);
    assert.equal(await resolve('registry/creds', '000000000000', 'eu-west-1'), undefined);

    await sm.send(new CreateSecretCommand({ Name: 'no-value' }));
    assert.equal(await resolve('no-value'), undefined);
    await sm.send(new CreateSecretCommand({ Name: 'binary', SecretBinary: Uint8Array.from([1, 2, 3]) }));
    assert.equal(await resolve('binary'), undefined);

    await sm.send(new DeleteSecretCommand({ SecretId: arn }));
    assert.equal(await resolve(arn), undefined);
    await sm.send(new RestoreSecretCommand({ SecretId: arn }));
    assert.equal(await resolve(arn), '{"username":"u","password":"p2"}');
  });
});
