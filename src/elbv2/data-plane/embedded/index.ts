/**
 * The control plane's side of the embedded data plane: `createEmbeddedDataPlane({ stateDir })`
 * attaches to the data plane process already running for that state directory (its admin socket
 * answers) or starts one, detached, so that it survives the control plane (kill -9 included).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { ApplyResult, DataPlane, DataPlaneConfig, DataPlaneCounters, TargetHealthReport } from '../types.js';
import { adminPaths, type AdminPaths } from './admin-paths.js';

export interface EmbeddedDataPlaneOptions {
  /** Holds the admin socket, the pid file and the process's log (e.g. the data dir's lb/ folder). */
  stateDir: string;
  /** How long to wait for a started process to answer (ms; default 10 000). */
  startTimeoutMs?: number;
}

export class DataPlaneUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DataPlaneUnavailableError';
  }
}

function call<T>(socketPath: string, method: string, path: string, body?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const outgoing = request({ socketPath, method, path, agent: false, headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (response.statusCode !== 200) return reject(new DataPlaneUnavailableError(`the data plane answered ${path} with ${response.statusCode}: ${text}`));
        try {
          resolve(JSON.parse(text) as T);
        } catch (error) {
          reject(new DataPlaneUnavailableError(`the data plane answered ${path} with something other than JSON`, { cause: error }));
        }
      });
      response.on('error', reject);
    });
    outgoing.on('error', (error) => reject(new DataPlaneUnavailableError(`the data plane at ${socketPath} does not answer: ${error.message}`, { cause: error })));
    outgoing.end(payload);
  });
}

class EmbeddedDataPlane implements DataPlane {
  readonly kind = 'embedded' as const;
  private detached = false;

  constructor(private readonly paths: AdminPaths, readonly pid: number) {}

  apply(config: DataPlaneConfig): Promise<ApplyResult> {
    return this.call('POST', '/apply', config);
  }

  health(): Promise<TargetHealthReport[]> {
    return this.call('GET', '/health');
  }

  counters(): Promise<DataPlaneCounters> {
    return this.call('GET', '/counters');
  }

  async checkHealthNow(): Promise<void> {
    await this.call('POST', '/check-now');
  }

  async detach(): Promise<void> {
    this.detached = true;
  }

  async shutdown(): Promise<void> {
    await this.call('POST', '/shutdown');
    this.detached = true;
    const deadline = Date.now() + 10_000;
    while (processAlive(this.pid) && Date.now() < deadline) await pause(20);
  }

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (this.detached) return Promise.reject(new DataPlaneUnavailableError('this handle was detached from the data plane; create a new one'));
    return call<T>(this.paths.socket, method, path, body);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function ping(paths: AdminPaths): Promise<number | undefined> {
  try {
    return (await call<{ pid: number }>(paths.socket, 'GET', '/ping')).pid;
  } catch {
    return undefined;
  }
}

export async function createEmbeddedDataPlane(options: EmbeddedDataPlaneOptions): Promise<DataPlane> {
  mkdirSync(options.stateDir, { recursive: true });
  const paths = adminPaths(options.stateDir);
  const running = await ping(paths);
  if (running !== undefined) return new EmbeddedDataPlane(paths, running);
  const log = openSync(paths.log, 'a');
  const entry = fileURLToPath(new URL('./main.js', import.meta.url));
  const child = spawn(process.execPath, [entry, options.stateDir], { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  closeSync(log);
  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    const pid = await ping(paths);
    if (pid !== undefined) return new EmbeddedDataPlane(paths, pid);
    await pause(25);
  }
  let tail = '';
  try {
    tail = readFileSync(paths.log, 'utf8').split('\n').slice(-10).join('\n');
  } catch {
    // no log: the process could not even start
  }
  throw new DataPlaneUnavailableError(`the embedded data plane did not answer on ${paths.socket} within ${options.startTimeoutMs ?? 10_000} ms; its log ends with:\n${tail}`);
}
