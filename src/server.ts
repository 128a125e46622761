/** Starts the control plane: store, credentials, services, and the edge listening on its port. */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { systemClock, type Clock } from './core/clock.js';
import { randomUUID } from 'node:crypto';
import { newAccessKeyId, newSecretAccessKey, randomIds } from './core/ids.js';
import { rootPrincipalArn } from './core/principal.js';
import { seededRng } from './core/rng.js';
import { acceptedRegions } from './core/regions.js';
import type { ConnectionLimits } from './edge/connection-limits.js';
import type { Authorizer } from './core/authorize.js';
import { PolicyEnforcer } from './authz/enforcer.js';
import type { Service } from './edge/dispatch.js';
import type { JsonService } from './edge/protocols/aws-json.js';
import type { QueryService } from './edge/protocols/aws-query.js';
import type { BerthConfig } from './config.js';
import { controlTiming, type ControlTiming } from './control-timing.js';
import { buildApp } from './edge/app.js';
import { serverModules } from './composition/modules.js';
import type { MetricPublisher } from './cloudwatch/publisher.js';
import type { LoadBalancerMetrics } from './controllers/load-balancer-metrics.js';
import type { EcsMetrics } from './controllers/ecs-metrics.js';
import type { AlarmEvaluator } from './cloudwatch/alarms/controller.js';
import { PartSet, type Part } from './composition/parts.js';
import type { AgentHub } from './ecs/agent-channel/hub.js';
import type { EcrLifecycleController } from './controllers/ecr-lifecycle.js';
import type { ServiceController } from './controllers/services/controller.js';
import type { LoadBalancerController } from './controllers/load-balancers.js';
import type { DataPlaneHandle } from './elbv2/data-plane-handle.js';
import type { ExpiredSessionSweep } from './controllers/expired-sessions.js';
import type { LogRetention } from './controllers/log-retention.js';
import type { LiveTailSessions } from './logs/live-tail/sessions.js';
import { Registry } from './registry/registry.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';
import { withVersionOf, type CredentialRecord, type ResetScope, type Store } from './store/types.js';
import { version } from './version.js';
import { Telemetry } from './telemetry/telemetry.js';
import { metricsAccess } from './telemetry/access.js';
import { InstrumentedStore } from './store/instrumented-store.js';

export { version };

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  hub: AgentHub;
  registry: Registry;
  /** Applies ECR lifecycle policies on a schedule. */
  lifecycle: EcrLifecycleController;
  /** Keeps every service's promise: its tasks, deployments and events. */
  services: ServiceController;
  /** Drives the load balancers' data plane from the ELBv2 records, and records target health. */
  loadBalancers: LoadBalancerController;
  /** The load balancers' data plane; it outlives close() unless shut down. */
  dataPlane: DataPlaneHandle;
  /** Deletes temporary credentials once they expire. */
  expiredSessions: ExpiredSessionSweep;
  /** Where Berth's own CloudWatch metrics are put, in process. */
  metrics: MetricPublisher;
  /** Deletes log events past their group's retention. */
  logRetention: LogRetention;
  /** The open StartLiveTail sessions. */
  logLiveTails: LiveTailSessions;
  /** Berth's own Prometheus metrics, served as GET /metrics (absent when the options turned them off). */
  telemetry: Telemetry | undefined;
  /** Puts the load balancers' CloudWatch metrics once per metric period (tests settle it after moving the clock). */
  loadBalancerMetrics: LoadBalancerMetrics;
  /** Puts the AWS/ECS and ECS/ContainerInsights metrics once per metric period (tests settle it after moving the clock). */
  ecsMetrics: EcsMetrics;
  /** The CloudWatch alarm evaluator (tests settle it after moving the clock). */
  alarms: AlarmEvaluator;
  url: string;
  /** The AWS JSON services the edge serves, as composed here. */
  jsonServices: readonly JsonService[];
  /** The AWS Query services the edge serves (STS, Elastic Load Balancing). */
  queryServices: readonly QueryService[];
  credentials: CredentialRecord;
  /** True when this start created the root credentials. */
  createdCredentials: boolean;
  /**
   * Runs after every reset, before the reset is answered: what the installation recreates to be as
   * it was right after start (`berth up` has its local agents register again when the reset
   * concerned their account).
   */
  afterReset(hook: (scope: ResetScope) => Promise<void>): void;
  close(): Promise<void>;
}

