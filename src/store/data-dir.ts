/**
 * The data directory holds the database (credentials, every resource), the log and the registry's
 * content: only its owner may read it. It is created 0700 and its files 0600; Berth refuses to
 * start on a directory that group or others can read or write, and says how to fix it.
 *
 * The sealing key (see sealing.ts) lives elsewhere on purpose: a copy or backup of the data
 * directory alone does not carry the key that opens its secrets. By default it is
 * `$XDG_CONFIG_HOME/berth/secrets.key` (`~/.config/berth/secrets.key`), one per user, created 0600
 * on first start; `--key-file` or `BERTH_KEY_FILE` names another.
 */
import { chmodSync, closeSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sealingKeyBytes } from './sealing.js';

/** Group or others may read or write. */
const exposedBits = 0o066;

export class DataDirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirectoryError';
  }
}

/** A path as a shell takes it: as is when it is plain, else single-quoted. */
export const shellQuoted = (path: string) => (/^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`);
const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0');

/** Creates the directory 0700 when missing; refuses one that group or others can read or write. */
export function secureDirectory(path: string, what = 'the data directory'): void {
  if (!existsSync(path)) {
    mkdirSync(path, { recursive: true, mode: 0o700 });
    // mkdir's mode passes through the umask; say it exactly.
    chmodSync(path, 0o700);
    return;
  }
  const stat = statSync(path);
  if (!stat.isDirectory()) throw new DataDirectoryError(`${what} ${path} is not a directory`);
  if ((stat.mode & exposedBits) !== 0) {
    throw new DataDirectoryError(
      `${what} ${path} can be read or written by other users (mode ${octal(stat.mode)}), and it holds credentials and secrets; ` +
        `make it private with: chmod 700 ${shellQuoted(path)}`,
    );
  }
}

/** Narrows an existing file to 0600 (files written before Berth created them so). */
export function restrictFile(path: string): void {
  try {
    chmodSync(path, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Creates an empty file 0600 unless it exists, so that whoever opens it later inherits that mode. */
export function createPrivateFile(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  restrictFile(path);
}

export function defaultKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  const configHome = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(configHome, 'berth', 'secrets.key');
}

/** The sealing key in `path`, or undefined when there is no such file. */
export function readSealingKey(path: string): Buffer | undefined {
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if ((stat.mode & exposedBits) !== 0) {
    throw new DataDirectoryError(`the key file ${path} can be read or written by other users (mode ${octal(stat.mode)}); make it private with: chmod 600 ${shellQuoted(path)}`);
  }
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (key.length !== sealingKeyBytes) throw new DataDirectoryError(`the key file ${path} does not hold a ${sealingKeyBytes}-byte key in base64`);
  return key;
}

/**
 * Writes a new random key to `path` (0600, its folder 0700). Written aside and linked into place,
 * so two processes starting at once never read a half-written key: the second finds the first's.
 */
export function createSealingKey(path: string): Buffer {
  const folder = dirname(path);
  if (!existsSync(folder)) {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    chmodSync(folder, 0o700);
  }
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const fd = openSync(aside, 'wx', 0o600);
  try {
    writeSync(fd, `${randomBytes(sealingKeyBytes).toString('base64')}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(aside, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(aside, { force: true });
  }
  return readSealingKey(path)!;
}
