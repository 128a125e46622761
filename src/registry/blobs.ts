/**
 * Blobs of a repository: reading, existence checks, cross-repository mounts, and uploads.
 *
 * An upload is bytes in blob storage under an upload id plus a row naming its repository. Each
 * append is hashed on its way in, so completing a large upload costs no second read; after a
 * restart, or when an append broke off mid-chunk, the bytes are hashed again from storage.
 * Completing verifies the digest, commits the bytes into place, and records and links the blob in
 * one transaction: the blob is visible whole or not at all.
 */
import { randomUUID, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KeyedMutex } from '../core/mutex.js';
import type { BlobRecord, RepositoryRecord } from '../store/registry.js';
import type { Store } from '../store/types.js';
import { newHash, parseDigest, type DigestAlgorithm } from './digest.js';
import { RegistryError } from './errors.js';
import type { UploadLimits } from './limits.js';
import type { BlobStorage, ByteRange } from './storage/driver.js';

/** A push asks about a blob shortly before its manifest references it; refreshing more often than this buys nothing. */
const touchIntervalSeconds = 60;

interface UploadHash {
  hash: Hash;
  bytes: number;
}

export interface BlobsDeps {
  store: Store;
  storage: BlobStorage;
  limits: UploadLimits;
  now(): number;
}

/** A chunk whose client said where it begins must begin where the upload ends: chunks arrive in order or not at all. */
function checkChunkStart(start: number | undefined, size: number, chunk: Readable): void {
  if (start === undefined || start === size) return;
  chunk.resume();
  throw new RegistryError('RANGE_INVALID', `the chunk starts at byte ${start} but the upload holds ${size} bytes; resume from ${size}`, { size });
}

export class Blobs {
  private readonly hashes = new Map<string, UploadHash>();
  /** Uploads being started: their content exists a moment before their row does. */
  private readonly starting = new Set<string>();
  private readonly uploadLocks = new KeyedMutex();
  /** Held from an upload's commit to its row's insert, and by garbage collection: neither sees the other half done. */
  readonly digestLocks = new KeyedMutex();
  constructor(private readonly deps: BlobsDeps) {}

  /** The blob when the repository may serve it; a push asking about it keeps it from garbage collection a while longer. */
  async stat(repository: RepositoryRecord, digest: string, touch: boolean): Promise<BlobRecord> {
    if (!parseDigest(digest)) throw new RegistryError('DIGEST_INVALID', `'${digest}' is not a sha256 or sha512 digest`, { digest });
    const blob = await this.deps.store.read((tx) => tx.registry.linkedBlob(repository.arn, digest));
    if (!blob) throw new RegistryError('BLOB_UNKNOWN', `blob unknown to registry: ${digest}`, { digest });
    const now = this.deps.now();
    if (touch && blob.touchedAt < now - touchIntervalSeconds) await this.deps.store.write((tx) => tx.registry.touchBlob(digest, now));
    return blob;
  }

  /** The blob's content, or the range `rangeOf` picks once the blob's size is known. */
  async open(
    repository: RepositoryRecord,
    digest: string,
    rangeOf: (size: number) => ByteRange | undefined = () => undefined,
  ): Promise<{ blob: BlobRecord; range: ByteRange | undefined; content: Readable }> {
    const blob = await this.stat(repository, digest, false);
    const range = rangeOf(blob.size);
    try {
      return { blob, range, content: await this.deps.storage.read(digest, range) };
    } catch {
      throw new RegistryError('BLOB_UNKNOWN', `blob ${digest} is recorded but its content is missing from storage`, { digest });
    }
  }

  /** Stops the repository serving the blob; its content goes with garbage collection once nothing references it. */
  async unlink(repository: RepositoryRecord, digest: string): Promise<void> {
    await this.stat(repository, digest, false);
    await this.deps.store.write((tx) => tx.registry.unlinkBlob(repository.arn, digest));
  }

  /** Links a blob of another repository of the same registry; false when that repository cannot serve it. */
  async mount(target: RepositoryRecord, source: RepositoryRecord, digest: string): Promise<BlobRecord | undefined> {
    const now = this.deps.now();
    return this.deps.store.write(async (tx) => {
      const blob = await tx.registry.linkedBlob(source.arn, digest);
      if (!blob) return undefined;
      await tx.registry.linkBlob(target.arn, digest, now);
      await tx.registry.touchBlob(digest, now);
      return blob;
    });
  }

  async startUpload(repository: RepositoryRecord): Promise<string> {
    const id = randomUUID();
    this.hashes.set(id, { hash: newHash('sha256'), bytes: 0 });
    // Marked before its content exists, so the sweep of orphaned upload content never takes it.
    this.starting.add(id);
    try {
      await this.deps.storage.createUpload(id);
      await this.deps.store.write((tx) => tx.registry.putUpload({ id, repositoryArn: repository.arn, startedAt: this.deps.now() }));
    } finally {
      this.starting.delete(id);
    }
    return id;
  }

  private async existingUpload(repository: RepositoryRecord, id: string): Promise<number> {
    const upload = await this.deps.store.read((tx) => tx.registry.getUpload(id));
    const size = upload?.repositoryArn === repository.arn ? await this.deps.storage.uploadSize(id) : undefined;
    if (size === undefined) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', `blob upload unknown to registry: ${id}`, { uploadId: id });
    return size;
  }

