/**
 * Berth's /v2/ beside the CNCF distribution registry (Debian's docker-registry): the same refusals
 * get the same status and code from both, so that clients written against distribution branch the
 * same way on Berth.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { privateRegistryAvailable, startPrivateRegistry, type PrivateRegistry } from '../helpers/private-registry.js';
import { basicAuth, createRepository, makeImage, makeIndex, mediaTypes, RegistryHttp, sha256 } from '../helpers/registry.js';

/** A blob pushed with POST then PUT, which both registries take (distribution 2.8 ignores a POST's body). */
async function pushBlob(client: RegistryHttp, repository: string, content: Buffer): Promise<void> {
  // Distribution's Location is absolute, Berth's a path: both as a path.
  const location = new URL(await client.startUpload(repository), client.baseUrl);
  location.searchParams.set('digest', sha256(content));
  const response = await client.fetch(`${location.pathname}${location.search}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: content,
  });
  assert.equal(response.status, 201, `blob push answered ${response.status}: ${await response.text()}`);
}

interface Refusal {
  status: number;
  codes: string[];
}

async function refusal(response: Response): Promise<Refusal> {
  const body = (await response.json()) as { errors: { code: string }[] };
  return { status: response.status, codes: [...new Set(body.errors.map((error) => error.code))] };
}

describe('OCI distribution: the same refusals as the distribution registry', { skip: privateRegistryAvailable() ? false : 'docker-registry and htpasswd are not installed' }, () => {
  let berth: TestBerth;
  let distribution: PrivateRegistry;
  const both: { name: string; client: RegistryHttp }[] = [];
  before(async () => {
    berth = await startBerth();
    distribution = await startPrivateRegistry();
    await createRepository(berth, 'parity');
    both.push({ name: 'berth', client: await RegistryHttp.login(berth) });
    both.push({ name: 'distribution', client: new RegistryHttp(`http://${distribution.host}`, basicAuth(distribution.username, distribution.password)) });
  });
  after(async () => {
    await distribution?.close();
    await berth?.close();
  });

  /** Sends the same request to both registries; answers each one's refusal. */
  async function each(send: (client: RegistryHttp) => Promise<Response>): Promise<Record<string, Refusal>> {
    const answers: Record<string, Refusal> = {};
    for (const { name, client } of both) answers[name] = await refusal(await send(client));
    return answers;
  }

  it('refuses a manifest whose layer is missing with 400 MANIFEST_BLOB_UNKNOWN', async () => {
    const image = makeImage('parity-missing-layer');
    for (const { client } of both) await pushBlob(client, 'parity', image.config);
    const answers = await each((client) => client.fetch('parity/manifests/broken', { method: 'PUT', headers: { 'content-type': image.mediaType }, body: image.manifest }));
    assert.deepEqual(answers.berth, answers.distribution);
    assert.deepEqual(answers.berth, { status: 400, codes: ['MANIFEST_BLOB_UNKNOWN'] });
  });

  it('refuses a manifest whose config is missing with 400 MANIFEST_BLOB_UNKNOWN', async () => {
    const image = makeImage('parity-missing-config', { format: 'docker' });
    for (const { client } of both) await pushBlob(client, 'parity', image.layers[0]!);
    const answers = await each((client) => client.fetch('parity/manifests/no-config', { method: 'PUT', headers: { 'content-type': image.mediaType }, body: image.manifest }));
    assert.deepEqual(answers.berth, answers.distribution);
    assert.equal(answers.berth!.status, 400);
  });

  it('refuses an index whose child manifest is missing with 400 MANIFEST_BLOB_UNKNOWN', async () => {
    const index = makeIndex([makeImage('parity-missing-child')]);
    const answers = await each((client) => client.fetch('parity/manifests/no-child', { method: 'PUT', headers: { 'content-type': index.mediaType }, body: index.content }));
    assert.deepEqual(answers.berth, answers.distribution);
    assert.equal(answers.berth!.status, 400);
  });

  it('refuses an unknown blob with 404 BLOB_UNKNOWN and an unknown tag with 404 MANIFEST_UNKNOWN', async () => {
    assert.deepEqual(...Object.values(await each((client) => client.fetch(`parity/blobs/${sha256('never pushed')}`))) as [Refusal, Refusal]);
    assert.deepEqual(
      ...(Object.values(await each((client) => client.fetch('parity/manifests/never', { headers: { accept: mediaTypes.ociManifest } }))) as [Refusal, Refusal]),
    );
  });
});
