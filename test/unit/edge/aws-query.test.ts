import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as sts from '@aws-sdk/client-sts';
import { ApiError } from '../../../src/core/errors.js';
import { resourceOf } from '../../../src/edge/dispatch.js';
import { defineQueryService, queryInputOf, queryOperationOf, queryRequestOf, queryResponse } from '../../../src/edge/protocols/aws-query.js';

const handler = async () => ({});
const service = defineQueryService(
  sts as Record<string, unknown>,
  { id: 'sts', signingName: 'sts', version: '2011-06-15', xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/' },
  { AssumeRole: handler, GetCallerIdentity: handler },
);

function requestOf(body: string) {
  const request = queryRequestOf({ method: 'POST', contentType: 'application/x-www-form-urlencoded', body: Buffer.from(body), query: new URLSearchParams() });
  assert.ok(request);
  return request;
}

describe('the AWS Query envelope', () => {
  it('reads flattened members into the shape handlers read: lists, nested structures, numbers', () => {
    const request = requestOf(
      'Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fdeploy&RoleSessionName=s&DurationSeconds=900' +
        '&Tags.member.1.Key=team&Tags.member.1.Value=core&Tags.member.2.Key=env&Tags.member.2.Value=dev' +
        '&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnly&TransitiveTagKeys.member.1=team&Unknown=ignored',
    );
    const operation = queryOperationOf(service, request);
    assert.deepEqual(queryInputOf(operation, request), {
      RoleArn: 'arn:aws:iam::111122223333:role/deploy',
      RoleSessionName: 's',
      DurationSeconds: 900,
      Tags: [
        { Key: 'team', Value: 'core' },
        { Key: 'env', Value: 'dev' },
      ],
      PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnly' }],
      TransitiveTagKeys: ['team'],
    });
  });

  it('reads an empty list, and refuses a number that is not one', () => {
    const empty = requestOf('Action=AssumeRole&Version=2011-06-15&RoleArn=r&RoleSessionName=s&Tags=');
    assert.deepEqual(queryInputOf(queryOperationOf(service, empty), empty).Tags, []);
    const wrong = requestOf('Action=AssumeRole&Version=2011-06-15&DurationSeconds=soon');
    assert.throws(() => queryInputOf(queryOperationOf(service, wrong), wrong), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, 'ValidationError');
      assert.match(error.message, /DurationSeconds/);
      return true;
    });
  });

  it('writes the output under <XResponse><XResult>, lists as <member>, timestamps in ISO 8601', async () => {
    const operation = queryOperationOf(service, requestOf('Action=AssumeRole&Version=2011-06-15'));
    const response = queryResponse(
      service,
      operation,
      {
        Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: 'a<b', SessionToken: 't', Expiration: new Date('2026-12-04T20:00:00Z') },
        AssumedRoleUser: { AssumedRoleId: 'AROA1:s', Arn: 'arn:aws:sts::111122223333:assumed-role/deploy/s' },
        PackedPolicySize: 6,
      },
      'req-1',
    );
    assert.equal(
      response.body,
      '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>' +
        '<Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>a&lt;b</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2026-12-04T20:00:00.000Z</Expiration></Credentials>' +
        '<AssumedRoleUser><AssumedRoleId>AROA1:s</AssumedRoleId><Arn>arn:aws:sts::111122223333:assumed-role/deploy/s</Arn></AssumedRoleUser>' +
        '<PackedPolicySize>6</PackedPolicySize></AssumeRoleResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></AssumeRoleResponse>',
    );
  });
});

describe('the resource an operation names', () => {
  it('is resourceArn, else the first ARN among the members, else *', () => {
    assert.equal(resourceOf({ cluster: 'arn:aws:ecs:us-east-1:1:cluster/a', resourceArn: 'arn:aws:ecs:us-east-1:1:service/a/b' }), 'arn:aws:ecs:us-east-1:1:service/a/b');
    assert.equal(resourceOf({ count: 1, cluster: 'arn:aws:ecs:us-east-1:1:cluster/a' }), 'arn:aws:ecs:us-east-1:1:cluster/a');
    assert.equal(resourceOf({ cluster: 'default' }), '*');
  });
});
