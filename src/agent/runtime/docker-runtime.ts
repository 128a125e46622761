/**
 * The ContainerRuntime on the Docker Engine API, through dockerode.
 *
 * Deadlines: a non-streaming call that gets no answer within `requestTimeoutMs` rejects with
 * DockerUnreachableError instead of hanging (an engine that is down refuses the connection at
 * once; a wedged one would otherwise never answer). `stop` allows its stop timeout on top.
 * Pulls and imports stream progress and fail after `pullInactivityMs` without any, as the ECS
 * agent's image pull inactivity timeout does. The event stream has no deadline once open.
 */
import type { IncomingMessage } from 'node:http';
import Docker from 'dockerode';
import { dockerCreateBody } from './docker-spec.js';
import { gatewayOf } from './network.js';
import {
  labels,
  type ContainerRuntime,
  type ContainerSpec,
  type NetworkAddress,
  type ObservedContainer,
  type PortBinding,
  type RegistryAuth,
  type RuntimeEvent,
  type RuntimeInfo,
  PullCancelledError,
  RuntimeUnavailableError,
  type OutputStream,
} from './types.js';

export interface DockerRuntimeOptions {
  /** The engine's Unix socket; default: DOCKER_HOST when it is a unix:// address, else /var/run/docker.sock. */
  socketPath?: string;
  requestTimeoutMs?: number;
  pullInactivityMs?: number;
}

