import type { Clock } from '../core/clock.js';
import type { Store } from '../store/types.js';

export interface SsmDeps {
  store: Store;
  clock: Clock;
}
