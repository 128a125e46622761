/** The writer the SIGKILL conformance test kills: appends batches to g/s forever, saying which were acknowledged. */
import { SqliteLogStorage } from '../../../src/logs/storage/sqlite.js';
import { join } from 'node:path';
import { logsDatabaseFileName } from '../../../src/logs/storage/sqlite.js';

const [dir, size] = process.argv.slice(2) as [string, string];
const storage = new SqliteLogStorage(join(dir, logsDatabaseFileName));
const batch = Number(size);
for (let n = 0; ; n++) {
  storage.append('g', 's', Array.from({ length: batch }, (_, i) => ({ timestamp: n * batch + i, message: `${n}-${i}` })), n);
  process.stdout.write(`acked ${n}\n`);
}
