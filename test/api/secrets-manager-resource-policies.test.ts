/**
 * Secrets Manager resource policies through the AWS SDK: stored with the secret as sent, read back,
 * deleted; refused when malformed, when BlockPublicPolicy finds broad access, on a secret marked
 * for deletion; ValidateResourcePolicy's verdicts; and the lookup enforcement uses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateSecretCommand,
  DeleteResourcePolicyCommand,
  DeleteSecretCommand,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
  ValidateResourcePolicyCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { secretResourcePolicy } from '../../src/secretsmanager/index.js';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';

const readerPolicy = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [{ Sid: 'TaskReads', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:role/app' }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }],
  },
  null,
  2,
);
const everyone = (condition?: Record<string, unknown>) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Anyone', Effect: 'Allow', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*', ...(condition ? { Condition: condition } : {}) }] });

describe('Secrets Manager resource policies', () => {
  let berth: TestBerth;
  let sm: SecretsManagerClient;
  let arn: string;
  before(async () => {
    berth = await startBerth();
    sm = berth.secretsManager();
    arn = (await sm.send(new CreateSecretCommand({ Name: 'db', SecretString: 'pw' }))).ARN!;
  });
  after(async () => berth.close());

  it('stores a policy with the secret as sent, answers it, and deletes it', async () => {
    assert.deepEqual(await sm.send(new GetResourcePolicyCommand({ SecretId: 'db' })).then(({ ARN, Name, ResourcePolicy }) => ({ ARN, Name, ResourcePolicy })), { ARN: arn, Name: 'db', ResourcePolicy: undefined });
    const put = await sm.send(new PutResourcePolicyCommand({ SecretId: 'db', ResourcePolicy: readerPolicy, BlockPublicPolicy: true }));
    assert.deepEqual([put.ARN, put.Name], [arn, 'db']);
    assert.equal((await sm.send(new GetResourcePolicyCommand({ SecretId: arn }))).ResourcePolicy, readerPolicy);
    assert.equal(await berth.server.store.read((tx) => secretResourcePolicy(tx, arn)), readerPolicy);
    const deleted = await sm.send(new DeleteResourcePolicyCommand({ SecretId: 'db' }));
    assert.deepEqual([deleted.ARN, deleted.Name], [arn, 'db']);
    assert.equal((await sm.send(new GetResourcePolicyCommand({ SecretId: 'db' }))).ResourcePolicy, undefined);
    assert.equal(await berth.server.store.read((tx) => secretResourcePolicy(tx, arn)), undefined);
    // Deleting again changes nothing.
    await sm.send(new DeleteResourcePolicyCommand({ SecretId: 'db' }));
  });

  it('refuses a malformed policy, and one without a principal, in AWS words', async () => {
    await rejects(sm.send(new PutResourcePolicyCommand({ SecretId: 'db', ResourcePolicy: '{"Version": "2012-10-17", "Statement": [' })), 'MalformedPolicyDocumentException', /^This policy has invalid syntax\.$/);
    const noPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }] });
    await rejects(sm.send(new PutResourcePolicyCommand({ SecretId: 'db', ResourcePolicy: noPrincipal })), 'MalformedPolicyDocumentException', /^This policy has invalid syntax\.$/);
    assert.equal((await sm.send(new GetResourcePolicyCommand({ SecretId: 'db' }))).ResourcePolicy, undefined, 'nothing is stored');
  });

  it('blocks broad access only when asked, and not when a condition limits the caller', async () => {
    await rejects(
      sm.send(new PutResourcePolicyCommand({ SecretId: 'db', ResourcePolicy: everyone(), BlockPublicPolicy: true })),
      'PublicPolicyException',
      /^The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret\.$/,
    );
    // A condition on an IfExists form lets requests without the key through: still broad.
    await rejects(
      sm.send(new PutResourcePolicyCommand({ SecretId: 'db', ResourcePolicy: everyone({ StringEqualsIfExists: { 'aws:PrincipalAccount': '000000000000' } }), BlockPublicPolicy: true })),
      'PublicPolicyException',
    );
    const pinned = everyone({ StringEquals: { 'aws:PrincipalAccount': '000000000000' } });
    await sm.send(new PutResourcePolicyCommand({ SecretId: 'db', ResourcePolicy: pinned, BlockPublicPolicy: true }));
    assert.equal((await sm.send(new GetResourcePolicyCommand({ SecretId: 'db' }))).ResourcePolicy, pinned);
    // Without BlockPublicPolicy, Secrets Manager stores it.
    await sm.send(new PutResourcePolicyCommand({ SecretId: 'db', ResourcePolicy: everyone() }));
    assert.equal((await sm.send(new GetResourcePolicyCommand({ SecretId: 'db' }))).ResourcePolicy, everyone());
  });

  it('validates a policy without storing it', async () => {
    assert.deepEqual(
      await sm.send(new ValidateResourcePolicyCommand({ SecretId: 'db', ResourcePolicy: readerPolicy })).then(({ PolicyValidationPassed, ValidationErrors }) => ({ PolicyValidationPassed, ValidationErrors })),
      { PolicyValidationPassed: true, ValidationErrors: [] },
    );
    const broad = await sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: everyone() }));
    assert.equal(broad.PolicyValidationPassed, false);
    assert.equal(broad.ValidationErrors?.[0]?.CheckName, 'BROAD_ACCESS');
    await rejects(sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: 'not json' })), 'MalformedPolicyDocumentException');
    await rejects(sm.send(new ValidateResourcePolicyCommand({ SecretId: 'missing', ResourcePolicy: readerPolicy })), 'ResourceNotFoundException');
    assert.equal((await sm.send(new GetResourcePolicyCommand({ SecretId: 'db' }))).ResourcePolicy, everyone(), 'validation stores nothing');
  });

  it('answers not found and marked for deletion as for every secret operation', async () => {
    await rejects(sm.send(new PutResourcePolicyCommand({ SecretId: 'missing', ResourcePolicy: readerPolicy })), 'ResourceNotFoundException', /^Secrets Manager can't find the specified secret\.$/);
    await rejects(sm.send(new GetResourcePolicyCommand({ SecretId: 'missing' })), 'ResourceNotFoundException');
    await sm.send(new CreateSecretCommand({ Name: 'old', SecretString: 'x' }));
    await sm.send(new DeleteSecretCommand({ SecretId: 'old' }));
    await rejects(sm.send(new PutResourcePolicyCommand({ SecretId: 'old', ResourcePolicy: readerPolicy })), 'InvalidRequestException', /marked for deletion/);
    await rejects(sm.send(new DeleteResourcePolicyCommand({ SecretId: 'old' })), 'InvalidRequestException', /marked for deletion/);
  });
});
