/** The SQLite metric store against the conformance suite. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { SqliteMetricStorage } from '../../../src/cloudwatch/storage/sqlite-metrics.js';
import { metricStorageConformance } from './conformance.js';

const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

metricStorageConformance({
  name: 'SQLite',
  newPlace: () => {
    const folder = mkdtempSync(join(tmpdir(), 'berth-metrics-'));
    folders.push(folder);
    return join(folder, 'metrics.sqlite');
  },
  open: async (place) => new SqliteMetricStorage(place),
});
