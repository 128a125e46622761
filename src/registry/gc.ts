/**
 * Garbage collection of blob content, while the registry keeps serving.
 *
 * A blob goes when no manifest of any repository references it and no push has uploaded, mounted
 * or asked about it for a grace period. The grace period is what makes a concurrent push safe: a
 * push uploads (or finds) its blobs before it pushes the manifest that references them, and each
 * of those steps refreshes the blob. The row is deleted in a transaction that re-checks both
 * conditions, so a manifest committed first always wins; the content goes after, under the same
 * per-digest lock an upload's commit holds.
 */
import type { Store } from '../store/types.js';
import type { Blobs } from './blobs.js';
import type { BlobStorage } from './storage/driver.js';

export interface GarbageCollectorOptions {
  store: Store;
  storage: BlobStorage;
  blobs: Blobs;
  now(): number;
  /** How long an unreferenced blob is kept after a push last touched it. */
  graceSeconds: number;
  /** How long an unfinished upload is kept. */
  uploadLifetimeSeconds: number;
}

export interface CollectionResult {
  blobsDeleted: number;
  bytesFreed: number;
  uploadsDropped: number;
  orphansDeleted: number;
}

const batchSize = 500;

/** Collects on demand; its schedule is a controller's (controllers/registry-gc.ts). */
export class GarbageCollector {
  private running: Promise<CollectionResult> | undefined;

  constructor(private readonly options: GarbageCollectorOptions) {}

  /** One full pass; concurrent calls share it. */
  collect(): Promise<CollectionResult> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Resolves once no pass is under way. */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<CollectionResult> {
    const { store, storage, blobs } = this.options;
    const now = this.options.now();
    const touchedBefore = now - this.options.graceSeconds;
    const result: CollectionResult = { blobsDeleted: 0, bytesFreed: 0, uploadsDropped: 0, orphansDeleted: 0 };
    result.uploadsDropped = await blobs.dropStaleUploads(now - this.options.uploadLifetimeSeconds);

    const skipped = new Set<string>();
    for (;;) {
      const candidates = (await store.read((tx) => tx.registry.collectableBlobs(touchedBefore, batchSize + skipped.size))).filter((d) => !skipped.has(d));
      if (candidates.length === 0) break;
      for (const digest of candidates) {
        await blobs.digestLocks.run(digest, async () => {
          const size = (await store.read((tx) => tx.registry.getBlob(digest)))?.size ?? 0;
          if (await store.write((tx) => tx.registry.deleteBlobIfUnreferenced(digest, touchedBefore))) {
            await storage.delete(digest);
            result.blobsDeleted += 1;
            result.bytesFreed += size;
          } else {
            skipped.add(digest);
          }
        });
      }
    }

    // Content without a row: a crash came between an upload's commit and its row's insert.
    for await (const digest of storage.list()) {
      await blobs.digestLocks.run(digest, async () => {
        if (await store.read((tx) => tx.registry.getBlob(digest))) return;
        await storage.delete(digest);
        result.orphansDeleted += 1;
      });
    }
    return result;
  }
}
