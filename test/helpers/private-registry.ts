/**
 * A password-protected registry on loopback: the CNCF distribution registry from Debian's
 * `docker-registry` package, with htpasswd users. Docker treats 127.0.0.0/8 registries as
 * insecure, so it speaks plain HTTP to it. The docker CLI logs in with its own config directory,
 * never the user's.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dockerCli } from './commands.js';
import { freePort } from './ports.js';

const run = promisify(execFile);
export const registryBinary = '/usr/bin/docker-registry';
export const htpasswdBinary = '/usr/bin/htpasswd';

export const privateRegistryAvailable = (): boolean => existsSync(registryBinary) && existsSync(htpasswdBinary);

export interface PrivateRegistry {
  /** host:port, as used in an image reference. */
  host: string;
  username: string;
  password: string;
  /** Tags a local image into the registry, pushes it, and removes the local tag so that a pull must fetch it. */
  push(localImage: string, repositoryAndTag: string): Promise<string>;
  close(): Promise<void>;
}

async function waitForPort(host: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}`);
    const answered = await fetch(`http://${host}/v2/`).then((response) => response.status, () => 0);
    if (answered === 401 || answered === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`docker-registry did not answer on ${host}`);
}

export async function startPrivateRegistry(username = 'puller', password = 'correct-horse-battery'): Promise<PrivateRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-private-registry-'));
  const host = `127.0.0.1:${await freePort()}`;
  const { stdout: htpasswd } = await run(htpasswdBinary, ['-Bbn', username, password]);
  writeFileSync(join(dir, 'htpasswd'), htpasswd);
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log:',
      '  level: error',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      'http:',
      `  addr: ${host}`,
      'auth:',
      '  htpasswd:',
      '    realm: berth-test',
      `    path: ${join(dir, 'htpasswd')}`,
      '',
    ].join('\n'),
  );
  // It logs every 404 of a normal push as an error, so its output is not shown.
  const child = spawn(registryBinary, ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const dockerConfig = join(dir, 'docker-config');
  const docker = dockerCli(dockerConfig);
  try {
    await waitForPort(host, child);
    await docker(['login', host, '--username', username, '--password-stdin'], password);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    host,
    username,
    password,
    async push(localImage, repositoryAndTag) {
      const reference = `${host}/${repositoryAndTag}`;
      await docker(['tag', localImage, reference]);
      await docker(['push', reference]);
      await docker(['rmi', reference]);
      return reference;
    },
    async close() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
