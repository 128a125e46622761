import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { regionPattern } from './core/regions.js';
import { parseByteSize } from './core/byte-size.js';
import { parseAddressRange } from './elbv2/addresses.js';
import { metricsAllowList, metricsAllowProblems } from './telemetry/access.js';

export interface BerthConfig {
  host: string;
  port: number;
  dataDir: string;
  region: string;
  accountId: string;
  rootAccessKeyId?: string;
  rootSecretAccessKey?: string;
  /** The file holding the key that seals secrets in the store; by default `~/.config/berth/secrets.key`. */
  keyFile?: string;
  logLevel: string;
  /** The host[:port] of repository URIs, when not the address Berth listens on. */
  registryHost?: string;
  /** Seconds an instance's agent may stay disconnected before its service tasks are replaced elsewhere. */
  agentLostAfterSeconds?: number;
  /** Seconds between the control plane's pings to each agent; an agent silent until the next ping is disconnected. */
  agentPingIntervalSeconds?: number;
  /** Regions accepted in credential scopes besides AWS's own. */
  extraRegions?: string[];
  /** Seconds a client has to send a request's headers. */
  headersTimeoutSeconds?: number;
  /** Seconds a connection may stay silent (mid-body or between requests) before it is closed. */
  idleTimeoutSeconds?: number;
  /** Connections held at once, in all and from one client address. */
  maxConnections?: number;
  maxConnectionsPerClient?: number;
  /** The largest blob the registry takes, in bytes (10 GiB unless set). */
  registryMaxBlobBytes?: number;
  /** The most one account's repositories may hold, in bytes; no quota unless set. */
  registryAccountQuotaBytes?: number;
  /** The most CloudWatch Logs' event storage (logs.db) may take on disk, in bytes; PutLogEvents is refused past it. No limit unless set. */
  logStorageMaxBytes?: number;
  /** The IPv4 range (CIDR) load balancers' loopback addresses come from; 127.0.2.0/24 unless set. */
  loadBalancerAddresses?: string;
  /** What forwards load balancers' traffic: Berth's embedded data plane (the default) or Debian's haproxy. */
  loadBalancerDataPlane?: 'embedded' | 'haproxy';
  /**
   * A file every Application Load Balancer appends its access log to (one line per request, ALB's
   * fields); none unless set. ALB writes to S3, which Berth does not serve: its `access_logs.s3.*`
   * attributes stay refused.
   */
  loadBalancerAccessLog?: string;
  /**
   * The period (seconds) Berth's own metric publishers aggregate over: 60 as in AWS unless set; 1, 5,
   * 10 or 30 for fast local feedback (kept as high-resolution points).
   */
  metricPeriodSeconds?: number;
  /**
   * The address ranges GET /metrics (Berth's own Prometheus metrics) answers; loopback
   * (127.0.0.0/8, ::1) unless set. The list replaces loopback rather than adding to it.
   */
  metricsAllow?: string[];
}

/** The periods a publisher may use: CloudWatch's high-resolution periods and its one minute. */
export const metricPeriods = [1, 5, 10, 30, 60] as const;

export const defaults = {
  host: '127.0.0.1',
  port: 4566,
  region: 'us-east-1',
  accountId: '000000000000',
  dataDir: join(homedir(), '.berth'),
  logLevel: 'info',
};

