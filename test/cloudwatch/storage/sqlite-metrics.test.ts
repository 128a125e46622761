/** The SQLite metric store against the conformance suite. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteMetricStorage } from '../../../src/cloudwatch/storage/sqlite-metrics.js';
import { metricStorageConformance } from './conformance.js';

metricStorageConformance({
  name: 'SQLite',
  newPlace: () => join(mkdtempSync(join(tmpdir(), 'berth-metrics-')), 'metrics.sqlite'),
  open: async (place) => new SqliteMetricStorage(place),
});
