/**
 * A SIMULATED container runtime, used only by `berth agent --simulate` and by tests. It never touches
 * Docker and runs no processes: containers, images, networks and volumes are small records in memory,
 * so one process can host thousands of simulated container instances with tens of containers each when
 * scale-testing or benchmarking the control plane.
 *
 * It answers the way the Docker Engine does where the task engine can tell: names are unique (409),
 * unknown containers, images and networks are 404s, addresses and published ports are taken at start
 * and given back at stop, events arrive after the call that caused them (a `die` with its exit code),
 * stopping or removing a container that is gone is no error, and a volume stays while a container
 * mounts it. It reads Berth's ContainerSpec: addresses asked for on a network are honoured, published
 * ports are taken, the memory limit shows in stats; what it cannot run (commands, mounts' contents,
 * limits) it keeps no record of. A started container runs until it is stopped (exit code 0), removed,
 * or ended with `exit()`; a container with a health check turns healthy right after it starts.
 * Every reference pulls, unless `pullable` says otherwise.
 */
import { createHash, randomBytes } from 'node:crypto';
import { assertNever } from '../../core/assert-never.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type { SpecNetwork, SpecPort } from '../runtime/spec.js';
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
} from '../runtime/types.js';
import { HostPorts, type Protocol } from './host-ports.js';
import { Ipv4Pool, macAddressFor } from './ipv4-pool.js';
import { simulatedStats } from './simulated-stats.js';

export interface SimulatedRuntimeOptions {
  cpus?: number;
  memoryBytes?: number;
  clock?: Clock;
  /** Whether a reference can be pulled, as if from its registry; default: every reference. */
  pullable?: (reference: string) => boolean;
}

/** An engine refusal, carrying the HTTP status the Docker Engine API would have answered with. */
export class SimulatedEngineError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = 'SimulatedEngineError';
  }
}

interface Published {
  containerPort: number;
  protocol: Protocol;
  bindIP: string;
  hostPort?: number;
}

interface SimContainer {
  id: string;
  name: string;
  labels: Record<string, string>;
  image: string;
  imageDigest?: string;
  state: 'created' | 'running' | 'exited';
  exitCode?: number;
  startedAt?: Date;
  finishedAt?: Date;
  healthCheck: boolean;
  health?: 'starting' | 'healthy' | 'unhealthy';
  /** A network name, `host`, `none` or `container:<id>`. */
  networkMode: string;
  /** The address asked for on its network, else the network's next free one. */
  requestedAddress?: string;
  /** The named volumes it mounts, which cannot be removed while it exists. */
  volumes: string[];
  published: Published[];
  memoryLimit: number;
  ports: PortBinding[];
  networks: NetworkAddress[];
}

const gib = 1024 ** 3;
const defaultBridge = { name: 'bridge', subnet: '172.17.0.0/16' };
/** Docker's API version of the engine this simulation stands in for, for callers that parse it. */
const simulatedApiVersion = '1.44';

/** The name Docker gives a container's network attachment: a network's name, `host`, `none` or `container:<id>`. */
function networkModeOf(network: SpecNetwork): string {
  switch (network.mode) {
    case 'bridge':
      return defaultBridge.name;
    case 'host':
    case 'none':
      return network.mode;
    case 'network':
      return network.name;
    case 'container':
      return `container:${network.containerId}`;
    default:
      return assertNever(network, 'network attachment');
  }
}

function hasOwnNetwork(mode: string): boolean {
  return mode !== 'host' && mode !== 'none' && !mode.startsWith('container:');
}

function publishedPorts(ports: SpecPort[] | undefined): Published[] {
  return (ports ?? []).map((port) => ({ containerPort: port.containerPort, protocol: port.protocol, bindIP: '0.0.0.0', ...(port.hostPort ? { hostPort: port.hostPort } : {}) }));
}

function hasHealthCheck(spec: ContainerSpec): boolean {
  const test = spec.healthCheck?.command ?? [];
  return test.length > 0 && test[0] !== 'NONE';
}

/** The key an image is stored under: Docker Hub prefixes dropped, `:latest` when no tag or digest. */
function imageKey(reference: string): string {
  const short = reference.replace(/^(?:docker\.io|index\.docker\.io)\/(?:library\/)?/, '');
  if (short.includes('@')) return short;
  const lastSlash = short.lastIndexOf('/');
  return short.indexOf(':', lastSlash + 1) === -1 ? `${short}:latest` : short;
}

