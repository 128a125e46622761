/**
 * Berth's services as modules, listed in one place. A module brings the API services the edge
 * serves for it, and, once the edge exists (its logger, its routes), the routes and long-running
 * parts (parts.ts) it adds: the agent hub, the controllers. `startServer` composes this list; it
 * does not know which module needs what.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Authorizer } from '../core/authorize.js';
import type { Clock } from '../core/clock.js';
import type { IdGenerator } from '../core/ids.js';
import type { RegionSet } from '../core/regions.js';
import type { Rng } from '../core/rng.js';
import type { BerthConfig } from '../config.js';
import type { ControlTiming } from '../control-timing.js';
import { EcrLifecycleController } from '../controllers/ecr-lifecycle.js';
import { FargateCapacity } from '../controllers/fargate-capacity.js';
import { ExpiredSessionSweep } from '../controllers/expired-sessions.js';
import { RegistryGarbageCollection } from '../controllers/registry-gc.js';
import { ServiceController } from '../controllers/services/controller.js';
import { ecrService } from '../ecr/service.js';
import { agentChannelRoutes } from '../ecs/agent-channel/route.js';
import { AgentHub } from '../ecs/agent-channel/hub.js';
import { TaskRoleCredentials } from '../ecs/task-roles/task-role-credentials.js';
import { TaskRoleRefresh } from '../controllers/task-role-credentials.js';
import { ecsService } from '../ecs/service.js';
import type { JsonService } from '../edge/protocols/aws-json.js';
import type { QueryService } from '../edge/protocols/aws-query.js';
import { berthService } from '../berth-api/service.js';
import type { Registry } from '../registry/registry.js';
import { TaskPullAuth } from '../registry/task-pull-auth.js';
import { secretsManagerService } from '../secretsmanager/service.js';
import { ssmService } from '../ssm/service.js';
import { logsService } from '../logs/service.js';
import { openLogStorage } from '../logs/storage/open.js';
import { LiveTailSessions } from '../logs/live-tail/sessions.js';
import { QueryBook } from '../logs/insights/query-book.js';
import { LogRetention } from '../controllers/log-retention.js';
import type { LogEventStorage } from '../logs/storage/types.js';
import { acmService } from '../acm/service.js';
import { LeaderLease } from '../store/leader-lease.js';
import type { ResetScope, Store } from '../store/types.js';
import { stsService } from '../sts/service.js';
import { iamService } from '../iam/service.js';
import { defaultAddressRange, parseAddressRange } from '../elbv2/addresses.js';
import { lowestBindablePort } from '../elbv2/bindable-ports.js';
import { elbv2Service } from '../elbv2/service.js';
import { DataPlaneHandle, dataPlaneStateDir, dataPlaneUnavailable } from '../elbv2/data-plane-handle.js';
import { forwardByHost, LoadBalancerHosts } from '../elbv2/edge-forwarding.js';
import { LoadBalancerController } from '../controllers/load-balancers.js';
import type { Part } from './parts.js';
import { join } from 'node:path';
import { cloudWatchServices } from '../cloudwatch/service.js';
import { AlarmEvaluator } from '../cloudwatch/alarms/controller.js';
import { AlarmActionDelivery } from '../cloudwatch/alarms/action-delivery.js';
import { ActionTargets } from '../cloudwatch/alarms/action-targets.js';
import { MetricPublisher } from '../cloudwatch/publisher.js';
import { SqliteMetricStorage } from '../cloudwatch/storage/sqlite-metrics.js';
import type { ControllerTelemetry } from '../telemetry/telemetry.js';
import { LoadBalancerMetrics } from '../controllers/load-balancer-metrics.js';
import { EcsMetrics } from '../controllers/ecs-metrics.js';
import { TaskUsageRecorder } from '../metrics/task-usage.js';

/** What every module is built from. */
export interface ModuleContext {
  config: BerthConfig;
  timing: ControlTiming;
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  rng: Rng;
  registry: Registry;
  /** The regions the edge accepts. */
  regions: RegionSet;
  /** Names this process in the leader leases. */
  processId: string;
  /** The control plane's URL once the edge listens. */
  controlPlaneUrl: () => string;
  /** The lowest port this process may bind (tests set it; by default read from the system). */
  lowestBindablePort?: number;
  /** Decides whether a principal may perform an action: the agent channel asks it. */
  authorize: Authorizer;
  /** Where the controllers report reconcile times and queue depths (Berth's own /metrics). */
  telemetry?: ControllerTelemetry;
}

