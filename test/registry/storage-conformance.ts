/**
 * The behaviour every blob storage driver must have. A driver's test file calls
 * `blobStorageConformance(name, factory)`; the filesystem driver's is storage-filesystem.test.ts.
 */
import assert from 'node:assert/strict';
import { sha256 as digestOf, sha512 } from '../helpers/registry.js';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { BlobStorage } from '../../src/registry/storage/driver.js';

export interface StorageUnderTest {
  storage: BlobStorage;
  close(): Promise<void>;
}


async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function collect(items: AsyncIterable<string>): Promise<string[]> {
  const result: string[] = [];
  for await (const item of items) result.push(item);
  return result.sort();
}

/** A stream that yields `content` and then fails, as a dropped connection does. */
function brokenAfter(content: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(content);
      } else {
        this.destroy(new Error('connection reset'));
      }
    },
  });
}

let uploadCounter = 0;
const newUploadId = () => `upload-${process.pid}-${++uploadCounter}`;

export function blobStorageConformance(driver: string, open: () => Promise<StorageUnderTest>): void {
  describe(`blob storage conformance: ${driver}`, () => {
    let subject: StorageUnderTest;
    let storage: BlobStorage;
    before(async () => {
      subject = await open();
      storage = subject.storage;
    });
    after(async () => subject?.close());

    const upload = async (content: Buffer, chunks = 1): Promise<string> => {
      const id = newUploadId();
      await storage.createUpload(id);
      const size = Math.ceil(content.length / chunks);
      for (let offset = 0; offset < content.length; offset += size) await storage.append(id, Readable.from([content.subarray(offset, offset + size)]));
      return id;
    };

    it('knows nothing of a blob never committed', async () => {
      const digest = digestOf(Buffer.from('never stored'));
      assert.equal(await storage.stat(digest), undefined);
      await assert.rejects(storage.read(digest));
      await storage.delete(digest);
    });

    it('accumulates appended chunks and makes them a blob only on commit', async () => {
      const content = Buffer.from('a'.repeat(1000) + 'b'.repeat(1000) + 'c'.repeat(500));
      const digest = digestOf(content);
      const id = await upload(content, 3);
      assert.equal(await storage.uploadSize(id), content.length);
      assert.equal(await storage.stat(digest), undefined, 'not visible before commit');
      assert.deepEqual(await bytesOf(await storage.readUpload(id)), content);
      await storage.commit(id, digest);
      assert.equal(await storage.stat(digest), content.length);
      assert.deepEqual(await bytesOf(await storage.read(digest)), content);
      assert.equal(await storage.uploadSize(id), undefined, 'the upload ended');
      assert.ok((await collect(storage.list())).includes(digest));
    });

    it('reads inclusive byte ranges', async () => {
      const content = Buffer.from('0123456789abcdef');
      const digest = digestOf(content);
      await storage.commit(await upload(content), digest);
      assert.equal((await bytesOf(await storage.read(digest, { start: 2, end: 5 }))).toString(), '2345');
      assert.equal((await bytesOf(await storage.read(digest, { start: 15, end: 15 }))).toString(), 'f');
    });

    it('observes each chunk on its way in', async () => {
      const content = Buffer.from('observed bytes');
      const id = newUploadId();
      await storage.createUpload(id);
      const seen: Buffer[] = [];
      const size = await storage.append(id, Readable.from([content.subarray(0, 5), content.subarray(5)]), (chunk) => seen.push(chunk));
      assert.equal(size, content.length);
      assert.deepEqual(Buffer.concat(seen), content);
      await storage.abort(id);
    });

    it('keeps the bytes received before a stream broke off, so the upload can resume', async () => {
      const id = newUploadId();
      await storage.createUpload(id);
      await assert.rejects(storage.append(id, brokenAfter(Buffer.from('first half '))));
      assert.equal(await storage.uploadSize(id), 'first half '.length);
      await storage.append(id, Readable.from([Buffer.from('second half')]));
      const content = Buffer.from('first half second half');
      assert.deepEqual(await bytesOf(await storage.readUpload(id)), content);
      await storage.commit(id, digestOf(content));
      assert.equal(await storage.stat(digestOf(content)), content.length);
    });

    it('keeps a stored blob as it is when the same content is committed again', async () => {
      const content = Buffer.from('deduplicated');
      const digest = digestOf(content);
      const [first, second] = [await upload(content), await upload(content)];
      await Promise.all([storage.commit(first, digest), storage.commit(second, digest)]);
      assert.deepEqual(await bytesOf(await storage.read(digest)), content);
      assert.equal(await storage.uploadSize(first), undefined);
      assert.equal(await storage.uploadSize(second), undefined);
      assert.equal((await collect(storage.list())).filter((entry) => entry === digest).length, 1);
    });

    it('refuses a second upload of the same id', async () => {
      const id = newUploadId();
      await storage.createUpload(id);
      await assert.rejects(storage.createUpload(id));
      await storage.abort(id);
    });

    it('aborts and deletes, and doing either twice is no error', async () => {
      const content = Buffer.from('short-lived');
      const digest = digestOf(content);
      const id = await upload(content);
      assert.ok((await collect(storage.listUploads())).includes(id));
      await storage.abort(id);
      await storage.abort(id);
      assert.equal(await storage.uploadSize(id), undefined);
      assert.ok(!(await collect(storage.listUploads())).includes(id));
      await storage.commit(await upload(content), digest);
      await storage.delete(digest);
      await storage.delete(digest);
      assert.equal(await storage.stat(digest), undefined);
      assert.ok(!(await collect(storage.list())).includes(digest));
    });

    it('stores sha512 blobs apart from sha256 ones', async () => {
      const content = Buffer.from('long digest');
      const digest = sha512(content);
      await storage.commit(await upload(content), digest);
      assert.equal(await storage.stat(digest), content.length);
      assert.ok((await collect(storage.list())).includes(digest));
    });
  });
}