/** The engine answered with an error status; `message` is the engine's own. */
export class DockerEngineError extends Error {
  constructor(
    readonly operation: string,
    readonly statusCode: number,
    engineMessage: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation}: ${engineMessage}`, options);
    this.name = 'DockerEngineError';
  }
}

/** The engine could not be reached or did not answer in time: temporary, worth retrying. */
export class DockerUnreachableError extends RuntimeUnavailableError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DockerUnreachableError';
  }
}

const defaultSocketPath = '/var/run/docker.sock';

export function socketPathFromEnvironment(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.DOCKER_HOST;
  if (host?.startsWith('unix://') && host.length > 'unix://'.length) return host.slice('unix://'.length);
  return defaultSocketPath;
}

/** Docker's own attributes on container events, which are not labels. */
const eventAttributes = new Set(['image', 'name', 'exitCode', 'signal', 'execID']);

const containerStates = new Set<ObservedContainer['state']>(['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']);
const healthStates = new Set<NonNullable<ObservedContainer['health']>>(['starting', 'healthy', 'unhealthy']);

export class DockerRuntime implements ContainerRuntime {
  readonly socketPath: string;
  private readonly requestTimeoutMs: number;
  private readonly pullInactivityMs: number;
  private readonly api: Docker;
  private readonly streaming: Docker;
  private readonly untimed: Docker;

  constructor(options: DockerRuntimeOptions = {}) {
    this.socketPath = options.socketPath ?? socketPathFromEnvironment();
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.pullInactivityMs = options.pullInactivityMs ?? 60_000;
    // The modem's timeout is a socket inactivity timeout: it tears down a request the deadline gave up on.
    this.api = new Docker({ socketPath: this.socketPath, timeout: this.requestTimeoutMs + 1_000 });
    this.streaming = new Docker({ socketPath: this.socketPath, timeout: this.pullInactivityMs });
    this.untimed = new Docker({ socketPath: this.socketPath });
  }

  async info(): Promise<RuntimeInfo> {
    const [info, version] = await Promise.all([
      this.call('docker info', () => this.api.info() as Promise<Record<string, unknown>>),
      this.call('docker version', () => this.api.version()),
    ]);
    return {
      version: String(info.ServerVersion ?? version.Version),
      apiVersion: version.ApiVersion,
      cpus: Number(info.NCPU ?? 0),
      memoryBytes: Number(info.MemTotal ?? 0),
      os: String(info.OSType ?? version.Os),
      architecture: String(info.Architecture ?? version.Arch),
      cgroup: { driver: String(info.CgroupDriver ?? ''), version: String(info.CgroupVersion ?? '') },
      logDrivers: ((info.Plugins as { Log?: unknown } | undefined)?.Log as string[] | undefined) ?? [],
    };
  }

  async output(id: string, since: string | undefined): Promise<OutputStream> {
    const info = await this.call(`inspect container ${id}`, () => this.api.getContainer(id).inspect());
    // Followed for as long as the container runs: no deadline, and no inactivity timeout.
    const stream = await this.call(
      `logs of container ${id}`,
      () => this.untimed.getContainer(id).logs({ follow: true, stdout: true, stderr: true, timestamps: true, ...(since !== undefined ? { since: since as unknown as number } : {}) }),
    );
    return { stream: stream as NodeJS.ReadableStream, multiplexed: !info.Config.Tty };
  }

  async listManaged(owner: string, taskArn?: string): Promise<ObservedContainer[]> {
    const taskLabel = taskArn === undefined ? labels.taskArn : `${labels.taskArn}=${taskArn}`;
    const summaries = await this.call('list containers', () =>
      this.api.listContainers({ all: true, filters: { label: [`${labels.owner}=${owner}`, taskLabel] } }),
    );
    const observed = await Promise.all(summaries.map((summary) => this.inspect(summary.Id)));
    return observed.filter((container): container is ObservedContainer => container !== undefined);
  }

  async inspect(id: string): Promise<ObservedContainer | undefined> {
    const info = await this.optional(`inspect container ${id}`, () => this.api.getContainer(id).inspect(), [404]);
    if (!info) return undefined;
    const image = await this.inspectImage(info.Image);
    return observedContainer(info, image && imageDigestOf(image, info.Config.Image));
  }

  async hasImage(reference: string): Promise<boolean> {
    return (await this.inspectImage(reference)) !== undefined;
  }

  async pull(reference: string, auth?: RegistryAuth, signal?: AbortSignal): Promise<void> {
    const operation = `pull ${reference}`;
    const authconfig = auth && { username: auth.username, password: auth.password, serveraddress: auth.serverAddress };
    const options = { ...(authconfig ? { authconfig } : {}), ...(signal ? { abortSignal: signal } : {}) };
    // A destroyed progress stream does not always end or error, so the abort settles the pull itself.
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new PullCancelledError(reference));
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    const pulling = (async () => {
      const stream = await this.call(operation, () => this.streaming.pull(reference, options), null);
      await this.followProgress(operation, stream);
    })();
    pulling.catch(() => undefined);
    try {
      await Promise.race([pulling, aborted]);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async imageDigest(reference: string): Promise<string | undefined> {
    const image = await this.inspectImage(reference);
    return image && imageDigestOf(image, reference);
  }

  async create(spec: ContainerSpec): Promise<string> {
    const container = await this.call(`create container ${spec.name}`, () =>
      this.api.createContainer({ ...dockerCreateBody(spec), name: spec.name }),
    );
    return container.id;
  }

  async start(id: string): Promise<void> {
    await this.optional(`start container ${id}`, () => this.api.getContainer(id).start(), [304]);
  }

  async stop(id: string, timeoutSeconds: number): Promise<void> {
    const seconds = Math.max(0, Math.round(timeoutSeconds));
    const deadline = seconds * 1_000 + this.requestTimeoutMs;
    await this.optional(`stop container ${id}`, () => this.untimed.getContainer(id).stop({ t: seconds }), [304, 404], deadline);
  }

  async remove(id: string): Promise<void> {
    try {
      await this.optional(`remove container ${id}`, () => this.api.getContainer(id).remove({ force: true, v: false }), [404]);
    } catch (error) {
      // Another remove of the same container is under way: the container is going either way.
      if (error instanceof DockerEngineError && error.statusCode === 409 && /already in progress/.test(error.message)) return;
      throw error;
    }
  }

  async ensureNetwork(name: string, subnet: string, networkLabels: Record<string, string> = {}): Promise<{ gateway: string; subnet: string }> {
    const existing = await this.inspectNetwork(name);
    if (existing) return existing;
    try {
      await this.call(`create network ${name}`, () =>
        this.api.createNetwork({
          Name: name,
          Driver: 'bridge',
          CheckDuplicate: true,
          Labels: networkLabels,
          IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: gatewayOf(subnet) }] },
        }),
      );
    } catch (error) {
      // Created by someone else between our look and our create.
      if (!(error instanceof DockerEngineError && error.statusCode === 409)) throw error;
    }
    const created = await this.inspectNetwork(name);
    if (!created) throw new Error(`Docker network ${name} was created but cannot be inspected.`);
    return created;
  }

  async networkGateway(name: string): Promise<string | undefined> {
    return (await this.inspectNetwork(name))?.gateway || undefined;
  }

  async ensureVolume(name: string, driver: string | undefined, driverOpts: Record<string, string>, volumeLabels: Record<string, string>): Promise<void> {
    // Creating a volume that exists with the same driver succeeds, so this is idempotent.
    await this.call(`create volume ${name}`, () =>
      this.api.createVolume({ Name: name, Driver: driver ?? 'local', DriverOpts: driverOpts, Labels: volumeLabels }),
    );
  }

  async hasVolume(name: string): Promise<boolean> {
    return (await this.optional(`inspect volume ${name}`, () => this.api.getVolume(name).inspect(), [404])) !== undefined;
  }

  async removeVolume(name: string): Promise<boolean> {
    try {
      await this.optional(`remove volume ${name}`, () => this.api.getVolume(name).remove(), [404]);
      return true;
    } catch (error) {
      if (error instanceof DockerEngineError && error.statusCode === 409) return false;
      throw error;
    }
  }

  async importImage(reference: string, rootfsTar: Buffer, command: string[]): Promise<void> {
    const operation = `import image ${reference}`;
    const { repo, tag } = splitReference(reference);
    const options = { repo, tag, changes: [`CMD ${JSON.stringify(command)}`] };
    // dockerode's types accept a path or a stream; the modem also sends a Buffer as the request body.
    const body = rootfsTar as unknown as NodeJS.ReadableStream;
    const stream = await this.call(operation, () => this.streaming.importImage(body, options), null);
    await this.followProgress(operation, stream);
  }

  async stats(id: string): Promise<Record<string, unknown> | undefined> {
    const sample = await this.optional(`stats of container ${id}`, () => this.api.getContainer(id).stats({ stream: false }), [404]);
    return sample as unknown as Record<string, unknown> | undefined;
  }

  events(onEvent: (event: RuntimeEvent) => void, onError: (error: Error) => void): () => void {
    let cancelled = false;
    let stream: NodeJS.ReadableStream | undefined;
    const fail = (error: Error) => {
      if (cancelled) return;
      cancelled = true;
      destroy(stream);
      onError(error);
    };
    this.call('docker events', () => this.untimed.getEvents({ filters: { type: ['container'] } }))
      .then((opened) => {
        stream = opened;
        if (cancelled) return destroy(opened);
        readLines(opened, (line) => {
          const event = runtimeEvent(line);
          if (event && !cancelled) onEvent(event);
        });
        opened.on('error', (error: Error) => fail(new DockerUnreachableError(`The Docker event stream broke: ${error.message}`, { cause: error })));
        opened.on('close', () => fail(new DockerUnreachableError('The Docker event stream ended.')));
        opened.on('end', () => fail(new DockerUnreachableError('The Docker event stream ended.')));
      })
      .catch((error: Error) => fail(error));
    return () => {
      cancelled = true;
      destroy(stream);
    };
  }

  private async inspectImage(reference: string): Promise<Docker.ImageInspectInfo | undefined> {
    return this.optional(`inspect image ${reference}`, () => this.api.getImage(reference).inspect(), [404]);
  }

  private async inspectNetwork(name: string): Promise<{ gateway: string; subnet: string } | undefined> {
    const network: Docker.NetworkInspectInfo | undefined = await this.optional(`inspect network ${name}`, () => this.api.getNetwork(name).inspect(), [404]);
    const config = network?.IPAM?.Config?.find((entry) => entry.Subnet && !entry.Subnet.includes(':'));
    return network && { gateway: config?.Gateway ?? (config?.Subnet ? gatewayOf(config.Subnet) : ''), subnet: config?.Subnet ?? '' };
  }

  /** Reads a pull or import progress stream to its end; rejects on the first line carrying an error. */
  private followProgress(operation: string, stream: NodeJS.ReadableStream): Promise<void> {
    return new Promise((resolve, reject) => {
      let progressError: string | undefined;
      let lastActivity = performance.now();
      stream.on('data', () => {
        lastActivity = performance.now();
      });
      const inactive = () =>
        new DockerUnreachableError(
          `${operation}: the Docker engine sent no progress for ${seconds(this.pullInactivityMs)}, so the request was abandoned.`,
        );
      this.streaming.modem.followProgress(
        stream,
        (error: Error | null) => {
          // The modem's inactivity timeout destroys the request, which surfaces as a reset connection.
          if (error) return reject(performance.now() - lastActivity >= this.pullInactivityMs * 0.9 ? inactive() : this.wrap(operation, error));
          if (progressError !== undefined) return reject(new DockerEngineError(operation, 500, progressError));
          // A body cut short ends the stream without an error: only a complete one counts.
          if ((stream as IncomingMessage).complete === false) return reject(inactive());
          resolve();
        },
        (line: { error?: string; errorDetail?: { message?: string } }) => {
          if (progressError === undefined && (line.error || line.errorDetail?.message)) progressError = line.errorDetail?.message || line.error;
        },
      );
    });
  }

  /** Runs one engine call under a deadline (null: none); every failure becomes a DockerEngineError or DockerUnreachableError. */
  private async call<T>(operation: string, run: () => Promise<T>, deadlineMs: number | null = this.requestTimeoutMs): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      if (deadlineMs === null) return;
      timer = setTimeout(
        () => reject(new DockerUnreachableError(`${operation}: the Docker engine at ${this.socketPath} did not answer within ${seconds(deadlineMs)}.`)),
        deadlineMs,
      );
    });
    try {
      return await Promise.race([run(), deadline]);
    } catch (error) {
      throw this.wrap(operation, error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** As `call`, answering undefined when the engine answers one of the `tolerated` status codes (404 gone, 304 no change). */
  private async optional<T>(operation: string, run: () => Promise<T>, tolerated: number[], deadlineMs?: number): Promise<T | undefined> {
    try {
      return await this.call(operation, run, deadlineMs);
    } catch (error) {
      if (error instanceof DockerEngineError && tolerated.includes(error.statusCode)) return undefined;
      throw error;
    }
  }

  private wrap(operation: string, error: unknown): Error {
    if (error instanceof DockerEngineError || error instanceof DockerUnreachableError) return error;
    const failure = error as { statusCode?: unknown; json?: unknown; code?: unknown; message?: unknown };
    if (typeof failure.statusCode === 'number') {
      return new DockerEngineError(operation, failure.statusCode, engineMessage(failure.json) ?? withoutModemPrefix(String(failure.message)), { cause: error });
    }
    if (typeof failure.code === 'string') {
      return new DockerUnreachableError(`${operation}: the Docker engine at ${this.socketPath} is not reachable (${failure.code}).`, { cause: error });
    }
    return new DockerUnreachableError(`${operation}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function seconds(milliseconds: number): string {
  return `${Number((milliseconds / 1000).toFixed(milliseconds < 10_000 ? 1 : 0))} s`;
}

function engineMessage(json: unknown): string | undefined {
  if (typeof json === 'string' && json.trim()) return json.trim();
  if (Buffer.isBuffer(json) && json.length > 0) return json.toString().trim();
  const message = (json as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

/**
 * The repository digest of an image, preferring the one of the repository it was referred to by
 * (an image pulled from two repositories has a digest in each), else its id.
 */
function imageDigestOf(image: Docker.ImageInspectInfo, reference: string): string {
  const repoDigests = image.RepoDigests ?? [];
  const wanted = familiarRepository(reference);
  const chosen = repoDigests.find((entry) => familiarRepository(entry) === wanted) ?? repoDigests[0];
  return chosen?.includes('@') ? chosen.slice(chosen.indexOf('@') + 1) : image.Id;
}

/** `docker.io/library/busybox:1` and `busybox@sha256:…` are both `busybox`. */
function familiarRepository(reference: string): string {
  const withoutDigest = reference.split('@')[0] ?? reference;
  const colon = withoutDigest.lastIndexOf(':');
  const repository = colon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(0, colon) : withoutDigest;
  return repository.replace(/^(docker\.io|index\.docker\.io)\//, '').replace(/^library\//, '');
}

/** docker-modem words errors as "(HTTP code 500) server error - <the engine's message> ". */
function withoutModemPrefix(message: string): string {
  return /^\(HTTP code \d+\) [^-]*- ([\s\S]*)$/.exec(message)?.[1]?.trim() || message;
}

/** Maps `docker inspect` output to what the agent reasons about. */
export function observedContainer(info: Docker.ContainerInspectInfo, imageDigest: string | undefined): ObservedContainer {
  const state = info.State.Status as ObservedContainer['state'];
  const health = info.State.Health?.Status as ObservedContainer['health'];
  const observed: ObservedContainer = {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    labels: info.Config.Labels ?? {},
    state: containerStates.has(state) ? state : 'dead',
    oomKilled: info.State.OOMKilled,
    image: info.Config.Image,
    ports: portBindings(info.NetworkSettings.Ports),
    networks: networkAddresses(info.NetworkSettings.Networks),
  };
  if (state === 'exited' || state === 'dead') observed.exitCode = info.State.ExitCode;
  if (info.State.Error) observed.error = info.State.Error;
  const startedAt = engineTime(info.State.StartedAt);
  const finishedAt = engineTime(info.State.FinishedAt);
  if (startedAt) observed.startedAt = startedAt;
  if (finishedAt) observed.finishedAt = finishedAt;
  if (health && healthStates.has(health)) observed.health = health;
  if (imageDigest) observed.imageDigest = imageDigest;
  if (info.HostConfig.CgroupParent) observed.cgroupParent = info.HostConfig.CgroupParent;
  return observed;
}

function portBindings(ports: Record<string, { HostIp: string; HostPort: string }[] | null> | undefined): PortBinding[] {
  const bindings: PortBinding[] = [];
  for (const [key, hosts] of Object.entries(ports ?? {})) {
    const [port, protocol] = key.split('/');
    for (const host of hosts ?? []) {
      bindings.push({ containerPort: Number(port), hostPort: Number(host.HostPort), protocol: protocol === 'udp' ? 'udp' : 'tcp', bindIP: host.HostIp });
    }
  }
  return bindings;
}

function networkAddresses(networks: Record<string, Docker.NetworkInfo> | undefined): NetworkAddress[] {
  return Object.entries(networks ?? {}).map(([network, settings]) => ({
    network,
    ipAddress: settings.IPAddress,
    macAddress: settings.MacAddress,
    gateway: settings.Gateway,
  }));
}

/** The engine writes the zero time for containers that never started or never finished. */
function engineTime(value: string | undefined): Date | undefined {
  if (!value || value.startsWith('0001-')) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function runtimeEvent(line: string): RuntimeEvent | undefined {
  let parsed: { Type?: string; Action?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (parsed.Type !== 'container' || !parsed.Action || !parsed.Actor?.ID) return undefined;
  const attributes = parsed.Actor.Attributes ?? {};
  const event: RuntimeEvent = {
    containerId: parsed.Actor.ID,
    action: parsed.Action,
    labels: Object.fromEntries(Object.entries(attributes).filter(([key]) => !eventAttributes.has(key))),
  };
  if (attributes.exitCode !== undefined && /^\d+$/.test(attributes.exitCode)) event.exitCode = Number(attributes.exitCode);
  return event;
}

function readLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffered = '';
  stream.on('data', (chunk: Buffer | string) => {
    buffered += chunk.toString();
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) onLine(line);
    }
  });
}

function destroy(stream: NodeJS.ReadableStream | undefined): void {
  (stream as { destroy?: () => void } | undefined)?.destroy?.();
}

/** `repo[:tag]`, where a colon before the last slash belongs to a registry's port. */
function splitReference(reference: string): { repo: string; tag: string } {
  const colon = reference.lastIndexOf(':');
  if (colon > reference.lastIndexOf('/')) return { repo: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { repo: reference, tag: 'latest' };
}
