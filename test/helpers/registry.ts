/**
 * Talking to Berth's registry (/v2/) in tests: credentials as `aws ecr get-login-password` gives
 * them, a fetch with Basic auth, pushes of blobs, manifests and small images over plain HTTP, and
 * OCI image layouts on disk for skopeo. Content is made here, with node:crypto and node:zlib.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateRepositoryCommand, GetAuthorizationTokenCommand, type CreateRepositoryCommandInput } from '@aws-sdk/client-ecr';
import type { TestBerth } from './berth.js';

export const mediaTypes = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

export const sha256 = (content: Buffer | string): string => `sha256:${createHash('sha256').update(content).digest('hex')}`;
export const sha512 = (content: Buffer | string): string => `sha512:${createHash('sha512').update(content).digest('hex')}`;

export interface RegistryLogin {
  /** host:port, as in `docker push <host>/<name>:<tag>`. */
  host: string;
  username: string;
  password: string;
  /** `Basic <base64 AWS:password>`. */
  authHeader: string;
}

/** What `aws ecr get-login-password` gives, for the root credentials unless others are passed. */
export async function registryLogin(berth: TestBerth, credentials?: { accessKeyId: string; secretAccessKey: string }, region = 'us-east-1'): Promise<RegistryLogin> {
  const answer = await berth.ecr(region, credentials).send(new GetAuthorizationTokenCommand({}));
  const data = answer.authorizationData?.[0];
  assert.ok(data?.authorizationToken, 'GetAuthorizationToken answers a token');
  const [username, password] = splitOnce(Buffer.from(data.authorizationToken, 'base64').toString('utf8'), ':');
  return { host: new URL(berth.url).host, username, password, authHeader: basicAuth(username, password) };
}

export const basicAuth = (username: string, password: string): string => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return [text.slice(0, at), text.slice(at + 1)];
}

export async function createRepository(berth: TestBerth, name: string, options: Omit<CreateRepositoryCommandInput, 'repositoryName'> = {}): Promise<void> {
  await berth.ecr().send(new CreateRepositoryCommand({ repositoryName: name, ...options }));
}

export interface OciErrorBody {
  code: string;
  message: string;
  detail?: unknown;
}

/** Asserts an OCI error answer: the status and the single error's code; answers the error. */
export async function expectRegistryError(response: Response, status: number, code: string): Promise<OciErrorBody> {
  const text = await response.text();
  assert.equal(response.status, status, `expected ${status} ${code}, got ${response.status}: ${text}`);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const body = JSON.parse(text) as { errors?: OciErrorBody[] };
  assert.ok(Array.isArray(body.errors) && body.errors.length === 1, `one error in ${text}`);
  const error = body.errors[0]!;
  assert.equal(error.code, code, `expected ${code}: ${text}`);
  assert.equal(typeof error.message, 'string');
  return error;
}

export interface PushedImage {
  repository: string;
  /** The manifest's bytes as pushed, its digest and media type. */
  manifest: Buffer;
  digest: string;
  mediaType: string;
  config: Buffer;
  layers: Buffer[];
}

export type RegistryRequestInit = Omit<RequestInit, 'body'> & { body?: Uint8Array | string };

/** The /v2/ API of one Berth as one caller: paths are relative to /v2/. */
export class RegistryHttp {
  constructor(
    readonly baseUrl: string,
    readonly authHeader: string | undefined,
  ) {}

  static async login(berth: TestBerth, credentials?: { accessKeyId: string; secretAccessKey: string }): Promise<RegistryHttp> {
    return new RegistryHttp(berth.url, (await registryLogin(berth, credentials)).authHeader);
  }

  url(path: string): string {
    return new URL(path.startsWith('/') ? path : `/v2/${path}`, this.baseUrl).toString();
  }

