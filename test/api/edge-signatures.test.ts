import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ListClustersCommand } from '@aws-sdk/client-ecs';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { ecsTarget, signedHead, signedRequest } from '../helpers/wire.js';

/** Sends raw bytes and returns everything the server answers before it closes the connection. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.end(bytes);
  });
}

function bodyOf(answer: string): Record<string, unknown> {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
}

describe('the edge: what a signature must cover, and where it may be scoped', () => {
  let berth: TestBerth;
  before(async () => {
    berth = await startBerth({ region: 'lab-west-2', extraRegions: ['lab-east-1'] });
  });
  after(async () => berth.close());

  it('refuses an X-Amz-Target that is not among the signed headers, so a request cannot be replayed as another operation', async () => {
    const replayed = await signedRequest(berth.url, {
      tamper: (request) => {
        request.headers['x-amz-target'] = ecsTarget('DeleteCluster');
      },
    });
    assert.equal(replayed.status, 400);
    assert.equal(replayed.json.__type, 'InvalidSignatureException');
    assert.equal(replayed.json.message, "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.");
    const signed = await signedRequest(berth.url, { target: ecsTarget('ListClusters') });
    assert.equal(signed.status, 200);
  });

  it('refuses a credential scope naming a region AWS does not have, in AWS words', async () => {
    const response = await signedRequest(berth.url, { target: ecsTarget('ListClusters'), region: 'xx-nowhere-9' });
    assert.equal(response.status, 400);
    assert.equal(response.json.__type, 'InvalidSignatureException');
    assert.equal(response.json.message, 'Credential should be scoped to a valid region. ');
    const help = response.json.berthHelp as { resource: string; hint: string };
    assert.equal(help.resource, 'xx-nowhere-9');
    assert.match(help.hint, /--extra-regions xx-nowhere-9/);
  });

  it("accepts AWS's regions in every partition, the default region and the regions the operator added", async () => {
    for (const region of ['us-east-1', 'ap-southeast-7', 'cn-northwest-1', 'us-gov-west-1', 'lab-west-2', 'lab-east-1']) {
      const response = await berth.ecs(region).send(new ListClustersCommand({}));
      assert.deepEqual(response.clusterArns, [], region);
    }
  });

  it('answers a body shorter than its Content-Length in the AWS JSON shape', async () => {
    // Signed, so that it passes the checks made before the body is read.
    const answer = await rawExchange(berth.url, `${await signedHead(berth.url, ecsTarget('ListClusters'), '{}', 10)}{}`);
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /content-type: application\/x-amz-json-1\.1/);
    assert.equal(bodyOf(answer).__type, 'SerializationException');
    assert.match(String(bodyOf(answer).message), /Content-Length/);
  });

  it('answers a body longer than its Content-Length, or an unreadable Content-Length, in the AWS JSON shape', async () => {
    const longer = await rawExchange(
      berth.url,
      `POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: ${ecsTarget('ListClusters')}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 1\r\n\r\n{"clusters":[]}`,
    );
    const lastAnswer = longer.slice(longer.lastIndexOf('HTTP/1.1 '));
    assert.match(lastAnswer, /^HTTP\/1\.1 400 /);
    assert.equal(bodyOf(lastAnswer).__type, 'SerializationException');
    const unreadable = await rawExchange(berth.url, `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n{}`);
    assert.match(unreadable, /^HTTP\/1\.1 400 /);
    assert.equal(bodyOf(unreadable).__type, 'SerializationException');
  });

  it("answers a registry request's bad Content-Length in the OCI error shape", async () => {
    const answer = await rawExchange(berth.url, `PATCH /v2/web/blobs/uploads/x HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n{}`);
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.deepEqual((bodyOf(answer).errors as { code: string }[]).map((error) => error.code), ['SIZE_INVALID']);
  });
});