export interface Edge {
  app: FastifyInstance;
  log: FastifyBaseLogger;
}

export interface ServerModule {
  readonly name: string;
  readonly jsonApis?: readonly JsonService[];
  readonly queryApis?: readonly QueryService[];
  /** Adds the module's routes to the edge and makes its long-running parts. */
  attach?(edge: Edge): Promise<readonly Part[]>;
  /**
   * After a reset deleted the scope's rows, while the controllers are stopped: drops what the
   * module holds of that scope outside the store (caches, channels, tokens).
   */
  afterStoreReset?(scope: ResetScope): Promise<void>;
}

/** The parts tests and the CLI reach into, set as the modules attach. */
export interface ComposedParts {
  hub?: AgentHub;
  services?: ServiceController;
  lifecycle?: EcrLifecycleController;
  loadBalancers?: LoadBalancerController;
  dataPlane?: DataPlaneHandle;
  expiredSessions?: ExpiredSessionSweep;
  logEvents?: LogEventStorage;
  logRetention?: LogRetention;
  logLiveTails?: LiveTailSessions;
  /** Where Berth's own metrics are put (AWS/ECS, AWS/ApplicationELB), in process. */
  metrics?: MetricPublisher;
  /** Puts the load balancers' AWS/ApplicationELB and AWS/NetworkELB metrics once per metric period. */
  loadBalancerMetrics?: LoadBalancerMetrics;
  /** Stores the usage samples agents send over the agent channel, for the ECS metrics. */
  taskUsage?: TaskUsageRecorder;
  /** Puts the AWS/ECS and ECS/ContainerInsights metrics once per metric period. */
  ecsMetrics?: EcsMetrics;
  /** Evaluates CloudWatch alarms. */
  alarms?: AlarmEvaluator;
  /**
   * Who performs alarm actions: a module that serves a target's service registers it here while
   * the modules are built (see cloudwatch/alarms/action-targets.ts); each gets its delivery controller.
   */
  alarmActionTargets: ActionTargets;
  /** The delivery controllers of the registered targets, by service. */
  alarmActionDelivery?: Map<string, AlarmActionDelivery>;
}

const controller = (name: string, runner: { start(): void; stop(): Promise<void> }, after: string[] = []): Part => ({
  name,
  kind: 'controller',
  after,
  start: () => runner.start(),
  stop: () => runner.stop(),
});

