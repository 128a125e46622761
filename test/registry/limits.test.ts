/**
 * The registry's limits, with small values: the largest blob and each account's quota, refused
 * while the upload streams (the rest of the body unread, the partial upload dropped), on /v2/
 * with the spec's error shape and on the ECR API with LimitExceededException.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateRepositoryCommand, InitiateLayerUploadCommand, PutImageCommand, UploadLayerPartCommand } from '@aws-sdk/client-ecr';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { dockerCli } from '../helpers/commands.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { createRepository, expectRegistryError, mediaTypes, RegistryHttp, registryLogin, sha256 } from '../helpers/registry.js';

const MiB = 1024 * 1024;
const other = { accessKeyId: 'AKIATESTLIMITSACCT02', secretAccessKey: 'limits-other-account-secret-key-for-tests' };

/** Bytes that differ from blob to blob, so that no two pushes share a digest. */
const bytesOf = (length: number, seed: number) => Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) % 256));

interface Sent {
  /** 0 when the connection was closed before the answer could be read. */
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Bytes the client managed to write before the server stopped reading. */
  written: number;
}

/**
 * Sends `total` bytes in 64 KiB writes, chunked unless `contentLength` is given, and answers the
 * response as soon as it comes, however much of the body was written: the server may answer early
 * and close the connection, so writes failing after the answer are expected.
 */
function send(registry: RegistryHttp, path: string, method: string, total: number, contentLength?: number): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: registry.authHeader!, 'content-type': 'application/octet-stream' };
    if (contentLength !== undefined) headers['content-length'] = String(contentLength);
    const req = request(registry.url(path), { method, headers });
    let written = 0;
    let answered = false;
    req.on('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString(), written }));
      response.on('error', reject);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (answered) return;
      // A server that stops reading a body far past a limit closes the connection; the answer may be lost with it.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve({ status: 0, headers: {}, body: '', written });
      else reject(error);
    });
    const chunk = Buffer.alloc(64 * 1024, 7);
    const pump = () => {
      while (written < total && !req.destroyed && !answered) {
        const part = chunk.subarray(0, Math.min(chunk.length, total - written));
        written += part.length;
        if (!req.write(part)) {
          req.once('drain', pump);
          return;
        }
      }
      if (written >= total) req.end();
    };
    pump();
  });
}

function ociError(sent: Sent, status: number, code: string): { code: string; message: string; detail?: unknown } {
  assert.equal(sent.status, status, `expected ${status} ${code}, got ${sent.status}: ${sent.body}`);
  const body = JSON.parse(sent.body) as { errors: { code: string; message: string; detail?: unknown }[] };
  assert.equal(body.errors.length, 1);
  assert.equal(body.errors[0]!.code, code);
  return body.errors[0]!;
}

const uploadsOnDisk = (berth: TestBerth) => {
  try {
    return readdirSync(join(berth.dataDir, 'registry', 'uploads'));
  } catch {
    return [];
  }
};

describe('registry limits: largest blob', () => {
  let berth: TestBerth;
  let registry: RegistryHttp;
  before(async () => {
    berth = await startBerth({ registryMaxBlobBytes: MiB });
    registry = await RegistryHttp.login(berth);
    await createRepository(berth, 'big');
  });
  after(async () => berth.close());

  it('takes a blob of exactly the largest size', async () => {
    const content = bytesOf(MiB, 1);
    assert.equal(await registry.pushBlob('big', content), sha256(content));
  });

  it('refuses a monolithic push announced larger with 413 SIZE_INVALID, storing none of it', async () => {
    const content = bytesOf(MiB + 1, 2);
    const sent = await send(registry, `big/blobs/uploads/?digest=${sha256(content)}`, 'POST', content.length, content.length);
    const error = ociError(sent, 413, 'SIZE_INVALID');
    assert.match(error.message, /more than the 1048576 bytes a blob may have/);
    assert.deepEqual(uploadsOnDisk(berth), []);
    await expectRegistryError(await registry.fetch(`big/blobs/${sha256(content)}`), 404, 'BLOB_UNKNOWN');
  });

  it('refuses a streamed chunk once the upload passes the largest size, and drops the upload', async () => {
    const location = await registry.startUpload('big');
    const first = await registry.fetch(location, { method: 'PATCH', body: bytesOf(MiB / 2, 3) });
    assert.equal(first.status, 202);
    // Past the limit by less than the 4 MiB the registry reads and drops: the answer always arrives.
    const sent = await send(registry, location, 'PATCH', 3 * MiB);
    const error = ociError(sent, 413, 'SIZE_INVALID');
    assert.deepEqual((error.detail as { limit: number }).limit, MiB);
    await expectRegistryError(await registry.fetch(location), 404, 'BLOB_UPLOAD_UNKNOWN');
    assert.deepEqual(uploadsOnDisk(berth), []);
  });

  it('stops reading a body far past the largest size, announced or not', async () => {
    for (const announced of [64 * MiB, undefined]) {
      const sent = await send(registry, `big/blobs/uploads/?digest=${sha256('far past')}`, 'POST', 64 * MiB, announced);
      if (sent.status !== 0) ociError(sent, 413, 'SIZE_INVALID');
      assert.ok(sent.written < 32 * MiB, `the server stopped reading (${sent.written} bytes written)`);
      assert.deepEqual(uploadsOnDisk(berth), []);
    }
  });

  it('refuses an ECR layer part that passes the largest size with LimitExceededException', async () => {
    const ecr = berth.ecr();
    const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: 'big' }));
    const part = bytesOf(MiB + 10, 4);
    await assert.rejects(
      ecr.send(new UploadLayerPartCommand({ repositoryName: 'big', uploadId, partFirstByte: 0, partLastByte: part.length - 1, layerPartBlob: part })),
      (error: Error) => {
        assert.equal(error.name, 'LimitExceededException');
        assert.equal(error.message, 'The operation did not succeed because it would have exceeded a service limit for your account.');
        return true;
      },
    );
    assert.deepEqual(uploadsOnDisk(berth), []);
  });

  it('still takes pushes afterwards', async () => {
    const content = bytesOf(1000, 5);
    assert.equal(await registry.pushBlob('big', content), sha256(content));
  });
});

