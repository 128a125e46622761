/** `berth up` or `berth server` as a child process of a test, on a free port with its own data directory. */
import { spawn, type ChildProcess } from 'node:child_process';
import { whenInterrupted } from './interrupt.js';
import { DataPlaneHandle, dataPlaneKinds, dataPlaneStateDir } from '../../src/elbv2/data-plane-handle.js';

export interface BerthProcess {
  child: ChildProcess;
  url: string;
  /** Everything it printed on stdout so far. */
  output(): string;
  /** SIGTERM, and wait until it is gone; then the load balancers' data plane it left running (as `berth down` does). */
  stop(): Promise<void>;
}

/**
 * Starts `bin/berth.js <args>` and resolves once its banner has been printed whole: it ends with the
 * export line when the start created the root credentials, else with the `berth credentials` line.
 */
export async function startBerthProcess(args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<BerthProcess> {
  const child = spawn(process.execPath, ['bin/berth.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const forget = whenInterrupted(() => child.kill('SIGTERM'));
  child.once('exit', forget);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within ${timeoutMs} ms: ${stdout}${stderr}`)), timeoutMs);
    child.stdout!.on('data', () => {
      const match = /endpoint:\s+(http:\/\/\S+)\n[\s\S]*(AWS_ENDPOINT_URL=\S+|"\$\(berth credentials[^\n]*)\n/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`berth ${args[0]} exited (${code}): ${stdout}${stderr}`));
    });
  });
  return {
    child,
    url,
    output: () => stdout,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      const dataDir = args[args.indexOf('--data-dir') + 1];
      if (args.includes('--data-dir') && dataDir !== undefined) {
        for (const kind of dataPlaneKinds) await new DataPlaneHandle(kind, dataPlaneStateDir(dataDir, kind)).shutdown().catch(() => undefined);
      }
    },
  };
}
