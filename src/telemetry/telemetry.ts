/**
 * Berth's own telemetry, in Prometheus' text format (prom-client). One `Telemetry` per server: its
 * registry holds every series Berth reports, and the parts that measure something are handed this
 * object (the edge, the store wrapper, the controller runners); nothing reaches it through a global.
 *
 * Labels are kept bounded: a service id and an operation name from Berth's own tables (an operation
 * a client names that Berth does not serve is `unknown`), an error code Berth itself answers,
 * controller names, task statuses and launch types, registry request kinds, and the names of load
 * balancers and target groups (the user creates each one; their number is what the installation
 * holds, like cluster and service names). No ARN, id, request path or client address is a label.
 *
 * Gauges that describe state (tasks, connected agents, queue depths, load balancer counts) are read
 * when scraped, from the sources registered with `observe…`, so nothing is computed between scrapes.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Arn } from '../core/arn.js';
import type { DataPlaneCounters } from '../elbv2/data-plane/types.js';

/** Seconds: API calls and reconciles take from well under a millisecond to tens of seconds. */
const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Store transactions are mostly sub-millisecond SQLite work. */
const storeBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** How a call ended: ok, refused for the client's fault (4xx), or failed in Berth (5xx). */
export type Outcome = 'ok' | 'client_error' | 'server_error';

export function outcomeOf(statusCode: number): Outcome {
  return statusCode >= 500 ? 'server_error' : statusCode >= 400 ? 'client_error' : 'ok';
}

/** Error codes of a request whose signature or credentials did not hold, in every protocol's spelling. */
const authenticationCodes = new Set([
  'IncompleteSignatureException',
  'IncompleteSignature',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'MissingAuthenticationTokenException',
  'MissingAuthenticationToken',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'ExpiredToken',
]);
const authorizationCodes = new Set(['AccessDeniedException', 'AccessDenied']);

/** Whether an error code says the caller was not authenticated, or not allowed. */
export function authFailureOf(code: string): 'authentication' | 'authorization' | undefined {
  if (authenticationCodes.has(code)) return 'authentication';
  if (authorizationCodes.has(code)) return 'authorization';
  return undefined;
}

/** What the controller runner reports (runner.ts takes this shape, so tests may pass their own). */
export interface ControllerTelemetry {
  reconciled(controller: string, seconds: number, failed: boolean): void;
  observeQueue(controller: string, queued: () => { dirty: number; delayed: number }): void;
}

/** What the store wrapper reports (store/instrumented-store.ts). */
export interface StoreTelemetry {
  transaction(kind: 'read' | 'write', seconds: number, failed: boolean): void;
  /** A write attempt that met a conflict and was run again (`given up` when it was the last one). */
  conflict(gaveUp: boolean): void;
}

export interface TaskCount {
  lastStatus: string;
  launchType: string;
  count: number;
}

export class Telemetry implements ControllerTelemetry, StoreTelemetry {
  readonly registry = new Registry();