describe('registry limits: account quota', () => {
  let berth: TestBerth;
  let registry: RegistryHttp;
  let otherRegistry: RegistryHttp;
  before(async () => {
    berth = await startBerth({ registryAccountQuotaBytes: 3 * MiB });
    await berth.server.store.write((tx) =>
      tx.credentials.put({ ...other, accountId: '222222222222', principalArn: 'arn:aws:iam::222222222222:root', isRoot: true, createdAt: 0 }),
    );
    registry = await RegistryHttp.login(berth);
    otherRegistry = await RegistryHttp.login(berth, other);
    await createRepository(berth, 'one');
    await createRepository(berth, 'two');
    await berth.ecr('us-east-1', other).send(new CreateRepositoryCommand({ repositoryName: 'one' }));
  });
  after(async () => berth.close());

  it('counts uploads in progress: of two streaming side by side that fit the quota alone, but not together, one is refused', async () => {
    const left = await registry.startUpload('two');
    const right = await registry.startUpload('two');
    const sent = await Promise.all([send(registry, left, 'PATCH', 2 * MiB), send(registry, right, 'PATCH', 2 * MiB)]);
    assert.deepEqual(sent.map((one) => one.status).sort(), [202, 403], sent.map((one) => one.body).join(' '));
    const kept = sent[0]!.status === 202 ? left : right;
    assert.equal(uploadsOnDisk(berth).length, 1);
    // While it is in progress, the kept upload counts.
    const more = await send(registry, `one/blobs/uploads/?digest=${sha256(bytesOf(MiB + 1, 9))}`, 'POST', MiB + 1, MiB + 1);
    ociError(more, 403, 'DENIED');
    assert.equal((await registry.fetch(kept, { method: 'DELETE' })).status, 204);
    assert.deepEqual(uploadsOnDisk(berth), []);
  });

  it('counts a blob the account links twice once, and refuses a push that would pass the quota with 403 DENIED', async () => {
    const a = bytesOf(MiB, 10);
    const b = bytesOf(MiB, 11);
    await registry.pushBlob('one', a);
    await registry.pushBlob('two', a);
    await registry.pushBlob('two', b);
    const c = bytesOf(MiB + 1, 12);
    const sent = await send(registry, `one/blobs/uploads/?digest=${sha256(c)}`, 'POST', c.length, c.length);
    const error = ociError(sent, 403, 'DENIED');
    assert.match(error.message, /storage quota exceeded: the account's repositories hold 2097152 of the 3145728 bytes/);
    assert.deepEqual(uploadsOnDisk(berth), []);
    // What fits still goes in.
    const d = bytesOf(MiB - 100, 13);
    await registry.pushBlob('one', d);
  });

  it('counts manifests too: one that does not fit is refused on /v2/ and by PutImage', async () => {
    // 100 bytes are left, less than any manifest.
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: mediaTypes.ociManifest,
      config: { mediaType: mediaTypes.ociConfig, digest: sha256(bytesOf(MiB, 10)), size: MiB },
      layers: [{ mediaType: mediaTypes.ociLayer, digest: sha256(bytesOf(MiB, 11)), size: MiB }],
    });
    const refused = await registry.fetch('two/manifests/v1', { method: 'PUT', headers: { 'content-type': mediaTypes.ociManifest }, body: manifest });
    const error = await expectRegistryError(refused, 403, 'DENIED');
    assert.match(error.message, /storage quota exceeded/);
    await assert.rejects(berth.ecr().send(new PutImageCommand({ repositoryName: 'two', imageTag: 'v1', imageManifest: manifest })), (thrown: Error) => {
      assert.equal(thrown.name, 'LimitExceededException');
      return true;
    });
    await expectRegistryError(await registry.fetch('two/manifests/v1'), 404, 'MANIFEST_UNKNOWN');
  });

  it('leaves another account its own quota', async () => {
    const content = bytesOf(2 * MiB, 14);
    assert.equal(await otherRegistry.pushBlob('one', content), sha256(content));
  });
});

describe('registry limits: what docker push shows', { skip: (await dockerAvailable()) ? false : 'no Docker engine reachable' }, () => {
  let berth: TestBerth;
  let dir: string;
  const tagged: string[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-limits-docker-'));
    berth = await startBerth({ registryMaxBlobBytes: 64 * 1024 });
    await createRepository(berth, 'limited');
  });
  after(async () => {
    const docker = dockerCli(join(dir, 'docker-config'));
    for (const reference of tagged) await docker(['rmi', reference]).catch(() => undefined);
    await berth.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails a push whose layer is over the largest blob, saying why', async () => {
    const docker = dockerCli(join(dir, 'docker-config'));
    const login = await registryLogin(berth);
    await docker(['login', login.host, '--username', login.username, '--password-stdin'], login.password);
    const reference = `${login.host}/limited:big`;
    await docker(['tag', await buildBusyboxImage(), reference]);
    tagged.push(reference);
    await assert.rejects(docker(['push', reference]), (error: Error & { stderr?: string }) => {
      assert.match(`${error.message}${error.stderr ?? ''}`, /blob too large: it reaches \d+ bytes, more than the 65536 bytes a blob may have/);
      return true;
    });
    assert.deepEqual(uploadsOnDisk(berth), []);
  });
});
