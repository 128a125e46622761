/**
 * The filesystem blob storage driver's handling of file descriptors: every stream it hands out owns
 * its file and closes it exactly once, so garbage collection has nothing left to close. A
 * descriptor closed twice is a descriptor of some other file (or socket, or the database) closed
 * behind its owner's back, or an EBADF that ends the process.
 */
import assert from 'node:assert/strict';
import { fstatSync, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FilesystemBlobStorage } from '../../src/registry/storage/filesystem.js';
import { sha256 } from '../helpers/registry.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('filesystem blob storage', () => {
  let dir: string;
  let storage: FilesystemBlobStorage;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-blob-storage-'));
    storage = new FilesystemBlobStorage(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves no file descriptor for garbage collection to close', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const probes: number[] = [];
    try {
      const content = Buffer.from('descriptor test content');
      await storage.createUpload('fd-upload');
      assert.equal(await storage.append('fd-upload', Readable.from([content.subarray(0, 5)])), 5);
      // An append whose source fails half-way, as a dropped connection does.
      const failing = new PassThrough();
      const appending = storage.append('fd-upload', failing);
      failing.write(content.subarray(5, 10));
      setTimeout(() => failing.destroy(new Error('connection dropped')), 20);
      await assert.rejects(appending, /connection dropped/);
      assert.equal(await storage.uploadSize('fd-upload'), 10);
      await storage.append('fd-upload', Readable.from([content.subarray(10)]));
      assert.deepEqual(await drain(await storage.readUpload('fd-upload')), content);
      await storage.commit('fd-upload', sha256(content));
      assert.deepEqual(await drain(await storage.read(sha256(content))), content);
      assert.deepEqual(await drain(await storage.read(sha256(content), { start: 2, end: 4 })), content.subarray(2, 5));
      // A read abandoned before its end.
      (await storage.read(sha256(content))).destroy();

      await new Promise((resolve) => setTimeout(resolve, 20));
      // New descriptors take the numbers the streams above gave back.
      for (let i = 0; i < 8; i += 1) probes.push(openSync(join(dir, 'blobs'), 'r'));
      collectGarbage();
      await new Promise((resolve) => setTimeout(resolve, 50));
      collectGarbage();
      for (const probe of probes) assert.doesNotThrow(() => fstatSync(probe), `descriptor ${probe} is still open`);
      assert.deepEqual(warnings.filter((message) => /file descriptor|FileHandle/i.test(message)), []);
    } finally {
      process.off('warning', onWarning);
      for (const probe of probes) {
        try {
          closeSync(probe);
        } catch {
          // Closed by the collector: what the assertions above report.
        }
      }
    }
  });
});
