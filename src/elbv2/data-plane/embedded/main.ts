/**
 * The embedded data plane's process: `node main.js <stateDir>`. Started detached by the control
 * plane (index.ts), it outlives it: listeners keep forwarding while the control plane is down.
 * It answers its admin endpoint, an HTTP API on a Unix socket in the state directory:
 *   GET /ping → {pid}; POST /apply (DataPlaneConfig) → ApplyResult; GET /health → TargetHealthReport[];
 *   GET /counters → DataPlaneCounters; POST /check-now → runs every registered target's health
 *   check once, now, and answers {} when the results are in (tests use it instead of waiting for
 *   intervals); POST /shutdown → closes everything and exits.
 * It loads none of the control plane's modules (no store, no Fastify): only node: modules and this folder.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { DataPlaneConfig } from '../types.js';
import { adminPaths } from './admin-paths.js';
import { Engine } from './engine.js';

const stateDir = process.argv[2];
if (stateDir === undefined) {
  process.stderr.write('usage: main.js <stateDir>\n');
  process.exit(2);
}
mkdirSync(stateDir, { recursive: true });
const paths = adminPaths(stateDir);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// One data plane per state directory: the pid file is taken exclusively; a stale one (its process gone) is replaced.
function takePidFile(): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(paths.pidFile, String(process.pid), { flag: 'wx' });
      return true;
    } catch {
      const holder = Number(readFileSync(paths.pidFile, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) return false;
      rmSync(paths.pidFile, { force: true });
    }
  }
  return false;
}

if (!takePidFile()) {
  process.stderr.write(`another data plane already runs for ${stateDir}\n`);
  process.exit(0);
}

// BERTH_LB_FAST_PATH=0 forwards HTTP through node:http only (to compare, or to rule the fast path out).
const engine = new Engine({ fastPath: process.env.BERTH_LB_FAST_PATH !== '0' });

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function reply(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  admin.close();
  await engine.close();
  rmSync(paths.socket, { force: true });
  rmSync(paths.pidFile, { force: true });
  process.exit(0);
}

// Applies run one at a time, in the order they arrive.
let applying: Promise<unknown> = Promise.resolve();

const admin = createServer((request, response) => {
  const route = `${request.method ?? ''} ${request.url ?? ''}`;
  const answer = async (): Promise<void> => {
    switch (route) {
      case 'GET /ping':
        return reply(response, 200, { pid: process.pid });
      case 'POST /apply': {
        const config = JSON.parse(await readBody(request)) as DataPlaneConfig;
        const result = applying.then(() => engine.apply(config));
        applying = result.catch(() => undefined);
        return reply(response, 200, await result);
      }
      case 'GET /health':
        return reply(response, 200, engine.health());
      case 'GET /counters':
        return reply(response, 200, engine.counts());
      case 'POST /check-now':
        await engine.checkNow();
        return reply(response, 200, {});
      case 'POST /shutdown':
        reply(response, 200, {});
        response.on('finish', () => void stop());
        return;
      default:
        return reply(response, 404, { message: `no such admin route: ${route}` });
    }
  };
  answer().catch((error: Error) => reply(response, 500, { message: error.message }));
});

rmSync(paths.socket, { force: true });
admin.listen(paths.socket, () => process.stderr.write(`data plane ${process.pid} listening on ${paths.socket}\n`));
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.on('uncaughtException', (error) => process.stderr.write(`uncaught: ${error.stack ?? error.message}\n`));
