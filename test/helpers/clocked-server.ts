/**
 * A control plane process for tests that kill it: the server `berth server` starts, on a clock set
 * ahead of real time by argv[4] ms. A server started after a kill with its clock ahead by the
 * killed one's lease time finds that lease expired, as a real restart finds it once the lease has
 * run out, without the wait. Arguments: data directory, port, milliseconds ahead.
 */
import { AdvancingClock } from '../../src/core/clock.js';
import { startServer } from '../../src/server.js';
import { testCredentials } from './berth.js';

const [dataDir, port, aheadMs] = process.argv.slice(2);
if (!dataDir || !port || !aheadMs) throw new Error('usage: clocked-server.js <data-dir> <port> <ms-ahead>');
const clock = new AdvancingClock();
clock.advance(Number(aheadMs));
const server = await startServer(
  {
    host: '127.0.0.1',
    port: Number(port),
    dataDir,
    region: 'us-east-1',
    accountId: '000000000000',
    logLevel: 'warn',
    rootAccessKeyId: testCredentials.accessKeyId,
    rootSecretAccessKey: testCredentials.secretAccessKey,
  },
  { clock, logger: false },
);
process.stdout.write(`endpoint: ${server.url}\n`);
