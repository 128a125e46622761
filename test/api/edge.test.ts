import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ListClustersCommand } from '@aws-sdk/client-ecs';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { ecsTarget, presignedRequest, rawRequest, signedRequest } from '../helpers/wire.js';

describe('the edge: SigV4 and the AWS JSON 1.1 envelope', () => {
  let berth: TestBerth;
  before(async () => {
    berth = await startBerth();
  });
  after(async () => berth.close());

  it('answers a correctly signed request', async () => {
    const response = await signedRequest(berth.url, { target: ecsTarget('ListClusters') });
    assert.equal(response.status, 200);
    assert.deepEqual(response.json, { clusterArns: [] });
    assert.equal(response.headers.get('content-type'), 'application/x-amz-json-1.1');
    assert.match(response.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('refuses a request without authentication', async () => {
    const response = await rawRequest(berth.url, { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': ecsTarget('ListClusters') }, '{}');
    assert.equal(response.status, 400);
    assert.equal(response.json.__type, 'MissingAuthenticationTokenException');
  });

  it('refuses an unknown access key', async () => {
    const response = await signedRequest(berth.url, {
      target: ecsTarget('ListClusters'),
      credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' },
    });
    assert.equal(response.json.__type, 'UnrecognizedClientException');
  });

  it('refuses a signature made with the wrong secret', async () => {
    const response = await signedRequest(berth.url, {
      target: ecsTarget('ListClusters'),
      credentials: { accessKeyId: testCredentials.accessKeyId, secretAccessKey: 'wrong' },
    });
    assert.equal(response.json.__type, 'InvalidSignatureException');
    assert.match(String(response.json.message), /does not match/);
  });

  it('refuses a body changed after signing, and a signed target changed after signing', async () => {
    const body = await signedRequest(berth.url, {
      target: ecsTarget('CreateCluster'),
      body: '{"clusterName":"a"}',
      tamper: (request) => {
        request.body = '{"clusterName":"b"}';
      },
    });
    assert.equal(body.json.__type, 'InvalidSignatureException');
    const target = await signedRequest(berth.url, {
      target: ecsTarget('ListClusters'),
      tamper: (request) => {
        request.headers['x-amz-target'] = ecsTarget('DeleteCluster');
      },
    });
    assert.equal(target.json.__type, 'InvalidSignatureException');
  });

  it('refuses a payload hash header that does not match the body', async () => {
    const response = await signedRequest(berth.url, {
      target: ecsTarget('ListClusters'),
      extraHeaders: { 'x-amz-content-sha256': 'a'.repeat(64) },
    });
    assert.equal(response.json.__type, 'XAmzContentSHA256Mismatch');
  });

  it('refuses a signature older than 15 minutes, and one from the future', async () => {
    const old = await signedRequest(berth.url, { target: ecsTarget('ListClusters'), signingDate: new Date(Date.now() - 16 * 60 * 1000) });
    assert.equal(old.json.__type, 'InvalidSignatureException');
    assert.match(String(old.json.message), /Signature expired/);
    const future = await signedRequest(berth.url, { target: ecsTarget('ListClusters'), signingDate: new Date(Date.now() + 16 * 60 * 1000) });
    assert.equal(future.json.__type, 'InvalidSignatureException');
    const recent = await signedRequest(berth.url, { target: ecsTarget('ListClusters'), signingDate: new Date(Date.now() - 10 * 60 * 1000) });
    assert.equal(recent.status, 200);
  });

  it('refuses a credential scoped to another service', async () => {
    const response = await signedRequest(berth.url, { target: ecsTarget('ListClusters'), service: 'ecr' });
    assert.equal(response.json.__type, 'InvalidSignatureException');
    assert.match(String(response.json.message), /scoped to correct service: 'ecs'/);
  });

  it('accepts a presigned request and refuses it once expired', async () => {
    const fresh = await presignedRequest(berth.url, { target: ecsTarget('ListClusters'), body: '{}', expiresIn: 300 });
    assert.equal(fresh.status, 200, JSON.stringify(fresh.json));
    const expired = await presignedRequest(berth.url, {
      target: ecsTarget('ListClusters'),
      body: '{}',
      expiresIn: 60,
      signingDate: new Date(Date.now() - 120 * 1000),
    });
    assert.equal(expired.status, 403);
    assert.equal(expired.json.__type, 'AccessDeniedException');
  });

  it('answers an unknown operation with UnknownOperationException', async () => {
    const response = await signedRequest(berth.url, { target: ecsTarget('LaunchRockets') });
    assert.equal(response.status, 400);
    assert.equal(response.json.__type, 'UnknownOperationException');
    const noTarget = await signedRequest(berth.url, {});
    assert.equal(noTarget.json.__type, 'UnknownOperationException');
  });

  it('answers malformed JSON and wrong types with SerializationException naming the field', async () => {
    const broken = await signedRequest(berth.url, { target: ecsTarget('CreateCluster'), body: '{"clusterName":' });
    assert.equal(broken.status, 400);
    assert.equal(broken.json.__type, 'SerializationException');
    const notObject = await signedRequest(berth.url, { target: ecsTarget('CreateCluster'), body: '[1,2]' });
    assert.equal(notObject.json.__type, 'SerializationException');
    const wrongType = await signedRequest(berth.url, { target: ecsTarget('CreateCluster'), body: '{"clusterName": 7}' });
    assert.equal(wrongType.json.__type, 'SerializationException');
    assert.match(String(wrongType.json.message), /clusterName/);
    const nested = await signedRequest(berth.url, { target: ecsTarget('CreateCluster'), body: '{"clusterName":"x","tags":[{"key":"a","value":5}]}' });
    assert.match(String(nested.json.message), /tags\[0\]\.value/);
  });

  it('treats null members as absent and refuses nulls inside lists, never failing with a 500', async () => {
    const absent = await signedRequest(berth.url, { target: ecsTarget('CreateCluster'), body: '{"clusterName":"nulls","tags":null,"settings":null}' });
    assert.equal(absent.status, 200);
    assert.deepEqual((absent.json.cluster as { tags: unknown[] }).tags, []);
    const inList = await signedRequest(berth.url, { target: ecsTarget('CreateCluster'), body: '{"clusterName":"nulls2","tags":[null]}' });
    assert.equal(inList.status, 400);
    assert.equal(inList.json.__type, 'SerializationException');
    assert.match(String(inList.json.message), /tags\[0\]/);
    const required = await signedRequest(berth.url, { target: ecsTarget('TagResource'), body: '{"resourceArn":null,"tags":[]}' });
    assert.equal(required.status, 400, JSON.stringify(required.json));
  });

  it('keeps resources per region, as the signature scope says', async () => {
    const east = berth.ecs('us-east-1');
    const west = berth.ecs('eu-west-1');
    await west.send(new (await import('@aws-sdk/client-ecs')).CreateClusterCommand({ clusterName: 'only-in-west' }));
    const eastList = await east.send(new ListClustersCommand({}));
    const westList = await west.send(new ListClustersCommand({}));
    assert.ok(!eastList.clusterArns?.some((arn) => arn.includes('only-in-west')));
    assert.deepEqual(westList.clusterArns, ['arn:aws:ecs:eu-west-1:000000000000:cluster/only-in-west']);
  });

  it('serves an unauthenticated health endpoint', async () => {
    const response = await fetch(`${berth.url}/_berth/health`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { status: string; services: Record<string, string> };
    assert.equal(body.status, 'ok');
    assert.equal(body.services.ecs, 'running');
  });
});