function digestOf(key: string): string {
  return `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

function architecture(): string {
  return process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch;
}

function notFound(kind: string, ref: string): SimulatedEngineError {
  return new SimulatedEngineError(`No such ${kind}: ${ref}`, 404);
}

export class SimulatedRuntime implements ContainerRuntime {
  private readonly cpus: number;
  private readonly memoryBytes: number;
  private readonly clock: Clock;
  private readonly pullable: (reference: string) => boolean;
  private readonly containers = new Map<string, SimContainer>();
  private readonly idsByName = new Map<string, string>();
  private readonly idsByOwner = new Map<string, Set<string>>();
  private readonly images = new Map<string, string>();
  private readonly networks = new Map<string, Ipv4Pool>([[defaultBridge.name, new Ipv4Pool(defaultBridge.subnet)]]);
  private readonly volumes = new Set<string>();
  private readonly hostPorts = new HostPorts();
  private readonly subscribers = new Set<(event: RuntimeEvent) => void>();
  private pendingEvents: RuntimeEvent[] = [];
  private turningHealthy: SimContainer[] = [];
  private flushScheduled = false;

  constructor(options: SimulatedRuntimeOptions = {}) {
    this.cpus = options.cpus ?? 4;
    this.memoryBytes = options.memoryBytes ?? 8 * gib;
    this.clock = options.clock ?? systemClock;
    this.pullable = options.pullable ?? (() => true);
  }

  async info(): Promise<RuntimeInfo> {
    return { version: 'simulated', apiVersion: simulatedApiVersion, cpus: this.cpus, memoryBytes: this.memoryBytes, os: 'linux', architecture: architecture() };
  }

  async listManaged(owner: string, taskArn?: string): Promise<ObservedContainer[]> {
    const ids = this.idsByOwner.get(owner);
    if (!ids) return [];
    const observed: ObservedContainer[] = [];
    for (const id of ids) {
      const container = this.containers.get(id);
      const arn = container?.labels[labels.taskArn];
      if (container && arn !== undefined && (taskArn === undefined || arn === taskArn)) observed.push(this.observe(container));
    }
    return observed;
  }

  async inspect(id: string): Promise<ObservedContainer | undefined> {
    const container = this.find(id);
    return container && this.observe(container);
  }

  async hasImage(reference: string): Promise<boolean> {
    return this.images.has(imageKey(reference));
  }

  async pull(reference: string, _auth?: RegistryAuth, signal?: AbortSignal): Promise<void> {
    // A simulated pull takes no time, so only a signal aborted before it can cancel it.
    if (signal?.aborted) throw new PullCancelledError(reference);
    if (!this.pullable(reference)) {
      throw new SimulatedEngineError(`pull ${reference}: pull access denied for ${reference}, repository does not exist or may require 'docker login'`, 404);
    }
    const key = imageKey(reference);
    if (!this.images.has(key)) this.images.set(key, digestOf(key));
  }

  async imageDigest(reference: string): Promise<string | undefined> {
    return this.images.get(imageKey(reference));
  }

  async importImage(reference: string, _rootfsTar: Buffer, _command: string[]): Promise<void> {
    const key = imageKey(reference);
    if (!this.images.has(key)) this.images.set(key, digestOf(key));
  }

  async create(spec: ContainerSpec): Promise<string> {
    const name = spec.name.replace(/^\//, '');
    const image = spec.image;
    if (image === '') throw new SimulatedEngineError('No image was specified', 400);
    const imageDigest = this.images.get(imageKey(image));
    if (!imageDigest) throw notFound('image', image);
    const existing = this.idsByName.get(name);
    if (existing) {
      throw new SimulatedEngineError(`Conflict. The container name "/${name}" is already in use by container "${existing}". You have to remove (or rename) that container to be able to reuse that name.`, 409);
    }
    const networkMode = networkModeOf(spec.network);
    const memory = spec.resources?.memoryBytes;
    const volumes = (spec.mounts ?? []).flatMap((mount) => ('volume' in mount.source ? [mount.source.volume] : []));
    // As Docker does, a named volume a container mounts is created with it when absent.
    for (const volume of volumes) this.volumes.add(volume);

    const container: SimContainer = {
      id: randomBytes(32).toString('hex'),
      name,
      labels: { ...spec.labels },
      image,
      imageDigest,
      state: 'created',
      healthCheck: hasHealthCheck(spec),
      networkMode,
      ...(spec.network.mode === 'network' && spec.network.ipv4Address ? { requestedAddress: spec.network.ipv4Address } : {}),
      published: hasOwnNetwork(networkMode) ? publishedPorts(spec.ports) : [],
      volumes,
      memoryLimit: typeof memory === 'number' && memory > 0 ? memory : this.memoryBytes,
      ports: [],
      networks: this.idleNetworks(networkMode),
    };
    this.containers.set(container.id, container);
    this.idsByName.set(name, container.id);
    const owner = container.labels[labels.owner];
    if (owner !== undefined) {
      let owned = this.idsByOwner.get(owner);
      if (!owned) this.idsByOwner.set(owner, (owned = new Set()));
      owned.add(container.id);
    }
    this.emit(container, 'create');
    return container.id;
  }

  async start(id: string): Promise<void> {
    const container = this.require(id);
    if (container.state === 'running') return;
    if (container.networkMode.startsWith('container:')) {
      const holder = this.find(container.networkMode.slice('container:'.length));
      if (holder?.state !== 'running') throw new SimulatedEngineError('cannot join network of a non running container', 409);
    }
    // As Docker 20.10 does, a missing network is found out at start, not at create.
    if (hasOwnNetwork(container.networkMode) && !this.networks.has(container.networkMode)) {
      throw new SimulatedEngineError(`network ${container.networkMode} not found`, 404);
    }
    this.attach(container);
    container.state = 'running';
    container.startedAt = this.clock.now();
    container.finishedAt = undefined;
    container.exitCode = undefined;
    if (container.healthCheck) {
      container.health = 'starting';
      this.turningHealthy.push(container);
      this.scheduleFlush();
    }
    this.emit(container, 'start');
  }

  /** A container that is gone or not running is not an error, as with Docker. */
  async stop(id: string, _timeoutSeconds: number): Promise<void> {
    const container = this.find(id);
    if (container) this.end(container, 0);
  }

  /** Ends a running container as if its process had exited by itself with `exitCode`. */
  exit(id: string, exitCode: number): void {
    this.end(this.require(id), exitCode);
  }

  /** Removes the container, killing it first if it runs (as `docker rm --force`). */
  async remove(id: string): Promise<void> {
    const container = this.find(id);
    if (!container) return;
    this.end(container, 137);
    this.containers.delete(container.id);
    this.idsByName.delete(container.name);
    const owner = container.labels[labels.owner];
    if (owner !== undefined) {
      const owned = this.idsByOwner.get(owner);
      owned?.delete(container.id);
      if (owned?.size === 0) this.idsByOwner.delete(owner);
    }
    this.emit(container, 'destroy');
  }

  async ensureNetwork(name: string, subnet: string): Promise<{ gateway: string; subnet: string }> {
    let pool = this.networks.get(name);
    if (!pool) {
      pool = new Ipv4Pool(subnet);
      this.networks.set(name, pool);
    }
    return { gateway: pool.gateway, subnet: pool.subnet };
  }

  async networkGateway(name: string): Promise<string | undefined> {
    return this.networks.get(name)?.gateway;
  }

  async ensureVolume(name: string, _driver: string | undefined, _driverOpts: Record<string, string>, _volumeLabels: Record<string, string>): Promise<void> {
    this.volumes.add(name);
  }

  async hasVolume(name: string): Promise<boolean> {
    return this.volumes.has(name);
  }

  /** A volume that is gone is not an error; one that a container (running or not) mounts stays, as with Docker. */
  async removeVolume(name: string): Promise<boolean> {
    for (const container of this.containers.values()) {
      if (container.volumes.includes(name)) return false;
    }
    this.volumes.delete(name);
    return true;
  }

  async stats(id: string): Promise<Record<string, unknown> | undefined> {
    const container = this.find(id);
    if (!container || container.state !== 'running' || !container.startedAt) return undefined;
    return simulatedStats({
      id: container.id,
      name: container.name,
      startedAt: container.startedAt,
      now: this.clock.now(),
      cpus: this.cpus,
      memoryLimit: container.memoryLimit,
      ownNetwork: container.networks.some((network) => network.ipAddress !== ''),
    });
  }

  events(onEvent: (event: RuntimeEvent) => void, _onError: (error: Error) => void): () => void {
    const subscriber = (event: RuntimeEvent): void => onEvent(event);
    this.subscribers.add(subscriber);
    return () => {
      this.subscribers.delete(subscriber);
    };
  }

  private find(ref: string): SimContainer | undefined {
    const byId = this.containers.get(ref);
    if (byId) return byId;
    const id = this.idsByName.get(ref.replace(/^\//, ''));
    return id === undefined ? undefined : this.containers.get(id);
  }

  private require(ref: string): SimContainer {
    const container = this.find(ref);
    if (!container) throw notFound('container', ref);
    return container;
  }

  private observe(container: SimContainer): ObservedContainer {
    return {
      id: container.id,
      name: container.name,
      labels: { ...container.labels },
      state: container.state,
      ...(container.exitCode !== undefined ? { exitCode: container.exitCode } : {}),
      oomKilled: false,
      ...(container.startedAt ? { startedAt: container.startedAt } : {}),
      ...(container.finishedAt ? { finishedAt: container.finishedAt } : {}),
      ...(container.health ? { health: container.health } : {}),
      image: container.image,
      ...(container.imageDigest ? { imageDigest: container.imageDigest } : {}),
      ports: container.ports.map((port) => ({ ...port })),
      networks: container.networks.map((network) => ({ ...network })),
    };
  }

  /** What Docker shows for a container's networks while it is not running: the attachment, no address. */
  private idleNetworks(mode: string): NetworkAddress[] {
    if (mode === 'none' || mode.startsWith('container:')) return [];
    return [{ network: mode, ipAddress: '', macAddress: '', gateway: '' }];
  }

  /** Takes the container's address and published ports; on failure nothing stays taken. */
  private attach(container: SimContainer): void {
    const pool = hasOwnNetwork(container.networkMode) ? this.networks.get(container.networkMode) : undefined;
    if (!pool) return;
    const wanted = container.requestedAddress;
    const address = wanted === undefined ? pool.allocate() : pool.claim(wanted) ? wanted : undefined;
    if (address === undefined) {
      throw wanted === undefined
        ? new SimulatedEngineError(`no available IPv4 addresses on network ${container.networkMode}`, 500)
        : new SimulatedEngineError(`Address already in use`, 500);
    }
    const ports: PortBinding[] = [];
    for (const published of container.published) {
      const fixed = published.hostPort;
      const hostPort = fixed === undefined ? this.hostPorts.allocate(published.protocol) : this.hostPorts.claim(published.protocol, fixed) ? fixed : undefined;
      if (hostPort === undefined) {
        for (const port of ports) this.hostPorts.release(port.protocol, port.hostPort);
        pool.release(address);
        throw new SimulatedEngineError(
          fixed === undefined
            ? `driver failed programming external connectivity on endpoint ${container.name}: no free ${published.protocol} host port`
            : `driver failed programming external connectivity on endpoint ${container.name}: Bind for ${published.bindIP}:${fixed} failed: port is already allocated`,
          500,
        );
      }
      ports.push({ containerPort: published.containerPort, hostPort, protocol: published.protocol, bindIP: published.bindIP });
    }
    container.ports = ports;
    container.networks = [{ network: container.networkMode, ipAddress: address, macAddress: macAddressFor(address), gateway: pool.gateway }];
  }

  private detach(container: SimContainer): void {
    for (const port of container.ports) this.hostPorts.release(port.protocol, port.hostPort);
    for (const network of container.networks) {
      if (network.ipAddress !== '') this.networks.get(network.network)?.release(network.ipAddress);
    }
    container.ports = [];
    container.networks = this.idleNetworks(container.networkMode);
  }

  private end(container: SimContainer, exitCode: number): void {
    if (container.state !== 'running') return;
    this.detach(container);
    container.state = 'exited';
    container.exitCode = exitCode;
    container.finishedAt = this.clock.now();
    container.health = undefined;
    this.emit(container, 'die', exitCode);
  }

  private emit(container: SimContainer, action: string, exitCode?: number): void {
    if (this.subscribers.size === 0) return;
    this.pendingEvents.push({ containerId: container.id, action, labels: { ...container.labels }, ...(exitCode !== undefined ? { exitCode } : {}) });
    this.scheduleFlush();
  }

  /** Events go out on a later turn of the event loop, after the call that caused them has returned. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const events = this.pendingEvents;
    const turningHealthy = this.turningHealthy;
    this.pendingEvents = [];
    this.turningHealthy = [];
    for (const event of events) {
      for (const subscriber of this.subscribers) subscriber(event);
    }
    for (const container of turningHealthy) {
      if (container.state !== 'running' || container.health !== 'starting') continue;
      container.health = 'healthy';
      this.emit(container, 'health_status: healthy');
    }
  }
}
