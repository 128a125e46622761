/** Command-line tools for tests: output collected, stderr in the error when they fail. */
import { execFile } from 'node:child_process';

export interface CommandOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
}

export function runCommand(command: string, args: string[], options: CommandOptions = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { env: options.env ?? process.env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(new Error(`${command} ${args.join(' ')} failed: ${stderr || error.message}`), { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
    child.stdin!.end(options.input ?? '');
  });
}

export type DockerCli = (args: string[], input?: string) => Promise<{ stdout: string; stderr: string }>;

/** The docker CLI with a config directory of its own, never the user's: logins made by a test stay in it. */
export function dockerCli(configDir: string): DockerCli {
  return (args, input) => runCommand('docker', args, { env: { ...process.env, DOCKER_CONFIG: configDir }, ...(input !== undefined ? { input } : {}) });
}
