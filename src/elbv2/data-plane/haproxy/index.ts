/**
 * The haproxy data plane: Debian's haproxy, driven through its runtime API.
 *
 *   apply(config)  renders haproxy.cfg (config.ts). When the skeleton (listeners, rules, backends'
 *                  settings) changed, haproxy reloads seamlessly, carrying servers' health over
 *                  through its server-state file. Target changes never reload: the runtime
 *                  reconciler (server-sync.ts) adds, drains and deletes servers in the running
 *                  worker. The file always holds the current servers too, for the next reload.
 *   reconciler     runs after each apply and every `syncIntervalMs`: ends draining once a
 *                  server has no session left or its deregistration delay is over, and retries
 *                  what haproxy refused (a delete while a connection was still open).
 *   health()       `show stat` as ELB's states (health.ts); counters() as CloudWatch's (counters.ts).
 *
 * Fail-open (every target of a group unhealthy: ALB routes to all of them): each target group has
 * a second backend with the same registered targets and no checks, used only while the checked
 * backend has no usable server (`nbsrv(...) eq 0`).
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { systemClock, type Clock } from '../../../core/clock.js';
import { Mutex } from '../../../core/mutex.js';
import type { ApplyResult, DataPlane, DataPlaneConfig, DataPlaneCounters, TargetHealthReport } from '../types.js';
import { bindFailure, bindProblem, failedBinds } from './bind-check.js';
import { sharedAddress, sharedPortPlan } from '../shared-ports.js';
import { hostPort } from './backend.js';
import { renderConfig, runtimePaths, targetGroupsInUse, type RenderedConfig, type RenderedListener } from './config.js';
import { AccessLogReceiver, accessLogContext } from './access-log.js';
import { answersPending, countersOf } from './counters.js';
import { steadySince, targetHealth } from './health.js';
import { backendName, failOpenBackendName, serverName } from './names.js';
import { checkConfig, HaproxyStartError, isRunning, reload, start, stop } from './process.js';
import { runCommands, sendCommand } from './runtime-api.js';
import { planServerSync } from './server-sync.js';
import { isServerRow, parseShowStat, type StatRow } from './stats.js';

export interface HaproxyDataPlaneOptions {
  /** Where haproxy's file, sockets and pid file live (e.g. the data dir's `lb-haproxy/`). */
  stateDir: string;
  clock?: Clock;
  /** The haproxy executable (default: `haproxy` on the PATH). */
  executable?: string;
  /** How often the runtime reconciler runs between applies (default 1000 ms). */
  syncIntervalMs?: number;
  /** haproxy's worker threads (default: defaultThreads()). */
  threads?: number;
}

/**
 * One thread per core but one, and at least one: the load balancer shares its machine with the
 * targets it forwards to and with Berth itself, and a thread that has to wait for a core shows
 * in every request's latency. Measured with `npm run bench:lb` on 2 cores (3 interleaved rounds
 * each, paired with nginx's one worker): with haproxy's default of one thread per core, 0.93×
 * nginx's requests/s with a p99 of 1.27× nginx's and 23.2 µs of CPU per request; with one thread,
 * 0.93× with a p99 of 0.99× and 20.9 µs per request (no cross-thread hand-offs).
 */
export function defaultThreads(cores = availableParallelism()): number {
  return Math.max(1, cores - 1);
}

/** How many times counters() reads haproxy's statistics while answers are still being counted (10 ms apart). */
const pendingAnswerReadings = 10;

const emptyConfig: DataPlaneConfig = { loadBalancers: [], targetGroups: [] };

/** What was last applied, kept beside haproxy so a restarted control plane knows what it runs. */
interface Applied {
  config: DataPlaneConfig;
  skeleton: string;
  listeners: RenderedListener[];
  /** Listener ports served on 127.0.0.1 as well (absent in a file written before there were any). */
  sharedPorts?: number[];
  /** The UDP port haproxy sends access-log records to, when a load balancer keeps an access log. */
  accessLogPort?: number;
}

/** Whether a load balancer of `config` keeps an access log (ALB only: an NLB has none here). */
function wantsAccessLog(config: DataPlaneConfig): boolean {
  return config.loadBalancers.some((lb) => lb.type === 'application' && lb.accessLogPath !== undefined);
}

