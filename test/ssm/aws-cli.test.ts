/**
 * Parameter Store through the real `aws ssm` (CLI v1, skipped where the machine has none): writes,
 * decryption, the CLI's own paging of GetParametersByPath and DescribeParameters, history, labels,
 * and errors as the CLI prints them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliEnvironment, hasAwsCli, run } from '../helpers/aws-cli.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';

describe('aws ssm against Berth', { skip: hasAwsCli ? false : 'the aws command is not installed on this machine' }, () => {
  let berth: TestBerth;
  const aws = async (...args: string[]) => {
    const { stdout } = await run('aws', ['--endpoint-url', berth.url, '--output', 'json', 'ssm', ...args], { env: cliEnvironment });
    return JSON.parse(stdout || '{}') as Record<string, any>;
  };
  const failure = async (...args: string[]) => {
    try {
      await run('aws', ['--endpoint-url', berth.url, 'ssm', ...args], { env: cliEnvironment });
    } catch (error) {
      return String((error as { stderr?: string }).stderr).trim();
    }
    assert.fail(`aws ssm ${args.join(' ')} succeeded`);
  };
  before(async () => {
    berth = await startBerth();
  });
  after(async () => berth.close());

  it('writes and reads parameters, decrypting a SecureString on request', async () => {
    assert.deepEqual(await aws('put-parameter', '--name', '/svc/db/password', '--value', 'cli-pw', '--type', 'SecureString'), { Version: 1, Tier: 'Standard' });
    for (let i = 0; i < 12; i++) await aws('put-parameter', '--name', `/svc/config/key${String(i).padStart(2, '0')}`, '--value', `v${i}`, '--type', 'String');
    const decrypted = await aws('get-parameter', '--name', '/svc/db/password', '--with-decryption');
    assert.equal(decrypted.Parameter.Value, 'cli-pw');
    assert.notEqual((await aws('get-parameter', '--name', '/svc/db/password')).Parameter.Value, 'cli-pw');
    // The CLI follows NextToken itself: GetParametersByPath answers at most 10 a page.
    const all = await aws('get-parameters-by-path', '--path', '/svc', '--recursive');
    assert.equal(all.Parameters.length, 13);
    const described = await aws('describe-parameters', '--parameter-filters', 'Key=Path,Option=OneLevel,Values=/svc/config', '--max-items', '5');
    assert.equal(described.Parameters.length, 5);
    assert.ok(described.NextToken, 'the CLI says where the next page starts');
  });

  it('keeps the history and labels, and prints errors with their codes', async () => {
    await aws('put-parameter', '--name', 'color', '--value', 'red', '--type', 'String');
    await aws('put-parameter', '--name', 'color', '--value', 'blue', '--overwrite');
    await aws('label-parameter-version', '--name', 'color', '--parameter-version', '1', '--labels', 'old');
    assert.equal((await aws('get-parameter', '--name', 'color:old')).Parameter.Value, 'red');
    const history = await aws('get-parameter-history', '--name', 'color');
    assert.deepEqual(history.Parameters.map((entry: { Value: string; Labels: string[] }) => [entry.Value, entry.Labels]), [['red', ['old']], ['blue', []]]);
    assert.match(await failure('get-parameter', '--name', 'nothing'), /An error occurred \(ParameterNotFound\) when calling the GetParameter operation/);
    assert.match(
      await failure('put-parameter', '--name', 'color', '--value', 'green', '--type', 'String'),
      /\(ParameterAlreadyExists\) when calling the PutParameter operation: The parameter already exists\. To overwrite this value, set the overwrite option in the request to true\./,
    );
  });
});