/** Root credentials: from the environment when given, else those stored, else new ones. */
export async function ensureRootCredentials(store: Store, config: BerthConfig, clock: Clock): Promise<{ credentials: CredentialRecord; created: boolean }> {
  return store.write(async (tx) => {
    if (config.rootAccessKeyId && config.rootSecretAccessKey) {
      // Given at every start: the stored ones (if any) are overwritten, comparing their version.
      const stored = await tx.credentials.get(config.rootAccessKeyId);
      const credentials: CredentialRecord = withVersionOf({
        accessKeyId: config.rootAccessKeyId,
        secretAccessKey: config.rootSecretAccessKey,
        accountId: config.accountId,
        principalArn: rootPrincipalArn(config.accountId),
        isRoot: true,
        createdAt: clock.now().getTime() / 1000,
      }, stored);
      await tx.credentials.put(credentials);
      return { credentials, created: false };
    }
    const existing = await tx.credentials.findRoot(config.accountId);
    if (existing) return { credentials: existing, created: false };
    const credentials: CredentialRecord = {
      accessKeyId: newAccessKeyId(),
      secretAccessKey: newSecretAccessKey(),
      accountId: config.accountId,
      principalArn: rootPrincipalArn(config.accountId),
      isRoot: true,
      createdAt: clock.now().getTime() / 1000,
    };
    await tx.credentials.put(credentials);
    return { credentials, created: true };
  });
}

/** The edge's timeouts and bounds the configuration sets; the rest keep their defaults. */
function limitsOf(config: BerthConfig): Partial<ConnectionLimits> {
  return {
    ...(config.headersTimeoutSeconds !== undefined ? { headersTimeoutMs: Math.round(config.headersTimeoutSeconds * 1000) } : {}),
    ...(config.idleTimeoutSeconds !== undefined ? { idleTimeoutMs: Math.round(config.idleTimeoutSeconds * 1000) } : {}),
    ...(config.maxConnections !== undefined ? { maxConnections: config.maxConnections } : {}),
    ...(config.maxConnectionsPerClient !== undefined ? { maxConnectionsPerClient: config.maxConnectionsPerClient } : {}),
  };
}

export interface ServerOptions {
  /** The time every timer-driven rule reads; the system clock by default. */
  clock?: Clock;
  /** The control plane's delays (control-timing.ts); the defaults where absent. */
  timing?: Partial<ControlTiming>;
  logger?: boolean;
  log?: Logger;
  /** Decides each call instead of IAM policy enforcement (tests deny or allow with it). */
  authorize?: Authorizer;
  /** The lowest listener port load balancers may use; by default what this process may bind. */
  lowestBindablePort?: number;
  /**
   * False leaves Berth's own metrics out altogether: no /metrics, nothing measured (the telemetry
   * benchmark's baseline).
   */
  telemetry?: boolean;
}