export class HaproxyDataPlane implements DataPlane {
  readonly kind = 'haproxy' as const;
  private readonly mutex = new Mutex();
  private readonly timer: NodeJS.Timeout;
  private readonly paths: ReturnType<typeof runtimePaths>;
  /** The last health read, whose `since` a reading of the same states keeps (see steadySince). */
  private lastHealth: TargetHealthReport[] = [];

  constructor(
    private readonly options: Required<HaproxyDataPlaneOptions>,
    private readonly cookieKey: string,
    private applied: Applied,
    private rendered: RenderedConfig,
    private accessLog: AccessLogReceiver | undefined,
  ) {
    this.paths = runtimePaths(options.stateDir);
    this.accessLog?.configure(accessLogContext(applied.config, applied.listeners));
    this.timer = setInterval(() => void this.sync().catch(() => undefined), options.syncIntervalMs);
    this.timer.unref();
  }

  apply(config: DataPlaneConfig): Promise<ApplyResult> {
    return this.mutex.run(async () => {
      // haproxy itself may have died (killed, the machine rebooted): level-triggered, start it again.
      const running = await isRunning(this.options.stateDir);
      const served = new Set(running ? this.applied.listeners.map((l) => `${l.address}:${l.port}`) : []);
      const skipped = new Map<string, string>();
      for (const lb of config.loadBalancers) {
        for (const listener of lb.listeners) {
          if (served.has(`${lb.address}:${listener.port}`)) continue;
          const problem = await bindProblem(lb.address, listener.port);
          if (problem !== undefined) skipped.set(listener.arn, problem);
        }
      }
      // 127.0.0.1:<port> held by another program: the port is served at the load balancers' own addresses only.
      const sharedServed = new Set(running ? this.applied.sharedPorts ?? [] : []);
      const skipSharedPorts = new Map<number, string | undefined>();
      for (const { port } of sharedPortPlan(config).ports) {
        if (sharedServed.has(port)) continue;
        const failure = await bindFailure(sharedAddress, port);
        if (failure !== undefined) skipSharedPorts.set(port, failure.code);
      }
      if (wantsAccessLog(config)) this.accessLog ??= await AccessLogReceiver.open(this.applied.accessLogPort);
      const accessLogTarget = wantsAccessLog(config) ? this.accessLog?.target : undefined;
      const rendered = renderConfig(config, {
        stateDir: this.options.stateDir,
        threads: this.options.threads,
        cookieKey: this.cookieKey,
        skipListeners: skipped,
        skipSharedPorts,
        ...(accessLogTarget === undefined ? {} : { accessLogTarget }),
      });
      writeConfigFiles(this.paths.certificates, rendered.files);
      const next = `${this.paths.config}.next`;
      writeFileSync(next, rendered.text);
      if (!running) {
        renameSync(next, this.paths.config);
        rmSync(this.paths.serverState, { force: true });
        await start({ stateDir: this.options.stateDir, executable: this.options.executable });
        await holdNewServersDown(this.paths.adminSocket, rendered, []);
      } else if (rendered.skeleton !== this.applied.skeleton) {
        const refused = await checkConfig({ stateDir: this.options.stateDir, executable: this.options.executable }, next);
        if (refused !== undefined) throw new Error(`haproxy refused the generated configuration: ${refused}`);
        const before = await this.stats();
        writeFileSync(this.paths.serverState, await sendCommand(this.paths.adminSocket, 'show servers state'));
        renameSync(next, this.paths.config);
        await reload(this.options.stateDir);
        await holdNewServersDown(this.paths.adminSocket, rendered, before);
      } else {
        renameSync(next, this.paths.config);
      }
      this.applied = {
        config,
        skeleton: rendered.skeleton,
        listeners: rendered.listeners,
        sharedPorts: rendered.sharedPorts,
        ...(accessLogTarget === undefined ? {} : { accessLogPort: this.accessLog?.port }),
      };
      this.rendered = rendered;
      pruneConfigFiles(this.paths.certificates, rendered.files);
      if (accessLogTarget !== undefined) this.accessLog?.configure(accessLogContext(config, rendered.listeners));
      else {
        this.accessLog?.close();
        this.accessLog = undefined;
      }
      // It holds listeners' private keys: readable by Berth's user only.
      writeFileSync(join(this.options.stateDir, 'applied.json'), JSON.stringify(this.applied), { mode: 0o600 });
      await this.syncNow();
      return {
        listenerErrors: [...[...skipped].map(([listenerArn, message]) => ({ listenerArn, message })), ...rendered.unsupported],
        ...(rendered.sharedPortNotices.length > 0 ? { sharedPortNotices: rendered.sharedPortNotices } : {}),
      };
    });
  }

