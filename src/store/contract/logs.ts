/**
 * The storage contract of CloudWatch Logs' log groups: per account and region, one record per
 * group (name, creation time, class, retention, tags). Streams and events are not records: they
 * live in the log event storage (src/logs/storage/), built for their volume.
 * Times are milliseconds since the epoch, as CloudWatch Logs answers them.
 */
import type { Versioned } from './core.js';

export type LogGroupClass = 'STANDARD' | 'INFREQUENT_ACCESS';

export interface LogGroup extends Versioned {
  accountId: string;
  region: string;
  name: string;
  creationTime: number;
  /**
   * Names the group's streams and events in the log event storage: new with each group, so a group
   * made again under a deleted one's name never sees what the old one left.
   */
  storageId: string;
  logGroupClass: LogGroupClass;
  /** Days events are kept; forever when absent. */
  retentionInDays?: number;
  tags: Record<string, string>;
}

export interface LogGroupsTable {
  get(accountId: string, region: string, name: string): Promise<LogGroup | undefined>;
  /** An account and region's groups, by name; with `prefix`, only the names starting with it. */
  list(accountId: string, region: string, prefix?: string): Promise<LogGroup[]>;
  /** Every group with a retention policy, in every account and region (the retention controller's work). */
  listWithRetention(): Promise<LogGroup[]>;
  /** Every group of every account and region. */
  listAll(): Promise<LogGroup[]>;
  put(record: LogGroup): Promise<void>;
  delete(record: LogGroup): Promise<void>;
}

export interface LogsTables {
  logGroups: LogGroupsTable;
}