/** Every module of the server, and where the parts others reach for are put. */
export function serverModules(context: ModuleContext): { modules: ServerModule[]; parts: ComposedParts } {
  const { config, timing, store, clock, registry } = context;
  const parts: ComposedParts = { taskUsage: new TaskUsageRecorder(store), alarmActionTargets: new ActionTargets() };
  const lease = (name: string, seconds: number) => new LeaderLease(store, clock, context.processId, name, seconds);
  const ecsDeps = { store, clock, ids: context.ids, rng: context.rng, controlPlaneUrl: context.controlPlaneUrl };
  const telemetry = context.telemetry ? { telemetry: context.telemetry } : {};

  const ecs: ServerModule = {
    name: 'ecs',
    jsonApis: [ecsService(ecsDeps)],
    async attach({ app, log }) {
      const taskRoles = new TaskRoleCredentials({ store, clock });
      const hub = new AgentHub({
        store,
        clock,
        log,
        taskRoles,
        pullAuth: new TaskPullAuth(registry),
        authorize: context.authorize,
        ...(parts.taskUsage ? { usage: parts.taskUsage } : {}),
        ...(config.agentPingIntervalSeconds !== undefined ? { pingMs: config.agentPingIntervalSeconds * 1000 } : {}),
      });
      await app.register((scope) => agentChannelRoutes(scope, { store, clock, hub, accountId: config.accountId, regions: context.regions, authorize: context.authorize }));
      const services = new ServiceController({
        ...ecsDeps,
        ...telemetry,
        log,
        lease: lease('service-scheduler', timing.serviceLeaseSeconds),
        resyncIntervalMs: timing.serviceResyncIntervalMs,
        timing,
        ...(config.agentLostAfterSeconds !== undefined ? { agentLostAfterSeconds: config.agentLostAfterSeconds } : {}),
      });
      parts.hub = hub;
      parts.services = services;
      return [
        { name: 'agent-hub', kind: 'service', start: () => hub.start(), stop: () => hub.stop() },
        controller('service-controller', services, ['agent-hub']),
        // It places tasks on the FARGATE hosts the hub holds.
        controller('fargate-capacity', new FargateCapacity({ store, clock, log, hub, ...telemetry }), ['agent-hub']),
        controller('task-role-credentials', new TaskRoleRefresh({ store, clock, log, hub, taskRoles, ...telemetry }), ['agent-hub']),
      ];
    },
    async afterStoreReset(scope) {
      if (scope.kind === 'installation') parts.hub?.reset();
      else parts.hub?.resetAccount(scope.accountId);
    },
  };

  const ecr: ServerModule = {
    name: 'ecr',
    jsonApis: [ecrService({ store, clock, registry })],
    async attach({ log }) {
      const lifecycle = new EcrLifecycleController({ store, clock, log, ...telemetry, intervalMs: timing.lifecycleIntervalMs, lease: lease('ecr-lifecycle', timing.lifecycleLeaseSeconds) });
      parts.lifecycle = lifecycle;
      return [controller('ecr-lifecycle', lifecycle)];
    },
  };

  // The registry's routes (/v2/) are the edge's own: buildApp mounts them over the same Registry.
  const registryModule: ServerModule = {
    name: 'registry',
    async afterStoreReset(scope) {
      if (scope.kind === 'installation') registry.tokens.forget();
      else await registry.tokens.revokeAccount(scope.accountId);
    },
    async attach({ log }) {
      const gc = new RegistryGarbageCollection({ store, clock, log, ...telemetry, gc: registry.gc, intervalMs: timing.gcIntervalMs, lease: lease('registry-gc', timing.gcLeaseSeconds) });
      let revocations: { close(): void } | undefined;
      return [
        {
          // A credential changed or deleted (an access key made Inactive or deleted, in this
          // process or another) is looked up again at its tokens' next use.
          name: 'registry-token-revocation',
          kind: 'service',
          start: () => {
            revocations = store.changes.watch({ kinds: ['credential'] }, (batch) => {
              if (batch.lost) registry.tokens.forgetChecked();
              for (const change of batch.changes) if (change.op !== 'created') registry.tokens.forgetKey(change.key);
            });
          },
          stop: async () => revocations?.close(),
        },
        {
          name: 'registry-gc',
          kind: 'controller',
          start: () => gc.start(),
          stop: async () => {
            await gc.stop();
            // A collection a test or the CLI started directly.
            await registry.stop();
          },
        },
      ];
    },
  };

  const modules: ServerModule[] = [
    // First: a reset revokes the registry's tokens before the hub sends FARGATE hosts their lists again.
    registryModule,
    ecs,
    ecr,
    { name: 'secretsmanager', jsonApis: [secretsManagerService(ecsDeps)] },
    { name: 'ssm', jsonApis: [ssmService({ store, clock })] },
    // ListFargateHosts asks the hub, which exists once the ecs module is attached.
    { name: 'berth', jsonApis: [berthService({ ...ecsDeps, installationAccountId: config.accountId, fargateHosts: () => parts.hub?.fargateHosts() ?? [] })] },
    {
      name: 'sts',
      queryApis: [stsService({ store })],
      async attach({ log }) {
        const sweep = new ExpiredSessionSweep({ store, clock, log, ...telemetry });
        parts.expiredSessions = sweep;
        return [controller('expired-sessions', sweep)];
      },
    },
    // IAM is global: one set of entities per account, whichever region a request is signed for.
    { name: 'iam', queryApis: [iamService({ store, clock })] },
    elbv2Module(context, parts, lease),
    { name: 'acm', jsonApis: [acmService({ store, clock, ids: context.ids })] },
    cloudWatchModule(context, parts, lease),
    logsModule(context, parts),
  ];
  return { modules, parts };
}

