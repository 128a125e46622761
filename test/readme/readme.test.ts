/**
 * The README is executable documentation: every shell example in it runs here, in order, as a
 * reader runs them after the set-up: `berth up` on its defaults (on a free port, as the README
 * allows), the export line from its banner in the shell, `berth` on the PATH as `npm link` puts it,
 * and the one adaptation the README tells AWS CLI v1 users to make. Then `berth reset`, and the
 * whole sequence again must give the same results. Blocks the README marks as not run say why.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dockerAvailable } from '../helpers/images.js';
import { freePort } from '../helpers/ports.js';
import { readmeExamples } from '../helpers/readme.js';
import { runCommand } from '../helpers/commands.js';

const dockerUp = await dockerAvailable();
const repository = resolve('.');
const examples = readmeExamples(readFileSync(join(repository, 'README.md'), 'utf8'));
const exampleTimeoutMs = 8 * 60_000;

interface Ran {
  line: number;
  stdout: string;
}

/** What differs between two runs of the same examples by nature: identifiers, addresses, digests, times. */
export function normalize(output: string): string {
  return output
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/sha256:[0-9a-f]{64}/g, '<digest>')
    .replace(/\b[0-9a-f]{12,}\b/g, '<id>')
    .replace(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g, '<ip>')
    .replace(/\b\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:?\d\d)?/g, '<time>')
    .replace(/(berth-\w+-)\d+/g, '$1<n>');
}

describe('the README, run as written', { skip: dockerUp ? false : 'no Docker engine reachable' }, () => {
  let home: string;
  let work: string;
  let bin: string;
  let port: number;
  let berth: ChildProcess | undefined;
  let banner = '';
  let exportLine = '';
  const env = (): NodeJS.ProcessEnv => {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('BERTH_')));
    return { ...inherited, HOME: home, DOCKER_CONFIG: join(home, '.docker'), PATH: `${bin}:${process.env.PATH ?? ''}` };
  };

  /** One example in a fresh bash, with what the README asks the reader to have in the shell. */
  async function runExample(code: string, line: number): Promise<string> {
    const script = [
      'set -eo pipefail',
      exportLine,
      // The README: "AWS CLI v1 does not read AWS_ENDPOINT_URL: … define aws() { … }".
      'aws() { command aws --endpoint-url "$AWS_ENDPOINT_URL" "$@"; }',
      // The README: "If you started Berth with --port, use that port where the examples say 4566."
      code.replaceAll('127.0.0.1:4566', `127.0.0.1:${port}`),
    ].join('\n');
    return new Promise((resolvePromise, reject) => {
      const child = spawn('bash', ['-c', script], { cwd: work, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), exampleTimeoutMs);
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolvePromise(stdout);
        else reject(new Error(`README line ${line}: the example failed (${signal ?? `exit ${code}`}).\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
      });
    });
  }

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'berth-readme-'));
    work = join(home, 'work');
    bin = join(home, 'bin');
    mkdirSync(work);
    mkdirSync(bin);
    // What `npm link` does: `berth` on the PATH.
    symlinkSync(join(repository, 'bin/berth.js'), join(bin, 'berth'));
    port = await freePort();
    berth = spawn('berth', ['up', '--port', String(port)], { cwd: work, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let errors = '';
    berth.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    exportLine = await new Promise<string>((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`berth up printed no export line within 60 s:\n${banner}\n${errors}`)), 60_000);
      berth!.stdout!.on('data', (chunk: Buffer) => {
        banner += chunk.toString();
        const line = /^\s*(export AWS_ACCESS_KEY_ID=.*AWS_ENDPOINT_URL=\S+)\s*$/m.exec(banner)?.[1];
        if (line) {
          clearTimeout(timer);
          resolvePromise(line);
        }
      });
      berth!.once('exit', (code) => reject(new Error(`berth up exited (${code}):\n${banner}\n${errors}`)));
    });
  });

  after(async () => {
    // What the README says stops everything: berth down, which also stops berth up.
    const down = await new Promise<number | null>((resolvePromise) =>
      spawn('berth', ['down'], { cwd: work, env: env(), stdio: 'ignore' }).once('exit', (code) => resolvePromise(code)),
    );
    if (berth && berth.exitCode === null) {
      const exited = new Promise((resolvePromise) => berth!.once('exit', resolvePromise));
      berth.kill('SIGTERM');
      await exited;
    }
    if (down !== 0) process.stderr.write(`berth down exited ${down}; removing the examples' containers by their labels\n`);
    // Should berth down have failed: every container and volume the local agents of this Berth own.
    const agentDir = join(home, '.berth', 'agent');
    const owners = (existsSync(agentDir) ? readdirSync(agentDir, { withFileTypes: true }) : []).flatMap((entry) => {
      if (!entry.isFile() || !entry.name.endsWith('.json')) return [];
      const identity = JSON.parse(readFileSync(join(agentDir, entry.name), 'utf8')) as { instanceId?: string; hostId?: string };
      return [identity.instanceId, identity.hostId].filter((owner): owner is string => owner !== undefined);
    });
    for (const owner of owners) {
      const { stdout } = await runCommand('docker', ['ps', '--all', '--quiet', '--filter', `label=dev.berth.owner=${owner}`]);
      const ids = stdout.split('\n').filter(Boolean);
      if (ids.length > 0) await runCommand('docker', ['rm', '--force', '--volumes', ...ids]).catch(() => undefined);
      const volumes = (await runCommand('docker', ['volume', 'ls', '--quiet', '--filter', `label=dev.berth.owner=${owner}`])).stdout.split('\n').filter(Boolean);
      if (volumes.length > 0) await runCommand('docker', ['volume', 'rm', '--force', ...volumes]).catch(() => undefined);
    }
    await runCommand('docker', ['rmi', `127.0.0.1:${port}/web:1`]).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  });

  test('the README says which examples it does not run, and why', () => {
    assert.ok(examples.filter((example) => !example.notRun).length >= 5, 'the README has examples to run');
    for (const example of examples.filter((candidate) => candidate.notRun)) assert.ok(example.notRun!.length > 10, `README line ${example.line} says why it is not run`);
  });

  test('every example runs in order; after berth reset, the same sequence gives the same results', async () => {
    const rounds: Ran[][] = [];
    for (let round = 0; round < 2; round++) {
      if (round > 0) await runExample('berth reset', 0);
      const ran: Ran[] = [];
      for (const example of examples) {
        if (example.notRun) continue;
        ran.push({ line: example.line, stdout: await runExample(example.code, example.line) });
      }
      rounds.push(ran);
    }
    const [first, second] = rounds as [Ran[], Ran[]];
    for (const [index, ran] of first.entries()) {
      assert.equal(normalize(second[index]!.stdout), normalize(ran.stdout), `README line ${ran.line}: the same output after berth reset`);
    }
  });
});
