import type { Clock } from '../core/clock.js';
import type { MetricStorage } from './storage/types.js';

export interface CloudWatchDeps {
  storage: MetricStorage;
  clock: Clock;
}