  async health(): Promise<TargetHealthReport[]> {
    return this.healthFrom(await this.stats());
  }

  async counters(): Promise<DataPlaneCounters> {
    let rows = await this.stats();
    // Responses just sent are counted when their streams end: read again, briefly, until they are
    // (a request still in progress only costs these few readings).
    for (let reading = 1; reading < pendingAnswerReadings && answersPending(rows); reading++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      rows = await this.stats();
    }
    return countersOf(this.applied.config, rows, this.healthFrom(rows));
  }

  async detach(): Promise<void> {
    clearInterval(this.timer);
    await this.mutex.run(async () => undefined);
    this.accessLog?.close();
    this.accessLog = undefined;
  }

  async shutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.mutex.run(() => stop(this.options.stateDir));
    this.accessLog?.close();
    this.accessLog = undefined;
  }

  /** One pass of the runtime reconciler (also run on its own timer). */
  sync(): Promise<void> {
    return this.mutex.run(() => this.syncNow());
  }

  private async syncNow(): Promise<void> {
    const plan = planServerSync({
      desired: this.rendered.servers,
      running: await this.stats(),
      draining: drainingServers(this.applied.config),
      now: this.options.clock.now().getTime(),
    });
    if (plan.length > 0) await runCommands(this.paths.adminSocket, plan);
  }

  private healthFrom(rows: readonly StatRow[]): TargetHealthReport[] {
    const reports = targetHealth({
      targetGroups: this.applied.config.targetGroups,
      inUse: targetGroupsInUse(this.applied.config),
      servers: new Map(rows.filter(isServerRow).map((r) => [`${r.proxy}/${r.service}`, r])),
      now: this.options.clock.now().getTime(),
    });
    this.lastHealth = steadySince(this.lastHealth, reports);
    return this.lastHealth;
  }

  private async stats(): Promise<StatRow[]> {
    return parseShowStat(await sendCommand(this.paths.adminSocket, 'show stat'));
  }
}

/**
 * Servers a reload or a start brings from the file start up, as haproxy assumes; ELB's new
 * targets take traffic only once their checks pass, so the ones the previous worker did not run
 * are forced down at once and rise on their own checks.
 */
async function holdNewServersDown(adminSocket: string, rendered: RenderedConfig, before: readonly StatRow[]): Promise<void> {
  const known = new Set(before.filter(isServerRow).map((r) => `${r.proxy}/${r.service}`));
  const commands = Object.entries(rendered.servers).flatMap(([backend, servers]) =>
    servers.filter((s) => s.checked && !known.has(`${backend}/${s.name}`)).map((s) => `set server ${backend}/${s.name} health down`),
  );
  // Joined on one line, a few dozen at a time: they take effect together, right after the reload.
  for (let i = 0; i < commands.length; i += 50) await sendCommand(adminSocket, commands.slice(i, i + 50).join('; '));
}

/** Backend → server → end of its deregistration delay, for targets being deregistered. */
function drainingServers(config: DataPlaneConfig): Map<string, Map<string, number>> {
  const draining = new Map<string, Map<string, number>>();
  for (const group of config.targetGroups) {
    const checked = backendName(group.arn, group.name);
    for (const target of group.targets) {
      if (target.state !== 'draining') continue;
      const until = target.drainingUntil ?? target.registeredAt + group.deregistrationDelaySeconds * 1000;
      for (const backend of [checked, failOpenBackendName(checked)]) {
        const servers = draining.get(backend) ?? new Map<string, number>();
        servers.set(serverName(target), until);
        draining.set(backend, servers);
      }
    }
  }
  return draining;
}

function readApplied(stateDir: string): Applied | undefined {
  try {
    return JSON.parse(readFileSync(join(stateDir, 'applied.json'), 'utf8')) as Applied;
  } catch {
    return undefined;
  }
}

