/**
 * Blob storage on a local filesystem:
 *   <root>/blobs/<algorithm>/<first two hex digits>/<hex>
 *   <root>/uploads/<upload id>
 * Both under one root, so committing an upload is a rename within one filesystem: atomic, and no
 * copy of the bytes.
 */
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseDigest } from '../digest.js';
import type { BlobStorage, ByteRange } from './driver.js';

const uploadIdPattern = /^[A-Za-z0-9_-]{1,128}$/;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

export class FilesystemBlobStorage implements BlobStorage {
  private readonly blobsDir: string;
  private readonly uploadsDir: string;

  constructor(root: string) {
    this.blobsDir = join(root, 'blobs');
    this.uploadsDir = join(root, 'uploads');
  }

  private blobPath(digest: string): string {
    const parsed = parseDigest(digest);
    if (!parsed) throw new Error(`not a digest: ${digest}`);
    return join(this.blobsDir, parsed.algorithm, parsed.hex.slice(0, 2), parsed.hex);
  }

  private uploadPath(id: string): string {
    if (!uploadIdPattern.test(id)) throw new Error(`not an upload id: ${id}`);
    return join(this.uploadsDir, id);
  }

  async stat(digest: string): Promise<number | undefined> {
    try {
      return (await stat(this.blobPath(digest))).size;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async read(digest: string, range?: ByteRange): Promise<Readable> {
    const path = this.blobPath(digest);
    // Opening first turns a missing blob into a rejected promise rather than a stream error later.
    // The stream owns the FileHandle and closes it: a stream over the bare fd number would close the
    // descriptor behind the handle's back, and the handle, once garbage collected, would close the
    // number again, by then possibly another file or socket (or throw EBADF and end the process).
    const handle = await open(path, 'r');
    return handle.createReadStream({ ...(range ? { start: range.start, end: range.end } : {}), highWaterMark: 1024 * 1024 });
  }

  async delete(digest: string): Promise<void> {
    await rm(this.blobPath(digest), { force: true });
  }

  async *list(): AsyncIterable<string> {
    for (const algorithm of await readdir(this.blobsDir).catch(() => [] as string[])) {
      for (const prefix of await readdir(join(this.blobsDir, algorithm)).catch(() => [] as string[])) {
        for (const hex of await readdir(join(this.blobsDir, algorithm, prefix)).catch(() => [] as string[])) {
          const digest = `${algorithm}:${hex}`;
          if (parseDigest(digest)) yield digest;
        }
      }
    }
  }

  async createUpload(id: string): Promise<void> {
    await mkdir(this.uploadsDir, { recursive: true });
    await (await open(this.uploadPath(id), 'wx')).close();
  }

  async uploadSize(id: string): Promise<number | undefined> {
    try {
      return (await stat(this.uploadPath(id))).size;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async append(id: string, source: Readable, observe?: (chunk: Buffer) => void): Promise<number> {
    const path = this.uploadPath(id);
    const handle = await open(path, 'a');
    const sink = handle.createWriteStream({ highWaterMark: 1024 * 1024 });
    if (observe) {
      const tap = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          observe(chunk);
          done(null, chunk);
        },
      });
      await pipeline(source, tap, sink);
    } else {
      await pipeline(source, sink);
    }
    return (await stat(path)).size;
  }

  async readUpload(id: string): Promise<Readable> {
    const handle = await open(this.uploadPath(id), 'r');
    return handle.createReadStream({ highWaterMark: 1024 * 1024 });
  }

  async commit(id: string, digest: string): Promise<void> {
    const target = this.blobPath(digest);
    if ((await this.stat(digest)) !== undefined) {
      await this.abort(id);
      return;
    }
    await mkdir(join(target, '..'), { recursive: true });
    await rename(this.uploadPath(id), target);
  }

  async abort(id: string): Promise<void> {
    await rm(this.uploadPath(id), { force: true });
  }

  async *listUploads(): AsyncIterable<string> {
    for (const id of await readdir(this.uploadsDir).catch(() => [] as string[])) {
      if (uploadIdPattern.test(id)) yield id;
    }
  }
}
