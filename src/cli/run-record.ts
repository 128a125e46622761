/**
 * Which Berth processes run on a data directory: each `berth up` or `berth server` writes
 * `<data-dir>/run/berth-<pid>.json` once it listens and removes it when it exits, so that
 * `berth down` can stop it and the other commands can find its endpoint. Several control planes
 * may share a data directory, hence a file per process.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RunRecord {
  pid: number;
  command: 'up' | 'server';
  endpoint: string;
  startedAt: string;
  /** Where the record lives. */
  path: string;
}

const runDirectory = (dataDir: string) => join(dataDir, 'run');

/** Writes this process's record; the returned function removes it (also called at exit). */
export function recordThisProcess(dataDir: string, command: RunRecord['command'], endpoint: string): () => void {
  mkdirSync(runDirectory(dataDir), { recursive: true, mode: 0o700 });
  const path = join(runDirectory(dataDir), `berth-${process.pid}.json`);
  writeFileSync(path, `${JSON.stringify({ pid: process.pid, command, endpoint, startedAt: new Date().toISOString() }, null, 2)}\n`, { mode: 0o600 });
  const remove = () => rmSync(path, { force: true });
  process.once('exit', remove);
  return remove;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `pid` is still a Berth process (a record left by a killed process may name a reused pid). */
export function isBerthProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('berth');
  } catch {
    // No /proc (not Linux): trust the record.
    return true;
  }
}

/** The records of this data directory; with `prune`, records of processes that are gone are deleted. */
export function runRecords(dataDir: string, options: { prune?: boolean } = {}): RunRecord[] {
  let names: string[];
  try {
    names = readdirSync(runDirectory(dataDir)).filter((name) => /^berth-\d+\.json$/.test(name));
  } catch {
    return [];
  }
  const records: RunRecord[] = [];
  for (const name of names) {
    const path = join(runDirectory(dataDir), name);
    let record: RunRecord | undefined;
    try {
      record = { ...(JSON.parse(readFileSync(path, 'utf8')) as Omit<RunRecord, 'path'>), path };
    } catch {
      record = undefined;
    }
    if (record && Number.isInteger(record.pid) && isBerthProcess(record.pid)) records.push(record);
    else if (options.prune) rmSync(path, { force: true });
  }
  return records;
}
