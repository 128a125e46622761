import type { Clock } from '../core/clock.js';
import type { IdGenerator } from '../core/ids.js';
import type { Wire } from '../core/wire.js';
import type { Store } from '../store/types.js';

export interface SecretsManagerDeps {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
}

/** A Secrets Manager shape in its JSON form, where SecretBinary travels as base64 text. */
export type Json<T> = Wire<Omit<T, 'SecretBinary'>> & ('SecretBinary' extends keyof T ? { SecretBinary?: string } : unknown);
