/**
 * Several accounts in one Berth: the installation account's root creates another account (Berth's
 * CreateAccount, `berth accounts create`), each account sees only its own resources, and one
 * account assumes a role of another only when the role's trust policy names it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateClusterCommand, ListClustersCommand } from '@aws-sdk/client-ecs';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { signedRequest } from '../helpers/wire.js';
import { iamClient } from '../iam/iam-client.js';

const run = promisify(execFile);
const target = (operation: string) => `Berth_20261101.${operation}`;
const accountA = '000000000000';
const accountB = '111111111111';

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  return promise.then(
    () => assert.fail('the call succeeded'),
    (error: unknown) => error as { name: string; message: string },
  );
}

describe('several accounts in one Berth', () => {
  let berth: TestBerth;
  let rootB: Keys;
  const clients: { destroy(): void }[] = [];
  const sts = (credentials: Keys) => {
    const client = new STSClient({ endpoint: berth.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    clients.push(client);
    return client;
  };
  const iam = (credentials: Keys = testCredentials) => {
    const client = iamClient(berth, credentials);
    clients.push(client);
    return client;
  };
  const berthCli = (args: string[], credentials: Keys = testCredentials) =>
    run(process.execPath, ['bin/berth.js', 'accounts', ...args, '--endpoint', berth.url], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey },
    });

  before(async () => {
    berth = await startBerth();
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await berth.close();
  });

  it("creates an account with root credentials of its own, for the installation account's root only", async () => {
    const created = await signedRequest(berth.url, { target: target('CreateAccount'), service: 'berth', body: JSON.stringify({ accountId: accountB }) });
    assert.equal(created.status, 200, created.bytes.toString());
    assert.equal(created.json.accountId, accountB);
    assert.equal(created.json.rootArn, `arn:aws:iam::${accountB}:root`);
    rootB = { accessKeyId: String(created.json.accessKeyId), secretAccessKey: String(created.json.secretAccessKey) };
    assert.match(rootB.accessKeyId, /^AKIA/);
    const identity = await sts(rootB).send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Arn, `arn:aws:iam::${accountB}:root`);

    const again = await signedRequest(berth.url, { target: target('CreateAccount'), service: 'berth', body: JSON.stringify({ accountId: accountB }) });
    assert.equal(again.json.__type, 'ResourceAlreadyExistsException');
    assert.equal(again.json.message, `Account ${accountB} already exists.`);
    const malformed = await signedRequest(berth.url, { target: target('CreateAccount'), service: 'berth', body: JSON.stringify({ accountId: '12ab' }) });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.__type, 'ValidationException');
    const byB = await signedRequest(berth.url, { target: target('CreateAccount'), service: 'berth', body: '{}', credentials: rootB });
    assert.equal(byB.status, 403);
    assert.equal(byB.json.message, `User: arn:aws:iam::${accountB}:root is not authorized to perform: berth:CreateAccount on resource: *`);

    await iam().send(new CreateUserCommand({ UserName: 'admin' }));
    const key = await iam().send(new CreateAccessKeyCommand({ UserName: 'admin' }));
    const user = { accessKeyId: key.AccessKey?.AccessKeyId ?? '', secretAccessKey: key.AccessKey?.SecretAccessKey ?? '' };
    const byUser = await signedRequest(berth.url, { target: target('ListAccounts'), service: 'berth', body: '{}', credentials: user });
    assert.equal(byUser.status, 403);

    const listed = await signedRequest(berth.url, { target: target('ListAccounts'), service: 'berth', body: '{}' });
    assert.deepEqual(
      (listed.json.accounts as { accountId: string; rootArn: string }[]).map((account) => [account.accountId, account.rootArn]),
      [
        [accountA, `arn:aws:iam::${accountA}:root`],
        [accountB, `arn:aws:iam::${accountB}:root`],
      ],
    );
  });

  it("keeps each account's resources to itself", async () => {
    await berth.ecs('us-east-1', rootB).send(new CreateClusterCommand({ clusterName: 'b-only' }));
    await berth.ecs().send(new CreateClusterCommand({ clusterName: 'a-only' }));
    const seenByA = (await berth.ecs().send(new ListClustersCommand({}))).clusterArns ?? [];
    const seenByB = (await berth.ecs('us-east-1', rootB).send(new ListClustersCommand({}))).clusterArns ?? [];
    assert.deepEqual(seenByA, [`arn:aws:ecs:us-east-1:${accountA}:cluster/a-only`]);
    assert.deepEqual(seenByB, [`arn:aws:ecs:us-east-1:${accountB}:cluster/b-only`]);
  });

  it("lets account B assume a role of A only when A's trust policy names B, and B's policy allows it", async () => {
    const trusting = `arn:aws:iam::${accountA}:role/for-b`;
    const closed = `arn:aws:iam::${accountA}:role/a-only`;
    await iam().send(
      new CreateRoleCommand({
        RoleName: 'for-b',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: accountB }, Action: 'sts:AssumeRole' }] }),
      }),
    );
    await iam().send(
      new CreateRoleCommand({
        RoleName: 'a-only',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountA}:root` }, Action: 'sts:AssumeRole' }] }),
      }),
    );
    // Root credentials may not assume roles, as in AWS.
    const byRoot = await failure(sts(rootB).send(new AssumeRoleCommand({ RoleArn: trusting, RoleSessionName: 'from-b' })));
    assert.equal(byRoot.name, 'AccessDenied');
    assert.equal(byRoot.message, 'Roles may not be assumed by root accounts.');

    // An IAM user of B needs B's own policy to allow sts:AssumeRole on the role, across accounts.
    await iam(rootB).send(new CreateUserCommand({ UserName: 'dev' }));
    const key = await iam(rootB).send(new CreateAccessKeyCommand({ UserName: 'dev' }));
    const devB = { accessKeyId: key.AccessKey?.AccessKeyId ?? '', secretAccessKey: key.AccessKey?.SecretAccessKey ?? '' };
    const withoutPolicy = await failure(sts(devB).send(new AssumeRoleCommand({ RoleArn: trusting, RoleSessionName: 'dev' })));
    assert.equal(withoutPolicy.message, `User: arn:aws:iam::${accountB}:user/dev is not authorized to perform: sts:AssumeRole on resource: ${trusting}`);
    await iam(rootB).send(
      new PutUserPolicyCommand({
        UserName: 'dev',
        PolicyName: 'assume-in-a',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${accountA}:role/*` }] }),
      }),
    );
    const allowed = await sts(devB).send(new AssumeRoleCommand({ RoleArn: trusting, RoleSessionName: 'dev' }));
    assert.equal(allowed.AssumedRoleUser?.Arn, `arn:aws:sts::${accountA}:assumed-role/for-b/dev`);
    const session = { accessKeyId: allowed.Credentials?.AccessKeyId ?? '', secretAccessKey: allowed.Credentials?.SecretAccessKey ?? '', sessionToken: allowed.Credentials?.SessionToken ?? '' };
    assert.equal((await sts(session).send(new GetCallerIdentityCommand({}))).Account, accountA);
    // B's own allow is not enough where A's trust policy does not name B.
    const refused = await failure(sts(devB).send(new AssumeRoleCommand({ RoleArn: closed, RoleSessionName: 'dev' })));
    assert.equal(refused.message, `User: arn:aws:iam::${accountB}:user/dev is not authorized to perform: sts:AssumeRole on resource: ${closed}`);
  });

  it('offers berth accounts create and list', async () => {
    const { stdout } = await berthCli(['create', '--account-id', '222222222222']);
    assert.match(stdout, /^account 222222222222 created; its root credentials:\nexport AWS_ACCESS_KEY_ID=AKIA[A-Z2-7]{16} AWS_SECRET_ACCESS_KEY=\S+ AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:\d+\n$/);
    const picked = JSON.parse((await berthCli(['create', '--json'])).stdout) as { accountId: string };
    assert.match(picked.accountId, /^\d{12}$/);
    const { stdout: list } = await berthCli(['list']);
    const lines = list.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^ACCOUNT\s+ROOT\s+CREATED$/);
    assert.deepEqual(
      lines.slice(1).map((line) => line.split(/\s+/)[0]),
      [accountA, accountB, '222222222222', picked.accountId].sort(),
    );
    await assert.rejects(berthCli(['create', '--account-id', '123']), (error: { stderr: string }) => {
      assert.match(error.stderr, /an account id is 12 digits/);
      return true;
    });
    await assert.rejects(berthCli(['list'], rootB), (error: { stderr: string }) => {
      assert.match(error.stderr, /AccessDeniedException: User: arn:aws:iam::111111111111:root is not authorized to perform: berth:ListAccounts/);
      return true;
    });
  });
});
