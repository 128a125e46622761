/** Garbage collection runs beside pushes: it takes only what nothing references and no push touched lately. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { mediaTypes } from '../../src/registry/manifest-format.js';
import { Registry, defaultGcGraceSeconds } from '../../src/registry/registry.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { RepositoryRecord } from '../../src/store/registry.js';
import { sha256 as digestOf } from '../helpers/registry.js';

const hour = 60 * 60 * 1000;

describe('registry garbage collection', () => {
  let dataDir: string;
  let store: SqliteStore;
  let clock: ManualClock;
  let registry: Registry;
  let repository: RepositoryRecord;
  let counter = 0;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'berth-gc-'));
    store = new SqliteStore(dataDir);
    clock = new ManualClock(new Date('2026-06-01T00:00:00Z'));
    registry = new Registry({ store, clock, dataDir });
    repository = {
      arn: 'arn:aws:ecr:us-east-1:000000000000:repository/gc/app',
      accountId: '000000000000',
      region: 'us-east-1',
      name: 'gc/app',
      registryId: '000000000000',
      createdAt: clock.now().getTime() / 1000,
      imageTagMutability: 'MUTABLE',
      scanOnPush: false,
      encryptionConfiguration: { encryptionType: 'AES256' },
      tags: [],
    };
    await store.write((tx) => tx.registry.putRepository(repository));
  });
  after(async () => {
    await registry.stop();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const pushBlob = async (content = Buffer.from(`blob ${++counter} ${Math.random()}`)) => {
    const id = await registry.blobs.startUpload(repository);
    const digest = digestOf(content);
    await registry.blobs.complete(repository, id, digest, Readable.from([content]));
    return { digest, size: content.length };
  };
  const pushManifest = async (config: { digest: string; size: number }, tag: string) => {
    const manifest = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociManifest, config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers: [] }),
    );
    return (await registry.manifests.put(repository, tag, manifest, mediaTypes.ociManifest)).record.digest;
  };
  const stored = async (digest: string) => ({
    row: (await store.read((tx) => tx.registry.getBlob(digest))) !== undefined,
    content: (await registry.storage.stat(digest)) !== undefined,
  });

  it('keeps an unreferenced blob through the grace period, then removes its row and content', async () => {
    const blob = await pushBlob();
    clock.advance(defaultGcGraceSeconds * 1000 - 1000);
    assert.equal((await registry.gc.collect()).blobsDeleted, 0);
    assert.deepEqual(await stored(blob.digest), { row: true, content: true });
    clock.advance(2000);
    const result = await registry.gc.collect();
    assert.equal(result.blobsDeleted, 1);
    assert.equal(result.bytesFreed, blob.size);
    assert.deepEqual(await stored(blob.digest), { row: false, content: false });
  });

  it('never takes a blob a manifest references, and takes it once the manifest is gone', async () => {
    const blob = await pushBlob();
    const manifest = await pushManifest(blob, 'kept');
    clock.advance(2 * hour);
    await registry.gc.collect();
    assert.deepEqual(await stored(blob.digest), { row: true, content: true });
    await registry.manifests.delete(repository, manifest);
    assert.equal((await registry.gc.collect()).blobsDeleted, 1, 'untouched for longer than the grace period and now unreferenced');
    assert.deepEqual(await stored(blob.digest), { row: false, content: false });
  });

  it('spares a blob that a push asked about, so the manifest that follows finds it', async () => {
    const blob = await pushBlob();
    clock.advance(2 * hour);
    // docker push asks with HEAD before deciding not to upload; that refreshes the blob.
    await registry.blobs.stat(repository, blob.digest, true);
    await registry.gc.collect();
    assert.deepEqual(await stored(blob.digest), { row: true, content: true });
    await pushManifest(blob, 'late');
    clock.advance(2 * hour);
    await registry.gc.collect();
    assert.deepEqual(await stored(blob.digest), { row: true, content: true });
  });

  it('drops the upload content of a deleted repository', async () => {
    const doomed = { ...repository, arn: `${repository.arn}-doomed`, name: 'gc/doomed' };
    await store.write((tx) => tx.registry.putRepository(doomed));
    const id = await registry.blobs.startUpload(doomed);
    await registry.blobs.append(doomed, id, Readable.from([Buffer.from('never finished')]));
    await store.write((tx) => tx.registry.deleteRepository(doomed.arn));
    await registry.gc.collect();
    assert.equal(await registry.storage.uploadSize(id), undefined);
  });

  it('drops uploads left unfinished for a day, and content no row records', async () => {
    const id = await registry.blobs.startUpload(repository);
    await registry.blobs.append(repository, id, Readable.from([Buffer.from('half an upload')]));
    const orphan = Buffer.from('committed, then the process died before its row was written');
    const orphanDigest = digestOf(orphan);
    const hex = orphanDigest.slice('sha256:'.length);
    mkdirSync(join(dataDir, 'registry', 'blobs', 'sha256', hex.slice(0, 2)), { recursive: true });
    writeFileSync(join(dataDir, 'registry', 'blobs', 'sha256', hex.slice(0, 2), hex), orphan);
    const early = await registry.gc.collect();
    assert.equal(early.uploadsDropped, 0);
    assert.equal(early.orphansDeleted, 1);
    assert.equal(await registry.storage.stat(orphanDigest), undefined);
    assert.equal(await registry.blobs.uploadSize(repository, id), 'half an upload'.length);
    clock.advance(25 * hour);
    assert.equal((await registry.gc.collect()).uploadsDropped, 1);
    await assert.rejects(registry.blobs.uploadSize(repository, id), { code: 'BLOB_UPLOAD_UNKNOWN' });
  });
});
