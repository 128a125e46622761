/**
 * Registry benchmarks: Berth's registry side by side with the CNCF distribution registry (Debian's
 * `docker-registry`, filesystem storage, no auth) in the same run. Prints figures; asserts nothing.
 *  1. push and pull with skopeo of (a) one image with a single 256 MiB layer and (b) one with 20
 *     layers of 5 MiB: median of 5 runs each, in MiB/s (bytes of layers / wall time of the skopeo
 *     command, process start included; `sync` runs, untimed, before each command);
 *  2. manifest GET /v2/<repo>/manifests/<tag> of the last 20-layer image from 32 concurrent
 *     keep-alive connections for 5 s per side (two turns of 2.5 s, A B B A, after a 1 s warm-up):
 *     requests/s, p50, p99, and each side's server CPU and the bench's own.
 * Each figure is printed for both registries with the Berth/distribution ratio (target ≥ 1.0).
 *
 * Environment:
 *  - BERTH_BENCH_REGISTRY_SELFTEST=1 puts a second distribution registry where Berth would be (with
 *    the same credential plumbing, which an unauthenticated distribution ignores), to check the
 *    script itself: every ratio should come out near 1.0. BERTH_BENCH_REGISTRY_SELFTEST=auth makes that
 *    registry demand the credentials (htpasswd; bcrypt on every request slows its manifest GETs), to
 *    check that the push, the pull and the GETs really authenticate.
 *  - BERTH_BENCH_REGISTRY_RUNS (5), BERTH_BENCH_REGISTRY_BIG_MIB (256), BERTH_BENCH_REGISTRY_LAYERS (20),
 *    BERTH_BENCH_REGISTRY_LAYER_MIB (5), BERTH_BENCH_REGISTRY_CONNECTIONS (32),
 *    BERTH_BENCH_REGISTRY_SECONDS (5), BERTH_BENCH_REGISTRY_WARMUP_SECONDS (1), BERTH_BENCH_REGISTRY_GET_ROUNDS (2);
 *    BERTH_BENCH_REGISTRY_VERBOSE=1 prints every timed skopeo command as it finishes.
 *
 * Blob reuse. skopeo (containers/image) skips an upload whenever it can: it HEADs the blob in the
 * destination repository, and it keeps a blob-info cache (/var/lib/containers/cache, or
 * ~/.local/share/containers/cache rootless) of where it has seen each digest, which it uses to ask
 * the registry for a cross-repository mount (POST …/blobs/uploads/?mount=<digest>&from=<repo>)
 * instead of sending the bytes. A fresh repository per run is therefore not enough. Instead every run
 * generates new random layers (untimed, before the run's pushes), so no digest a run pushes has ever
 * been seen by either registry or by skopeo's cache, and every timed push uploads every byte. Both
 * registries receive the same run's image, which is fair: a mount is only tried within one registry
 * (the cache is scoped by host:port). The order of the two registries alternates between runs.
 *
 * Layers are gzip at level 0 (stored blocks): skopeo gzips uncompressed layers on their way to a
 * registry, which would make a push measure skopeo's compressor, and random bytes do not compress.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { freePort } from '../test/helpers/ports.js';
import { htpasswdBinary, registryBinary } from '../test/helpers/private-registry.js';
import { benchCredentials, fmt, startBerthProcess, stats, whenInterrupted } from './support.js';

const run = promisify(execFile);
const skopeoBinary = '/usr/bin/skopeo';
const MiB = 1024 * 1024;

const envNumber = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return process.env[name] && Number.isFinite(value) && value > 0 ? value : fallback;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const manifestTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
};
const manifestAccept = [manifestTypes.ociManifest, manifestTypes.dockerManifest, manifestTypes.ociIndex, manifestTypes.dockerList].join(', ');

/** One registry under test, reached at `host` (127.0.0.1:PORT) with the OCI Distribution API under /v2/. */
interface Registry {
  label: string;
  host: string;
  credentials?: { username: string; password: string };
  createRepository(name: string): Promise<void>;
  /** CPU seconds (user + system) the registry's process has used so far. */
  cpuSeconds(): Promise<number>;
  stop(): Promise<void>;
}

async function processCpuSeconds(pid: number | undefined): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  // utime and stime, in clock ticks (100 per second on Linux); children are not counted.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function registryStatus(host: string): Promise<number> {
  return fetch(`http://${host}/v2/`).then(
    (response) => response.status,
    () => 0,
  );
}