  private readonly apiRequests: Histogram<'service' | 'operation' | 'outcome' | 'error_code'>;
  private readonly authFailures: Counter<'service' | 'kind' | 'error_code'>;
  private readonly storeTransactions: Histogram<'kind' | 'outcome'>;
  private readonly storeConflicts: Counter<'result'>;
  private readonly reconciles: Histogram<'controller' | 'outcome'>;
  private readonly registryRequests: Counter<'kind' | 'method' | 'outcome'>;
  private readonly registryBytes: Counter<'direction'>;
  private readonly scrapeFailures: Counter<'source'>;
  private readonly queues = new Map<string, () => { dirty: number; delayed: number }>();
  private agents: (() => number) | undefined;
  private changeFeed: (() => number) | undefined;
  private tasks: (() => Promise<TaskCount[]>) | undefined;
  private loadBalancers: (() => Promise<DataPlaneCounters | undefined>) | undefined;
  /** This scrape's reads of its sources, made before the series are written (see exposition()). */
  private loadBalancerRead: Promise<DataPlaneCounters | undefined> | undefined;
  private tasksRead: Promise<TaskCount[] | undefined> | undefined;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.apiRequests = new Histogram({
      name: 'berth_api_request_duration_seconds',
      help: 'AWS API calls served by the edge, by service, operation and outcome (error_code is the AWS error code, empty when ok).',
      labelNames: ['service', 'operation', 'outcome', 'error_code'],
      buckets: latencyBuckets,
      registers,
    });
    this.authFailures = new Counter({
      name: 'berth_auth_failures_total',
      help: 'Calls refused because the signature or credentials did not hold (authentication) or a policy did not allow them (authorization).',
      labelNames: ['service', 'kind', 'error_code'],
      registers,
    });
    this.storeTransactions = new Histogram({
      name: 'berth_store_transaction_duration_seconds',
      help: 'Store transactions, read or write, from the call to its result (a write includes its retries).',
      labelNames: ['kind', 'outcome'],
      buckets: storeBuckets,
      registers,
    });
    this.storeConflicts = new Counter({
      name: 'berth_store_write_conflicts_total',
      help: 'Write attempts that met a conflict: retried, or given up after the last attempt.',
      labelNames: ['result'],
      registers,
    });
    this.reconciles = new Histogram({
      name: 'berth_controller_reconcile_duration_seconds',
      help: 'Reconciles of one key by each controller, by outcome (error: the reconcile threw and is retried after a back-off).',
      labelNames: ['controller', 'outcome'],
      buckets: latencyBuckets,
      registers,
    });
    this.registryRequests = new Counter({
      name: 'berth_registry_requests_total',
      help: 'Registry (/v2/) requests by kind (manifest, blob, upload, uploads, tags, catalog, referrers, base), method and outcome.',
      labelNames: ['kind', 'method', 'outcome'],
      registers,
    });
    this.registryBytes = new Counter({
      name: 'berth_registry_bytes_total',
      help: 'Bytes of registry (/v2/) request and response bodies: direction in (pushed) or out (pulled).',
      labelNames: ['direction'],
      registers,
    });
    this.scrapeFailures = new Counter({
      name: 'berth_scrape_source_failures_total',
      help: 'Scrapes that left a source out because it could not be read (tasks: the store; load_balancers: the data plane).',
      labelNames: ['source'],
      registers,
    });
    const queues = this.queues;
    new Gauge({
      name: 'berth_controller_queue_keys',
      help: 'Keys waiting in each controller: dirty (to reconcile now) and delayed (due later).',
      labelNames: ['controller', 'state'],
      registers,
      collect() {
        this.reset();
        for (const [controller, queued] of queues) {
          const { dirty, delayed } = queued();
          this.set({ controller, state: 'dirty' }, dirty);
          this.set({ controller, state: 'delayed' }, delayed);
        }
      },
    });
    const telemetry = this;
    new Gauge({
      name: 'berth_agents_connected',
      help: 'Agents (container instances and FARGATE capacity hosts) connected to this process.',
      registers,
      collect() {
        if (telemetry.agents) this.set(telemetry.agents());
      },
    });
    new Gauge({
      name: 'berth_change_feed_backlog',
      help: "Changes published by the store's change feed that its furthest-behind subscriber (a controller, the agent hub) has not received yet.",
      registers,
      collect() {
        if (telemetry.changeFeed) this.set(telemetry.changeFeed());
      },
    });
    new Gauge({
      name: 'berth_tasks',
      help: 'Tasks in the store, every account and region, by lastStatus and launch type.',
      labelNames: ['last_status', 'launch_type'],
      registers,
      async collect() {
        this.reset();
        for (const { lastStatus, launchType, count } of (await telemetry.readTasks()) ?? []) this.set({ last_status: lastStatus, launch_type: launchType }, count);
      },
    });
    this.loadBalancerGauges(registers);
  }

  /** A call the edge answered. `operation` must be one of the service's own (or `unknown`). */
  request(service: string, operation: string, statusCode: number, errorCode: string | undefined, seconds: number): void {
    const code = statusCode >= 400 ? (errorCode ?? 'Unknown') : '';
    this.apiRequests.observe({ service, operation, outcome: outcomeOf(statusCode), error_code: code }, seconds);
    const kind = errorCode === undefined ? undefined : authFailureOf(errorCode);
    if (kind) this.authFailures.inc({ service, kind, error_code: code });
  }

  /** A /v2/ request: its kind of resource, and the body bytes it brought and sent. */
  registryRequest(kind: string, method: string, statusCode: number, bytesIn: number, bytesOut: number): void {
    this.registryRequests.inc({ kind, method, outcome: outcomeOf(statusCode) });
    if (bytesIn > 0) this.registryBytes.inc({ direction: 'in' }, bytesIn);
    if (bytesOut > 0) this.registryBytes.inc({ direction: 'out' }, bytesOut);
  }

  transaction(kind: 'read' | 'write', seconds: number, failed: boolean): void {
    this.storeTransactions.observe({ kind, outcome: failed ? 'error' : 'ok' }, seconds);
  }

  conflict(gaveUp: boolean): void {
    this.storeConflicts.inc({ result: gaveUp ? 'gave_up' : 'retried' });
  }

  reconciled(controller: string, seconds: number, failed: boolean): void {
    this.reconciles.observe({ controller, outcome: failed ? 'error' : 'ok' }, seconds);
  }

  observeQueue(controller: string, queued: () => { dirty: number; delayed: number }): void {
    this.queues.set(controller, queued);
  }

  observeAgents(connected: () => number): void {
    this.agents = connected;
  }

  observeChangeFeed(backlog: () => number): void {
    this.changeFeed = backlog;
  }

  observeTasks(counts: () => Promise<TaskCount[]>): void {
    this.tasks = counts;
  }

  /** The load balancers' data plane counters, read at each scrape (undefined: no data plane runs). */
  observeLoadBalancers(counters: () => Promise<DataPlaneCounters | undefined>): void {
    this.loadBalancers = counters;
  }

  /** A source that cannot be read (a store closing, a data plane gone) is left out of the scrape rather than failing it. */
  private readTasks(): Promise<TaskCount[] | undefined> {
    this.tasksRead ??= (this.tasks?.() ?? Promise.resolve([])).catch(() => this.scrapeFailed('tasks'));
    return this.tasksRead;
  }

  private readLoadBalancers(): Promise<DataPlaneCounters | undefined> {
    this.loadBalancerRead ??= (this.loadBalancers?.() ?? Promise.resolve(undefined)).catch(() => this.scrapeFailed('load_balancers'));
    return this.loadBalancerRead;
  }

  /** Counts a source left out of a scrape; answers nothing, so the scrape goes on without it. */
  private scrapeFailed(source: string): undefined {
    this.scrapeFailures.inc({ source });
    return undefined;
  }

  /** The text a scraper reads. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    // The sources are read first, once, so that a failure is counted in this very scrape and
    // every gauge made from one read agrees with the others.
    this.loadBalancerRead = undefined;
    this.tasksRead = undefined;
    await Promise.all([this.readLoadBalancers(), this.readTasks()]);
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /**
   * The data plane's counters as series, from the one read exposition() makes. They are gauges, not counters: the data plane's counts start again at zero
   * when it restarts, which `rate()` handles the same way for either type.
   */
  private loadBalancerGauges(registers: Registry[]): void {
    const read = () => this.readLoadBalancers();
    type LbField = keyof DataPlaneCounters['loadBalancers'][string];
    type TgField = keyof DataPlaneCounters['targetGroups'][string];
    const lbSeries: [string, LbField, string][] = [
      ['berth_load_balancer_requests', 'requestCount', 'Requests the load balancer answered since its data plane started.'],
      ['berth_load_balancer_elb_4xx', 'httpCodeElb4xx', '4xx answers the load balancer made itself.'],
      ['berth_load_balancer_elb_5xx', 'httpCodeElb5xx', '5xx answers the load balancer made itself (no healthy target, a target that failed).'],
      ['berth_load_balancer_active_connections', 'activeConnectionCount', 'Client connections open now.'],
      ['berth_load_balancer_processed_bytes', 'processedBytes', 'Bytes the load balancer carried, both ways.'],
    ];
    const tgSeries: [string, TgField, string][] = [
      ['berth_target_group_requests', 'requestCount', 'Requests sent to the target group\'s targets.'],
      ['berth_target_group_target_5xx', 'httpCodeTarget5xx', '5xx answers from the targets.'],
      ['berth_target_group_healthy_hosts', 'healthyHostCount', 'Targets passing their health check.'],
      ['berth_target_group_unhealthy_hosts', 'unhealthyHostCount', 'Targets failing their health check.'],
    ];
    // One gauge a series, a value per resource name, summed from the counters this scrape read.
    const gauge = (name: string, help: string, label: 'load_balancer' | 'target_group', sums: (counters: DataPlaneCounters | undefined) => Map<string, number>) =>
      new Gauge({
        name,
        help,
        labelNames: [label],
        registers,
        async collect() {
          this.reset();
          for (const [resource, sum] of sums(await read())) this.set({ [label]: resource }, sum);
        },
      });
    for (const [name, field, help] of lbSeries) gauge(name, help, 'load_balancer', (counters) => sumByName(counters?.loadBalancers ?? {}, field));
    for (const [name, field, help] of tgSeries) gauge(name, help, 'target_group', (counters) => sumByName(counters?.targetGroups ?? {}, field));
  }
}

/**
 * `arn:aws:elasticloadbalancing:…:loadbalancer/app/web/50dc6c495c0c9188` → `web`; a target group's
 * ARN (`…:targetgroup/web-tg/73e2d6bc24d8a067`) → `web-tg` (elbv2/ids.ts forms them). A key that
 * is neither is kept as given.
 */
export function resourceNameOf(key: string): string {
  const arn = Arn.parse(key);
  if (arn?.resourceType === 'loadbalancer' && arn.resourcePath.length === 3) return arn.resourcePath[1]!;
  if (arn?.resourceType === 'targetgroup' && arn.resourcePath.length === 2) return arn.resourcePath[0]!;
  return key;
}

/** Sums one field by resource name (two accounts may use the same name; their counts add up). */
function sumByName<T extends Record<string, number>>(byKey: Record<string, T>, field: keyof T): Map<string, number> {
  const sums = new Map<string, number>();
  for (const [key, values] of Object.entries(byKey)) {
    const name = resourceNameOf(key);
    sums.set(name, (sums.get(name) ?? 0) + (values[field] ?? 0));
  }
  return sums;
}
