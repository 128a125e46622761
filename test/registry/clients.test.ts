/**
 * Real clients against Berth's registry: the docker CLI (login, push, pull, and an immutable tag's
 * refusal) and skopeo (OCI layouts in and out, multi-platform indexes with --all). The docker CLI
 * runs with its own config directory, never the user's.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { dockerCli, runCommand } from '../helpers/commands.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import {
  createRepository,
  makeImage,
  makeIndex,
  mediaTypes,
  readLayoutBlob,
  RegistryHttp,
  registryLogin,
  sha256,
  writeOciLayout,
  type RegistryLogin,
} from '../helpers/registry.js';

const skopeoBinary = '/usr/bin/skopeo';
const dockerUp = await dockerAvailable();

describe('real clients: docker', { skip: dockerUp ? false : 'no Docker engine reachable' }, () => {
  let berth: TestBerth;
  let login: RegistryLogin;
  let registry: RegistryHttp;
  let dir: string;
  const references: string[] = [];
  const docker = (args: string[], input?: string) => dockerCli(join(dir, 'docker-config'))(args, input);

  /** An image of its own (a layer on the busybox test image holding `/id.txt`), so that a pull after removing it must fetch it. */
  const buildUnique = async (reference: string, id: string) => {
    const context = mkdtempSync(join(dir, 'context-'));
    writeFileSync(join(context, 'id.txt'), id);
    writeFileSync(join(context, 'Dockerfile'), `FROM ${await buildBusyboxImage()}\nCOPY id.txt /id.txt\n`);
    await docker(['build', '--quiet', '--tag', reference, context]);
    // By id: an image pushed keeps its repository digest after its tags are gone.
    references.push((await docker(['image', 'inspect', '--format', '{{.Id}}', reference])).stdout.trim());
    return reference;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-docker-client-'));
    berth = await startBerth();
    login = await registryLogin(berth);
    registry = new RegistryHttp(berth.url, login.authHeader);
    await createRepository(berth, 'team/app');
    await createRepository(berth, 'team/pinned', { imageTagMutability: 'IMMUTABLE' });
    // As `aws ecr get-login-password | docker login --username AWS --password-stdin <registry>`.
    const { stdout } = await docker(['login', login.host, '--username', login.username, '--password-stdin'], login.password);
    assert.match(stdout, /Login Succeeded/);
  });
  after(async () => {
    for (const reference of references.reverse()) await docker(['rmi', '--force', reference]).catch(() => undefined);
    await berth?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pushes an image to a repository with a slash in its name and pulls it back after the local copy is gone', async () => {
    const id = `pushed-${process.pid}-${Date.now()}`;
    const local = await buildUnique(`berth-test/registry-push:${id}`, id);
    const remote = `${login.host}/team/app:v1`;
    references.push(remote);
    await docker(['tag', local, remote]);
    const imageId = (await docker(['image', 'inspect', '--format', '{{.Id}}', local])).stdout.trim();
    const pushed = await docker(['push', remote]);
    const digest = /v1: digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(pushed.stdout)?.[1];
    assert.ok(digest, pushed.stdout);

    const head = await registry.fetch('team/app/manifests/v1', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('docker-content-digest'), digest);
    assert.equal(head.headers.get('content-type'), mediaTypes.dockerManifest);
    const manifest = (await (await registry.fetch('team/app/manifests/v1')).json()) as { config: { digest: string }; layers: unknown[] };
    assert.equal(manifest.config.digest, imageId, 'the config pushed is the local image');
    assert.equal(manifest.layers.length, 2);

    await docker(['rmi', local, remote]);
    await assert.rejects(docker(['image', 'inspect', imageId]), /No such image/);
    const pulled = await docker(['pull', remote]);
    assert.match(pulled.stdout, new RegExp(`Digest: ${digest}`));
    assert.equal((await docker(['image', 'inspect', '--format', '{{.Id}}', remote])).stdout.trim(), imageId);
    assert.equal((await docker(['run', '--rm', remote, 'cat', '/id.txt'])).stdout, id);
  });

  it('refuses to push other content over an immutable tag, with the tag-invalid message', async () => {
    const first = await buildUnique(`berth-test/registry-pinned:first-${process.pid}`, `first-${Date.now()}`);
    const second = await buildUnique(`berth-test/registry-pinned:second-${process.pid}`, `second-${Date.now()}`);
    const remote = `${login.host}/team/pinned:v1`;
    references.push(remote);
    await docker(['tag', first, remote]);
    await docker(['push', remote]);
    const kept = (await registry.fetch('team/pinned/manifests/v1', { method: 'HEAD' })).headers.get('docker-content-digest');

    await docker(['tag', second, remote]);
    await assert.rejects(
      docker(['push', remote]),
      (error: Error & { stderr?: string }) => {
        assert.match(
          error.stderr ?? '',
          /tag invalid: The image tag 'v1' already exists in the 'team\/pinned' repository and cannot be overwritten because the tag is immutable\./,
        );
        return true;
      },
    );
    assert.equal((await registry.fetch('team/pinned/manifests/v1', { method: 'HEAD' })).headers.get('docker-content-digest'), kept);
  });
});

