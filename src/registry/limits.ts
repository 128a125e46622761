/**
 * What one account may store: a largest blob, and optionally a quota on the bytes of its
 * repositories (the distinct blobs they link, their manifests, and their uploads in progress). Both are enforced
 * while an upload streams: past a limit nothing more of the body is stored and the partial upload
 * is dropped (the /v2/ route decides how much of the rest it reads before it answers).
 *
 * Usage is the store's record plus the uploads of this process: an upload being appended counts
 * with the bytes it has received so far, so uploads running side by side share one allowance.
 */
import { Readable } from 'node:stream';
import type { Store } from '../store/types.js';
import { RegistryError } from './errors.js';
import type { BlobStorage } from './storage/driver.js';

export interface RegistryLimits {
  /** The largest blob, in bytes. */
  maxBlobBytes: number;
  /** The most one account's repositories may hold, in bytes; unlimited when undefined. */
  accountQuotaBytes?: number;
}

/** ECR takes layers of up to 52,000 MiB; a few GiB bounds what one push can take of a disk Berth shares. */
export const defaultMaxBlobBytes = 10 * 1024 ** 3;

/** Refused for a blob over the largest size: 413, for the body is what is too large. */
export function blobTooLarge(maxBlobBytes: number, size: number): RegistryError {
  return new RegistryError(
    'SIZE_INVALID',
    `blob too large: it reaches ${size} bytes, more than the ${maxBlobBytes} bytes a blob may have in this registry (--registry-max-blob-size); the upload was discarded`,
    { limit: maxBlobBytes, size, reason: 'maxBlobSize' },
    413,
  );
}

/** Refused when the account's repositories would hold more than its quota. */
export function quotaExceeded(quotaBytes: number, used: number, adding: number): RegistryError {
  return new RegistryError(
    'DENIED',
    `storage quota exceeded: the account's repositories hold ${used} of the ${quotaBytes} bytes they may (--registry-account-quota), ` +
      `and this upload would add ${adding} more; the upload was discarded. Delete images (garbage collection frees their blobs an hour later), then push again`,
    { limit: quotaBytes, used, adding, reason: 'accountQuota' },
  );
}

/** Whether the error is a refusal by a limit: the rest of the request's body was left unread. */
export function isLimitRefusal(error: unknown): boolean {
  const reason = error instanceof RegistryError ? (error.detail as { reason?: unknown } | undefined)?.reason : undefined;
  return reason === 'maxBlobSize' || reason === 'accountQuota';
}

interface Active {
  accountId: string;
  bytes: number;
}

/** One append under the limits: its body, cut where a limit is reached, and the refusal if one was. */
export interface LimitedAppend {
  body: Readable;
  /** The refusal once a limit was reached; the caller drops the upload and throws it. */
  refusal(): RegistryError | undefined;
  done(): void;
}

export class UploadLimits {
  private readonly active = new Map<string, Active>();

  constructor(
    private readonly limits: RegistryLimits,
    private readonly deps: { store: Store; storage: BlobStorage },
  ) {}

  /**
   * Starts an append of `body` to the upload `id`, which holds `size` bytes: refuses at once when
   * the announced length already passes a limit, else answers the body cut at the first byte over one.
   */
  async begin(accountId: string, id: string, size: number, body: Readable, announced: number | undefined): Promise<LimitedAppend> {
    const { maxBlobBytes, accountQuotaBytes } = this.limits;
    const others = accountQuotaBytes === undefined ? () => 0 : await this.usageApartFrom(accountId, id);
    const refuseAt = (total: number): RegistryError | undefined => {
      if (total > maxBlobBytes) return blobTooLarge(maxBlobBytes, total);
      if (accountQuotaBytes !== undefined && others() + total > accountQuotaBytes) return quotaExceeded(accountQuotaBytes, others() + size, total - size);
      return undefined;
    };
    if (announced !== undefined) {
      const early = refuseAt(size + announced);
      if (early) return { body: Readable.from([]), refusal: () => early, done: () => undefined };
    }
    const entry: Active = { accountId, bytes: size };
    this.active.set(id, entry);
    let refused: RegistryError | undefined;
    const cut = new Readable({ read: () => body.resume() });
    const onData = (chunk: Buffer) => {
      refused = refuseAt(entry.bytes + chunk.length);
      if (refused) {
        // Nothing more is stored. The upload is dropped next, so its bytes no longer count against the others'.
        this.active.delete(id);
        stop();
        body.pause();
        cut.push(null);
        return;
      }
      entry.bytes += chunk.length;
      if (!cut.push(chunk)) body.pause();
    };
    const onEnd = () => {
      stop();
      cut.push(null);
    };
    const onError = (error: Error) => {
      stop();
      cut.destroy(error);
    };
    const stop = () => {
      body.off('data', onData).off('end', onEnd).off('error', onError);
    };
    body.on('data', onData).once('end', onEnd).once('error', onError);
    return { body: cut, refusal: () => refused, done: () => this.active.delete(id) };
  }

  /** Refuses adding `bytes` that are no upload (a manifest) when they would take the account past its quota. */
  async checkAddition(accountId: string, bytes: number): Promise<void> {
    const quota = this.limits.accountQuotaBytes;
    if (quota === undefined) return;
    const used = (await this.usageApartFrom(accountId, ''))();
    if (used + bytes > quota) throw quotaExceeded(quota, used, bytes);
  }

  /** The account's usage apart from the upload `id`: the store's record now, and the live size of its other appends when asked. */
  private async usageApartFrom(accountId: string, id: string): Promise<() => number> {
    const { blobBytes, manifestBytes, uploadIds } = await this.deps.store.read((tx) => tx.registry.accountUsage(accountId));
    let idle = 0;
    for (const upload of uploadIds) {
      if (upload === id || this.active.has(upload)) continue;
      idle += (await this.deps.storage.uploadSize(upload)) ?? 0;
    }
    return () => {
      let live = 0;
      for (const [upload, entry] of this.active) if (upload !== id && entry.accountId === accountId) live += entry.bytes;
      return blobBytes + manifestBytes + idle + live;
    };
  }
}
