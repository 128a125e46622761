/**
 * haproxy's process: started in master-worker mode and daemonized (`-W -D`), so it is nobody's
 * child and outlives the control plane (kill -9 included). Everything needed to find it again is
 * in its state directory: the pid file (the master's pid), the master's CLI socket and the
 * worker's admin socket. A restarted control plane attaches when the master still answers.
 *
 * Reloads go through the master CLI: the master starts a new worker on the new file; the new
 * worker takes the listening sockets over from the old one (`expose-fd listeners`), and the old
 * worker stops accepting, finishes what it serves and exits. A file the new worker refuses leaves
 * the old worker running, and `show proc` counts the failed reload.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { runtimePaths } from './config.js';
import { sendCommand } from './runtime-api.js';

export class HaproxyStartError extends Error {
  constructor(message: string, readonly output: string) {
    super(message);
    this.name = 'HaproxyStartError';
  }
}

export interface HaproxyProcessOptions {
  stateDir: string;
  /** The haproxy executable (default: `haproxy` on the PATH). */
  executable: string;
}

function run(executable: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(executable, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    // `exit`, not `close`: the daemon may keep our pipes open after its launcher exits.
    child.on('exit', (code) => {
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ code, output });
    });
  });
}

export function masterPid(stateDir: string): number | undefined {
  const { pidFile } = runtimePaths(stateDir);
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim().split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  // A master that exited but was not yet reaped (when pid 1 does not reap) is gone all the same.
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')) ? undefined : pid;
  } catch {
    return pid;
  }
}

/** Whether a master is running for this directory and its CLI answers. */
export async function isRunning(stateDir: string): Promise<boolean> {
  if (masterPid(stateDir) === undefined) return false;
  try {
    return (await sendCommand(runtimePaths(stateDir).masterSocket, 'show proc', 2000)).includes('master');
  } catch {
    return false;
  }
}

/** Checks a configuration file without running it (`haproxy -c`). */
export async function checkConfig(options: HaproxyProcessOptions, file: string): Promise<string | undefined> {
  const { code, output } = await run(options.executable, ['-c', '-q', '-f', file]);
  return code === 0 ? undefined : output.trim();
}

export async function start(options: HaproxyProcessOptions): Promise<void> {
  const paths = runtimePaths(options.stateDir);
  const { code, output } = await run(options.executable, ['-W', '-D', '-S', `${paths.masterSocket},mode,600`, '-p', paths.pidFile, '-f', paths.config]);
  if (code !== 0) throw new HaproxyStartError(`haproxy did not start (exit ${code}): ${output.trim()}`, output);
  await waitFor(() => sendCommand(paths.adminSocket, 'show info', 1000).then((a) => a.includes('Pid:')), 'the new worker to answer');
  await waitFor(async () => (await procState(options.stateDir)).workers.length > 0, 'the master to answer');
}

interface ProcState {
  workers: number[];
  failedReloads: number;
}

/**
 * The master's processes. Once its workers run, the master re-executes itself (haproxy's "wait
 * mode") and its CLI refuses connections for a moment: that is retried, not an error.
 */
async function procState(stateDir: string): Promise<ProcState> {
  let answer = '';
  await waitFor(async () => {
    answer = await sendCommand(runtimePaths(stateDir).masterSocket, 'show proc', 2000);
    return answer.includes('master');
  }, "the master's CLI to answer");
  const failed = /\[failed: (\d+)\]/.exec(answer);
  const workers = [...answer.matchAll(/^(\d+)\s+worker\b/gm)].map((m) => Number(m[1]));
  return { workers, failedReloads: failed === null ? 0 : Number(failed[1]) };
}

/**
 * Reloads the running master on the file as it now is; resolves once the new worker answers, or
 * throws with what haproxy said when it refused the new file.
 */
export async function reload(stateDir: string): Promise<void> {
  const before = await procState(stateDir);
  // The master closes the connection as it reloads, before answering.
  await sendCommand(runtimePaths(stateDir).masterSocket, 'reload', 5000).catch(() => '');
  let after: ProcState = before;
  await waitFor(async () => {
    after = await procState(stateDir).catch(() => before);
    return after.failedReloads > before.failedReloads || after.workers.some((w) => !before.workers.includes(w));
  }, 'haproxy to reload');
  if (after.failedReloads > before.failedReloads) throw new HaproxyStartError('haproxy refused the new configuration and kept the previous one running', '');
  await waitFor(() => sendCommand(runtimePaths(stateDir).adminSocket, 'show info', 1000).then((a) => after.workers.some((w) => a.includes(`Pid: ${w}`))), 'the new worker to answer');
}

/** Stops haproxy (its master stops its workers) and waits until the master is gone. */
export async function stop(stateDir: string): Promise<void> {
  const pid = masterPid(stateDir);
  if (pid === undefined) return;
  process.kill(pid, 'SIGTERM');
  await waitFor(async () => masterPid(stateDir) === undefined, 'haproxy to stop');
}

/** Polls haproxy's own state (not a delay of Berth's): up to 10 s, every 20 ms. */
async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (await condition().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
