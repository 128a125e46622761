import type { Clock } from '../core/clock.js';
import type { IdGenerator } from '../core/ids.js';
import type { Store } from '../store/types.js';
import type { AddressRange } from './addresses.js';

export interface Elbv2Deps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  /** Where load balancers' loopback addresses come from. */
  addressRange: AddressRange;
  /** Listener ports below this cannot be bound by the data plane (see bindable-ports.ts). */
  lowestBindablePort: number;
}