function cookieKeyOf(stateDir: string): string {
  const file = join(stateDir, 'cookie.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = randomBytes(16).toString('hex');
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

/**
 * Attaches to the haproxy already running for `stateDir`, or starts one: on the last applied
 * configuration when there is one (a machine that rebooted keeps its load balancers), otherwise
 * empty. Listeners that cannot bind any more are dropped from it until the next apply.
 */
export async function createHaproxyDataPlane(options: HaproxyDataPlaneOptions): Promise<DataPlane> {
  const full: Required<HaproxyDataPlaneOptions> = { clock: systemClock, executable: 'haproxy', syncIntervalMs: 1000, threads: defaultThreads(), ...options };
  mkdirSync(full.stateDir, { recursive: true, mode: 0o700 });
  const cookieKey = cookieKeyOf(full.stateDir);
  const paths = runtimePaths(full.stateDir);
  const previous = readApplied(full.stateDir);
  // The access-log receiver takes the port haproxy already sends to when it can; otherwise the
  // next apply names the new one (a reload).
  const accessLog = previous !== undefined && wantsAccessLog(previous.config) ? await AccessLogReceiver.open(previous.accessLogPort) : undefined;
  const logTo = accessLog === undefined ? {} : { accessLogTarget: accessLog.target };
  if (previous !== undefined && (await isRunning(full.stateDir))) {
    const rendered = renderConfig(previous.config, { stateDir: full.stateDir, threads: full.threads, cookieKey, ...logTo });
    // Listeners that were skipped are not in the skeleton: rendering again keeps the same skeleton
    // only when none was; otherwise the next apply reloads, which is what re-tries them.
    return new HaproxyDataPlane(full, cookieKey, previous, rendered, accessLog);
  }
  await stop(full.stateDir).catch(() => undefined);
  rmSync(paths.serverState, { force: true });
  const startWith = async (config: DataPlaneConfig, skipListeners = new Map<string, string>(), skipSharedPorts = new Map<number, string | undefined>()): Promise<HaproxyDataPlane> => {
    const logging = wantsAccessLog(config) ? logTo : {};
    const rendered = renderConfig(config, { stateDir: full.stateDir, threads: full.threads, cookieKey, skipListeners, skipSharedPorts, ...logging });
    writeConfigFiles(paths.certificates, rendered.files);
    writeFileSync(paths.config, rendered.text);
    try {
      await start({ stateDir: full.stateDir, executable: full.executable });
    } catch (error) {
      // Listeners haproxy could not bind (a port taken while it was down) are left out, the others
      // start; the control plane's next apply reports them with what to do.
      const failed = error instanceof HaproxyStartError ? failedBinds(error.output) : [];
      const culprits = rendered.listeners.filter((l) => failed.includes(hostPort(l.address, l.port)) && !skipListeners.has(l.listenerArn));
      const sharedCulprits = rendered.sharedPorts.filter((port) => failed.includes(hostPort(sharedAddress, port)));
      if (culprits.length === 0 && sharedCulprits.length === 0) throw error;
      for (const l of culprits) skipListeners.set(l.listenerArn, 'cannot bind');
      for (const port of sharedCulprits) skipSharedPorts.set(port, 'EADDRINUSE');
      return startWith(config, skipListeners, skipSharedPorts);
    }
    const port = 'accessLogTarget' in logging ? { accessLogPort: accessLog?.port } : {};
    const plane = new HaproxyDataPlane(
      full,
      cookieKey,
      { config, skeleton: rendered.skeleton, listeners: rendered.listeners, sharedPorts: rendered.sharedPorts, ...port },
      rendered,
      'accessLogTarget' in logging ? accessLog : undefined,
    );
    if (!('accessLogTarget' in logging)) accessLog?.close();
    await holdNewServersDown(paths.adminSocket, rendered, []);
    pruneConfigFiles(paths.certificates, rendered.files);
    return plane;
  };
  if (previous !== undefined) {
    try {
      return await startWith(previous.config);
    } catch {
      // The last configuration no longer starts at all: start empty and let the next apply say why.
    }
  }
  return startWith(emptyConfig);
}

/** Writes the files the configuration refers to: certificates with their keys, readable by Berth's user only. */
function writeConfigFiles(certificatesDir: string, files: Record<string, string>): void {
  mkdirSync(certificatesDir, { recursive: true, mode: 0o700 });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content, { mode: 0o600 });
  }
}

/**
 * Once haproxy runs the configuration, removes the files it no longer names, so a replaced or
 * removed key does not linger (a worker still finishing requests after a reload has them loaded).
 */
function pruneConfigFiles(certificatesDir: string, files: Record<string, string>): void {
  if (!existsSync(certificatesDir)) return;
  for (const name of readdirSync(certificatesDir)) {
    const path = join(certificatesDir, name);
    if (!(path in files)) rmSync(path, { force: true });
  }
}
