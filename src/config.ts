import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseByteSize } from './core/byte-size.js';

export interface BerthConfig {
  host: string;
  port: number;
  dataDir: string;
  region: string;
  accountId: string;
  rootAccessKeyId?: string;
  rootSecretAccessKey?: string;
  logLevel: string;
  /** The host[:port] of repository URIs, when not the address Berth listens on. */
  registryHost?: string;
  /** Seconds an instance's agent may stay disconnected before its service tasks are replaced elsewhere. */
  agentLostAfterSeconds?: number;
  /** The largest blob the registry takes, in bytes (10 GiB unless set). */
  registryMaxBlobBytes?: number;
  /** The most one account's repositories may hold, in bytes; no quota unless set. */
  registryAccountQuotaBytes?: number;
}

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
    ...(env.BERTH_REGISTRY_HOST ? { registryHost: env.BERTH_REGISTRY_HOST } : {}),
    ...(env.BERTH_AGENT_LOST_AFTER ? { agentLostAfterSeconds: Number(env.BERTH_AGENT_LOST_AFTER) } : {}),
    ...(env.BERTH_REGISTRY_MAX_BLOB_SIZE ? { registryMaxBlobBytes: parseByteSize(env.BERTH_REGISTRY_MAX_BLOB_SIZE) ?? Number.NaN } : {}),
    ...(env.BERTH_REGISTRY_ACCOUNT_QUOTA ? { registryAccountQuotaBytes: parseByteSize(env.BERTH_REGISTRY_ACCOUNT_QUOTA) ?? Number.NaN } : {}),
    ...(env.BERTH_ROOT_ACCESS_KEY_ID ? { rootAccessKeyId: env.BERTH_ROOT_ACCESS_KEY_ID } : {}),
    ...(env.BERTH_ROOT_SECRET_ACCESS_KEY ? { rootSecretAccessKey: env.BERTH_ROOT_SECRET_ACCESS_KEY } : {}),
  };
}

export function checkConfig(config: BerthConfig): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) problems.push(`port must be 0–65535, got ${config.port}`);
  if (!/^\d{12}$/.test(config.accountId)) problems.push(`account id must be 12 digits, got '${config.accountId}'`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(config.region)) problems.push(`region must look like us-east-1, got '${config.region}'`);
  if (config.registryHost !== undefined && !/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(config.registryHost)) {
    problems.push(`registry host must be host or host:port, got '${config.registryHost}'`);
  }
  if (config.agentLostAfterSeconds !== undefined && !(Number.isInteger(config.agentLostAfterSeconds) && config.agentLostAfterSeconds >= 1)) {
    problems.push(`agent-lost-after must be a whole number of seconds, at least 1, got '${config.agentLostAfterSeconds}'`);
  }
  for (const [name, value] of [
    ['registry-max-blob-size', config.registryMaxBlobBytes],
    ['registry-account-quota', config.registryAccountQuotaBytes],
  ] as const) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) problems.push(`${name} must be a size such as 512MiB or 10GiB, got '${value}'`);
  }
  if (Boolean(config.rootAccessKeyId) !== Boolean(config.rootSecretAccessKey)) {
    problems.push('BERTH_ROOT_ACCESS_KEY_ID and BERTH_ROOT_SECRET_ACCESS_KEY must be set together');
  }
  return problems;
}
