/** `berth agent` as a process of its own, on the local Docker engine, so that a test can kill it with SIGKILL. */
import { spawn, type ChildProcess } from 'node:child_process';
import { testCredentials } from './berth.js';
import { whenInterrupted } from './interrupt.js';

/** `berth agent` on the local Docker engine, as its own process; resolves with its container instance ARN once it runs. */
export async function startAgentProcess(url: string, dataDir: string): Promise<{ child: ChildProcess; instanceArn: string; output: () => string }> {
  const child = spawn(
    process.execPath,
    ['bin/berth.js', 'agent', '--launch-type', 'EC2', '--cluster', 'default', '--endpoint', url, '--data-dir', dataDir, '--availability-zone', 'us-east-1a'],
    {
      env: { ...process.env, AWS_ACCESS_KEY_ID: testCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const forget = whenInterrupted(() => child.kill('SIGKILL'));
  child.once('exit', forget);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const instanceArn = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`berth agent did not start within 30 s: ${output}`)), 30_000);
    child.stdout!.on('data', () => {
      const match = /berth agent: running (arn:\S+) against/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`berth agent exited (${code ?? signal}): ${output}`));
    });
  });
  return { child, instanceArn, output: () => output };
}