describe('real clients: skopeo', { skip: existsSync(skopeoBinary) ? false : 'skopeo is not installed' }, () => {
  let berth: TestBerth;
  let login: RegistryLogin;
  let registry: RegistryHttp;
  let dir: string;
  const skopeo = (args: string[]) => runCommand(skopeoBinary, ['--insecure-policy', ...args]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-skopeo-'));
    berth = await startBerth();
    login = await registryLogin(berth);
    registry = new RegistryHttp(berth.url, login.authHeader);
    await createRepository(berth, 'skopeo/single');
    await createRepository(berth, 'skopeo/multi');
  });
  after(async () => {
    await berth?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const destination = () => ['--dest-tls-verify=false', '--dest-creds', `${login.username}:${login.password}`];
  const source = () => ['--src-tls-verify=false', '--src-creds', `${login.username}:${login.password}`];

  it('copies an image from an OCI layout into Berth unchanged', async () => {
    const image = makeImage('skopeo-single');
    const layout = join(dir, 'single');
    writeOciLayout(layout, 'single', [image]);
    await skopeo(['copy', ...destination(), `oci:${layout}:single`, `docker://${login.host}/skopeo/single:v1`]);

    const get = await registry.fetch('skopeo/single/manifests/v1');
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('docker-content-digest'), image.digest);
    assert.equal(get.headers.get('content-type'), mediaTypes.ociManifest);
    assert.deepEqual(Buffer.from(await get.arrayBuffer()), image.manifest);
    for (const blob of [image.config, ...image.layers]) {
      assert.deepEqual(Buffer.from(await (await registry.fetch(`skopeo/single/blobs/${sha256(blob)}`)).arrayBuffer()), blob);
    }
  });

  it('copies a multi-platform index with --all, serves it raw, and copies it back out with the same digests', async () => {
    const amd64 = makeImage('skopeo-amd64', { platform: { os: 'linux', architecture: 'amd64' } });
    const arm64 = makeImage('skopeo-arm64', { platform: { os: 'linux', architecture: 'arm64' } });
    const index = makeIndex([amd64, arm64]);
    const layout = join(dir, 'multi');
    writeOciLayout(layout, 'multi', [amd64, arm64], index);
    const remote = `docker://${login.host}/skopeo/multi:v1`;
    await skopeo(['copy', '--all', ...destination(), `oci:${layout}:multi`, remote]);

    const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', `${login.username}:${login.password}`, remote]);
    assert.equal(raw.stdout, index.content.toString());
    for (const image of [amd64, arm64]) {
      const child = await registry.fetch(`skopeo/multi/manifests/${image.digest}`);
      assert.equal(child.status, 200);
      assert.deepEqual(Buffer.from(await child.arrayBuffer()), image.manifest);
    }

    const back = join(dir, 'back');
    await skopeo(['copy', '--all', ...source(), remote, `oci:${back}:back`]);
    const top = JSON.parse(readFileSync(join(back, 'index.json'), 'utf8')) as { manifests: { digest: string; mediaType: string }[] };
    assert.deepEqual(
      top.manifests.map((entry) => [entry.digest, entry.mediaType]),
      [[index.digest, mediaTypes.ociIndex]],
    );
    assert.deepEqual(readLayoutBlob(back, index.digest), index.content);
    for (const image of [amd64, arm64]) {
      assert.deepEqual(readLayoutBlob(back, image.digest), image.manifest);
      assert.deepEqual(readLayoutBlob(back, sha256(image.config)), image.config);
      assert.deepEqual(readLayoutBlob(back, sha256(image.layers[0]!)), image.layers[0]);
    }
  });
});