/**
 * Elastic Load Balancing v2: its API (each load balancer takes an address from the configured
 * range), the controller that drives the data plane from the records, and the edge port's
 * forwarding by Host header. The data plane outlives the control plane: stopping detaches from it,
 * an installation reset (and `berth down`) shuts it down.
 */
function elbv2Module(context: ModuleContext, parts: ComposedParts, lease: (name: string, seconds: number) => LeaderLease): ServerModule {
  const { config, timing, store, clock, ids } = context;
  const telemetry = context.telemetry ? { telemetry: context.telemetry } : {};
  const addressRange = parseAddressRange(config.loadBalancerAddresses ?? defaultAddressRange);
  if (!addressRange) throw new Error(`load balancer addresses must be an IPv4 CIDR block, got '${config.loadBalancerAddresses}'`);
  const kind = config.loadBalancerDataPlane ?? 'embedded';
  const dataPlane = new DataPlaneHandle(kind, dataPlaneStateDir(config.dataDir, kind));
  parts.dataPlane = dataPlane;
  let hosts: LoadBalancerHosts | undefined;
  return {
    name: 'elbv2',
    queryApis: [elbv2Service({ store, clock, ids, addressRange, lowestBindablePort: context.lowestBindablePort ?? lowestBindablePort() })],
    async attach({ app, log }) {
      const unavailable = dataPlaneUnavailable(kind);
      if (unavailable) throw new Error(unavailable);
      // A data plane left running by an earlier control plane is attached to now; none is started before there is a load balancer.
      await dataPlane.get(false);
      const byHost = new LoadBalancerHosts(store);
      hosts = byHost;
      const agent = forwardByHost(app, byHost);
      const loadBalancers = new LoadBalancerController({
        store,
        clock,
        log,
        ...telemetry,
        dataPlane,
        healthPollMs: timing.loadBalancerHealthPollMs,
        reapplyMs: timing.loadBalancerReapplyMs,
        lease: lease('load-balancers', timing.loadBalancerLeaseSeconds),
        ...(config.loadBalancerAccessLog !== undefined ? { accessLogPath: config.loadBalancerAccessLog } : {}),
      });
      parts.loadBalancers = loadBalancers;
      return [
        {
          name: 'load-balancer-data-plane',
          kind: 'service',
          start: () => undefined,
          stop: async () => {
            byHost.close();
            agent.destroy();
            await dataPlane.detach();
          },
        },
        controller('load-balancer-controller', loadBalancers, ['load-balancer-data-plane']),
      ];
    },
    async afterStoreReset(scope) {
      hosts?.forget();
      // Every load balancer is gone: so is what forwarded their traffic. The controller starts one again for the next.
      if (scope.kind === 'installation') await dataPlane.shutdown();
    },
  };
}

/** How often the metric store drops what retention no longer keeps. */
const metricCompactionMs = 10 * 60_000;

/**
 * CloudWatch metrics: the API in both its protocols over the metric store, a database file of its
 * own in the data directory (metrics.sqlite), and the publisher Berth's own parts put through.
 */
