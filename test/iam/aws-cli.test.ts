/**
 * IAM through the real `aws iam` (CLI v1, skipped where the machine has none): the issue's
 * walk-through (a role with a trust policy from a file, an inline policy, a user with an AWS
 * managed policy attached), documents decoded by the CLI as IAM's URL-encoding requires, the
 * CLI's own pagination, and errors as the CLI prints them.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliEnvironment, hasAwsCli, run } from '../helpers/aws-cli.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { ecsTasksTrust, readSecrets } from './iam-client.js';


describe('aws iam against Berth', { skip: hasAwsCli ? false : 'the aws command is not installed on this machine' }, () => {
  let berth: TestBerth;
  let directory: string;
  const aws = async (...args: string[]) => {
    const { stdout } = await run('aws', ['--endpoint-url', berth.url, '--output', 'json', 'iam', ...args], { env: cliEnvironment });
    return JSON.parse(stdout || '{}') as Record<string, any>;
  };
  const failure = async (...args: string[]) => {
    try {
      await run('aws', ['--endpoint-url', berth.url, 'iam', ...args], { env: cliEnvironment });
    } catch (error) {
      return String((error as { stderr?: string }).stderr).trim();
    }
    assert.fail(`aws iam ${args.join(' ')} succeeded`);
  };
  before(async () => {
    berth = await startBerth();
    directory = await mkdtemp(join(tmpdir(), 'berth-iam-cli-'));
    await writeFile(join(directory, 'trust.json'), ecsTasksTrust);
    await writeFile(join(directory, 'secrets-read.json'), readSecrets);
  });
  after(async () => {
    await berth.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('runs the walk-through: a role with a trust policy and an inline policy, a user with an AWS managed policy', async () => {
    const role = (await aws('create-role', '--role-name', 'app', '--assume-role-policy-document', `file://${join(directory, 'trust.json')}`)).Role;
    assert.equal(role.Arn, 'arn:aws:iam::000000000000:role/app');
    // The CLI decodes IAM's URL-encoded documents into JSON.
    assert.deepEqual(role.AssumeRolePolicyDocument, JSON.parse(ecsTasksTrust));
    await aws('put-role-policy', '--role-name', 'app', '--policy-name', 'read-config', '--policy-document', `file://${join(directory, 'secrets-read.json')}`);
    assert.deepEqual((await aws('get-role-policy', '--role-name', 'app', '--policy-name', 'read-config')).PolicyDocument, JSON.parse(readSecrets));
    await aws('create-user', '--user-name', 'ci');
    await aws('attach-user-policy', '--user-name', 'ci', '--policy-arn', 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser');
    const attached = await aws('list-attached-user-policies', '--user-name', 'ci');
    assert.deepEqual(attached.AttachedPolicies, [{ PolicyName: 'AmazonEC2ContainerRegistryPowerUser', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser' }]);
    const key = (await aws('create-access-key', '--user-name', 'ci')).AccessKey;
    assert.match(key.AccessKeyId, /^AKIA/);
    const version = await aws('get-policy-version', '--policy-arn', 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser', '--version-id', 'v3');
    assert.ok(version.PolicyVersion.Document.Statement[0].Action.includes('ecr:PutImage'));
  });

  it('pages list-policies itself, and prints IAM errors with their codes', async () => {
    const all = await aws('list-policies', '--scope', 'AWS', '--page-size', '4');
    assert.ok(all.Policies.length >= 15);
    assert.equal(all.IsTruncated ?? false, false);
    assert.match(await failure('get-user', '--user-name', 'nobody'), /An error occurred \(NoSuchEntity\) when calling the GetUser operation: The user with name nobody cannot be found\./);
    assert.match(await failure('create-user', '--user-name', 'ci'), /\(EntityAlreadyExists\) when calling the CreateUser operation: User with name ci already exists\./);
    assert.match(await failure('delete-role', '--role-name', 'app'), /\(DeleteConflict\) when calling the DeleteRole operation: Cannot delete entity, must delete policies first\./);
  });
});
