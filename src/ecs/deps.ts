import type { Clock } from '../core/clock.js';
import type { IdGenerator } from '../core/ids.js';
import type { Rng } from '../core/rng.js';
import type { Store } from '../store/types.js';
import type { TaskChangeFeed } from './task-changes.js';

export interface EcsDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  rng: Rng;
  /** Where committed task changes are announced (the agent channel listens). */
  taskChanges?: TaskChangeFeed;
  /** Told when a service's desired state changed, so its controller reconciles it now rather than on its next tick. */
  serviceScheduler?: { kick(): void };
  /** The control plane's URL, once it listens (DiscoverPollEndpoint answers it). */
  controlPlaneUrl?: () => string;
}
