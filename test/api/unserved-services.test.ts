/**
 * Calls to AWS services Berth does not serve yet get an answer their client parses, saying so: the
 * AWS CLI prints Berth's message and fails, instead of "unable to parse". Each protocol's envelope is
 * exercised by a real client where one speaks it (CLI v1 and the JS SDK), and on the wire otherwise.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { cbor } from '@smithy/core/cbor';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { FinalizeRequestMiddleware } from '@smithy/types';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { rawRequest, signedRequest } from '../helpers/wire.js';

const served = 'it serves ECS, ECR, Secrets Manager, Systems Manager, Certificate Manager, CloudWatch, CloudWatch Logs, STS, IAM and Elastic Load Balancing.';
const notServed = (api: string) => `Berth does not serve the ${api} yet; ${served}`;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const cliEnvironment = (credentials = testCredentials) => ({
  ...process.env,
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_MAX_ATTEMPTS: '1',
});

function cli(endpoint: string, args: string[], credentials = testCredentials): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile('aws', ['--endpoint-url', endpoint, ...args], { env: cliEnvironment(credentials), timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const hasAwsCli = await new Promise<boolean>((resolve) => execFile('aws', ['--version'], (error) => resolve(!error)));

describe('AWS services Berth does not serve yet', () => {
  let berth: TestBerth;
  before(async () => {
    berth = await startBerth();
  });
  after(async () => berth.close());

  describe('through the AWS CLI', { skip: hasAwsCli ? false : 'the aws command is not installed on this machine' }, () => {
    const cases: { args: string[]; api: string; code: string }[] = [
      { args: ['cloudformation', 'list-stacks'], api: 'CloudFormation API (cloudformation)', code: 'InvalidAction' },
      { args: ['dynamodb', 'list-tables'], api: 'DynamoDB API (dynamodb)', code: 'UnknownOperationException' },
      { args: ['events', 'list-rules'], api: 'EventBridge API (events)', code: 'UnknownOperationException' },
      {
        args: ['application-autoscaling', 'describe-scalable-targets', '--service-namespace', 'ecs'],
        api: 'Application Auto Scaling API (application-autoscaling)',
        code: 'UnknownOperationException',
      },
      { args: ['kms', 'list-keys'], api: 'KMS API (kms)', code: 'UnknownOperationException' },
      { args: ['ec2', 'describe-instances'], api: 'EC2 API (ec2)', code: 'InvalidAction' },
      { args: ['lambda', 'list-functions'], api: 'Lambda API (lambda)', code: 'UnknownOperationException' },
      { args: ['s3api', 'list-buckets'], api: 'S3 API (s3)', code: 'UnknownOperationException' },
      { args: ['route53', 'list-hosted-zones'], api: 'Route 53 API (route53)', code: 'UnknownOperationException' },
    ];
    for (const { args, api, code } of cases) {
      it(`aws ${args.slice(0, 2).join(' ')} fails with Berth's message`, async () => {
        const result = await cli(berth.url, args);
        assert.notEqual(result.code, 0, result.stdout);
        assert.doesNotMatch(result.stderr, /unable to parse|invalid XML|not well-formed/i);
        assert.match(result.stderr, new RegExp(`An error occurred \\(${code}\\)`), result.stderr);
        assert.ok(result.stderr.includes(notServed(api)), result.stderr);
      });
    }

    it('still verifies the signature, and says so in the envelope the client parses', async () => {
      const wrongSecret = await cli(berth.url, ['cloudformation', 'list-stacks'], { accessKeyId: testCredentials.accessKeyId, secretAccessKey: 'wrong' });
      assert.notEqual(wrongSecret.code, 0);
      assert.match(wrongSecret.stderr, /An error occurred \(SignatureDoesNotMatch\).*does not match the signature you provided/);
      const unknownKey = await cli(berth.url, ['cloudformation', 'list-stacks'], { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' });
      assert.match(unknownKey.stderr, /An error occurred \(InvalidClientTokenId\)/);
      const logs = await cli(berth.url, ['logs', 'describe-log-groups'], { accessKeyId: testCredentials.accessKeyId, secretAccessKey: 'wrong' });
      assert.match(logs.stderr, /An error occurred \(InvalidSignatureException\)/);
    });
  });

  it('answers the JS SDK in the Query envelope it parses', async () => {
    // The suite has no CloudFormation client: an STS client's request, signed again for CloudFormation, is a Query call to a service Berth does not serve.
    const sts = new STSClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    const otherSigner = new SignatureV4({ credentials: testCredentials, region: 'us-east-1', service: 'cloudformation', sha256: Hash.bind(null, 'sha256') });
    const signForOther: FinalizeRequestMiddleware<object, object> = (next) => async (args) => {
      const request = args.request as HttpRequest;
      delete request.headers.authorization;
      return next({ ...args, request: await otherSigner.sign(request) });
    };
    sts.middlewareStack.addRelativeTo(
      signForOther as Parameters<typeof sts.middlewareStack.addRelativeTo>[0],
      { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'signForOther' },
    );
    try {
      const error = await sts.send(new GetCallerIdentityCommand({})).then(
        () => assert.fail('GetCallerIdentity succeeded'),
        (thrown: unknown) => thrown as { name: string; message: string; $fault: string; $metadata: { httpStatusCode?: number } },
      );
      assert.equal(error.name, 'InvalidAction');
      assert.equal(error.message, notServed('CloudFormation API (cloudformation)'));
      assert.equal(error.$fault, 'client');
      assert.equal(error.$metadata.httpStatusCode, 400);
    } finally {
      sts.destroy();
    }
  });

  it('refuses an unsigned Query call with the Query error for a missing token', async () => {
    const response = await rawRequest(`${berth.url}/`, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, 'Action=GetCallerIdentity&Version=2011-06-15');
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('content-type'), 'text/xml');
    const xml = response.bytes.toString('utf8');
    assert.match(xml, /^<ErrorResponse><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code><Message>Missing Authentication Token<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/);
  });

  it('answers a Query call made with GET', async () => {
    const response = await signedRequest(berth.url, { method: 'GET', path: '/?Action=ListStacks&Version=2010-05-15', service: 'cloudformation', contentType: 'application/x-www-form-urlencoded' });
    assert.equal(response.status, 400);
    assert.match(response.bytes.toString('utf8'), /<Code>InvalidAction<\/Code><Message>Berth does not serve the CloudFormation API \(cloudformation\) yet;/);
  });

  it('reads the service from a presigned URL, and answers S3 in its XML', async () => {
    const endpoint = new URL(berth.url);
    const signer = new SignatureV4({ credentials: testCredentials, region: 'us-east-1', service: 's3', sha256: Hash.bind(null, 'sha256') });
    const presigned = await signer.presign(
      new HttpRequest({ method: 'GET', protocol: 'http:', hostname: endpoint.hostname, port: Number(endpoint.port), path: '/photos/cat.jpg', headers: { host: endpoint.host } }),
      { expiresIn: 300 },
    );
    const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
    const response = await fetch(`${berth.url}/photos/cat.jpg?${query}`);
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('content-type'), 'application/xml');
    assert.match(await response.text(), new RegExp(`<Error><Code>UnknownOperationException</Code><Message>${notServed('S3 API \\(s3\\)')}</Message><RequestId>`));
  });

  it('answers Smithy RPC v2 CBOR in CBOR', async () => {
    const response = await signedRequest(berth.url, {
      path: '/service/GraniteServiceVersion20100801/operation/ListMetrics',
      service: 'monitoring',
      contentType: 'application/cbor',
      body: '',
      extraHeaders: { 'smithy-protocol': 'rpc-v2-cbor', accept: 'application/cbor' },
    });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('smithy-protocol'), 'rpc-v2-cbor');
    // CloudWatch is served, over the two protocols its clients send; not over CBOR.
    assert.deepEqual(cbor.deserialize(response.bytes), {
      __type: 'UnknownOperationException',
      message:
        'Berth serves the CloudWatch API (monitoring) over the AWS JSON protocol (POST / with an X-Amz-Target header) and the AWS Query protocol (POST / with a form-encoded Action); it does not answer ' +
        "operation 'ListMetrics'.",
    });
  });

  it('names a service it has no title for by its signing name', async () => {
    const response = await signedRequest(berth.url, { target: 'Acme_20250101.Launch', service: 'acme' });
    assert.equal(response.status, 400);
    assert.deepEqual(response.json, { __type: 'UnknownOperationException', message: `Berth does not serve the AWS API signed as 'acme' yet; ${served}` });
  });

  it('says over which protocol a served service is served', async () => {
    const response = await signedRequest(berth.url, { body: 'Action=ListClusters&Version=2014-11-13', contentType: 'application/x-www-form-urlencoded', service: 'ecs' });
    assert.equal(response.status, 400);
    assert.match(
      response.bytes.toString('utf8'),
      /<Code>InvalidAction<\/Code><Message>Berth serves the ECS API \(ecs\) over the AWS JSON protocol only \(POST \/ with an X-Amz-Target header\); it does not answer Action &apos;ListClusters&apos;.<\/Message>/,
    );
  });

  it('keeps answering plain HTTP requests for unknown paths with a 404', async () => {
    const response = await fetch(`${berth.url}/nothing-here`);
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { __type: 'NotFound', message: 'Berth serves no GET /nothing-here.' });
  });
});
