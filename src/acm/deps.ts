import type { Clock } from '../core/clock.js';
import type { IdGenerator } from '../core/ids.js';
import type { Store } from '../store/types.js';

export interface AcmDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
}
