import type { Clock } from '../core/clock.js';
import type { Store } from '../store/types.js';
import type { LogEventStorage } from './storage/types.js';

export interface LogsDeps {
  store: Store;
  clock: Clock;
  /** Streams and events (see storage/types.ts). */
  events: LogEventStorage;
}
