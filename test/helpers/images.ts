/**
 * Local test images, made without a registry: a busybox root filesystem imported with `docker import`.
 *
 * Idempotent across processes: the image carries a label with a hash of its recipe, and is
 * rebuilt only when it is missing or was built from another recipe. Two processes building at
 * once both succeed (the tag ends up on one of two equivalent images).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { socketPathFromEnvironment } from '../../src/agent/runtime/docker-runtime.js';

export const busyboxPath = '/bin/busybox';
const recipeLabel = 'dev.berth.test-image-recipe';

const applets = [
  'sh', 'ash', 'sleep', 'httpd', 'wget', 'cat', 'echo', 'ls', 'nc', 'env', 'id', 'ip', 'ifconfig', 'hostname',
  'head', 'tail', 'tr', 'dd', 'mkdir', 'touch', 'true', 'false', 'kill', 'ps', 'grep', 'test', '[', 'sed', 'awk',
  'rm', 'cp', 'mv', 'ln', 'chmod', 'wc', 'date', 'uname', 'whoami', 'printf', 'seq', 'timeout', 'nslookup', 'ping',
  'netstat', 'mount', 'df', 'free', 'stat', 'pwd', 'sort', 'uniq', 'cut', 'xargs', 'yes', 'base64', 'sha256sum',
  'usleep',
];
const passwd = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
const group = 'root:x:0:\nnogroup:x:65534:\n';

const building = new Map<string, Promise<string>>();

export async function dockerAvailable(): Promise<boolean> {
  try {
    await new Docker({ socketPath: socketPathFromEnvironment(), timeout: 3_000 }).ping();
    return true;
  } catch {
    return false;
  }
}

/** Builds (when needed) a busybox image with the common applets, /tmp, and root and nobody (65534) users. */
export function buildBusyboxImage(reference = 'berth-test/busybox:1'): Promise<string> {
  let pending = building.get(reference);
  if (!pending) {
    pending = build(reference);
    building.set(reference, pending);
    pending.catch(() => building.delete(reference));
  }
  return pending;
}

async function build(reference: string): Promise<string> {
  const busybox = readFileSync(busyboxPath);
  const recipe = createHash('sha256').update(busybox).update(JSON.stringify({ applets, passwd, group })).digest('hex').slice(0, 16);
  if ((await currentRecipe(reference)) === recipe) return reference;

  const root = mkdtempSync(join(tmpdir(), 'berth-busybox-'));
  try {
    for (const directory of ['bin', 'etc', 'tmp', 'root', 'proc', 'sys', 'dev']) mkdirSync(join(root, directory));
    chmodSync(join(root, 'tmp'), 0o1777);
    copyFileSync(busyboxPath, join(root, 'bin/busybox'));
    chmodSync(join(root, 'bin/busybox'), 0o755);
    const available = new Set((await run(busyboxPath, ['--list'])).toString().split('\n'));
    for (const applet of applets) if (available.has(applet)) symlinkSync('busybox', join(root, 'bin', applet));
    writeFileSync(join(root, 'etc/passwd'), passwd);
    writeFileSync(join(root, 'etc/group'), group);
    const tar = await run('tar', ['-C', root, '--owner=0', '--group=0', '--numeric-owner', '-cf', '-', '.']);
    await run(
      'docker',
      ['import', '--change', 'CMD ["sh"]', '--change', 'ENV PATH=/bin', '--change', `LABEL ${recipeLabel}=${recipe}`, '-', reference],
      tar,
    );
    return reference;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function currentRecipe(reference: string): Promise<string | undefined> {
  try {
    const image = await new Docker({ socketPath: socketPathFromEnvironment(), timeout: 10_000 }).getImage(reference).inspect();
    return image.Config?.Labels?.[recipeLabel];
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

function run(command: string, args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => reject(new Error(`${command} could not be run: ${error.message}`, { cause: error })));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(stdout));
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${Buffer.concat(stderr).toString().trim()}`));
    });
    child.stdin.end(input);
  });
}
