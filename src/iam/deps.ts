import type { Clock } from '../core/clock.js';
import type { Store } from '../store/types.js';

export interface IamDeps {
  store: Store;
  clock: Clock;
}