function cloudWatchModule(context: ModuleContext, parts: ComposedParts, lease: (name: string, seconds: number) => LeaderLease): ServerModule {
  const { config, clock, store, timing } = context;
  const storage = new SqliteMetricStorage(join(config.dataDir, 'metrics.sqlite'));
  const { json, query } = cloudWatchServices({ storage, clock, store, actionTargets: parts.alarmActionTargets });
  const metrics = new MetricPublisher(storage, clock, config.metricPeriodSeconds ?? 60);
  parts.metrics = metrics;
  return {
    name: 'cloudwatch',
    jsonApis: [json],
    queryApis: [query],
    async attach({ log }) {
      let timer: NodeJS.Timeout | undefined;
      const compact = () => storage.compact(clock.now().getTime()).catch((error: unknown) => log.error({ err: error }, 'metric compaction failed'));
      const published: Part[] = [];
      if (parts.dataPlane) {
        const loadBalancerMetrics = new LoadBalancerMetrics({ store, clock, log, dataPlane: parts.dataPlane, metrics, lease: lease('load-balancer-metrics', timing.loadBalancerLeaseSeconds) });
        parts.loadBalancerMetrics = loadBalancerMetrics;
        published.push(controller('load-balancer-metrics', loadBalancerMetrics, ['metric-store', 'load-balancer-data-plane']));
      }
      if (parts.taskUsage) {
        const ecsMetrics = new EcsMetrics({ store, clock, log, metrics, lease: lease('ecs-metrics', timing.serviceLeaseSeconds) });
        parts.ecsMetrics = ecsMetrics;
        published.push(controller('ecs-metrics', ecsMetrics, ['metric-store']));
      }
      // Alarms read the metric store: the evaluator runs while it is open (the same lease time as the service scheduler's).
      const alarms = new AlarmEvaluator({ store, storage, clock, log, lease: lease('alarm-evaluation', timing.serviceLeaseSeconds) });
      parts.alarms = alarms;
      // One consumer of due alarm actions per registered target (none until a module registers one).
      const deliveries = parts.alarmActionTargets.all().map((target) => new AlarmActionDelivery({ store, clock, log, target, lease: lease(`alarm-actions-${target.service}`, timing.serviceLeaseSeconds) }));
      parts.alarmActionDelivery = new Map(deliveries.map((delivery) => [delivery.name, delivery]));
      return [
        { name: 'metric-store', kind: 'service', start: () => undefined, stop: () => storage.close() },
        {
          name: 'metric-compaction',
          kind: 'controller',
          after: ['metric-store'],
          start: () => {
            void compact();
            timer = setInterval(() => void compact(), metricCompactionMs);
            timer.unref();
          },
          stop: async () => clearInterval(timer),
        },
        ...published,
        controller('alarm-evaluation', alarms, ['metric-store']),
        ...deliveries.map((delivery) => controller(delivery.name, delivery)),
      ];
    },
    async afterStoreReset(scope) {
      await storage.reset(scope.kind === 'installation' ? undefined : scope.accountId);
    },
  };
}

/**
 * CloudWatch Logs: its API over the log groups in the store and the log event storage (logs.db in
 * the data directory), and the controller that enforces retention. A reset deletes the scope's log
 * groups in the store; their streams and events go here.
 */
function logsModule(context: ModuleContext, parts: ComposedParts): ServerModule {
  const { config, store, clock } = context;
  const events = openLogStorage(config.dataDir, config.logStorageMaxBytes !== undefined ? { maxDiskBytes: config.logStorageMaxBytes } : {});
  parts.logEvents = events;
  const queries = new QueryBook();
  const liveTails = new LiveTailSessions(clock);
  parts.logLiveTails = liveTails;
  return {
    name: 'logs',
    jsonApis: [logsService({ store, clock, events }, queries, liveTails)],
    async attach({ log }) {
      const retention = new LogRetention({ store, clock, log, events });
      parts.logRetention = retention;
      return [
        { name: 'log-storage', kind: 'service', start: () => undefined, stop: async () => events.close() },
        { name: 'log-live-tails', kind: 'service', start: () => undefined, stop: async () => liveTails.closeAll() },
        controller('log-retention', retention, ['log-storage']),
      ];
    },
    async afterStoreReset(scope) {
      queries.forget(scope.kind === 'account' ? scope.accountId : undefined);
      liveTails.endForReset(scope.kind === 'account' ? scope.accountId : undefined);
      for (const group of events.groups()) {
        if (scope.kind === 'installation' || group.startsWith(`${scope.accountId}/`)) events.deleteGroup(group);
      }
      events.compact();
    },
  };
}
