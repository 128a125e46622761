/**
 * Berth's /v2/ against the OCI Distribution Spec v1.1, spoken with plain fetch: pulls, every way
 * of pushing a blob, mounts, tag and catalog listing, deletion, and the referrers API.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import {
  createRepository,
  expectRegistryError,
  makeImage,
  makeIndex,
  mediaTypes,
  RegistryHttp,
  sha256,
  sha512,
} from '../helpers/registry.js';

/** Bytes that differ at every position, so a misplaced range shows. */
const patterned = (length: number, salt = 0) => Buffer.from(Array.from({ length }, (_, i) => (i * 7 + salt) % 251));

describe('OCI distribution: conformance', () => {
  let berth: TestBerth;
  let registry: RegistryHttp;
  before(async () => {
    berth = await startBerth();
    registry = await RegistryHttp.login(berth);
    for (const name of ['team/app', 'team/mounted', 'uploads', 'tags-paged', 'deleting', 'referring', 'formats', 'a/b/c']) {
      await createRepository(berth, name);
    }
  });
  after(async () => berth.close());

  describe('pull', () => {
    it('answers GET /v2/ with 200 to an authenticated client', async () => {
      const response = await registry.fetch('/v2/');
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('docker-distribution-api-version'), 'registry/2.0');
    });

    it('serves a manifest by tag and by digest, to GET and HEAD', async () => {
      const image = await registry.pushImage('team/app', 'v1', 'pull-manifest');
      for (const reference of ['v1', image.digest]) {
        const get = await registry.fetch(`team/app/manifests/${reference}`, { headers: { accept: mediaTypes.ociManifest } });
        assert.equal(get.status, 200);
        assert.equal(get.headers.get('content-type'), mediaTypes.ociManifest);
        assert.equal(get.headers.get('docker-content-digest'), image.digest);
        assert.equal(get.headers.get('content-length'), String(image.manifest.length));
        assert.deepEqual(Buffer.from(await get.arrayBuffer()), image.manifest);

        const head = await registry.fetch(`team/app/manifests/${reference}`, { method: 'HEAD' });
        assert.equal(head.status, 200);
        assert.equal(head.headers.get('content-type'), mediaTypes.ociManifest);
        assert.equal(head.headers.get('docker-content-digest'), image.digest);
        assert.equal(head.headers.get('content-length'), String(image.manifest.length));
        assert.equal((await head.arrayBuffer()).byteLength, 0);
      }
    });

    it('serves a blob whole to GET and HEAD', async () => {
      const content = patterned(3000);
      const digest = await registry.pushBlob('team/app', content);
      const get = await registry.fetch(`team/app/blobs/${digest}`);
      assert.equal(get.status, 200);
      assert.equal(get.headers.get('docker-content-digest'), digest);
      assert.equal(get.headers.get('content-length'), '3000');
      assert.deepEqual(Buffer.from(await get.arrayBuffer()), content);

      const head = await registry.fetch(`team/app/blobs/${digest}`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('docker-content-digest'), digest);
      assert.equal(head.headers.get('content-length'), '3000');
      assert.equal((await head.arrayBuffer()).byteLength, 0);
    });

    it('serves byte ranges of a blob with 206 and Content-Range, and refuses unsatisfiable ones with 416', async () => {
      const content = patterned(1000, 3);
      const digest = await registry.pushBlob('team/app', content);
      const cases: [string, number, number][] = [
        ['bytes=0-9', 0, 9],
        ['bytes=990-', 990, 999],
        ['bytes=-5', 995, 999],
        ['bytes=500-5000', 500, 999],
        ['bytes=999-999', 999, 999],
      ];
      for (const [range, start, end] of cases) {
        const response = await registry.fetch(`team/app/blobs/${digest}`, { headers: { range } });
        assert.equal(response.status, 206, range);
        assert.equal(response.headers.get('content-range'), `bytes ${start}-${end}/1000`, range);
        assert.equal(response.headers.get('content-length'), String(end - start + 1), range);
        assert.deepEqual(Buffer.from(await response.arrayBuffer()), content.subarray(start, end + 1), range);
      }
      for (const range of ['bytes=1000-', 'bytes=1000-1010']) {
        const response = await registry.fetch(`team/app/blobs/${digest}`, { headers: { range } });
        await expectRegistryError(response, 416, 'RANGE_INVALID');
        assert.equal(response.headers.get('content-range'), 'bytes */1000', range);
      }
    });
  });

  describe('push', () => {
    it('takes and serves an empty blob', async () => {
      const empty = Buffer.alloc(0);
      await registry.pushBlob('uploads', empty);
      const get = await registry.fetch(`uploads/blobs/${sha256(empty)}`);
      assert.equal(get.status, 200);
      assert.equal(get.headers.get('content-length'), '0');
      assert.equal((await get.arrayBuffer()).byteLength, 0);
      const range = await registry.fetch(`uploads/blobs/${sha256(empty)}`, { headers: { range: 'bytes=0-' } });
      await expectRegistryError(range, 416, 'RANGE_INVALID');
      assert.equal(range.headers.get('content-range'), 'bytes */0');
    });

    it('takes a blob in one POST with ?digest= and answers 201 with a pullable Location', async () => {
      const content = Buffer.from('monolithic blob');
      const response = await registry.fetch(`uploads/blobs/uploads/?digest=${sha256(content)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: content,
      });
      assert.equal(response.status, 201);
      assert.equal(response.headers.get('docker-content-digest'), sha256(content));
      const location = response.headers.get('location')!;
      assert.equal(location, `/v2/uploads/blobs/${sha256(content)}`);
      assert.deepEqual(Buffer.from(await (await registry.fetch(location)).arrayBuffer()), content);
    });

    it('takes a blob in POST then PUT', async () => {
      const content = patterned(4096, 11);
      const start = await registry.fetch('uploads/blobs/uploads/', { method: 'POST' });
      assert.equal(start.status, 202);
      const location = start.headers.get('location')!;
      assert.match(location, /^\/v2\/uploads\/blobs\/uploads\/[0-9a-f-]{36}$/);
      assert.equal(start.headers.get('docker-upload-uuid'), location.split('/').pop());

      const put = await registry.fetch(`${location}?digest=${sha256(content)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: content,
      });
      assert.equal(put.status, 201, await put.clone().text());
      assert.equal(put.headers.get('location'), `/v2/uploads/blobs/${sha256(content)}`);
      assert.equal(put.headers.get('docker-content-digest'), sha256(content));
      assert.deepEqual(Buffer.from(await (await registry.fetch(`uploads/blobs/${sha256(content)}`)).arrayBuffer()), content);
      // The session is over.
      await expectRegistryError(await registry.fetch(location), 404, 'BLOB_UPLOAD_UNKNOWN');
    });

    it('takes a blob in chunks sent in order with Content-Range, the last one with the closing PUT', async () => {
      const content = patterned(10_000, 5);
      let location = await registry.startUpload('uploads');
      for (const [start, end] of [
        [0, 3999],
        [4000, 7999],
      ] as const) {
        const patch = await registry.fetch(location, {
          method: 'PATCH',
          headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${end}` },
          body: content.subarray(start, end + 1),
        });
        assert.equal(patch.status, 202, await patch.clone().text());
        assert.equal(patch.headers.get('range'), `0-${end}`);
        location = patch.headers.get('location')!;
        assert.match(location, /^\/v2\/uploads\/blobs\/uploads\//);
      }
      const status = await registry.fetch(location);
      assert.equal(status.status, 204);
      assert.equal(status.headers.get('range'), '0-7999');
      assert.equal(status.headers.get('location'), location);

      const put = await registry.fetch(`${location}?digest=${sha256(content)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream', 'content-range': '8000-9999' },
        body: content.subarray(8000),
      });
      assert.equal(put.status, 201, await put.clone().text());
      assert.deepEqual(Buffer.from(await (await registry.fetch(`uploads/blobs/${sha256(content)}`)).arrayBuffer()), content);
    });

    it('takes chunks without Content-Range (streamed) and an empty closing PUT', async () => {
      const content = patterned(2500, 9);
      const location = await registry.startUpload('uploads');
      for (const chunk of [content.subarray(0, 1000), content.subarray(1000)]) {
        const patch = await registry.fetch(location, { method: 'PATCH', headers: { 'content-type': 'application/octet-stream' }, body: chunk });
        assert.equal(patch.status, 202);
      }
      const put = await registry.fetch(`${location}?digest=${sha256(content)}`, { method: 'PUT' });
      assert.equal(put.status, 201, await put.clone().text());
      const head = await registry.fetch(`uploads/blobs/${sha256(content)}`, { method: 'HEAD' });
      assert.equal(head.headers.get('content-length'), '2500');
    });

    it('refuses an out-of-order chunk with 416 RANGE_INVALID and keeps what it had, so the push can go on', async () => {
      const content = patterned(300, 1);
      const location = await registry.startUpload('uploads');
      const patch = (start: number, end: number) =>
        registry.fetch(location, {
          method: 'PATCH',
          headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${end}` },
          body: content.subarray(start, end + 1),
        });
      assert.equal((await patch(0, 99)).status, 202);
      for (const [start, end] of [
        [200, 299],
        [50, 149],
        [0, 99],
      ] as const) {
        const refused = await patch(start, end);
        const error = await expectRegistryError(refused, 416, 'RANGE_INVALID');
        assert.match(error.message, /resume from 100/);
      }
      const status = await registry.fetch(location);
      assert.equal(status.status, 204);
      assert.equal(status.headers.get('range'), '0-99');
      assert.equal((await patch(100, 199)).status, 202);
      assert.equal((await patch(200, 299)).status, 202);
      const put = await registry.fetch(`${location}?digest=${sha256(content)}`, { method: 'PUT' });
      assert.equal(put.status, 201, await put.clone().text());
      assert.deepEqual(Buffer.from(await (await registry.fetch(`uploads/blobs/${sha256(content)}`)).arrayBuffer()), content);
    });

    it('resumes an upload whose connection dropped mid-chunk from the offset the status reports', async () => {
      const content = patterned(256 * 1024, 13);
      const location = await registry.startUpload('uploads');
      const id = location.split('/').pop()!;
      const sent = 100 * 1024;

      // A PATCH announcing the whole blob that dies after `sent` bytes.
      const dropped = request(registry.url(location), {
        method: 'PATCH',
        headers: {
          authorization: registry.authHeader!,
          'content-type': 'application/octet-stream',
          'content-length': String(content.length),
          'content-range': `0-${content.length - 1}`,
        },
      });
      const ended = new Promise<string>((resolve) => {
        dropped.on('error', (error) => resolve(error.message));
        dropped.on('response', (response) => resolve(`answered ${response.statusCode}`));
      });
      dropped.write(content.subarray(0, sent));
      const deadline = Date.now() + 10_000;
      while ((await berth.server.registry.storage.uploadSize(id)) !== sent) {
        assert.ok(Date.now() < deadline, 'the first bytes reach storage');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      dropped.destroy();
      assert.doesNotMatch(await ended, /^answered/);

      const status = await registry.fetch(location);
      assert.equal(status.status, 204);
      assert.equal(status.headers.get('range'), `0-${sent - 1}`);
      const offset = Number(status.headers.get('range')!.split('-')[1]) + 1;
      const rest = await registry.fetch(status.headers.get('location')!, {
        method: 'PATCH',
        headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${content.length - 1}` },
        body: content.subarray(offset),
      });
      assert.equal(rest.status, 202, await rest.clone().text());
      assert.equal(rest.headers.get('range'), `0-${content.length - 1}`);
      const put = await registry.fetch(`${location}?digest=${sha256(content)}`, { method: 'PUT' });
      assert.equal(put.status, 201, await put.clone().text());
      assert.deepEqual(Buffer.from(await (await registry.fetch(`uploads/blobs/${sha256(content)}`)).arrayBuffer()), content);
    });

    it("takes blobs larger than the edge's 16 MiB limit on API bodies, in one POST and in one PATCH", async () => {
      const big = Buffer.alloc(20 * 1024 * 1024, 0x5a);
      big.write('start', 0);
      big.write('end', big.length - 3);
      await registry.pushBlob('uploads', big);
      const head = await registry.fetch(`uploads/blobs/${sha256(big)}`, { method: 'HEAD' });
      assert.equal(head.headers.get('content-length'), String(big.length));

      const other = Buffer.concat([big, Buffer.from('more')]);
      const location = await registry.startUpload('uploads');
      const patch = await registry.fetch(location, { method: 'PATCH', headers: { 'content-range': `0-${other.length - 1}` }, body: other });
      assert.equal(patch.status, 202);
      assert.equal((await registry.fetch(`${location}?digest=${sha256(other)}`, { method: 'PUT' })).status, 201);
      const tail = await registry.fetch(`uploads/blobs/${sha256(other)}`, { headers: { range: 'bytes=-7' } });
      assert.equal(await tail.text(), 'endmore');
    });

    it('takes the same blob pushed by several clients at once', async () => {
      const content = patterned(64 * 1024, 17);
      const pushes = ['uploads', 'uploads', 'team/app', 'team/mounted'].map((name) => registry.pushBlob(name, content));
      assert.deepEqual(await Promise.all(pushes), Array(4).fill(sha256(content)));
      for (const name of ['uploads', 'team/app', 'team/mounted']) {
        assert.deepEqual(Buffer.from(await (await registry.fetch(`${name}/blobs/${sha256(content)}`)).arrayBuffer()), content);
      }
    });

    it('verifies sha512 digests, monolithic and chunked, and serves the blob under them', async () => {
      const small = Buffer.from('sha512 content');
      await registry.pushBlob('uploads', small, sha512(small));
      const fetched = await registry.fetch(`uploads/blobs/${sha512(small)}`);
      assert.equal(fetched.status, 200);
      assert.equal(fetched.headers.get('docker-content-digest'), sha512(small));
      assert.deepEqual(Buffer.from(await fetched.arrayBuffer()), small);

      const big = patterned(5000, 2);
      const location = await registry.startUpload('uploads');
      await registry.fetch(location, { method: 'PATCH', headers: { 'content-range': '0-2999' }, body: big.subarray(0, 3000) });
      const put = await registry.fetch(`${location}?digest=${sha512(big)}`, { method: 'PUT', headers: { 'content-range': '3000-4999' }, body: big.subarray(3000) });
      assert.equal(put.status, 201, await put.clone().text());
      assert.equal(put.headers.get('docker-content-digest'), sha512(big));
      assert.deepEqual(Buffer.from(await (await registry.fetch(`uploads/blobs/${sha512(big)}`)).arrayBuffer()), big);
      // The same bytes are not known under their sha256 in this repository.
      await expectRegistryError(await registry.fetch(`uploads/blobs/${sha256(big)}`), 404, 'BLOB_UNKNOWN');
    });

    it('pushes a manifest by its sha512 digest', async () => {
      const image = makeImage('sha512-manifest');
      await registry.pushBlob('uploads', image.config);
      await registry.pushBlob('uploads', image.layers[0]!);
      const digest = sha512(image.manifest);
      assert.equal(await registry.pushManifest('uploads', digest, image.manifest, image.mediaType), digest);
      const get = await registry.fetch(`uploads/manifests/${digest}`);
      assert.equal(get.status, 200);
      assert.equal(get.headers.get('docker-content-digest'), digest);
      assert.deepEqual(Buffer.from(await get.arrayBuffer()), image.manifest);
    });

    it('mounts a blob from another repository with 201, and starts an upload (202) when the source lacks it', async () => {
      const content = Buffer.from('a layer shared between repositories');
      const digest = await registry.pushBlob('team/app', content);
      assert.equal((await registry.fetch(`team/mounted/blobs/${digest}`, { method: 'HEAD' })).status, 404);

      const mounted = await registry.fetch(`team/mounted/blobs/uploads/?mount=${digest}&from=team/app`, { method: 'POST' });
      assert.equal(mounted.status, 201);
      assert.equal(mounted.headers.get('location'), `/v2/team/mounted/blobs/${digest}`);
      assert.equal(mounted.headers.get('docker-content-digest'), digest);
      assert.deepEqual(Buffer.from(await (await registry.fetch(`team/mounted/blobs/${digest}`)).arrayBuffer()), content);

      const missing = Buffer.from('only in the client');
      for (const from of ['team/app', 'no/such/repository']) {
        const fallback = await registry.fetch(`team/mounted/blobs/uploads/?mount=${sha256(missing)}&from=${from}`, { method: 'POST' });
        assert.equal(fallback.status, 202);
        const location = fallback.headers.get('location')!;
        assert.match(location, /^\/v2\/team\/mounted\/blobs\/uploads\//);
        const put = await registry.fetch(`${location}?digest=${sha256(missing)}`, { method: 'PUT', body: missing });
        assert.equal(put.status, 201);
      }
    });
  });

  describe('content discovery', () => {
    it('lists tags in lexical order, paged with n and last, with a Link to the next page only while there is one', async () => {
      const image = makeImage('tags');
      await registry.pushBlob('tags-paged', image.config);
      await registry.pushBlob('tags-paged', image.layers[0]!);
      const tags = ['v10', 'V2', 'latest', 'v1', 'v2', '1.0'];
      for (const tag of tags) await registry.pushManifest('tags-paged', tag, image.manifest);
      const sorted = ['1.0', 'V2', 'latest', 'v1', 'v10', 'v2'];

      const all = await registry.json<{ name: string; tags: string[] }>('tags-paged/tags/list');
      assert.deepEqual(all.body, { name: 'tags-paged', tags: sorted });
      assert.equal(all.response.headers.get('link'), null);

      const pages: string[][] = [];
      let next: string | undefined = 'tags-paged/tags/list?n=4';
      while (next) {
        const page: { response: Response; body: { tags: string[] } } = await registry.json(next);
        pages.push(page.body.tags);
        const link = page.response.headers.get('link');
        next = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1] : undefined;
      }
      assert.deepEqual(pages, [sorted.slice(0, 4), sorted.slice(4)]);

      const exact = await registry.json<{ tags: string[] }>('tags-paged/tags/list?n=6');
      assert.deepEqual(exact.body.tags, sorted);
      assert.equal(exact.response.headers.get('link'), null, 'no Link when nothing follows');

      const first = await registry.json<{ tags: string[] }>('tags-paged/tags/list?n=2');
      assert.equal(first.response.headers.get('link'), '</v2/tags-paged/tags/list?n=2&last=V2>; rel="next"');
      assert.deepEqual((await registry.json<{ tags: string[] }>('tags-paged/tags/list?last=v1')).body.tags, ['v10', 'v2']);
      const none = await registry.json<{ tags: string[] }>('tags-paged/tags/list?n=0');
      assert.deepEqual(none.body.tags, []);
      assert.equal(none.response.headers.get('link'), null);
      await expectRegistryError(await registry.fetch('tags-paged/tags/list?n=-1'), 400, 'PAGINATION_NUMBER_INVALID');
    });

    it("lists the account's repositories in the catalog, paged with n and last", async () => {
      const all = await registry.json<{ repositories: string[] }>('_catalog');
      const expected = ['a/b/c', 'deleting', 'formats', 'referring', 'tags-paged', 'team/app', 'team/mounted', 'uploads'];
      assert.deepEqual(
        all.body.repositories.filter((name) => expected.includes(name)),
        expected,
      );
      assert.deepEqual([...all.body.repositories].sort(), all.body.repositories);

      const collected: string[] = [];
      let next: string | undefined = '/v2/_catalog?n=3';
      let requests = 0;
      while (next) {
        const page: { response: Response; body: { repositories: string[] } } = await registry.json(next);
        assert.ok(page.body.repositories.length <= 3);
        collected.push(...page.body.repositories);
        const link = page.response.headers.get('link');
        next = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1] : undefined;
        requests += 1;
      }
      assert.deepEqual(collected, all.body.repositories);
      assert.equal(requests, Math.ceil(all.body.repositories.length / 3));
      assert.deepEqual((await registry.json<{ repositories: string[] }>('_catalog?n=1&last=team/app')).body.repositories, ['team/mounted']);
    });

    it('refuses a page size that is no whole number within 2^53 with PAGINATION_NUMBER_INVALID, on both listings', async () => {
      for (const path of ['_catalog', 'tags-paged/tags/list']) {
        for (const n of ['99999999999999999999', '1e300', '9007199254740992', '-1', '1.5', 'abc', '', '0x10', '+1', ' 1']) {
          const error = await expectRegistryError(await registry.fetch(`${path}?n=${encodeURIComponent(n)}`), 400, 'PAGINATION_NUMBER_INVALID');
          assert.deepEqual(error.detail, { n });
        }
        await expectRegistryError(await registry.fetch(`${path}?n=1&n=2`), 400, 'PAGINATION_NUMBER_INVALID');
        await expectRegistryError(await registry.fetch(`${path}?last=a&last=b`), 400, 'PAGINATION_NUMBER_INVALID');
        // The largest safe integer is a page size like any other.
        assert.ok((await registry.json(`${path}?n=9007199254740991`)).body);
        // Any text is a place to go on from.
        assert.ok((await registry.json(`${path}?last=${encodeURIComponent('ü/../%00'.repeat(100))}`)).body);
      }
      // A page size is checked before the repository is looked up.
      await expectRegistryError(await registry.fetch('no-such-repo/tags/list?n=1e300'), 400, 'PAGINATION_NUMBER_INVALID');
    });

    it('refuses malformed or repeated digest, mount, from and artifactType parameters with the spec errors', async () => {
      const blob = sha256('parameters');
      await expectRegistryError(await registry.fetch('uploads/blobs/uploads/?digest=sha256:xyz', { method: 'POST', body: 'x' }), 400, 'DIGEST_INVALID');
      await expectRegistryError(await registry.fetch(`uploads/blobs/uploads/?digest=${blob}&digest=${blob}`, { method: 'POST', body: 'x' }), 400, 'DIGEST_INVALID');
      await expectRegistryError(await registry.fetch('uploads/blobs/uploads/?mount=1e300&from=team/app', { method: 'POST' }), 400, 'DIGEST_INVALID');
      await expectRegistryError(await registry.fetch(`uploads/blobs/uploads/?mount=${blob}&from=../../etc`, { method: 'POST' }), 400, 'NAME_INVALID');
      await expectRegistryError(await registry.fetch(`team/app/referrers/${blob}?artifactType=not-a-media-type`), 400, 'UNSUPPORTED');
      await expectRegistryError(await registry.fetch(`team/app/referrers/${blob}?artifactType=a/b&artifactType=c/d`), 400, 'UNSUPPORTED');
      // A parameter no route reads is left alone, as containerd's ns is.
      assert.equal((await registry.fetch('_catalog?ns=docker.io')).status, 200);
    });

    it('refuses methods the spec does not serve with 405 UNSUPPORTED, and a path it cannot decode with NAME_INVALID', async () => {
      for (const [method, path] of [['POST', '/v2/'], ['DELETE', '/v2'], ['OPTIONS', '/v2/_catalog'], ['OPTIONS', '/v2/team/app/manifests/v1'], ['PUT', '/v2/team/app/tags/list']]) {
        await expectRegistryError(await registry.fetch(path!, { method: method! }), 405, 'UNSUPPORTED');
      }
      await expectRegistryError(await registry.fetch('/v2/team%ZZapp/tags/list'), 400, 'NAME_INVALID');
      // A Content-Type that is no media type at all.
      await expectRegistryError(await registry.fetch('team/app/manifests/v9', { method: 'PUT', headers: { 'content-type': 'nonsense' }, body: '{}' }), 415, 'UNSUPPORTED');
    });
  });

  describe('content management', () => {
    it('deletes a tag with DELETE /manifests/<tag>, leaving the manifest', async () => {
      const image = await registry.pushImage('deleting', 'keep', 'delete-tag');
      await registry.pushManifest('deleting', 'drop', image.manifest);
      const deleted = await registry.fetch('deleting/manifests/drop', { method: 'DELETE' });
      assert.equal(deleted.status, 202);
      await expectRegistryError(await registry.fetch('deleting/manifests/drop'), 404, 'MANIFEST_UNKNOWN');
      assert.equal((await registry.fetch(`deleting/manifests/${image.digest}`)).status, 200);
      assert.equal((await registry.fetch('deleting/manifests/keep')).status, 200);
      await expectRegistryError(await registry.fetch('deleting/manifests/drop', { method: 'DELETE' }), 404, 'MANIFEST_UNKNOWN');
    });

    it('deletes a manifest by digest with every tag pointing at it', async () => {
      const image = await registry.pushImage('deleting', 'one', 'delete-manifest');
      await registry.pushManifest('deleting', 'two', image.manifest);
      const deleted = await registry.fetch(`deleting/manifests/${image.digest}`, { method: 'DELETE' });
      assert.equal(deleted.status, 202);
      await expectRegistryError(await registry.fetch(`deleting/manifests/${image.digest}`), 404, 'MANIFEST_UNKNOWN');
      await expectRegistryError(await registry.fetch('deleting/manifests/one'), 404, 'MANIFEST_UNKNOWN');
      const head = await registry.fetch('deleting/manifests/two', { method: 'HEAD' });
      assert.equal(head.status, 404);
      assert.deepEqual((await registry.json<{ tags: string[] }>('deleting/tags/list')).body.tags.filter((tag) => tag !== 'keep'), []);
      await expectRegistryError(await registry.fetch(`deleting/manifests/${image.digest}`, { method: 'DELETE' }), 404, 'MANIFEST_UNKNOWN');
    });

    it('deletes a blob', async () => {
      const digest = await registry.pushBlob('deleting', 'a blob to delete');
      const deleted = await registry.fetch(`deleting/blobs/${digest}`, { method: 'DELETE' });
      assert.equal(deleted.status, 202);
      assert.equal((await registry.fetch(`deleting/blobs/${digest}`, { method: 'HEAD' })).status, 404);
      await expectRegistryError(await registry.fetch(`deleting/blobs/${digest}`), 404, 'BLOB_UNKNOWN');
      await expectRegistryError(await registry.fetch(`deleting/blobs/${digest}`, { method: 'DELETE' }), 404, 'BLOB_UNKNOWN');
    });

    it('cancels an upload with DELETE', async () => {
      const location = await registry.startUpload('deleting');
      await registry.fetch(location, { method: 'PATCH', body: Buffer.from('partial') });
      const cancelled = await registry.fetch(location, { method: 'DELETE' });
      assert.equal(cancelled.status, 204);
      await expectRegistryError(await registry.fetch(location), 404, 'BLOB_UPLOAD_UNKNOWN');
      const put = await registry.fetch(`${location}?digest=${sha256('partial')}`, { method: 'PUT' });
      await expectRegistryError(put, 404, 'BLOB_UPLOAD_UNKNOWN');
    });
  });

  describe('referrers', () => {
    const emptyConfig = Buffer.from('{}');
    const artifact = (subject: { digest: string; size: number; mediaType: string }, fields: Record<string, unknown>, layer: Buffer) =>
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: mediaTypes.ociManifest,
          config: { mediaType: mediaTypes.ociEmpty, digest: sha256(emptyConfig), size: 2 },
          layers: [{ mediaType: 'application/octet-stream', digest: sha256(layer), size: layer.length }],
          subject,
          ...fields,
        }),
      );

    it('answers a manifest with a subject with OCI-Subject, lists it as a referrer, and filters by artifactType', async () => {
      const image = await registry.pushImage('referring', 'v1', 'subject');
      const subject = { mediaType: image.mediaType, digest: image.digest, size: image.manifest.length };
      await registry.pushBlob('referring', emptyConfig);
      const sbomLayer = Buffer.from('{"sbom":true}');
      const signatureLayer = Buffer.from('signature');
      await registry.pushBlob('referring', sbomLayer);
      await registry.pushBlob('referring', signatureLayer);

      const sbom = artifact(subject, { artifactType: 'application/vnd.example.sbom.v1', annotations: { 'org.example.kind': 'sbom' } }, sbomLayer);
      const put = await registry.fetch(`referring/manifests/${sha256(sbom)}`, { method: 'PUT', headers: { 'content-type': mediaTypes.ociManifest }, body: sbom });
      assert.equal(put.status, 201);
      assert.equal(put.headers.get('oci-subject'), image.digest);

      // No artifactType: the referrers API reports the config's media type.
      const signatureConfig = Buffer.from('{"signed":true}');
      await registry.pushBlob('referring', signatureConfig);
      const signature = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: mediaTypes.ociManifest,
          config: { mediaType: 'application/vnd.example.signature.config.v1+json', digest: sha256(signatureConfig), size: signatureConfig.length },
          layers: [{ mediaType: 'application/octet-stream', digest: sha256(signatureLayer), size: signatureLayer.length }],
          subject,
        }),
      );
      await registry.pushManifest('referring', sha256(signature), signature);

      const listed = await registry.fetch(`referring/referrers/${image.digest}`);
      assert.equal(listed.status, 200);
      assert.equal(listed.headers.get('content-type'), mediaTypes.ociIndex);
      assert.equal(listed.headers.get('oci-filters-applied'), null);
      assert.deepEqual(await listed.json(), {
        schemaVersion: 2,
        mediaType: mediaTypes.ociIndex,
        manifests: [
          {
            mediaType: mediaTypes.ociManifest,
            digest: sha256(sbom),
            size: sbom.length,
            artifactType: 'application/vnd.example.sbom.v1',
            annotations: { 'org.example.kind': 'sbom' },
          },
          { mediaType: mediaTypes.ociManifest, digest: sha256(signature), size: signature.length, artifactType: 'application/vnd.example.signature.config.v1+json' },
        ],
      });

      const filtered = await registry.fetch(`referring/referrers/${image.digest}?artifactType=${encodeURIComponent('application/vnd.example.sbom.v1')}`);
      assert.equal(filtered.status, 200);
      assert.equal(filtered.headers.get('oci-filters-applied'), 'artifactType');
      assert.deepEqual(
        ((await filtered.json()) as { manifests: { digest: string }[] }).manifests.map((entry) => entry.digest),
        [sha256(sbom)],
      );

      // An index as a referrer: without an artifactType of its own, its descriptor has none.
      const referringIndex = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [], subject, annotations: { 'org.example.kind': 'bundle' } }));
      const indexPut = await registry.fetch(`referring/manifests/${sha256(referringIndex)}`, { method: 'PUT', headers: { 'content-type': mediaTypes.ociIndex }, body: referringIndex });
      assert.equal(indexPut.status, 201);
      assert.equal(indexPut.headers.get('oci-subject'), image.digest);
      const withIndex = (await (await registry.fetch(`referring/referrers/${image.digest}`)).json()) as { manifests: Record<string, unknown>[] };
      assert.deepEqual(withIndex.manifests[2], {
        mediaType: mediaTypes.ociIndex,
        digest: sha256(referringIndex),
        size: referringIndex.length,
        annotations: { 'org.example.kind': 'bundle' },
      });
      assert.equal((await registry.fetch(`referring/manifests/${sha256(referringIndex)}`, { method: 'DELETE' })).status, 202);

      // Deleting a referrer takes it out of the list.
      assert.equal((await registry.fetch(`referring/manifests/${sha256(signature)}`, { method: 'DELETE' })).status, 202);
      const after = (await (await registry.fetch(`referring/referrers/${image.digest}`)).json()) as { manifests: { digest: string }[] };
      assert.deepEqual(after.manifests.map((entry) => entry.digest), [sha256(sbom)]);
    });

    it('accepts a referrer before its subject, and answers an empty index (never 404) for a digest without referrers', async () => {
      const absent = { mediaType: mediaTypes.ociManifest, digest: sha256('a subject pushed later'), size: 22 };
      await registry.pushBlob('referring', emptyConfig);
      const layer = Buffer.from('early');
      await registry.pushBlob('referring', layer);
      const early = artifact(absent, { artifactType: 'application/vnd.example.early' }, layer);
      const put = await registry.fetch(`referring/manifests/${sha256(early)}`, { method: 'PUT', headers: { 'content-type': mediaTypes.ociManifest }, body: early });
      assert.equal(put.status, 201);
      assert.equal(put.headers.get('oci-subject'), absent.digest);
      const listed = (await (await registry.fetch(`referring/referrers/${absent.digest}`)).json()) as { manifests: { digest: string }[] };
      assert.deepEqual(listed.manifests.map((entry) => entry.digest), [sha256(early)]);

      const none = await registry.fetch(`referring/referrers/${sha256('nothing refers to this')}`);
      assert.equal(none.status, 200);
      assert.deepEqual(await none.json(), { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [] });
      await expectRegistryError(await registry.fetch('referring/referrers/sha256:nothex'), 400, 'DIGEST_INVALID');
    });
  });

  describe('manifest formats', () => {
    it('stores Docker schema 2 manifests and manifest lists, and OCI manifests and indexes, byte for byte with their media types', async () => {
      const cases = [
        { format: 'docker' as const, listType: mediaTypes.dockerManifestList, imageType: mediaTypes.dockerManifest },
        { format: 'oci' as const, listType: mediaTypes.ociIndex, imageType: mediaTypes.ociManifest },
      ];
      for (const { format, listType, imageType } of cases) {
        const amd64 = makeImage(`${format}-amd64`, { format, platform: { os: 'linux', architecture: 'amd64' } });
        const arm64 = makeImage(`${format}-arm64`, { format, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
        for (const image of [amd64, arm64]) {
          await registry.pushBlob('formats', image.config);
          await registry.pushBlob('formats', image.layers[0]!);
          await registry.pushManifest('formats', image.digest, image.manifest, image.mediaType);
        }
        const index = makeIndex([amd64, arm64], format);
        await registry.pushManifest('formats', format, index.content, index.mediaType);

        const list = await registry.fetch(`formats/manifests/${format}`, { headers: { accept: `${listType}, ${imageType}` } });
        assert.equal(list.status, 200);
        assert.equal(list.headers.get('content-type'), listType);
        assert.equal(list.headers.get('docker-content-digest'), index.digest);
        assert.deepEqual(Buffer.from(await list.arrayBuffer()), index.content);
        const child = await registry.fetch(`formats/manifests/${arm64.digest}`);
        assert.equal(child.headers.get('content-type'), imageType);
        assert.deepEqual(Buffer.from(await child.arrayBuffer()), arm64.manifest);
      }
    });

    it('keeps a manifest an index lists until the index is gone', async () => {
      const image = makeImage('listed-child');
      await registry.pushBlob('formats', image.config);
      await registry.pushBlob('formats', image.layers[0]!);
      await registry.pushManifest('formats', image.digest, image.manifest);
      const index = makeIndex([image]);
      await registry.pushManifest('formats', 'listed', index.content, index.mediaType);
      await expectRegistryError(await registry.fetch(`formats/manifests/${image.digest}`, { method: 'DELETE' }), 403, 'DENIED');
      assert.equal((await registry.fetch(`formats/manifests/${index.digest}`, { method: 'DELETE' })).status, 202);
      assert.equal((await registry.fetch(`formats/manifests/${image.digest}`, { method: 'DELETE' })).status, 202);
    });

    it('serves repositories whose names have several slashes', async () => {
      const image = await registry.pushImage('a/b/c', 'deep', 'deep-name');
      const get = await registry.fetch('a/b/c/manifests/deep');
      assert.equal(get.status, 200);
      assert.equal(get.headers.get('docker-content-digest'), image.digest);
      assert.deepEqual((await registry.json<{ name: string; tags: string[] }>('a/b/c/tags/list')).body, { name: 'a/b/c', tags: ['deep'] });
      await expectRegistryError(await registry.fetch('a/b/manifests/deep'), 404, 'NAME_UNKNOWN');
    });
  });

  describe('across a restart', () => {
    it('completes an upload started before the server restarted', async () => {
      const own = await startBerth();
      try {
        const client = await RegistryHttp.login(own);
        await createRepository(own, 'restarted');
        const content = patterned(9000, 21);
        const location = await client.startUpload('restarted');
        assert.equal((await client.fetch(location, { method: 'PATCH', headers: { 'content-range': '0-4999' }, body: content.subarray(0, 5000) })).status, 202);
        await own.stop();
        // The stopped server closes its idle keep-alive connections as it goes; fetch must see them closed before it picks one again.
        await new Promise((resolve) => setTimeout(resolve, 100));
        await own.restart();
        const status = await client.fetch(location);
        assert.equal(status.status, 204);
        assert.equal(status.headers.get('range'), '0-4999');
        const put = await client.fetch(`${location}?digest=${sha256(content)}`, { method: 'PUT', headers: { 'content-range': '5000-8999' }, body: content.subarray(5000) });
        assert.equal(put.status, 201, await put.clone().text());
        const head = await client.fetch(`restarted/blobs/${sha256(content)}`, { method: 'HEAD' });
        assert.equal(head.status, 200);
        assert.equal(head.headers.get('content-length'), '9000');
        // Read from storage rather than over HTTP: a response still streaming when the server closes would hold the close up.
        const stored: Buffer[] = [];
        for await (const chunk of await own.server.registry.storage.read(sha256(content))) stored.push(chunk as Buffer);
        assert.deepEqual(Buffer.concat(stored), content);
      } finally {
        await own.close();
      }
    });
  });
});
