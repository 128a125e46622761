/** `berth server` as its own process, so that a test can kill it with SIGKILL. */
import { spawn, type ChildProcess } from 'node:child_process';
import { testCredentials } from './berth.js';
import { whenInterrupted } from './interrupt.js';

export async function startServerProcess(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/berth.js', 'server', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'], {
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
