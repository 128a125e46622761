import type { Clock } from '../core/clock.js';
import type { IdGenerator } from '../core/ids.js';
import type { Rng } from '../core/rng.js';
import type { Store } from '../store/types.js';

export interface EcsDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  rng: Rng;
  /** The control plane's URL, once it listens (DiscoverPollEndpoint answers it). */
  controlPlaneUrl?: () => string;
}