export async function startServer(config: BerthConfig, options: ServerOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  const timing = controlTiming(options.timing);
  const telemetry = options.telemetry === false ? undefined : new Telemetry();
  // Checked before anything is opened: a bad range is a configuration error.
  const access = metricsAccess(config.metricsAllow);
  const sqlite = new SqliteStore(config.dataDir, config.keyFile !== undefined ? { keyFile: config.keyFile } : {});
  const store: Store = telemetry ? new InstrumentedStore(sqlite, telemetry) : sqlite;
  let enforcer: PolicyEnforcer | undefined;
  try {
    const { credentials, created } = await ensureRootCredentials(store, config, clock);
    // Agents reconnect after a start; until one does, its instance is not connected.
    await store.write((tx) => tx.containerInstances.markAllDisconnected());
    // Set once the edge listens; DiscoverPollEndpoint only answers after that.
    let controlPlaneUrl = 'http://127.0.0.1';
    const registry = new Registry({
      store,
      clock,
      dataDir: config.dataDir,
      limits: {
        ...(config.registryMaxBlobBytes !== undefined ? { maxBlobBytes: config.registryMaxBlobBytes } : {}),
        ...(config.registryAccountQuotaBytes !== undefined ? { accountQuotaBytes: config.registryAccountQuotaBytes } : {}),
      },
    });
    const resetHooks: ((scope: ResetScope) => Promise<void>)[] = [];
    // Assigned once the parts exist; the edge only calls it once the server listens.
    let reset: (scope: ResetScope) => Promise<void> = (scope) => store.reset(scope);
    // The default region is accepted whatever it is: Berth's own agents and banner use it.
    const regions = acceptedRegions([...(config.extraRegions ?? []), config.region]);
    // IAM policies decide every call (the edge's operations, /v2/, the agent channel) unless the caller decides instead.
    enforcer = new PolicyEnforcer({ store, clock });
    enforcer.start();
    const authorize = options.authorize ?? enforcer.authorize;
    const { modules, parts: composed } = serverModules({
      config,
      timing,
      store,
      clock,
      ids: randomIds,
      rng: seededRng(Date.now() >>> 0),
      registry,
      regions,
      // One process among those sharing the store collects garbage, applies lifecycle policies and schedules services.
      processId: randomUUID(),
      controlPlaneUrl: () => controlPlaneUrl,
      authorize,
      ...(telemetry ? { telemetry } : {}),
      ...(options.lowestBindablePort !== undefined ? { lowestBindablePort: options.lowestBindablePort } : {}),
    });
    const jsonServices = modules.flatMap((module) => module.jsonApis ?? []);
    const queryServices = modules.flatMap((module) => module.queryApis ?? []);
    const apis: Service[] = [...jsonServices, ...queryServices];
    const app = buildApp({
      reset: (scope) => reset(scope),
      installationAccountId: config.accountId,
      store,
      clock,
      ids: randomIds,
      services: apis,
      authorize,
      regions,
      limits: limitsOf(config),
      registry,
      version,
      ...(telemetry ? { telemetry, metricsAccess: access } : {}),
      ...(options.log ? { loggerInstance: options.log } : { logger: options.logger === false ? false : { level: config.logLevel } }),
    });
    const attached: Part[] = [];
    for (const module of modules) if (module.attach) attached.push(...(await module.attach({ app, log: app.log })));
    const parts = new PartSet(attached);
    const { hub, services, lifecycle, loadBalancers, dataPlane, expiredSessions, metrics, logRetention, logLiveTails, loadBalancerMetrics, ecsMetrics, alarms } = composed;
    if (!hub || !services || !lifecycle) throw new Error('the ecs and ecr modules must be composed');
    if (!expiredSessions) throw new Error('the sts module must be composed');
    if (!loadBalancers || !dataPlane) throw new Error('the elbv2 module must be composed');
    if (!metrics || !alarms || !loadBalancerMetrics || !ecsMetrics) throw new Error('the cloudwatch and elbv2 modules must be composed');
    if (!logRetention || !logLiveTails) throw new Error('the logs module must be composed');
    telemetry?.observeAgents(() => hub.agentKeys().length);
    telemetry?.observeChangeFeed(() => store.changes.backlog());
    telemetry?.observeTasks(() => store.read((tx) => tx.tasks.statusCounts()));
    // Only a data plane that runs is read: a scrape never starts one.
    telemetry?.observeLoadBalancers(async () => (await dataPlane.get(false))?.counters());
    const address = await app.listen({ host: config.host, port: config.port });
    // Timers start only once the port is ours, so a failed start leaves nothing running.
    const url = address.replace('[::1]', '127.0.0.1');
    // An agent cannot connect to a wildcard address: name the machine by its loopback address, as the registry does.
    controlPlaneUrl = url.replace(/\/\/(0\.0\.0\.0|\[::\])(?=:|\/|$)/, '//127.0.0.1');
    registry.listeningAt(url, config.registryHost);
    parts.start();
    /**
     * A reset leaves nothing of the earlier state of its scope anywhere: the controllers stop (so no
     * pass in flight writes on what it read before), the scope's rows are deleted, its caches and
     * agent channels are dropped, the controllers start afresh (the first garbage collection removes
     * the files of blobs nothing links any more), and the hooks bring back what start-up created.
     * An account's reset leaves other accounts' rows, caches, channels and tokens alone; the
     * installation's also drops the leases and the registry's signing key. Resets run one at a time.
     */
    let resetting: Promise<void> = Promise.resolve();
    reset = (scope) => {
      const done = resetting.catch(() => undefined).then(async () => {
        await parts.stop('controller');
        try {
          await store.reset(scope);
          for (const module of modules) await module.afterStoreReset?.(scope);
        } finally {
          parts.start('controller');
        }
        for (const hook of resetHooks) await hook(scope);
      });
      resetting = done;
      return done;
    };
    return {
      app,
      store,
      hub,
      registry,
      lifecycle,
      services,
      loadBalancers,
      dataPlane,
      expiredSessions,
      metrics,
      logRetention,
      logLiveTails,
      telemetry,
      loadBalancerMetrics,
      ecsMetrics,
      alarms,
      url,
      jsonServices,
      queryServices,
      credentials,
      createdCredentials: created,
      afterReset(hook) {
        resetHooks.push(hook);
      },
      async close() {
        await resetting.catch(() => undefined);
        await parts.stop();
        await app.close();
        enforcer?.stop();
        await store.close();
      },
    };
  } catch (error) {
    enforcer?.stop();
    await store.close();
    throw error;
  }
}