  /** Bytes received so far. */
  async uploadSize(repository: RepositoryRecord, id: string): Promise<number> {
    return this.uploadLocks.run(id, () => this.existingUpload(repository, id));
  }

  /** Appends a chunk (see checkChunkStart) of `announced` bytes, when its sender said. */
  async append(repository: RepositoryRecord, id: string, body: Readable, start?: number, announced?: number): Promise<number> {
    return this.uploadLocks.run(id, async () => {
      const size = await this.existingUpload(repository, id);
      checkChunkStart(start, size, body);
      return this.appendLocked(repository, id, size, body, announced);
    });
  }

  /** Appends within the limits; an append that reaches one drops the whole upload and is refused. */
  private async appendLocked(repository: RepositoryRecord, id: string, size: number, body: Readable, announced: number | undefined): Promise<number> {
    const limited = await this.deps.limits.begin(repository.accountId, id, size, body, announced);
    const tracked = this.hashes.get(id);
    const hashing = tracked && tracked.bytes === size ? tracked : undefined;
    if (!hashing) this.hashes.delete(id);
    let received = 0;
    let appended: number;
    try {
      appended = await this.deps.storage.append(id, limited.body, (chunk) => {
        hashing?.hash.update(chunk);
        received += chunk.length;
      });
    } finally {
      if (hashing) hashing.bytes += received;
      limited.done();
    }
    const refusal = limited.refusal();
    if (refusal) {
      await this.cancelLocked(id);
      throw refusal;
    }
    return appended;
  }

  /** Finishes an upload (with its last chunk, if any, of `announced` bytes when its sender said) as the blob `digest`. */
  async complete(repository: RepositoryRecord, id: string, digest: string, lastChunk?: Readable, start?: number, announced?: number): Promise<BlobRecord> {
    return this.uploadLocks.run(id, async () => {
      let size = await this.existingUpload(repository, id);
      if (lastChunk) checkChunkStart(start, size, lastChunk);
      const parsed = parseDigest(digest);
      if (!parsed) {
        lastChunk?.resume();
        throw new RegistryError('DIGEST_INVALID', `'${digest}' is not a sha256 or sha512 digest`, { digest });
      }
      if (lastChunk) size = await this.appendLocked(repository, id, size, lastChunk, announced);
      const actual = await this.digestOfUpload(id, size, parsed.algorithm);
      if (actual !== digest) {
        await this.cancelLocked(id);
        throw new RegistryError('DIGEST_INVALID', `the uploaded content has digest ${actual}, not ${digest}; the upload was discarded, push the blob again`, {
          digest,
          actual,
        });
      }
      const now = this.deps.now();
      await this.digestLocks.run(digest, async () => {
        await this.deps.storage.commit(id, digest);
        await this.deps.store.write(async (tx) => {
          await tx.registry.putBlob(digest, size, now);
          await tx.registry.linkBlob(repository.arn, digest, now);
          await tx.registry.deleteUpload(id);
        });
      });
      this.hashes.delete(id);
      return (await this.deps.store.read((tx) => tx.registry.getBlob(digest))) ?? { digest, size, createdAt: now, touchedAt: now };
    });
  }

  private async digestOfUpload(id: string, size: number, algorithm: DigestAlgorithm): Promise<string> {
    const tracked = this.hashes.get(id);
    if (algorithm === 'sha256' && tracked && tracked.bytes === size) return `sha256:${tracked.hash.copy().digest('hex')}`;
    const hash = newHash(algorithm);
    await pipeline(await this.deps.storage.readUpload(id), hash);
    return `${algorithm}:${hash.digest('hex')}`;
  }

  async cancel(repository: RepositoryRecord, id: string): Promise<void> {
    await this.uploadLocks.run(id, async () => {
      await this.existingUpload(repository, id);
      await this.cancelLocked(id);
    });
  }

  private async cancelLocked(id: string): Promise<void> {
    this.hashes.delete(id);
    await this.deps.store.write((tx) => tx.registry.deleteUpload(id));
    await this.deps.storage.abort(id);
  }

  /** Drops uploads nobody finished before `startedBefore`. */
  async dropStaleUploads(startedBefore: number): Promise<number> {
    const stale = await this.deps.store.read((tx) => tx.registry.staleUploads(startedBefore));
    for (const upload of stale) await this.uploadLocks.run(upload.id, () => this.cancelLocked(upload.id));
    // Content without a row goes too: a crash came between the two, or the repository was deleted.
    const known = new Set(await this.deps.store.read(async (tx) => (await tx.registry.staleUploads(Number.POSITIVE_INFINITY)).map((upload) => upload.id)));
    for await (const id of this.deps.storage.listUploads()) {
      if (known.has(id) || this.starting.has(id)) continue;
      await this.uploadLocks.run(id, async () => {
        // Started since `known` was read?
        if (this.starting.has(id) || (await this.deps.store.read((tx) => tx.registry.getUpload(id)))) return;
        this.hashes.delete(id);
        await this.deps.storage.abort(id);
      });
    }
    return stale.length;
  }
}
