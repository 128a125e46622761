/**
 * The registry: one store of repositories, manifests and blobs with two front ends, the OCI
 * Distribution API under /v2/ (registry/http) and the ECR JSON API (ecr/). Both call these parts.
 */
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/types.js';
import { Blobs } from './blobs.js';
import { GarbageCollector } from './gc.js';
import { defaultMaxBlobBytes, UploadLimits, type RegistryLimits } from './limits.js';
import { Manifests } from './manifests.js';
import { FilesystemBlobStorage } from './storage/filesystem.js';
import type { BlobStorage } from './storage/driver.js';
import { RegistryTokens } from './tokens.js';

export interface RegistryOptions {
  store: Store;
  clock: Clock;
  /** Where the filesystem driver keeps blobs, unless `storage` is given. */
  dataDir: string;
  storage?: BlobStorage;
  gcGraceSeconds?: number;
  /** The largest blob and each account's quota; blobs of up to 10 GiB and no quota unless given. */
  limits?: Partial<RegistryLimits>;
}

export const defaultGcGraceSeconds = 60 * 60;
export const defaultGcIntervalMs = 60 * 60 * 1000;
const uploadLifetimeSeconds = 24 * 60 * 60;

export class Registry {
  readonly storage: BlobStorage;
  readonly blobs: Blobs;
  readonly manifests: Manifests;
  readonly tokens: RegistryTokens;
  readonly gc: GarbageCollector;
  /** The host (and port) clients use to reach the registry, as in `docker push <host>/<name>:<tag>`. */
  host = '127.0.0.1';
  /** The registry's base URL: GetAuthorizationToken's proxyEndpoint. */
  endpoint = 'http://127.0.0.1';

  constructor(private readonly options: RegistryOptions) {
    const now = () => options.clock.now().getTime() / 1000;
    this.storage = options.storage ?? new FilesystemBlobStorage(join(options.dataDir, 'registry'));
    const limits: RegistryLimits = {
      maxBlobBytes: options.limits?.maxBlobBytes ?? defaultMaxBlobBytes,
      ...(options.limits?.accountQuotaBytes !== undefined ? { accountQuotaBytes: options.limits.accountQuotaBytes } : {}),
    };
    const uploadLimits = new UploadLimits(limits, { store: options.store, storage: this.storage });
    this.blobs = new Blobs({ store: options.store, storage: this.storage, limits: uploadLimits, now });
    this.manifests = new Manifests({ store: options.store, limits: uploadLimits, now });
    this.tokens = new RegistryTokens(options.store);
    this.gc = new GarbageCollector({
      store: options.store,
      storage: this.storage,
      blobs: this.blobs,
      now,
      graceSeconds: options.gcGraceSeconds ?? defaultGcGraceSeconds,
      uploadLifetimeSeconds,
    });
  }

  /**
   * Called once the edge listens: repository URIs and tokens name where it listens, or
   * `publicHost` when given. A wildcard address names the machine by its loopback address.
   */
  listeningAt(url: string, publicHost?: string): void {
    const parsed = new URL(url);
    const listening = parsed.host.replace(/^(0\.0\.0\.0|\[::\])(?=:|$)/, '127.0.0.1');
    this.host = publicHost ?? listening;
    this.endpoint = `${parsed.protocol}//${this.host}`;
  }

  repositoryUri(name: string): string {
    return `${this.host}/${name}`;
  }

  /** Waits for a garbage collection under way. */
  async stop(): Promise<void> {
    await this.gc.idle();
  }
}
