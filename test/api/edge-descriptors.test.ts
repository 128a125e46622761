/**
 * The attack that exhausted the descriptors: 1,100 connections that send complete headers and a
 * Content-Length, and never the body, against a server whose open-files limit is low. With the
 * default bounds (derived from that limit) another client must still get answers.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testCredentials } from '../helpers/berth.js';
import { freePort } from '../helpers/ports.js';
import { ecsTarget, signedHead } from '../helpers/wire.js';

/** Writes `bytes` from `localAddress` and resolves with the whole answer once the server closes. */
function exchange(url: string, bytes: string, localAddress: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), localAddress });
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.write(bytes);
  });
}

function withoutEdgeSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const names = ['BERTH_MAX_CONNECTIONS', 'BERTH_MAX_CONNECTIONS_PER_CLIENT', 'BERTH_HEADERS_TIMEOUT', 'BERTH_IDLE_TIMEOUT'];
  return Object.fromEntries(Object.entries(env).filter(([name]) => !names.includes(name)));
}

describe('the edge under a low open-files limit', () => {
  let child: ChildProcess;
  let url: string;
  let output = '';
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-test-'));
  before(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn('/bin/sh', ['-c', 'ulimit -n 512 && exec "$0" "$@"', process.execPath, 'bin/berth.js', 'server', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'], {
      // The defaults under test, whatever the environment running the suite sets.
      env: { ...withoutEdgeSettings(process.env), BERTH_ROOT_ACCESS_KEY_ID: testCredentials.accessKeyId, BERTH_ROOT_SECRET_ACCESS_KEY: testCredentials.secretAccessKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', () => /endpoint:\s+http/.test(output) && resolve());
      child.once('exit', (code) => reject(new Error(`berth server exited (${code}): ${output}`)));
    });
  });
  after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps answering another client while one address holds 1,100 connections that never send their body', async () => {
    const { hostname, port } = new URL(url);
    const stalled: Socket[] = [];
    let closedByServer = 0;
    await Promise.all(
      Array.from({ length: 1100 }, () => {
        const socket = connect({ host: hostname, port: Number(port) });
        stalled.push(socket);
        socket.on('error', () => undefined);
        socket.once('close', () => (closedByServer += 1));
        return new Promise<void>((resolve) => {
          socket.once('connect', () => {
            socket.write(`POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: ${ecsTarget('ListClusters')}\r\nContent-Length: 1000\r\n\r\n`);
            resolve();
          });
          socket.once('close', () => resolve());
        });
      }),
    );
    // The server closes what is beyond the bound at once; the rest stay open until the idle timeout.
    const deadline = Date.now() + 10_000;
    while (closedByServer < 1100 - 128 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(closedByServer >= 1100 - 128, `${closedByServer} closed: the per-client bound under ulimit -n 512 is 128`);

    const answer = await exchange(url, `${await signedHead(url, ecsTarget('ListClusters'), '{}')}{}`, '127.0.0.2');
    assert.match(answer, /^HTTP\/1\.1 200 /);
    assert.match(answer, /"clusterArns":\[\]/);
    assert.match(output, /connections refused: 127\.0\.0\.1 has 128 open, the most one client may hold \(--max-connections-per-client\)/);
    for (const socket of stalled) socket.destroy();
  });
});
