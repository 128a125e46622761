/** `berth server` as its own process, so that a test can kill it with SIGKILL. */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testCredentials } from './berth.js';
import { whenInterrupted } from './interrupt.js';

/**
 * `berth server`; with `clockAheadMs`, the same server started from a script of the tests whose
 * clock runs that far ahead of real time (clocked-server.ts).
 */
export async function startServerProcess(dataDir: string, port: number, options: { clockAheadMs?: number } = {}): Promise<ChildProcess> {
  const args =
    options.clockAheadMs === undefined
      ? ['bin/berth.js', 'server', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn']
      : [join(dirname(fileURLToPath(import.meta.url)), 'clocked-server.js'), dataDir, String(port), String(options.clockAheadMs)];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, BERTH_ROOT_ACCESS_KEY_ID: testCredentials.accessKeyId, BERTH_ROOT_SECRET_ACCESS_KEY: testCredentials.secretAccessKey },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const forget = whenInterrupted(() => child.kill('SIGKILL'));
  child.once('exit', forget);
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/endpoint:\s+http/.test(output)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`berth server exited (${code}): ${output}`)));
  });
  return child;
}

/** SIGKILL, and wait until the process is gone. */
export async function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
