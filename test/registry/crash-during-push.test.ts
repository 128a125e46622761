/** kill -9 of the server in the middle of a push: after restart nothing half-pushed is visible, and the push simply works again. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { testCredentials } from '../helpers/berth.js';
import { dockerCli } from '../helpers/commands.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { freePort } from '../helpers/ports.js';
import { sha256 } from '../helpers/registry.js';
import { killProcess, startServerProcess } from '../helpers/server-process.js';
import type { ChildProcess } from 'node:child_process';

const dockerUp = await dockerAvailable();
const run = promisify(execFile);

describe('kill -9 during a push', { skip: dockerUp ? false : 'no Docker engine reachable' }, () => {
  let dataDir: string;
  let dockerConfig: string;
  let port: number;
  let url: string;
  let server: ChildProcess;
  let authorization: string;
  const images: string[] = [];

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'berth-registry-kill-'));
    dockerConfig = mkdtempSync(join(tmpdir(), 'berth-docker-config-'));
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = await startServerProcess(dataDir, port);
    const ecr = new ECRClient({ endpoint: url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'crash/app' }));
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    authorization = `Basic ${authorizationData![0]!.authorizationToken!}`;
    ecr.destroy();
  });
  after(async () => {
    if (server) await killProcess(server);
    if (images.length > 0) await run('docker', ['rmi', '--force', ...images]).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(dockerConfig, { recursive: true, force: true });
  });

  const registry = (path: string, init: RequestInit = {}) => fetch(`${url}/v2/${path}`, { ...init, headers: { authorization, ...init.headers } });

  it('leaves no blob, manifest or tag of the interrupted push, keeps the upload resumable, and takes the push again', async () => {
    const layer = randomBytes(4 * 1024 * 1024);
    const digest = sha256(layer);
    const started = await registry('crash/app/blobs/uploads/', { method: 'POST' });
    assert.equal(started.status, 202);
    const location = started.headers.get('location')!;
    const first = await fetch(`${url}${location}`, {
      method: 'PATCH',
      headers: { authorization, 'content-type': 'application/octet-stream', 'content-range': `0-${1024 * 1024 - 1}` },
      body: layer.subarray(0, 1024 * 1024),
    });
    assert.equal(first.status, 202);

    // The second chunk is on the wire, half sent, when the server dies.
    const half = new Promise<void>((resolve) => {
      const chunk = request(`${url}${location}`, {
        method: 'PATCH',
        headers: { authorization, 'content-type': 'application/octet-stream', 'content-range': `${1024 * 1024}-${3 * 1024 * 1024 - 1}`, 'content-length': String(2 * 1024 * 1024) },
      });
      chunk.on('error', () => resolve());
      chunk.on('response', () => resolve());
      chunk.write(layer.subarray(1024 * 1024, 2 * 1024 * 1024), () => setTimeout(resolve, 300));
    });
    await half;
    await killProcess(server);
    server = await startServerProcess(dataDir, port);

    assert.equal((await registry(`crash/app/blobs/${digest}`, { method: 'HEAD' })).status, 404, 'the blob is not visible');
    const tags = (await (await registry('crash/app/tags/list')).json()) as { tags: string[] };
    assert.deepEqual(tags.tags, []);
    const status = await fetch(`${url}${location}`, { headers: { authorization } });
    assert.equal(status.status, 204, 'the upload outlived the crash');
    const received = Number(/^0-(\d+)$/.exec(status.headers.get('range') ?? '')?.[1]) + 1;
    assert.ok(received >= 1024 * 1024 && received <= 2 * 1024 * 1024, `the upload holds what arrived before the kill (${received} bytes)`);
    const finished = await fetch(`${url}${location}?digest=${digest}`, {
      method: 'PUT',
      headers: { authorization, 'content-type': 'application/octet-stream', 'content-range': `${received}-${layer.length - 1}` },
      body: layer.subarray(received),
    });
    assert.equal(finished.status, 201, 'resuming after the restart completes the blob, hashed again from storage');
    assert.equal((await registry(`crash/app/blobs/${digest}`, { method: 'HEAD' })).headers.get('content-length'), String(layer.length));
  });

  it('a docker push killed midway can simply be pushed again', async () => {
    const local = await buildBusyboxImage();
    const reference = `127.0.0.1:${port}/crash/app:1`;
    const docker = dockerCli(dockerConfig);
    await docker(['login', `127.0.0.1:${port}`, '--username', 'AWS', '--password-stdin'], Buffer.from(authorization.slice('Basic '.length), 'base64').toString().slice('AWS:'.length));
    await docker(['tag', local, reference]);
    images.push(reference);
    const interrupted = docker(['push', reference]).catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await killProcess(server);
    await interrupted;
    server = await startServerProcess(dataDir, port);
    const before = await registry('crash/app/manifests/1', { method: 'HEAD', headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
    assert.ok(before.status === 404 || before.status === 200, `the tag is either wholly there or not at all (${before.status})`);
    const pushed = await docker(['push', reference]);
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed.stdout)?.[1];
    assert.ok(digest);
    const manifest = await registry('crash/app/manifests/1', { headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
    assert.equal(manifest.status, 200);
    assert.equal(manifest.headers.get('docker-content-digest'), digest);
    const { layers } = (await manifest.json()) as { layers: { digest: string; size: number }[] };
    for (const layer of layers) {
      const blob = await registry(`crash/app/blobs/${layer.digest}`);
      const content = Buffer.from(await blob.arrayBuffer());
      assert.equal(sha256(content), layer.digest, 'every layer is whole');
    }
  });
});
