import type { Clock } from '../core/clock.js';
import type { Store } from '../store/types.js';
import type { ActionTargets } from './alarms/action-targets.js';
import type { MetricStorage } from './storage/types.js';

export interface CloudWatchDeps {
  storage: MetricStorage;
  clock: Clock;
  /** Where alarms and their history are kept. */
  store: Store;
  /** Who performs alarm actions; without it PutMetricAlarm refuses every action. */
  actionTargets?: ActionTargets;
}