/** Environment variables a flag falls back to, and then the defaults. */
export function configFromEnvironment(env: NodeJS.ProcessEnv = process.env): BerthConfig {
  return {
    host: env.BERTH_HOST ?? defaults.host,
    port: env.BERTH_PORT ? Number(env.BERTH_PORT) : defaults.port,
    dataDir: env.BERTH_DATA_DIR ?? defaults.dataDir,
    region: env.BERTH_REGION ?? defaults.region,
    accountId: env.BERTH_ACCOUNT_ID ?? defaults.accountId,
    logLevel: env.BERTH_LOG_LEVEL ?? defaults.logLevel,
    ...(env.BERTH_KEY_FILE ? { keyFile: env.BERTH_KEY_FILE } : {}),
    ...(env.BERTH_REGISTRY_HOST ? { registryHost: env.BERTH_REGISTRY_HOST } : {}),
    ...(env.BERTH_AGENT_LOST_AFTER ? { agentLostAfterSeconds: Number(env.BERTH_AGENT_LOST_AFTER) } : {}),
    ...(env.BERTH_AGENT_PING_INTERVAL ? { agentPingIntervalSeconds: Number(env.BERTH_AGENT_PING_INTERVAL) } : {}),
    ...(env.BERTH_EXTRA_REGIONS ? { extraRegions: regionList(env.BERTH_EXTRA_REGIONS) } : {}),
    ...(env.BERTH_HEADERS_TIMEOUT ? { headersTimeoutSeconds: Number(env.BERTH_HEADERS_TIMEOUT) } : {}),
    ...(env.BERTH_IDLE_TIMEOUT ? { idleTimeoutSeconds: Number(env.BERTH_IDLE_TIMEOUT) } : {}),
    ...(env.BERTH_MAX_CONNECTIONS ? { maxConnections: Number(env.BERTH_MAX_CONNECTIONS) } : {}),
    ...(env.BERTH_MAX_CONNECTIONS_PER_CLIENT ? { maxConnectionsPerClient: Number(env.BERTH_MAX_CONNECTIONS_PER_CLIENT) } : {}),
    ...(env.BERTH_REGISTRY_MAX_BLOB_SIZE ? { registryMaxBlobBytes: parseByteSize(env.BERTH_REGISTRY_MAX_BLOB_SIZE) ?? Number.NaN } : {}),
    ...(env.BERTH_REGISTRY_ACCOUNT_QUOTA ? { registryAccountQuotaBytes: parseByteSize(env.BERTH_REGISTRY_ACCOUNT_QUOTA) ?? Number.NaN } : {}),
    ...(env.BERTH_LOG_STORAGE_MAX_SIZE ? { logStorageMaxBytes: parseByteSize(env.BERTH_LOG_STORAGE_MAX_SIZE) ?? Number.NaN } : {}),
    ...(env.BERTH_LOAD_BALANCER_ADDRESSES ? { loadBalancerAddresses: env.BERTH_LOAD_BALANCER_ADDRESSES } : {}),
    ...(env.BERTH_LOAD_BALANCER_DATA_PLANE ? { loadBalancerDataPlane: env.BERTH_LOAD_BALANCER_DATA_PLANE as BerthConfig['loadBalancerDataPlane'] } : {}),
    ...(env.BERTH_LOAD_BALANCER_ACCESS_LOG ? { loadBalancerAccessLog: env.BERTH_LOAD_BALANCER_ACCESS_LOG } : {}),
    ...(env.BERTH_METRIC_PERIOD ? { metricPeriodSeconds: Number(env.BERTH_METRIC_PERIOD) } : {}),
    ...(env.BERTH_METRICS_ALLOW !== undefined ? { metricsAllow: metricsAllowList(env.BERTH_METRICS_ALLOW) } : {}),
    ...(env.BERTH_ROOT_ACCESS_KEY_ID ? { rootAccessKeyId: env.BERTH_ROOT_ACCESS_KEY_ID } : {}),
    ...(env.BERTH_ROOT_SECRET_ACCESS_KEY ? { rootSecretAccessKey: env.BERTH_ROOT_SECRET_ACCESS_KEY } : {}),
  };
}

/** "me-east-9, xx-lab-1" → ["me-east-9", "xx-lab-1"]. */
export function regionList(value: string): string[] {
  return value
    .split(',')
    .map((region) => region.trim())
    .filter((region) => region.length > 0);
}