/**
 * The CNCF distribution registry on a free loopback port, filesystem storage in a temp dir, no auth.
 * The in-memory blob descriptor cache is on, as in the configuration Debian and upstream ship; the
 * access log is off (Berth logs at warn, so neither side logs each request).
 */
async function startDistribution(label: string, credentials?: { username: string; password: string }, enforce = false): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-distribution-'));
  const host = `127.0.0.1:${await freePort()}`;
  if (enforce && credentials) {
    // bcrypt at its lowest cost: distribution checks the password on every request.
    const { stdout } = await run(htpasswdBinary, ['-Bbn', '-C', '4', credentials.username, credentials.password]);
    writeFileSync(join(dir, 'htpasswd'), stdout);
  }
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  cache:',
      '    blobdescriptor: inmemory',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      'http:',
      `  addr: ${host}`,
      ...(enforce ? ['auth:', '  htpasswd:', '    realm: berth-bench', `    path: ${join(dir, 'htpasswd')}`] : []),
      '',
    ].join('\n'),
  );
  // It logs every 404 of a normal push as an error, so its output is not shown.
  const child: ChildProcess = spawn(registryBinary, ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const forget = whenInterrupted(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
    forget();
  };
  try {
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}`);
      if ((await registryStatus(host)) === (enforce ? 401 : 200)) break;
      if (Date.now() > deadline) throw new Error(`docker-registry did not answer on ${host}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    label,
    host,
    ...(credentials ? { credentials } : {}),
    async createRepository() {
      // A distribution repository comes into being with its first push.
    },
    cpuSeconds: () => processCpuSeconds(child.pid),
    stop,
  };
}

/**
 * Berth as a server process (so the bench's own CPU does not share its event loop), its registry on
 * the same host:port as the API. Repositories are made with ECR CreateRepository; skopeo and the
 * manifest GETs use user AWS and the password from GetAuthorizationToken, as `docker login` would.
 * Resolves to a reason instead when the registry does not answer.
 */
async function startBerthRegistry(): Promise<Registry | string> {
  const berth = await startBerthProcess();
  const ecr = new ECRClient({ endpoint: berth.url, region: 'us-east-1', credentials: benchCredentials, maxAttempts: 1 });
  const stop = async () => {
    ecr.destroy();
    await berth.stop();
  };
  const host = new URL(berth.url).host;
  try {
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    const token = Buffer.from(authorizationData?.[0]?.authorizationToken ?? '', 'base64').toString('utf8');
    const colon = token.indexOf(':');
    if (colon < 0) throw new Error('GetAuthorizationToken returned no AWS:<password> token');
    const status = await registryStatus(host);
    if (status !== 200 && status !== 401) throw new Error(`GET /v2/ answered ${status || 'nothing'}`);
    return {
      label: 'Berth',
      host,
      credentials: { username: token.slice(0, colon), password: token.slice(colon + 1) },
      async createRepository(repositoryName) {
        await ecr.send(new CreateRepositoryCommand({ repositoryName }));
      },
      cpuSeconds: () => berth.cpuSeconds(),
      stop,
    };
  } catch (error) {
    await stop();
    return error instanceof Error ? error.message : String(error);
  }
}

// ---- test images --------------------------------------------------------------------------------

interface TestImage {
  dir: string;
  tag: string;
  /** Bytes of the layer blobs as stored and transferred (gzip). */
  layerBytes: number;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A ustar stream holding one regular file of `size` random bytes. */
function randomTar(size: number): Buffer {
  const padded = Math.ceil(size / 512) * 512;
  const tar = Buffer.alloc(512 + padded + 1024);
  const field = (offset: number, length: number, value: string) => tar.write(value, offset, length, 'ascii');
  const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, '0') + '\0';
  field(0, 100, `data-${randomBytes(8).toString('hex')}.bin`);
  field(100, 8, octal(0o644, 8));
  field(108, 8, octal(0, 8));
  field(116, 8, octal(0, 8));
  field(124, 12, octal(size, 12));
  field(136, 12, octal(Math.floor(Date.now() / 1000), 12));
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  field(265, 32, 'root');
  field(297, 32, 'root');
  let checksum = 0;
  for (let i = 0; i < 512; i++) checksum += tar[i]!;
  field(148, 8, checksum.toString(8).padStart(6, '0') + '\0 ');
  randomFillSync(tar, 512, size);
  return tar;
}

