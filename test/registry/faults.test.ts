/**
 * Faults and bad input on /v2/: each is answered with the spec's error code in
 * `{"errors":[{code, message, detail}]}`, and each leaves nothing half-written, which the tests
 * check by reading back through the API and, for uploads, the store and blob storage.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { createRepository, expectRegistryError, makeImage, makeIndex, mediaTypes, RegistryHttp, sha256, sha512 } from '../helpers/registry.js';

const arnOf = (name: string) => `arn:aws:ecr:us-east-1:000000000000:repository/${name}`;

describe('OCI distribution: faults and bad input', () => {
  let berth: TestBerth;
  let registry: RegistryHttp;
  before(async () => {
    berth = await startBerth();
    registry = await RegistryHttp.login(berth);
    for (const name of ['faults', 'uploads-left', 'manifests', 'team/app', 'elsewhere']) await createRepository(berth, name);
    await createRepository(berth, 'immutable', { imageTagMutability: 'IMMUTABLE' });
    await createRepository(berth, 'mostly-immutable', {
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest*' }],
    });
  });
  after(async () => berth.close());

  /** Upload sessions the store holds for a repository. */
  const uploadsOf = async (name: string) =>
    (await berth.server.store.read((tx) => tx.registry.staleUploads(Number.POSITIVE_INFINITY))).filter((upload) => upload.repositoryArn === arnOf(name));

  /** The blob is neither served under `digest` nor stored. */
  const assertAbsent = async (name: string, digest: string) => {
    assert.equal((await registry.fetch(`${name}/blobs/${digest}`, { method: 'HEAD' })).status, 404, `${digest} is not served`);
    assert.equal(await berth.server.registry.storage.stat(digest), undefined, `${digest} is not in storage`);
  };

  describe('blob uploads', () => {
    it('refuses a monolithic push whose content does not match its digest, and keeps nothing of it', async () => {
      const content = Buffer.from('the real content');
      const claimed = sha256('other content');
      const response = await registry.fetch(`uploads-left/blobs/uploads/?digest=${claimed}`, { method: 'POST', body: content });
      const error = await expectRegistryError(response, 400, 'DIGEST_INVALID');
      assert.deepEqual(error.detail, { digest: claimed, actual: sha256(content) });
      await assertAbsent('uploads-left', claimed);
      await assertAbsent('uploads-left', sha256(content));
      assert.deepEqual(await uploadsOf('uploads-left'), []);
    });

    it('refuses a closing PUT whose digest does not match the chunks, and discards the upload', async () => {
      const location = await registry.startUpload('faults');
      assert.equal((await registry.fetch(location, { method: 'PATCH', headers: { 'content-range': '0-4' }, body: 'hello' })).status, 202);
      const claimed = sha256('hello world');
      await expectRegistryError(await registry.fetch(`${location}?digest=${claimed}`, { method: 'PUT', body: ' world!' }), 400, 'DIGEST_INVALID');
      await assertAbsent('faults', claimed);
      await assertAbsent('faults', sha256('hello world!'));
      await expectRegistryError(await registry.fetch(location), 404, 'BLOB_UPLOAD_UNKNOWN');
    });

    it('refuses a wrong sha512 digest', async () => {
      const content = Buffer.from('sha512 checked');
      const claimed = sha512('something else');
      await expectRegistryError(await registry.fetch(`faults/blobs/uploads/?digest=${claimed}`, { method: 'POST', body: content }), 400, 'DIGEST_INVALID');
      await assertAbsent('faults', claimed);
      await assertAbsent('faults', sha512(content));
    });

    it('refuses a truncated upload: fewer bytes than the blob has', async () => {
      const content = Buffer.from('0123456789abcdef');
      const location = await registry.startUpload('faults');
      await registry.fetch(location, { method: 'PATCH', headers: { 'content-range': '0-7' }, body: content.subarray(0, 8) });
      await expectRegistryError(await registry.fetch(`${location}?digest=${sha256(content)}`, { method: 'PUT' }), 400, 'DIGEST_INVALID');
      await assertAbsent('faults', sha256(content));
    });

    it('makes nothing visible when a closing PUT loses its connection mid-body, and the upload can still be completed', async () => {
      const content = Buffer.alloc(200 * 1024, 7);
      const location = await registry.startUpload('faults');
      const id = location.split('/').pop()!;
      const cut = request(registry.url(`${location}?digest=${sha256(content)}`), {
        method: 'PUT',
        headers: { authorization: registry.authHeader!, 'content-type': 'application/octet-stream', 'content-length': String(content.length) },
      });
      cut.on('error', () => undefined);
      cut.write(content.subarray(0, 64 * 1024));
      const deadline = Date.now() + 10_000;
      while ((await berth.server.registry.storage.uploadSize(id)) !== 64 * 1024) {
        assert.ok(Date.now() < deadline, 'the first bytes reach storage');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      cut.destroy();

      const status = await registry.fetch(location);
      assert.equal(status.status, 204);
      assert.equal(status.headers.get('range'), `0-${64 * 1024 - 1}`);
      await assertAbsent('faults', sha256(content));
      const put = await registry.fetch(`${location}?digest=${sha256(content)}`, {
        method: 'PUT',
        headers: { 'content-range': `${64 * 1024}-${content.length - 1}` },
        body: content.subarray(64 * 1024),
      });
      assert.equal(put.status, 201, await put.clone().text());
      assert.equal(await berth.server.registry.storage.stat(sha256(content)), content.length);
    });

    it('refuses chunks out of order, and a closing PUT whose Content-Range does not follow on, with 416 RANGE_INVALID', async () => {
      const location = await registry.startUpload('faults');
      await expectRegistryError(await registry.fetch(location, { method: 'PATCH', headers: { 'content-range': '1-3' }, body: 'abc' }), 416, 'RANGE_INVALID');
      assert.equal((await registry.fetch(location, { method: 'PATCH', headers: { 'content-range': '0-2' }, body: 'abc' })).status, 202);
      await expectRegistryError(await registry.fetch(location, { method: 'PATCH', headers: { 'content-range': 'junk' }, body: 'def' }), 416, 'RANGE_INVALID');
      const put = await registry.fetch(`${location}?digest=${sha256('abcxyz')}`, { method: 'PUT', headers: { 'content-range': '4-6' }, body: 'xyz' });
      await expectRegistryError(put, 416, 'RANGE_INVALID');
      const status = await registry.fetch(location);
      assert.equal(status.headers.get('range'), '0-2');
      await assertAbsent('faults', sha256('abcxyz'));
      const done = await registry.fetch(`${location}?digest=${sha256('abcxyz')}`, { method: 'PUT', headers: { 'content-range': '3-5' }, body: 'xyz' });
      assert.equal(done.status, 201);
      assert.equal(await (await registry.fetch(`faults/blobs/${sha256('abcxyz')}`)).text(), 'abcxyz');
    });

    it('refuses a malformed digest, keeping the upload open for a corrected one', async () => {
      for (const digest of ['sha256:abc', `sha256:${'A'.repeat(64)}`, `md5:${'0'.repeat(32)}`, 'nodigest']) {
        await expectRegistryError(await registry.fetch(`uploads-left/blobs/uploads/?digest=${encodeURIComponent(digest)}`, { method: 'POST', body: 'x' }), 400, 'DIGEST_INVALID');
      }
      assert.deepEqual(await uploadsOf('uploads-left'), [], 'a refused monolithic push leaves no upload behind');

      const location = await registry.startUpload('faults');
      await expectRegistryError(await registry.fetch(`${location}?digest=sha256:123`, { method: 'PUT', body: 'data' }), 400, 'DIGEST_INVALID');
      await expectRegistryError(await registry.fetch(location, { method: 'PUT', body: 'data' }), 400, 'DIGEST_INVALID');
      const status = await registry.fetch(location);
      assert.equal(status.status, 204);
      assert.equal((await registry.fetch(`${location}?digest=${sha256('data')}`, { method: 'PUT', body: 'data' })).status, 201);
    });

    it('answers BLOB_UPLOAD_UNKNOWN for an unknown upload, or one of another repository', async () => {
      const unknown = 'faults/blobs/uploads/00000000-0000-4000-8000-000000000000';
      for (const method of ['GET', 'PATCH', 'PUT', 'DELETE']) {
        const path = method === 'PUT' ? `${unknown}?digest=${sha256('x')}` : unknown;
        await expectRegistryError(await registry.fetch(path, { method, ...(method === 'PATCH' || method === 'PUT' ? { body: 'x' } : {}) }), 404, 'BLOB_UPLOAD_UNKNOWN');
      }
      const location = await registry.startUpload('faults');
      const foreign = location.replace('/v2/faults/', '/v2/elsewhere/');
      await expectRegistryError(await registry.fetch(foreign, { method: 'PATCH', body: 'intruder' }), 404, 'BLOB_UPLOAD_UNKNOWN');
      assert.equal(await berth.server.registry.storage.uploadSize(location.split('/').pop()!), 0);
    });

    it('answers BLOB_UNKNOWN for a blob the repository does not hold, and DIGEST_INVALID for a malformed digest', async () => {
      const digest = await registry.pushBlob('elsewhere', 'only elsewhere');
      await expectRegistryError(await registry.fetch(`faults/blobs/${digest}`), 404, 'BLOB_UNKNOWN');
      assert.equal((await registry.fetch(`faults/blobs/${digest}`, { method: 'HEAD' })).status, 404);
      await expectRegistryError(await registry.fetch(`faults/blobs/${digest}`, { method: 'DELETE' }), 404, 'BLOB_UNKNOWN');
      for (const bad of ['sha256:1234', 'sha256:xyz', `SHA256:${'0'.repeat(64)}`]) {
        await expectRegistryError(await registry.fetch(`faults/blobs/${bad}`), 400, 'DIGEST_INVALID');
        await expectRegistryError(await registry.fetch(`faults/blobs/${bad}`, { method: 'DELETE' }), 400, 'DIGEST_INVALID');
        assert.equal((await registry.fetch(`faults/blobs/${bad}`, { method: 'HEAD' })).status, 400);
      }
    });
  });

  describe('manifests', () => {
    const pushParts = async (name: string, image: { config: Buffer; layers: Buffer[] }) => {
      await registry.pushBlob(name, image.config);
      for (const layer of image.layers) await registry.pushBlob(name, layer);
    };

    it('refuses a manifest over 4 MiB with 413 and takes one of exactly 4 MiB', async () => {
      const image = makeImage('big-manifest');
      await pushParts('manifests', image);
      const sized = (bytes: number) => {
        const base = JSON.parse(image.manifest.toString()) as Record<string, unknown>;
        const skeleton = Buffer.from(JSON.stringify({ ...base, annotations: { pad: '' } })).length;
        return Buffer.from(JSON.stringify({ ...base, annotations: { pad: 'x'.repeat(bytes - skeleton) } }));
      };
      const tooBig = sized(4 * 1024 * 1024 + 1);
      assert.equal(tooBig.length, 4 * 1024 * 1024 + 1);
      const refused = await registry.fetch('manifests/manifests/huge', { method: 'PUT', headers: { 'content-type': mediaTypes.ociManifest }, body: tooBig });
      await expectRegistryError(refused, 413, 'MANIFEST_INVALID');
      await expectRegistryError(await registry.fetch('manifests/manifests/huge'), 404, 'MANIFEST_UNKNOWN');
      await expectRegistryError(await registry.fetch(`manifests/manifests/${sha256(tooBig)}`), 404, 'MANIFEST_UNKNOWN');
      // Streamed without a Content-Length, it is found too large only while read.
      const streamed = await fetch(registry.url('manifests/manifests/huge'), {
        method: 'PUT',
        headers: { authorization: registry.authHeader!, 'content-type': mediaTypes.ociManifest },
        body: new ReadableStream<Uint8Array>({
          start(controller) {
            for (let at = 0; at < tooBig.length; at += 64 * 1024) controller.enqueue(Uint8Array.from(tooBig.subarray(at, at + 64 * 1024)));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      await expectRegistryError(streamed, 413, 'MANIFEST_INVALID');
      await expectRegistryError(await registry.fetch('manifests/manifests/huge'), 404, 'MANIFEST_UNKNOWN');

      const limit = sized(4 * 1024 * 1024);
      assert.equal(await registry.pushManifest('manifests', 'large', limit), sha256(limit));
      assert.equal((await registry.fetch('manifests/manifests/large', { method: 'HEAD' })).headers.get('content-length'), String(4 * 1024 * 1024));
    });

    it('refuses a manifest whose blobs are not in the repository with MANIFEST_BLOB_UNKNOWN, creating no tag', async () => {
      const image = makeImage('missing-layer');
      await registry.pushBlob('manifests', image.config);
      // The layer is in another repository only: that is not enough.
      await registry.pushBlob('elsewhere', image.layers[0]!);
      const response = await registry.fetch('manifests/manifests/broken', { method: 'PUT', headers: { 'content-type': image.mediaType }, body: image.manifest });
      const error = await expectRegistryError(response, 400, 'MANIFEST_BLOB_UNKNOWN');
      assert.deepEqual(error.detail, { digest: sha256(image.layers[0]!) });
      await expectRegistryError(await registry.fetch('manifests/manifests/broken'), 404, 'MANIFEST_UNKNOWN');
      await expectRegistryError(await registry.fetch(`manifests/manifests/${image.digest}`), 404, 'MANIFEST_UNKNOWN');
      assert.ok(!(await registry.json<{ tags: string[] }>('manifests/tags/list')).body.tags.includes('broken'));

      const child = makeImage('index-child');
      const index = makeIndex([child]);
      const refusedIndex = await registry.fetch('manifests/manifests/broken-index', { method: 'PUT', headers: { 'content-type': index.mediaType }, body: index.content });
      await expectRegistryError(refusedIndex, 400, 'MANIFEST_BLOB_UNKNOWN');
      await expectRegistryError(await registry.fetch('manifests/manifests/broken-index'), 404, 'MANIFEST_UNKNOWN');
    });

    it('refuses manifests that are not valid with MANIFEST_INVALID', async () => {
      const image = makeImage('invalid-manifests');
      await pushParts('manifests', image);
      const valid = JSON.parse(image.manifest.toString()) as Record<string, unknown>;
      const cases: [string, string | object][] = [
        ['not JSON', '{"schemaVersion": 2,'],
        ['an array', '[]'],
        ['schema 1', { ...valid, schemaVersion: 1 }],
        ['no config', { schemaVersion: 2, mediaType: mediaTypes.ociManifest, layers: [] }],
        ['bad layer digest', { ...valid, layers: [{ mediaType: mediaTypes.ociLayer, digest: 'sha256:nope', size: 1 }] }],
        ['negative size', { ...valid, layers: [{ mediaType: mediaTypes.ociLayer, digest: sha256('x'), size: -1 }] }],
        ['media type unlike the header', { ...valid, mediaType: mediaTypes.dockerManifest }],
        ['an unknown media type', { ...valid, mediaType: 'application/vnd.example.thing' }],
      ];
      for (const [what, body] of cases) {
        const content = typeof body === 'string' ? body : JSON.stringify(body);
        const response = await registry.fetch('manifests/manifests/invalid', { method: 'PUT', headers: { 'content-type': mediaTypes.ociManifest }, body: content });
        assert.equal(response.status, 400, what);
        await expectRegistryError(response, 400, 'MANIFEST_INVALID');
      }
      await expectRegistryError(await registry.fetch('manifests/manifests/invalid'), 404, 'MANIFEST_UNKNOWN');
    });

    it('refuses a manifest pushed by a digest it does not have with DIGEST_INVALID', async () => {
      const image = makeImage('wrong-digest');
      await pushParts('manifests', image);
      const claimed = sha256('another manifest');
      await expectRegistryError(
        await registry.fetch(`manifests/manifests/${claimed}`, { method: 'PUT', headers: { 'content-type': image.mediaType }, body: image.manifest }),
        400,
        'DIGEST_INVALID',
      );
      await expectRegistryError(await registry.fetch(`manifests/manifests/${claimed}`), 404, 'MANIFEST_UNKNOWN');
      await expectRegistryError(await registry.fetch(`manifests/manifests/${image.digest}`), 404, 'MANIFEST_UNKNOWN');
    });

    it('answers DIGEST_INVALID for malformed digest references and MANIFEST_UNKNOWN for unknown ones', async () => {
      for (const bad of ['sha256:abc', `sha256:${'F'.repeat(64)}`, `sha1:${'0'.repeat(40)}`, `sha512:${'0'.repeat(64)}`]) {
        await expectRegistryError(await registry.fetch(`manifests/manifests/${bad}`), 400, 'DIGEST_INVALID');
        await expectRegistryError(await registry.fetch(`manifests/manifests/${bad}`, { method: 'DELETE' }), 400, 'DIGEST_INVALID');
      }
      await expectRegistryError(await registry.fetch(`manifests/manifests/${sha256('unknown')}`), 404, 'MANIFEST_UNKNOWN');
      await expectRegistryError(await registry.fetch('manifests/manifests/no-such-tag'), 404, 'MANIFEST_UNKNOWN');
      assert.equal((await registry.fetch('manifests/manifests/no-such-tag', { method: 'HEAD' })).status, 404);
      await expectRegistryError(await registry.fetch(`manifests/manifests/${sha256('unknown')}`, { method: 'DELETE' }), 404, 'MANIFEST_UNKNOWN');
    });

    it('refuses invalid tags with TAG_INVALID on push; on a pull they name no manifest', async () => {
      const image = makeImage('tags');
      await pushParts('manifests', image);
      for (const tag of ['-leading-dash', '.leading-dot', 'a+b', 't'.repeat(129), 'sp%20ace']) {
        const response = await registry.fetch(`manifests/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': image.mediaType }, body: image.manifest });
        await expectRegistryError(response, 400, 'TAG_INVALID');
        // A pull of one names no manifest: unknown, as the OCI conformance suite expects.
        await expectRegistryError(await registry.fetch(`manifests/manifests/${tag}`), 404, 'MANIFEST_UNKNOWN');
        const head = await registry.fetch(`manifests/manifests/${tag}`, { method: 'HEAD' });
        assert.equal(head.status, 404);
      }
      await expectRegistryError(await registry.fetch(`manifests/manifests/${image.digest}`), 404, 'MANIFEST_UNKNOWN');
      await registry.pushManifest('manifests', `_${'t'.repeat(127)}`, image.manifest);
    });

    it('refuses to move an immutable tag with TAG_INVALID, and leaves it where it was', async () => {
      const first = await registry.pushImage('immutable', 'v1', 'immutable-first');
      const second = makeImage('immutable-second');
      await pushParts('immutable', second);
      const response = await registry.fetch('immutable/manifests/v1', { method: 'PUT', headers: { 'content-type': second.mediaType }, body: second.manifest });
      const error = await expectRegistryError(response, 400, 'TAG_INVALID');
      assert.equal(error.message, "The image tag 'v1' already exists in the 'immutable' repository and cannot be overwritten because the tag is immutable.");
      const current = await registry.fetch('immutable/manifests/v1', { method: 'HEAD' });
      assert.equal(current.headers.get('docker-content-digest'), first.digest);
      await expectRegistryError(await registry.fetch(`immutable/manifests/${second.digest}`), 404, 'MANIFEST_UNKNOWN');
      // As in ECR, even the same manifest again is refused: the tag exists. New tags are fine.
      const again = await registry.fetch('immutable/manifests/v1', { method: 'PUT', headers: { 'content-type': first.mediaType }, body: first.manifest });
      const repeated = await expectRegistryError(again, 400, 'TAG_INVALID');
      assert.equal(repeated.message, "The image tag 'v1' already exists in the 'immutable' repository and cannot be overwritten because the tag is immutable.");
      await registry.pushManifest('immutable', 'v2', second.manifest);

      await pushParts('mostly-immutable', first);
      await registry.pushManifest('mostly-immutable', 'latest', first.manifest);
      await registry.pushManifest('mostly-immutable', 'v1', first.manifest);
      await pushParts('mostly-immutable', second);
      await registry.pushManifest('mostly-immutable', 'latest', second.manifest);
      const pinned = await registry.fetch('mostly-immutable/manifests/v1', { method: 'PUT', headers: { 'content-type': second.mediaType }, body: second.manifest });
      await expectRegistryError(pinned, 400, 'TAG_INVALID');
    });
  });

  describe('repositories and routes', () => {
    it('answers NAME_INVALID for names that are not valid repository names', async () => {
      for (const name of ['Team/App', 'team//app', '-team', 'team/', 'a', 'team..app']) {
        for (const path of [`${name}/tags/list`, `${name}/manifests/latest`, `${name}/blobs/${sha256('x')}`]) {
          await expectRegistryError(await registry.fetch(path), 400, 'NAME_INVALID');
        }
        await expectRegistryError(await registry.fetch(`${name}/blobs/uploads/`, { method: 'POST' }), 400, 'NAME_INVALID');
      }
    });

    it('answers a path with bad percent-encoding in the spec’s shape (and other paths in the AWS shape)', async () => {
      await expectRegistryError(await registry.fetch('team%ZZ/tags/list'), 400, 'NAME_INVALID');
      const elsewhere = await fetch(`${berth.url}/%ZZ`, { method: 'POST' });
      assert.equal(elsewhere.status, 400);
      assert.equal(((await elsewhere.json()) as { __type?: string }).__type, 'InvalidRequestException');
    });

    it('answers NAME_UNKNOWN for repositories that do not exist, and starts no upload in them', async () => {
      for (const path of ['nope/tags/list', 'team/nope/manifests/latest', `team/nope/blobs/${sha256('x')}`, `nope/referrers/${sha256('x')}`]) {
        const error = await expectRegistryError(await registry.fetch(path), 404, 'NAME_UNKNOWN');
        assert.match(error.message, /does not exist in the registry with id '000000000000'/);
      }
      await expectRegistryError(await registry.fetch('nope/blobs/uploads/', { method: 'POST' }), 404, 'NAME_UNKNOWN');
      await expectRegistryError(await registry.fetch(`nope/blobs/uploads/?digest=${sha256('x')}`, { method: 'POST', body: 'x' }), 404, 'NAME_UNKNOWN');
      await expectRegistryError(await registry.fetch('nope/manifests/v1', { method: 'PUT', headers: { 'content-type': mediaTypes.ociManifest }, body: '{}' }), 404, 'NAME_UNKNOWN');
      assert.equal(await berth.server.registry.storage.stat(sha256('x')), undefined);
    });

    it('answers 405 UNSUPPORTED for methods a route does not take, and 404 for paths it does not serve', async () => {
      await expectRegistryError(await registry.fetch('team/app/manifests/latest', { method: 'POST' }), 405, 'UNSUPPORTED');
      await expectRegistryError(await registry.fetch('team/app/tags/list', { method: 'DELETE' }), 405, 'UNSUPPORTED');
      await expectRegistryError(await registry.fetch('_catalog', { method: 'POST' }), 405, 'UNSUPPORTED');
      await expectRegistryError(await registry.fetch('team/app/nothing-here'), 404, 'UNSUPPORTED');
    });
  });
});
