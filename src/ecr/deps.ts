import type { Clock } from '../core/clock.js';
import type { Registry } from '../registry/registry.js';
import type { Store } from '../store/types.js';

export interface EcrDeps {
  store: Store;
  clock: Clock;
  registry: Registry;
}
