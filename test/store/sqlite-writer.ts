/**
 * A child process for the conformance suite's SIGKILL test: opens the SQLite store in the data
 * directory given, writes tasks one transaction each, and prints `ack <taskArn>` after each
 * commit, until killed or `count` are written.
 *
 *   node dist/test/store/sqlite-writer.js <dataDir> <keyFile> <count>
 */
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { task } from './records.js';

const [dataDir, keyFile, count] = process.argv.slice(2);
if (!dataDir || !keyFile || !count) throw new Error('usage: sqlite-writer <dataDir> <keyFile> <count>');
const store = new SqliteStore(dataDir, { keyFile, changes: { pollMs: 0 } });
for (let i = 0; i < Number(count); i++) {
  const record = task('killed', `t${i}`);
  await store.write((tx) => tx.tasks.put(record));
  process.stdout.write(`ack ${record.taskArn}\n`);
}
await store.close();