/** Writes an OCI image layout with one image of random layers of the given sizes, tagged `tag`. */
function writeImage(layerSizes: number[], tag: string): TestImage {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-image-'));
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const putBlob = (data: Buffer) => {
    const hex = sha256(data);
    writeFileSync(join(blobs, hex), data);
    return { digest: `sha256:${hex}`, size: data.length };
  };
  const layers: { mediaType: string; digest: string; size: number }[] = [];
  const diffIds: string[] = [];
  for (const size of layerSizes) {
    const tar = randomTar(size);
    diffIds.push(`sha256:${sha256(tar)}`);
    layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...putBlob(gzipSync(tar, { level: 0 })) });
  }
  const config = putBlob(
    Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: diffIds } })),
  );
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: manifestTypes.ociManifest, config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers }),
  );
  const manifestDescriptor = putBlob(manifest);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: manifestTypes.ociIndex,
      manifests: [{ mediaType: manifestTypes.ociManifest, ...manifestDescriptor, annotations: { 'org.opencontainers.image.ref.name': tag } }],
    }),
  );
  return { dir, tag, layerBytes: layers.reduce((sum, layer) => sum + layer.size, 0) };
}

// ---- skopeo -------------------------------------------------------------------------------------

/** Runs skopeo and returns its wall time in seconds. */
async function skopeo(args: string[]): Promise<number> {
  const started = performance.now();
  try {
    await run(skopeoBinary, args, { maxBuffer: 16 * MiB, timeout: 600_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    const shown = args.map((arg, index) => (args[index - 1]?.endsWith('-creds') ? `${arg.split(':')[0]}:…` : arg));
    throw new Error(`skopeo ${shown.join(' ')} failed: ${stderr.trim() || String(error)}`);
  }
  return (performance.now() - started) / 1000;
}

const credentialArgs = (flag: string, registry: Registry) => (registry.credentials ? [flag, `${registry.credentials.username}:${registry.credentials.password}`] : []);

function push(image: TestImage, registry: Registry, repository: string): Promise<number> {
  return skopeo(['copy', '--quiet', '--dest-tls-verify=false', ...credentialArgs('--dest-creds', registry), `oci:${image.dir}:${image.tag}`, `docker://${registry.host}/${repository}:${image.tag}`]);
}

async function pull(registry: Registry, repository: string, tag: string): Promise<number> {
  const target = mkdtempSync(join(tmpdir(), 'berth-bench-pull-'));
  try {
    return await skopeo(['copy', '--quiet', '--src-tls-verify=false', ...credentialArgs('--src-creds', registry), `docker://${registry.host}/${repository}:${tag}`, `dir:${target}`]);
  } finally {
    rmSync(target, { recursive: true, force: true });
  }
}

// ---- manifest GET load --------------------------------------------------------------------------

interface GetFigures {
  perSecond: number;
  p50: number;
  p99: number;
  failures: number;
  serverCpu: number;
  clientCpu: number;
}

/**
 * Closed-loop manifest GETs over `connections` keep-alive sockets. `measure` may be called several
 * times (the two registries take turns, so drift of the machine falls on both); `figures` sums them.
 */
interface ManifestLoad {
  /** One GET first: a reason when it does not answer 200. */
  check(): Promise<string | undefined>;
  warmUp(seconds: number): Promise<void>;
  measure(seconds: number): Promise<void>;
  figures(): GetFigures;
  close(): void;
}

function manifestLoad(registry: Registry, repository: string, tag: string, connections: number): ManifestLoad {
  const [hostname, port] = registry.host.split(':') as [string, string];
  const agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  const headers: Record<string, string> = { Accept: manifestAccept };
  if (registry.credentials) {
    headers.Authorization = `Basic ${Buffer.from(`${registry.credentials.username}:${registry.credentials.password}`).toString('base64')}`;
  }
  const path = `/v2/${repository}/manifests/${tag}`;
  const get = () =>
    new Promise<number>((resolve) => {
      const req = request({ hostname, port: Number(port), path, agent, headers }, (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode ?? 0));
        response.once('error', () => resolve(0));
      });
      req.once('error', () => resolve(0));
      req.end();
    });
  const latencies: number[] = [];
  let failures = 0;
  let seconds = 0;
  let serverCpuSeconds = 0;
  let clientCpuSeconds = 0;
  const window = async (durationSeconds: number, record: boolean) => {
    const deadline = performance.now() + durationSeconds * 1000;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          const status = await get();
          if (!record) continue;
          if (status === 200) latencies.push(performance.now() - t0);
          else failures++;
        }
      }),
    );
  };
  return {
    async check() {
      const status = await get();
      return status === 200 ? undefined : `GET ${path} answered ${status || 'nothing'}`;
    },
    warmUp: (durationSeconds) => window(durationSeconds, false),
    async measure(durationSeconds) {
      const serverBefore = await registry.cpuSeconds();
      const clientBefore = process.cpuUsage();
      const started = performance.now();
      await window(durationSeconds, true);
      seconds += (performance.now() - started) / 1000;
      const client = process.cpuUsage(clientBefore);
      clientCpuSeconds += (client.user + client.system) / 1e6;
      serverCpuSeconds += (await registry.cpuSeconds()) - serverBefore;
    },
    figures() {
      const s = stats(latencies, seconds);
      return { perSecond: s.perSecond, p50: s.p50, p99: s.p99, failures, serverCpu: serverCpuSeconds / seconds, clientCpu: clientCpuSeconds / seconds };
    },
    close: () => agent.destroy(),
  };
}