  fetch(path: string, init: RegistryRequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.authHeader && !headers.has('authorization')) headers.set('authorization', this.authHeader);
    const { body, ...rest } = init;
    return fetch(this.url(path), { ...rest, headers, ...(body !== undefined ? { body: typeof body === 'string' ? body : Uint8Array.from(body) } : {}) });
  }

  /** Pushes a blob with one POST (`?digest=`); answers its digest. */
  async pushBlob(repository: string, content: Buffer | string, digest = sha256(content)): Promise<string> {
    const response = await this.fetch(`${repository}/blobs/uploads/?digest=${encodeURIComponent(digest)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from(content),
    });
    assert.equal(response.status, 201, `blob push answered ${response.status}: ${await response.text()}`);
    assert.equal(response.headers.get('docker-content-digest'), digest);
    return digest;
  }

  /** Starts an upload session; answers its location (a path). */
  async startUpload(repository: string): Promise<string> {
    const response = await this.fetch(`${repository}/blobs/uploads/`, { method: 'POST' });
    assert.equal(response.status, 202, `upload start answered ${response.status}: ${await response.text()}`);
    const location = response.headers.get('location');
    assert.ok(location);
    return location;
  }

  /** Pushes a manifest; answers its digest (checked against Docker-Content-Digest). */
  async pushManifest(repository: string, reference: string, manifest: Buffer | object, mediaType?: string): Promise<string> {
    const body = Buffer.isBuffer(manifest) ? manifest : Buffer.from(JSON.stringify(manifest));
    const type = mediaType ?? (JSON.parse(body.toString()) as { mediaType?: string }).mediaType ?? mediaTypes.ociManifest;
    const response = await this.fetch(`${repository}/manifests/${reference}`, { method: 'PUT', headers: { 'content-type': type }, body });
    assert.equal(response.status, 201, `manifest push answered ${response.status}: ${await response.text()}`);
    const digest = reference.includes(':') ? reference : sha256(body);
    assert.equal(response.headers.get('docker-content-digest'), digest);
    return digest;
  }

  /** Pushes a one-layer image made from `seed` (config, layer, manifest) under `reference`. */
  async pushImage(repository: string, reference: string, seed: string, options: { format?: 'oci' | 'docker'; platform?: Platform } = {}): Promise<PushedImage> {
    const image = makeImage(seed, options);
    await this.pushBlob(repository, image.config);
    for (const layer of image.layers) await this.pushBlob(repository, layer);
    await this.pushManifest(repository, reference, image.manifest, image.mediaType);
    return { repository, ...image };
  }

  async json<T>(path: string, init?: RegistryRequestInit): Promise<{ response: Response; body: T }> {
    const response = await this.fetch(path, init);
    const text = await response.text();
    assert.equal(response.status, 200, `GET ${path} answered ${response.status}: ${text}`);
    return { response, body: JSON.parse(text) as T };
  }
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface ImageParts {
  manifest: Buffer;
  digest: string;
  mediaType: string;
  config: Buffer;
  layers: Buffer[];
  platform: Platform;
}

/**
 * A small valid image: one gzipped tar layer holding a file named after `seed`, a config whose
 * diff_ids match it, and an OCI (or Docker schema 2) manifest. The same seed gives the same bytes.
 */
export function makeImage(seed: string, options: { format?: 'oci' | 'docker'; platform?: Platform } = {}): ImageParts {
  const docker = options.format === 'docker';
  const platform = options.platform ?? { os: 'linux', architecture: 'amd64' };
  const tar = tarOf({ [`${seed.replace(/[^A-Za-z0-9._-]/g, '_')}.txt`]: `content of ${seed}\n` });
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      config: { Env: ['PATH=/bin'], Labels: { seed } },
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
      history: [{ created_by: `test image ${seed}` }],
    }),
  );
  const mediaType = docker ? mediaTypes.dockerManifest : mediaTypes.ociManifest;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: docker ? mediaTypes.dockerConfig : mediaTypes.ociConfig, digest: sha256(config), size: config.length },
      layers: [{ mediaType: docker ? mediaTypes.dockerLayer : mediaTypes.ociLayer, digest: sha256(layer), size: layer.length }],
    }),
  );
  return { manifest, digest: sha256(manifest), mediaType, config, layers: [layer], platform };
}

/** An index (OCI, or a Docker manifest list) of images, with their platforms. */
export function makeIndex(images: ImageParts[], format: 'oci' | 'docker' = 'oci'): { content: Buffer; digest: string; mediaType: string } {
  const mediaType = format === 'docker' ? mediaTypes.dockerManifestList : mediaTypes.ociIndex;
  const content = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      manifests: images.map((image) => ({ mediaType: image.mediaType, digest: image.digest, size: image.manifest.length, platform: image.platform })),
    }),
  );
  return { content, digest: sha256(content), mediaType };
}

/** A ustar archive of regular files (mode 0644, owned by root, mtime 0). */
export function tarOf(files: Record<string, Buffer | string>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, data] of Object.entries(files)) {
    const content = Buffer.from(data);
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    parts.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/**
 * Writes an OCI image layout (oci-layout, index.json, blobs/sha256/…) holding `images` and, when
 * given, `index` (a multi-platform index of them). index.json names the top-level manifest with
 * the `org.opencontainers.image.ref.name` annotation `tag`.
 */
export function writeOciLayout(dir: string, tag: string, images: ImageParts[], index?: { content: Buffer; digest: string; mediaType: string }): void {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const putBlob = (content: Buffer) => writeFileSync(join(dir, 'blobs', 'sha256', sha256(content).slice('sha256:'.length)), content);
  for (const image of images) {
    putBlob(image.config);
    image.layers.forEach(putBlob);
    putBlob(image.manifest);
  }
  if (index) putBlob(index.content);
  const top = index ?? { content: images[0]!.manifest, digest: images[0]!.digest, mediaType: images[0]!.mediaType };
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: mediaTypes.ociIndex,
      manifests: [{ mediaType: top.mediaType, digest: top.digest, size: top.content.length, annotations: { 'org.opencontainers.image.ref.name': tag } }],
    }),
  );
}

/** A blob of an OCI layout, by digest. */
export function readLayoutBlob(dir: string, digest: string): Buffer {
  const [algorithm, hex] = splitOnce(digest, ':');
  return readFileSync(join(dir, 'blobs', algorithm, hex));
}
