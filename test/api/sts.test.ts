/**
 * STS over the AWS Query protocol: GetCallerIdentity answers the AWS CLI and the JS SDK as AWS
 * does, every operation passes the authorize step, and a denied call gets AWS's AccessDenied shape
 * in the caller's protocol.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { AccessDeniedException, ListClustersCommand, TagResourceCommand, CreateClusterCommand } from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { authorize, type Authorizer } from '../../src/core/authorize.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { rawRequest, signedRequest } from '../helpers/wire.js';

const run = promisify(execFile);
const hasAwsCli = await run('aws', ['--version']).then(
  () => true,
  () => false,
);
const userKeys = { accessKeyId: 'AKIATESTUSER00000001', secretAccessKey: 'test-secret-key-for-the-sts-user-00000001' };
const userArn = 'arn:aws:iam::000000000000:user/tester';
const form = 'application/x-www-form-urlencoded; charset=utf-8';

function stsClient(berth: TestBerth, credentials = testCredentials): STSClient {
  return new STSClient({ endpoint: berth.url, region: 'us-east-1', credentials, maxAttempts: 1 });
}

describe('STS GetCallerIdentity over the Query protocol', () => {
  let berth: TestBerth;
  before(async () => {
    berth = await startBerth();
    await berth.server.store.write((tx) => tx.credentials.put({ ...userKeys, accountId: '000000000000', principalArn: userArn, isRoot: false, createdAt: 0 }));
  });
  after(async () => berth.close());

  it('answers the JS SDK: for root credentials the account id is the UserId', async () => {
    const sts = stsClient(berth);
    try {
      const identity = await sts.send(new GetCallerIdentityCommand({}));
      assert.equal(identity.Account, '000000000000');
      assert.equal(identity.Arn, 'arn:aws:iam::000000000000:root');
      assert.equal(identity.UserId, '000000000000');
      assert.match(identity.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
    } finally {
      sts.destroy();
    }
  });

  it("answers an IAM user's credentials with its ARN and a unique id in AWS's form", async () => {
    const sts = stsClient(berth, userKeys);
    try {
      const identity = await sts.send(new GetCallerIdentityCommand({}));
      assert.equal(identity.Account, '000000000000');
      assert.equal(identity.Arn, userArn);
      assert.match(identity.UserId ?? '', /^AIDA[A-Z2-7]{17}$/);
      const again = await sts.send(new GetCallerIdentityCommand({}));
      assert.equal(again.UserId, identity.UserId);
    } finally {
      sts.destroy();
    }
  });

  it('answers aws sts get-caller-identity', { skip: hasAwsCli ? false : 'the aws command is not installed on this machine' }, async () => {
    const { stdout } = await run('aws', ['--endpoint-url', berth.url, '--output', 'json', 'sts', 'get-caller-identity'], {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: testCredentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
    });
    assert.deepEqual(JSON.parse(stdout), { UserId: '000000000000', Account: '000000000000', Arn: 'arn:aws:iam::000000000000:root' });
  });

  it("answers in AWS's XML envelope, for POST and for GET", async () => {
    const expected = new RegExp(
      '^<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
        '<UserId>000000000000</UserId><Account>000000000000</Account><Arn>arn:aws:iam::000000000000:root</Arn>' +
        '</GetCallerIdentityResult><ResponseMetadata><RequestId>([0-9a-f-]{36})</RequestId></ResponseMetadata></GetCallerIdentityResponse>$',
    );
    const post = await signedRequest(berth.url, { service: 'sts', contentType: form, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
    assert.equal(post.status, 200);
    assert.equal(post.headers.get('content-type'), 'text/xml');
    const match = expected.exec(post.bytes.toString('utf8'));
    assert.ok(match, post.bytes.toString('utf8'));
    assert.equal(match[1], post.headers.get('x-amzn-requestid'));
    const get = await signedRequest(berth.url, { method: 'GET', path: '/?Action=GetCallerIdentity&Version=2011-06-15', service: 'sts', contentType: form });
    assert.equal(get.status, 200);
    assert.match(get.bytes.toString('utf8'), expected);
  });

  it('refuses an Action it does not serve, a wrong Version and a missing one, in the Query error envelope', async () => {
    const unserved = await signedRequest(berth.url, { service: 'sts', contentType: form, body: 'Action=GetFederationToken&Version=2011-06-15&Name=y' });
    assert.equal(unserved.status, 400);
    assert.match(
      unserved.bytes.toString('utf8'),
      /^<ErrorResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code><Message>Could not find operation GetFederationToken for version 2011-06-15<\/Message><berthHelp><field>Action<\/field><hint>Berth serves GetCallerIdentity, AssumeRole, GetSessionToken of this API, at version 2011-06-15.<\/hint><\/berthHelp><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
    );
    const version = await signedRequest(berth.url, { service: 'sts', contentType: form, body: 'Action=GetCallerIdentity&Version=2011-06-14' });
    assert.match(version.bytes.toString('utf8'), /<Code>InvalidAction<\/Code><Message>Could not find operation GetCallerIdentity for version 2011-06-14<\/Message><berthHelp><field>Version<\/field>/);
    const noVersion = await signedRequest(berth.url, { service: 'sts', contentType: form, body: 'Action=GetCallerIdentity' });
    assert.match(noVersion.bytes.toString('utf8'), /<Code>MissingParameter<\/Code>/);
    const noAction = await signedRequest(berth.url, { service: 'sts', contentType: form, body: 'Version=2011-06-15' });
    assert.equal(noAction.status, 400);
    assert.match(noAction.bytes.toString('utf8'), /<Code>MissingAction<\/Code>/);
  });

  it('verifies the signature and answers its failures with Query codes', async () => {
    const sts = stsClient(berth, { accessKeyId: testCredentials.accessKeyId, secretAccessKey: 'wrong' });
    try {
      const error = await sts.send(new GetCallerIdentityCommand({})).then(
        () => assert.fail('a wrong secret was accepted'),
        (thrown: unknown) => thrown as { name: string; message: string },
      );
      assert.equal(error.name, 'SignatureDoesNotMatch');
      assert.match(error.message, /does not match the signature you provided/);
    } finally {
      sts.destroy();
    }
    const unsigned = await rawRequest(`${berth.url}/`, { 'content-type': form }, 'Action=GetCallerIdentity&Version=2011-06-15');
    assert.equal(unsigned.status, 400);
    assert.match(unsigned.bytes.toString('utf8'), /<Code>MissingAuthenticationToken<\/Code>/);
  });

  it('is listed among the services Berth serves', async () => {
    const response = await signedRequest(berth.url, { target: 'Acme_20250101.Launch', service: 'acme' });
    assert.match(String(response.json.message), /it serves ECS, ECR, Secrets Manager, Systems Manager, Certificate Manager, CloudWatch, CloudWatch Logs, STS, IAM and Elastic Load Balancing\.$/);
    const health = (await (await fetch(`${berth.url}/_berth/health`)).json()) as { services: Record<string, string> };
    assert.equal(health.services.sts, 'running');
  });
});

describe('the authorize step', () => {
  let berth: TestBerth;
  const asked: { principal: string; action: string; resource: string }[] = [];
  // A policy of the test's making: denies ListClusters and, for the IAM user, GetCallerIdentity; else decides as Berth does.
  const policy: Authorizer = (principal, action, resource, context) => {
    asked.push({ principal: principal.arn, action, resource });
    if (action === 'ecs:ListClusters') return { allowed: false, reason: 'The test policy denies ecs:ListClusters.' };
    if (action === 'sts:GetCallerIdentity' && !principal.isRoot) return { allowed: false, reason: 'The test policy denies the user.' };
    return authorize(principal, action, resource, context);
  };
  before(async () => {
    berth = await startBerth({}, { authorize: policy });
    await berth.server.store.write((tx) => tx.credentials.put({ ...userKeys, accountId: '000000000000', principalArn: userArn, isRoot: false, createdAt: 0 }));
  });
  after(async () => berth.close());

  it('is asked for every operation, with the IAM action and the resource the operation names', async () => {
    const ecs = berth.ecs();
    const cluster = await ecs.send(new CreateClusterCommand({ clusterName: 'authorized' }));
    const arn = cluster.cluster?.clusterArn ?? '';
    await ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'a', value: 'b' }] }));
    const sts = stsClient(berth);
    try {
      await sts.send(new GetCallerIdentityCommand({}));
    } finally {
      sts.destroy();
    }
    const root = 'arn:aws:iam::000000000000:root';
    assert.deepEqual(asked.slice(-3), [
      { principal: root, action: 'ecs:CreateCluster', resource: arn },
      { principal: root, action: 'ecs:TagResource', resource: arn },
      { principal: root, action: 'sts:GetCallerIdentity', resource: '*' },
    ]);
  });

  it("answers a denied AWS JSON call with AccessDeniedException, AWS's words, and the reason in berthHelp", async () => {
    await assert.rejects(berth.ecs().send(new ListClustersCommand({})), (error: unknown) => {
      assert.ok(error instanceof AccessDeniedException, String(error));
      assert.equal(error.message, 'User: arn:aws:iam::000000000000:root is not authorized to perform: ecs:ListClusters on resource: *');
      assert.equal(error.$metadata.httpStatusCode, 403);
      return true;
    });
    const wire = await signedRequest(berth.url, { target: 'AmazonEC2ContainerServiceV20141113.ListClusters' });
    assert.deepEqual(wire.json, {
      __type: 'AccessDeniedException',
      message: 'User: arn:aws:iam::000000000000:root is not authorized to perform: ecs:ListClusters on resource: *',
      berthHelp: { resource: '*', hint: 'The test policy denies ecs:ListClusters.' },
    });
  });

  it('answers a denied Query call with AccessDenied in the Query envelope', async () => {
    const sts = stsClient(berth, userKeys);
    try {
      const error = await sts.send(new GetCallerIdentityCommand({})).then(
        () => assert.fail('the denied call succeeded'),
        (thrown: unknown) => thrown as { name: string; message: string; $metadata: { httpStatusCode?: number } },
      );
      assert.equal(error.name, 'AccessDenied');
      assert.equal(error.message, `User: ${userArn} is not authorized to perform: sts:GetCallerIdentity on resource: *`);
      assert.equal(error.$metadata.httpStatusCode, 403);
    } finally {
      sts.destroy();
    }
  });

  it('refuses a reset to credentials that are not root, through the same step', async () => {
    const response = await signedRequest(berth.url, { path: '/_berth/reset', service: 'berth', credentials: userKeys, body: '' });
    assert.equal(response.status, 403);
    assert.equal(response.json.__type, 'AccessDeniedException');
    assert.equal(response.json.message, 'Only root credentials may reset Berth.');
    assert.match(String((response.json.berthHelp as { hint: string }).hint), /Only root credentials may perform berth:Reset/);
    assert.deepEqual(asked.at(-1), { principal: userArn, action: 'berth:Reset', resource: '*' });
  });
});
