/**
 * STS temporary credentials through the JS SDK and the aws CLI: AssumeRole decided by the role's
 * trust policy and the caller's policies, its input checks in AWS's words, GetSessionToken and
 * what its credentials may not do, credentials refused without their token and after expiry, the
 * sweep that deletes expired ones, registry tokens that end with the credentials, and an
 * account's reset taking its sessions with it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { AttachRolePolicyCommand, AttachUserPolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, DeleteRoleCommand, ListUsersCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient, type Credentials } from '@aws-sdk/client-sts';
import type { Authorizer } from '../../src/core/authorize.js';
import { AdvancingClock } from '../../src/core/clock.js';
import { cliEnvironment, hasAwsCli, run } from '../helpers/aws-cli.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { signedRequest } from '../helpers/wire.js';
import { iamClient } from '../iam/iam-client.js';

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const account = '000000000000';
const trustAccount = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole', ...extra }] });
const allowAssume = (resource: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: resource }] });

const keysOf = (credentials: Credentials | undefined): Keys => ({
  accessKeyId: credentials?.AccessKeyId ?? '',
  secretAccessKey: credentials?.SecretAccessKey ?? '',
  sessionToken: credentials?.SessionToken ?? '',
});

async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; $metadata: { httpStatusCode?: number } }> {
  return promise.then(
    () => assert.fail('the call succeeded'),
    (error: unknown) => error as { name: string; message: string; $metadata: { httpStatusCode?: number } },
  );
}

describe('STS AssumeRole and GetSessionToken', () => {
  let berth: TestBerth;
  const clock = new AdvancingClock();
  const clients: { destroy(): void }[] = [];
  // Requests are signed on the server's clock, which the expiry tests move ahead of real time.
  const sts = (credentials: Keys = testCredentials) => {
    const client = new STSClient({ endpoint: berth.url, region: 'us-east-1', credentials, maxAttempts: 1, systemClockOffset: clock.now().getTime() - Date.now() });
    clients.push(client);
    return client;
  };
  const iam = (credentials: Keys = testCredentials) => {
    const client = iamClient(berth, credentials);
    clients.push(client);
    return client;
  };
  let user: Keys;
  const userArn = `arn:aws:iam::${account}:user/dev`;
  // Root credentials may not assume roles (as in AWS): AssumeRole is called by `ops`, allowed everything.
  let ops: Keys;
  const opsArn = `arn:aws:iam::${account}:user/ops`;

  before(async () => {
    berth = await startBerth({}, { clock });
    const admin = iam();
    await admin.send(new CreateRoleCommand({ RoleName: 'app', AssumeRolePolicyDocument: trustAccount(), MaxSessionDuration: 7200 }));
    // Policies are enforced: the role's sessions ask for registry tokens, so the role may.
    await admin.send(new AttachRolePolicyCommand({ RoleName: 'app', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly' }));
    await admin.send(new CreateUserCommand({ UserName: 'dev' }));
    const key = await admin.send(new CreateAccessKeyCommand({ UserName: 'dev' }));
    user = { accessKeyId: key.AccessKey?.AccessKeyId ?? '', secretAccessKey: key.AccessKey?.SecretAccessKey ?? '' };
    await admin.send(new CreateUserCommand({ UserName: 'ops' }));
    await admin.send(new AttachUserPolicyCommand({ UserName: 'ops', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    const opsKey = await admin.send(new CreateAccessKeyCommand({ UserName: 'ops' }));
    ops = { accessKeyId: opsKey.AccessKey?.AccessKeyId ?? '', secretAccessKey: opsKey.AccessKey?.SecretAccessKey ?? '' };
  });
  after(async () => {
    for (const client of clients) client.destroy();
    await berth.close();
  });

  it('issues a role session whose credentials sign as the assumed role', async () => {
    const answer = await sts(ops).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/app`, RoleSessionName: 'deploy' }));
    assert.match(answer.Credentials?.AccessKeyId ?? '', /^ASIA[A-Z2-7]{16}$/);
    assert.ok((answer.Credentials?.SessionToken ?? '').length > 100);
    assert.equal(answer.Credentials?.Expiration?.getTime(), Math.floor(clock.now().getTime() / 1000) * 1000 + 3600_000);
    assert.match(answer.AssumedRoleUser?.AssumedRoleId ?? '', /^AROA[A-Z2-7]{17}:deploy$/);
    assert.equal(answer.AssumedRoleUser?.Arn, `arn:aws:sts::${account}:assumed-role/app/deploy`);
    assert.equal(answer.PackedPolicySize, undefined);
    const identity = await sts(keysOf(answer.Credentials)).send(new GetCallerIdentityCommand({}));
    assert.equal(identity.Arn, `arn:aws:sts::${account}:assumed-role/app/deploy`);
    assert.equal(identity.Account, account);
    assert.equal(identity.UserId, answer.AssumedRoleUser?.AssumedRoleId);
  });

  it('refuses temporary credentials without their token, with a wrong one, and a token on a long-term key', async () => {
    const answer = await sts(ops).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/app`, RoleSessionName: 'tokens' }));
    const keys = keysOf(answer.Credentials);
    for (const credentials of [{ ...keys, sessionToken: undefined }, { ...keys, sessionToken: `${keys.sessionToken?.slice(0, -4)}AAAA` }, { ...testCredentials, sessionToken: keys.sessionToken }]) {
      const error = await failure(sts(credentials).send(new GetCallerIdentityCommand({})));
      assert.equal(error.name, 'InvalidClientTokenId');
      assert.equal(error.message, 'The security token included in the request is invalid.');
    }
  });

  it("needs the caller's own sts:AssumeRole when the trust policy names only the account", async () => {
    const roleArn = `arn:aws:iam::${account}:role/app`;
    const denied = await failure(sts(user).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'dev' })));
    assert.equal(denied.name, 'AccessDenied');
    assert.equal(denied.message, `User: ${userArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    assert.equal(denied.$metadata.httpStatusCode, 403);
    await iam().send(new PutUserPolicyCommand({ UserName: 'dev', PolicyName: 'assume', PolicyDocument: allowAssume(roleArn) }));
    const allowed = await sts(user).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'dev' }));
    assert.equal(allowed.AssumedRoleUser?.Arn, `arn:aws:sts::${account}:assumed-role/app/dev`);
    // A role that does not exist is denied in the same words.
    const missing = `arn:aws:iam::${account}:role/nothing`;
    const unknown = await failure(sts(user).send(new AssumeRoleCommand({ RoleArn: missing, RoleSessionName: 'dev' })));
    assert.equal(unknown.message, `User: ${userArn} is not authorized to perform: sts:AssumeRole on resource: ${missing}`);
  });

  it('lets a trust policy that names the user directly stand on its own', async () => {
    await iam().send(
      new CreateRoleCommand({
        RoleName: 'direct',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: userArn }, Action: 'sts:AssumeRole' }] }),
      }),
    );
    await iam().send(new CreateUserCommand({ UserName: 'other' }));
    const key = await iam().send(new CreateAccessKeyCommand({ UserName: 'other' }));
    const other = { accessKeyId: key.AccessKey?.AccessKeyId ?? '', secretAccessKey: key.AccessKey?.SecretAccessKey ?? '' };
    const answer = await sts(user).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/direct`, RoleSessionName: 'x1' }));
    assert.equal(answer.AssumedRoleUser?.Arn, `arn:aws:sts::${account}:assumed-role/direct/x1`);
    const denied = await failure(sts(other).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/direct`, RoleSessionName: 'x1' })));
    assert.equal(denied.name, 'AccessDenied');
  });

  it("checks the input before anything else, in AWS's words", async () => {
    const client = sts(ops);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ RoleSessionName: 'a' }, 'ValidationError', "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"],
      [{ RoleSessionName: 'a b' }, 'ValidationError', "1 validation error detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"],
      [{ DurationSeconds: 899 }, 'ValidationError', "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"],
      [{ DurationSeconds: 7201 }, 'ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'],
      [{ Policy: '{"Statement":' }, 'MalformedPolicyDocumentException', ''],
      [{ SerialNumber: 'arn:aws:iam::000000000000:mfa/dev', TokenCode: '123456' }, 'ValidationError', 'SerialNumber is not supported.'],
      [{ ExternalId: 'x' }, 'ValidationError', "1 validation error detected: Value 'x' at 'externalId' failed to satisfy constraint: Member must have length greater than or equal to 2"],
      [{ RoleArn: 'arn:aws:s3:::bucket/thing-long' }, 'ValidationError', 'arn:aws:s3:::bucket/thing-long is invalid'],
      [{ TransitiveTagKeys: ['team'] }, 'InvalidParameterValue', 'The specified transitive tag key must be included in the requested tags.'],
      [{ Tags: [{ Key: 'team', Value: 'a' }, { Key: 'Team', Value: 'b' }] }, 'InvalidParameterValue', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.'],
    ];
    for (const [input, code, message] of cases) {
      const error = await failure(client.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/app`, RoleSessionName: 'checks', ...input })));
      assert.equal(error.name, code, JSON.stringify(input));
      if (message) assert.equal(error.message, message, JSON.stringify(input));
    }
    const tooMany = await failure(client.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/app`, RoleSessionName: 'checks', PolicyArns: Array.from({ length: 11 }, () => ({ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' })) })));
    assert.match(tooMany.message, /at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10$/);
    const packed = await failure(client.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/app`, RoleSessionName: 'checks', Tags: Array.from({ length: 20 }, (_, index) => ({ Key: `key-${index}`, Value: 'v'.repeat(200) })) })));
    assert.equal(packed.name, 'PackedPolicyTooLargeException');
    assert.match(packed.message, /^Packed policy consumes \d+% of allotted space, please use smaller policy\.$/);
    // On the wire the modelled errors travel under STS's Query codes.
    const wire = await signedRequest(berth.url, {
      service: 'sts',
      contentType: 'application/x-www-form-urlencoded; charset=utf-8',
      body: `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(`arn:aws:iam::${account}:role/app`)}&RoleSessionName=wire&Policy=%7B`,
      signingDate: clock.now(),
    });
    assert.equal(wire.status, 400);
    assert.match(wire.bytes.toString('utf8'), /<Code>MalformedPolicyDocument<\/Code>/);
  });

  it('limits a chained session to an hour and denies a session whose role is gone', async () => {
    await iam().send(new CreateRoleCommand({ RoleName: 'first', AssumeRolePolicyDocument: trustAccount(), MaxSessionDuration: 43200 }));
    await iam().send(new PutUserPolicyCommand({ UserName: 'dev', PolicyName: 'assume-all', PolicyDocument: allowAssume('*') }));
    const first = await sts(user).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/first`, RoleSessionName: 'one', DurationSeconds: 7200 }));
    const session = keysOf(first.Credentials);
    // The role `first` has no policy allowing sts:AssumeRole, and app's trust names only the account.
    const chained = sts(session);
    const denied = await failure(chained.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/app`, RoleSessionName: 'two' })));
    assert.equal(denied.message, `User: arn:aws:sts::${account}:assumed-role/first/one is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${account}:role/app`);
    const { PutRolePolicyCommand } = await import('@aws-sdk/client-iam');
    await iam().send(new PutRolePolicyCommand({ RoleName: 'first', PolicyName: 'chain', PolicyDocument: allowAssume('*') }));
    const tooLong = await failure(chained.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/app`, RoleSessionName: 'two', DurationSeconds: 3601 })));
    assert.equal(tooLong.message, 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    const second = await chained.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/app`, RoleSessionName: 'two' }));
    assert.equal(second.AssumedRoleUser?.Arn, `arn:aws:sts::${account}:assumed-role/app/two`);
    // The session's permissions are its role's: once the role is deleted it may not chain any more.
    const { DeleteRolePolicyCommand } = await import('@aws-sdk/client-iam');
    await iam().send(new DeleteRolePolicyCommand({ RoleName: 'first', PolicyName: 'chain' }));
    await iam().send(new DeleteRoleCommand({ RoleName: 'first' }));
    await iam().send(new CreateRoleCommand({ RoleName: 'first', AssumeRolePolicyDocument: trustAccount() }));
    await iam().send(new PutRolePolicyCommand({ RoleName: 'first', PolicyName: 'chain', PolicyDocument: allowAssume('*') }));
    // A new role of the same name is another role: the old session gets nothing from it.
    const gone = await failure(chained.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/app`, RoleSessionName: 'three' })));
    assert.equal(gone.name, 'AccessDenied');
  });

  it('needs sts:TagSession for session tags, and honours ExternalId and tag conditions in the trust policy', async () => {
    const roleArn = `arn:aws:iam::${account}:role/tagged`;
    await iam().send(
      new CreateRoleCommand({
        RoleName: 'tagged',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: account }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'partner-7' } } },
            { Effect: 'Allow', Principal: { AWS: account }, Action: 'sts:TagSession', Condition: { StringEquals: { 'aws:RequestTag/team': 'blue' } } },
          ],
        }),
      }),
    );
    const client = sts(ops);
    const noExternalId = await failure(client.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's' + 'x' })));
    assert.equal(noExternalId.message, `User: ${opsArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    const plain = await client.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'sx', ExternalId: 'partner-7' }));
    assert.ok(plain.Credentials?.AccessKeyId);
    const wrongTag = await failure(client.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'sx', ExternalId: 'partner-7', Tags: [{ Key: 'team', Value: 'red' }] })));
    assert.equal(wrongTag.message, `User: ${opsArn} is not authorized to perform: sts:TagSession on resource: ${roleArn}`);
    const tagged = await client.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: 'sx',
        ExternalId: 'partner-7',
        Tags: [{ Key: 'team', Value: 'blue' }],
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecs:List*', Resource: '*' }] }),
      }),
    );
    assert.ok((tagged.PackedPolicySize ?? 0) > 0 && (tagged.PackedPolicySize ?? 0) <= 100);
    const record = await berth.server.store.read((tx) => tx.credentials.get(tagged.Credentials?.AccessKeyId ?? ''));
    assert.deepEqual(record?.session?.tags, { team: 'blue' });
    assert.match(record?.session?.sessionPolicy ?? '', /ecs:List\*/);
  });

  it("narrows a session by its session policies, and keeps its source identity along a chain", async () => {
    const { PutRolePolicyCommand } = await import('@aws-sdk/client-iam');
    const hopArn = `arn:aws:iam::${account}:role/hop`;
    await iam().send(
      new CreateRoleCommand({
        RoleName: 'hop',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: account }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'] }],
        }),
      }),
    );
    await iam().send(
      new PutRolePolicyCommand({
        RoleName: 'hop',
        PolicyName: 'chain',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Resource: '*' }] }),
      }),
    );
    const client = sts(ops);
    // app's trust policy does not allow sts:SetSourceIdentity.
    const noSetting = await failure(client.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/app`, RoleSessionName: 'si', SourceIdentity: 'alice' })));
    assert.equal(noSetting.message, `User: ${opsArn} is not authorized to perform: sts:SetSourceIdentity on resource: arn:aws:iam::${account}:role/app`);
    const reserved = await failure(client.send(new AssumeRoleCommand({ RoleArn: hopArn, RoleSessionName: 'si', SourceIdentity: 'aws:alice' })));
    assert.equal(reserved.name, 'ValidationError');
    const unknownPolicy = await failure(client.send(new AssumeRoleCommand({ RoleArn: hopArn, RoleSessionName: 'si', PolicyArns: [{ arn: `arn:aws:iam::${account}:policy/none` }] })));
    assert.equal(unknownPolicy.message, `Policy arn:aws:iam::${account}:policy/none does not exist or is not attachable.`);

    const narrowed = await client.send(
      new AssumeRoleCommand({ RoleArn: hopArn, RoleSessionName: 'narrow', PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }], SourceIdentity: 'alice' }),
    );
    assert.equal(narrowed.SourceIdentity, 'alice');
    // hop's own policy allows sts:AssumeRole, but the session policy (read-only) does not.
    const denied = await failure(sts(keysOf(narrowed.Credentials)).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/app`, RoleSessionName: 'next' })));
    assert.equal(denied.message, `User: arn:aws:sts::${account}:assumed-role/hop/narrow is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${account}:role/app`);

    const open = await client.send(new AssumeRoleCommand({ RoleArn: hopArn, RoleSessionName: 'open', SourceIdentity: 'alice' }));
    const chained = await sts(keysOf(open.Credentials)).send(new AssumeRoleCommand({ RoleArn: hopArn, RoleSessionName: 'next' }));
    assert.equal(chained.SourceIdentity, 'alice');
    // Every role along the chain must allow sts:SetSourceIdentity; app's trust policy does not.
    const appDenied = await failure(sts(keysOf(open.Credentials)).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/app`, RoleSessionName: 'next' })));
    assert.equal(appDenied.message, `User: arn:aws:sts::${account}:assumed-role/hop/open is not authorized to perform: sts:SetSourceIdentity on resource: arn:aws:iam::${account}:role/app`);
    const changed = await failure(sts(keysOf(open.Credentials)).send(new AssumeRoleCommand({ RoleArn: hopArn, RoleSessionName: 'again', SourceIdentity: 'bob' })));
    assert.equal(changed.name, 'AccessDenied');
  });

  it('issues GetSessionToken credentials that act as the user but may not call IAM or GetSessionToken', async () => {
    const answer = await sts(user).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    assert.match(answer.Credentials?.AccessKeyId ?? '', /^ASIA/);
    assert.equal(answer.Credentials?.Expiration?.getTime(), Math.floor(clock.now().getTime() / 1000) * 1000 + 900_000);
    const session = keysOf(answer.Credentials);
    assert.equal((await sts(session).send(new GetCallerIdentityCommand({}))).Arn, userArn);
    const iamCall = await failure(iam(session).send(new ListUsersCommand({})));
    assert.equal(iamCall.name, 'InvalidClientTokenId');
    assert.equal(iamCall.message, 'The security token included in the request is invalid.');
    const again = await failure(sts(session).send(new GetSessionTokenCommand({})));
    assert.equal(again.name, 'AccessDenied');
    assert.equal(again.message, 'Cannot call GetSessionToken with session credentials');
    // The user's session may still assume a role its policies allow.
    const assumed = await sts(session).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/app`, RoleSessionName: 'from-session' }));
    assert.equal(assumed.AssumedRoleUser?.Arn, `arn:aws:sts::${account}:assumed-role/app/from-session`);
    const mfa = await failure(sts(user).send(new GetSessionTokenCommand({ SerialNumber: 'arn:aws:iam::000000000000:mfa/dev', TokenCode: '123456' })));
    assert.equal(mfa.message, 'SerialNumber is not supported.');
    const short = await failure(sts(user).send(new GetSessionTokenCommand({ DurationSeconds: 129601 })));
    assert.equal(short.message, "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600");
    // Root's session lasts an hour at most, whatever it asks.
    const root = await sts().send(new GetSessionTokenCommand({ DurationSeconds: 7200 }));
    assert.equal(root.Credentials?.Expiration?.getTime(), Math.floor(clock.now().getTime() / 1000) * 1000 + 3600_000);
  });

  it('answers assume-role to the aws CLI', { skip: hasAwsCli ? false : 'the aws command is not installed on this machine' }, async () => {
    const { stdout } = await run(
      'aws',
      ['--endpoint-url', berth.url, '--output', 'json', 'sts', 'assume-role', '--role-arn', `arn:aws:iam::${account}:role/app`, '--role-session-name', 'cli', '--duration-seconds', '900'],
      { env: { ...cliEnvironment, AWS_ACCESS_KEY_ID: ops.accessKeyId, AWS_SECRET_ACCESS_KEY: ops.secretAccessKey } },
    );
    const answer = JSON.parse(stdout) as { Credentials: Record<string, string>; AssumedRoleUser: Record<string, string> };
    assert.match(answer.Credentials.AccessKeyId ?? '', /^ASIA/);
    assert.equal(answer.AssumedRoleUser.Arn, `arn:aws:sts::${account}:assumed-role/app/cli`);
    const { stdout: identity } = await run('aws', ['--endpoint-url', berth.url, '--output', 'json', 'sts', 'get-caller-identity'], {
      env: {
        ...cliEnvironment,
        AWS_ACCESS_KEY_ID: answer.Credentials.AccessKeyId,
        AWS_SECRET_ACCESS_KEY: answer.Credentials.SecretAccessKey,
        AWS_SESSION_TOKEN: answer.Credentials.SessionToken,
      },
    });
    assert.equal((JSON.parse(identity) as { Arn: string }).Arn, `arn:aws:sts::${account}:assumed-role/app/cli`);
    try {
      await run('aws', ['--endpoint-url', berth.url, 'sts', 'assume-role', '--role-arn', `arn:aws:iam::${account}:role/app`, '--role-session-name', 'cli', '--duration-seconds', '7201'], {
        env: { ...cliEnvironment, AWS_ACCESS_KEY_ID: ops.accessKeyId, AWS_SECRET_ACCESS_KEY: ops.secretAccessKey },
      });
      assert.fail('assume-role over the maximum succeeded');
    } catch (error) {
      assert.match(String((error as { stderr?: string }).stderr), /\(ValidationError\) when calling the AssumeRole operation: The requested DurationSeconds exceeds the MaxSessionDuration set for this role\./);
    }
  });

  it('gives temporary credentials registry tokens that end with them at the latest', async () => {
    const answer = await sts(ops).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/app`, RoleSessionName: 'registry', DurationSeconds: 900 }));
    const ecr = berth.ecr('us-east-1', keysOf(answer.Credentials) as { accessKeyId: string; secretAccessKey: string });
    const token = await ecr.send(new GetAuthorizationTokenCommand({}));
    assert.equal(token.authorizationData?.[0]?.expiresAt?.getTime(), answer.Credentials?.Expiration?.getTime());
    const long = await berth.ecr().send(new GetAuthorizationTokenCommand({}));
    assert.equal(long.authorizationData?.[0]?.expiresAt?.getTime(), Math.floor(clock.now().getTime() / 1000) * 1000 + 12 * 3600_000);
  });

  it('answers ExpiredToken once the credentials expire, and the sweep deletes them', async () => {
    const answer = await sts(ops).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/app`, RoleSessionName: 'expiring', DurationSeconds: 900 }));
    const keys = keysOf(answer.Credentials);
    const token = await berth.ecr('us-east-1', keys as { accessKeyId: string; secretAccessKey: string }).send(new GetAuthorizationTokenCommand({}));
    const registryAuth = { authorization: `Basic ${token.authorizationData?.[0]?.authorizationToken ?? ''}` };
    assert.equal((await fetch(`${berth.url}/v2/`, { headers: registryAuth })).status, 200);
    await berth.server.expiredSessions.settle();
    assert.ok(await berth.server.store.read((tx) => tx.credentials.get(keys.accessKeyId)), 'deleted before expiry');
    clock.advance(901_000);
    assert.equal((await fetch(`${berth.url}/v2/`, { headers: registryAuth })).status, 401);
    const expired = await failure(sts(keys).send(new GetCallerIdentityCommand({})));
    assert.equal(expired.name, 'ExpiredToken');
    assert.equal(expired.message, 'The security token included in the request is expired');
    await berth.server.expiredSessions.settle();
    assert.equal(await berth.server.store.read((tx) => tx.credentials.get(keys.accessKeyId)), undefined);
    const remaining = await berth.server.store.read((tx) => tx.credentials.temporary());
    assert.ok(remaining.every((record) => (record.session?.expiresAt ?? 0) * 1000 > clock.now().getTime()), 'an expired session was kept');
  });

  it("takes an account's temporary credentials with its reset", async () => {
    const answer = await sts(ops).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/app`, RoleSessionName: 'reset' }));
    const response = await signedRequest(berth.url, { path: '/_berth/reset', service: 'berth', body: '', signingDate: clock.now() });
    assert.equal(response.status, 200, response.bytes.toString());
    assert.equal(await berth.server.store.read((tx) => tx.credentials.get(answer.Credentials?.AccessKeyId ?? '')), undefined);
    assert.ok(await berth.server.store.read((tx) => tx.credentials.get(testCredentials.accessKeyId)));
  });
});

describe("AssumeRole under an authorize step that denies everything", () => {
  let berth: TestBerth;
  const opsKey = { accessKeyId: 'AKIATESTOPSUSER00001', secretAccessKey: 'ops-secret-access-key' };
  const asked: string[] = [];
  const denyAll: Authorizer = (_principal, action) => {
    asked.push(action);
    return { allowed: false, reason: 'The test denies every call.' };
  };
  before(async () => {
    berth = await startBerth({}, { authorize: denyAll });
    await berth.server.store.write(async (tx) => {
      const now = Math.floor(Date.now() / 1000);
      await tx.iamEntities.put({
        type: 'role',
        accountId: account,
        name: 'app',
        id: 'AROATESTAPPROLE000001',
        arn: `arn:aws:iam::${account}:role/app`,
        path: '/',
        createdAt: now,
        tags: [],
        inlinePolicies: {},
        attachedPolicies: [],
        assumeRolePolicyDocument: trustAccount(),
        maxSessionDuration: 3600,
      });
      await tx.iamEntities.put({
        type: 'user',
        accountId: account,
        name: 'ops',
        id: 'AIDATESTOPSUSER000001',
        arn: `arn:aws:iam::${account}:user/ops`,
        path: '/',
        createdAt: now,
        tags: [],
        inlinePolicies: { assume: allowAssume('*') },
        attachedPolicies: [],
      });
      await tx.credentials.put({ ...opsKey, accountId: account, principalArn: `arn:aws:iam::${account}:user/ops`, principalId: 'AIDATESTOPSUSER000001', isRoot: false, createdAt: now });
    });
  });
  after(async () => berth.close());

  it('decides itself: the generic step is not asked, and the trust policy still decides', async () => {
    const client = new STSClient({ endpoint: berth.url, region: 'us-east-1', credentials: opsKey, maxAttempts: 1 });
    try {
      const answer = await client.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/app`, RoleSessionName: 'self' }));
      assert.equal(answer.AssumedRoleUser?.Arn, `arn:aws:sts::${account}:assumed-role/app/self`);
      assert.ok(!asked.includes('sts:AssumeRole'));
      const denied = await failure(client.send(new GetSessionTokenCommand({})).then(() => client.send(new GetCallerIdentityCommand({}))));
      // GetSessionToken decides itself too; GetCallerIdentity goes through the generic step, which denies here.
      assert.equal(denied.name, 'AccessDenied');
      assert.deepEqual(asked, ['sts:GetCallerIdentity']);
    } finally {
      client.destroy();
    }
  });
});