// ---- the benchmark ------------------------------------------------------------------------------

export async function main(): Promise<void> {
  const runs = envNumber('BERTH_BENCH_REGISTRY_RUNS', 5);
  const bigMiB = envNumber('BERTH_BENCH_REGISTRY_BIG_MIB', 256);
  const layerCount = envNumber('BERTH_BENCH_REGISTRY_LAYERS', 20);
  const layerMiB = envNumber('BERTH_BENCH_REGISTRY_LAYER_MIB', 5);
  const connections = envNumber('BERTH_BENCH_REGISTRY_CONNECTIONS', 32);
  const seconds = envNumber('BERTH_BENCH_REGISTRY_SECONDS', 5);
  const warmupSeconds = envNumber('BERTH_BENCH_REGISTRY_WARMUP_SECONDS', 1);
  const rounds = Math.round(envNumber('BERTH_BENCH_REGISTRY_GET_ROUNDS', 2));
  const selftest = ['1', 'auth'].includes(process.env.BERTH_BENCH_REGISTRY_SELFTEST ?? '');
  const selftestAuth = process.env.BERTH_BENCH_REGISTRY_SELFTEST === 'auth';
  const verbose = process.env.BERTH_BENCH_REGISTRY_VERBOSE === '1';

  for (const binary of [skopeoBinary, registryBinary]) {
    if (!existsSync(binary)) {
      console.log(`registry: skipped, ${binary} is not installed`);
      return;
    }
  }
  let a: Registry | undefined;
  let b: Registry | undefined;
  try {
    if (selftest) {
      // Credentials are passed as they would be to Berth; an unauthenticated distribution ignores them.
      // With SELFTEST=auth it demands them (htpasswd), to prove the credential plumbing works.
      const label = selftestAuth ? 'A (distribution with htpasswd, selftest)' : 'A (distribution, selftest)';
      a = await startDistribution(label, { username: 'AWS', password: randomBytes(32).toString('base64') }, selftestAuth);
    } else {
      const berth = await startBerthRegistry();
      if (typeof berth === 'string') {
        console.log(`registry: skipped, Berth's registry is not available (${berth})`);
        return;
      }
      a = berth;
    }
    b = await startDistribution('distribution');
    const both: [Registry, Registry] = [a, b];
    const ratioName = selftest ? 'A/distribution' : 'Berth/distribution';
    console.log(`${a.label} at ${a.host}; distribution at ${b.host} (${await version(registryBinary)}); ${await version(skopeoBinary)}`);

    const kinds = [
      { key: 'big', title: `1 layer × ${bigMiB} MiB`, sizes: [bigMiB * MiB] },
      { key: 'multi', title: `${layerCount} layers × ${layerMiB} MiB`, sizes: Array.from({ length: layerCount }, () => layerMiB * MiB) },
    ];
    // rates.get('<kind>/<operation>')[registry index] = MiB/s of each run; a failure is kept, not thrown,
    // so that a registry that cannot do one thing still gets its other figures printed.
    const rates = new Map<string, number[][]>();
    const failures = new Map<string, string>();
    const timed = async (key: string, index: number, mib: number, operation: () => Promise<number>) => {
      if (failures.has(`${key}/${index}`)) return;
      // Dirty pages left by the image generator, an earlier push or a deleted pull would otherwise
      // be written back during whichever command comes next, so the disk is settled, untimed, first.
      await run('sync', []);
      try {
        const mibPerSecond = mib / (await operation());
        if (verbose) console.log(`  ${key} ${both[index]!.label}: ${fmt(mibPerSecond)} MiB/s`);
        const perRegistry = rates.get(key) ?? [[], []];
        perRegistry[index]!.push(mibPerSecond);
        rates.set(key, perRegistry);
      } catch (error) {
        failures.set(`${key}/${index}`, error instanceof Error ? error.message : String(error));
      }
    };
    let lastMulti: { repository: string; tag: string } | undefined;
    for (let runIndex = 0; runIndex < runs; runIndex++) {
      const order = runIndex % 2 === 0 ? [0, 1] : [1, 0];
      for (const kind of kinds) {
        const tag = `run-${runIndex}`;
        const image = writeImage(kind.sizes, tag);
        const repository = `bench-${kind.key}-${runIndex}`;
        const mib = image.layerBytes / MiB;
        try {
          for (const index of order) {
            await both[index]!.createRepository(repository).catch((error: unknown) => {
              failures.set(`${kind.key}/push/${index}`, `CreateRepository ${repository}: ${error instanceof Error ? error.message : String(error)}`);
            });
          }
          for (const index of order) await timed(`${kind.key}/push`, index, mib, () => push(image, both[index]!, repository));
          for (const index of order) await timed(`${kind.key}/pull`, index, mib, () => pull(both[index]!, repository, tag));
        } finally {
          rmSync(image.dir, { recursive: true, force: true });
        }
        if (kind.key === 'multi') lastMulti = { repository, tag };
      }
    }
    for (const kind of kinds) {
      for (const operation of ['push', 'pull']) {
        const key = `${kind.key}/${operation}`;
        const perRegistry = rates.get(key) ?? [[], []];
        const describe = (index: number) => {
          const failure = failures.get(`${key}/${index}`);
          const values = perRegistry[index]!;
          if (failure && values.length === 0) return `${both[index]!.label} failed: ${failure}`;
          const range = `${fmt(Math.min(...values), 0)}–${fmt(Math.max(...values), 0)}`;
          return `${both[index]!.label} ${fmt(median(values))} MiB/s (${range}${failure ? `; then failed: ${failure}` : ''})`;
        };
        const ratio = perRegistry.every((values) => values.length > 0) ? fmt(median(perRegistry[0]!) / median(perRegistry[1]!), 2) : 'n/a';
        console.log(`skopeo ${operation} ${kind.title}, median of ${runs}: ${describe(0)}; ${describe(1)}; ${ratioName} ${ratio} (target ≥ 1.0)`);
      }
    }

    // Each side gets `seconds` of measurement in `rounds` turns, in the order A B B A …, after its warm-up.
    const loads = both.map((registry) => manifestLoad(registry, lastMulti!.repository, lastMulti!.tag, connections));
    try {
      const problems = await Promise.all(loads.map((load) => load.check()));
      for (const [index, load] of loads.entries()) if (!problems[index]) await load.warmUp(warmupSeconds);
      for (let round = 0; round < rounds; round++) {
        for (const index of round % 2 === 0 ? [0, 1] : [1, 0]) if (!problems[index]) await loads[index]!.measure(seconds / rounds);
      }
      const figures = loads.map((load, index) => problems[index] ?? load.figures());
      const describe = (registry: Registry, figure: GetFigures | string) =>
        typeof figure === 'string'
          ? `${registry.label} failed: ${figure}`
          : `${registry.label} ${fmt(figure.perSecond, 0)} req/s (p50 ${fmt(figure.p50)} ms, p99 ${fmt(figure.p99)} ms${figure.failures ? `, ${figure.failures} non-200` : ''}; server CPU ${fmt(figure.serverCpu * 100, 0)}%, bench CPU ${fmt(figure.clientCpu * 100, 0)}% of one core)`;
      const [fa, fb] = figures as [GetFigures | string, GetFigures | string];
      const ratio = typeof fa === 'string' || typeof fb === 'string' ? 'n/a' : fmt(fa.perSecond / fb.perSecond, 2);
      console.log(`manifest GET, ${connections} keep-alive connections, ${seconds} s each in ${rounds} turns after ${warmupSeconds} s warm-up: ${describe(a, fa)}; ${describe(b, fb)}; ${ratioName} ${ratio} (target ≥ 1.0)`);
    } finally {
      for (const load of loads) load.close();
    }
  } finally {
    await a?.stop();
    await b?.stop();
  }
}

/** First line of `<binary> --version`, for the record. */
async function version(binary: string): Promise<string> {
  try {
    return (await run(binary, ['--version'])).stdout.trim().split('\n')[0]!;
  } catch {
    return `${binary} (version unknown)`;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