export function checkConfig(config: BerthConfig): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) problems.push(`port must be 0–65535, got ${config.port}`);
  if (!/^\d{12}$/.test(config.accountId)) problems.push(`account id must be 12 digits, got '${config.accountId}'`);
  if (!regionPattern.test(config.region)) problems.push(`region must look like us-east-1, got '${config.region}'`);
  if (config.registryHost !== undefined && !/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(config.registryHost)) {
    problems.push(`registry host must be host or host:port, got '${config.registryHost}'`);
  }
  if (config.agentLostAfterSeconds !== undefined && !(Number.isInteger(config.agentLostAfterSeconds) && config.agentLostAfterSeconds >= 1)) {
    problems.push(`agent-lost-after must be a whole number of seconds, at least 1, got '${config.agentLostAfterSeconds}'`);
  }
  if (config.agentPingIntervalSeconds !== undefined && !(Number.isInteger(config.agentPingIntervalSeconds) && config.agentPingIntervalSeconds >= 1)) {
    problems.push(`agent-ping-interval must be a whole number of seconds, at least 1, got '${config.agentPingIntervalSeconds}'`);
  }
  if (config.loadBalancerAddresses !== undefined && parseAddressRange(config.loadBalancerAddresses) === undefined) {
    problems.push(`load balancer addresses must be an IPv4 CIDR block such as 127.0.2.0/24, got '${config.loadBalancerAddresses}'`);
  }
  if (config.loadBalancerAccessLog !== undefined && !isAbsolute(config.loadBalancerAccessLog)) {
    problems.push(`the load balancer access log must be an absolute file path, got '${config.loadBalancerAccessLog}'`);
  }
  if (config.loadBalancerDataPlane !== undefined && !['embedded', 'haproxy'].includes(config.loadBalancerDataPlane)) {
    problems.push(`load balancer data plane must be embedded or haproxy, got '${config.loadBalancerDataPlane}'`);
  }
  if (config.metricPeriodSeconds !== undefined && !(metricPeriods as readonly number[]).includes(config.metricPeriodSeconds)) {
    problems.push(`metric period must be one of ${metricPeriods.join(', ')} seconds, got '${config.metricPeriodSeconds}'`);
  }
  if (config.metricsAllow !== undefined) problems.push(...metricsAllowProblems(config.metricsAllow));
  for (const region of config.extraRegions ?? []) {
    if (!regionPattern.test(region)) problems.push(`extra regions must look like us-east-1, got '${region}'`);
  }
  for (const [name, seconds] of [
    ['headers-timeout', config.headersTimeoutSeconds],
    ['idle-timeout', config.idleTimeoutSeconds],
  ] as const) {
    if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0)) problems.push(`${name} must be a positive number of seconds, got '${seconds}'`);
  }
  for (const [name, count] of [
    ['max-connections', config.maxConnections],
    ['max-connections-per-client', config.maxConnectionsPerClient],
  ] as const) {
    if (count !== undefined && !(Number.isInteger(count) && count >= 1)) problems.push(`${name} must be a whole number, at least 1, got '${count}'`);
  }
  for (const [name, value] of [
    ['registry-max-blob-size', config.registryMaxBlobBytes],
    ['registry-account-quota', config.registryAccountQuotaBytes],
    ['log-storage-max-size', config.logStorageMaxBytes],
  ] as const) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) problems.push(`${name} must be a size such as 512MiB or 10GiB, got '${value}'`);
  }
  if (Boolean(config.rootAccessKeyId) !== Boolean(config.rootSecretAccessKey)) {
    problems.push('BERTH_ROOT_ACCESS_KEY_ID and BERTH_ROOT_SECRET_ACCESS_KEY must be set together');
  }
  // ASIA… marks temporary credentials (STS): resets and the expiry sweep treat such keys as sessions.
  if (config.rootAccessKeyId?.startsWith('ASIA')) {
    problems.push(`BERTH_ROOT_ACCESS_KEY_ID must not start with ASIA, the prefix of temporary credentials, got '${config.rootAccessKeyId}'`);
  }
  return problems;
}
