/**
 * The store as operation code sees it: transactions over every service's tables, and the change
 * feed. Operation code sees only these interfaces, never SQL, so a second backend (PostgreSQL) can
 * implement them without touching operations. Every method is async for that reason, even where
 * SQLite answers synchronously.
 *
 * Each service declares its tables in a contract file of its own beside this one and exports them
 * as a slice (`EcsTables`, …); a transaction is the intersection of the slices, so a new service
 * adds its file and one term below. Code that needs one service's tables takes that slice.
 */
import type { ChangeFeed, ChangeListener, Subscription, WatchOptions } from '../changes.js';
import type { CoreTables } from './core.js';
import type { EcsTables } from './ecs.js';
import type { RegistryTables } from './registry.js';
import type { SecretsTables } from './secrets.js';
import type { ServicesTables } from './services.js';
import type { Elbv2Tables } from './elbv2.js';
import type { IamTables } from './iam.js';
import type { SsmTables } from './ssm.js';
import type { AcmTables } from './acm.js';
import type { LogsTables } from './logs.js';
import type { AlarmTables } from './alarms.js';
import type { UsageTables } from './usage.js';

export type StoreTx = CoreTables & EcsTables & ServicesTables & SecretsTables & RegistryTables & Elbv2Tables & IamTables & SsmTables & AcmTables & LogsTables & AlarmTables & UsageTables;

/** What a reset deletes: one account's resources, or the whole installation's. */
export type ResetScope = { kind: 'account'; accountId: string } | { kind: 'installation' };

/** How many times `Store.write` runs a transaction that met a StoreConflict before giving up. */
export const writeAttempts = 5;

export interface Store {
  /** A consistent read-only view. */
  read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /**
   * One atomic transaction: all of `fn`'s writes commit together, or none do if it throws. When a
   * write meets a StoreConflict, everything is rolled back and `fn` runs again (at most
   * `writeAttempts` times in all; then the conflict is thrown). So `fn` must read what it writes
   * inside the transaction, and keep its side effects to the transaction.
   */
  write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** Every committed change, in commit order (changes.ts). */
  readonly changes: ChangeFeed;
  /**
   * A consistent read and a subscription to every change committed after it (SwarmKit's
   * ViewAndWatch): nothing falls between what `fn` read and what the listener receives.
   */
  readAndWatch<T>(fn: (tx: StoreTx) => Promise<T>, options: Omit<WatchOptions, 'after'>, listener: ChangeListener): Promise<{ value: T; subscription: Subscription }>;
  /**
   * Deletes resources (never credentials), for test isolation: one account's in every region, or,
   * for the installation, every account's along with leases and registry settings.
   */
  reset(scope: ResetScope): Promise<void>;
  close(): Promise<void>;
}
