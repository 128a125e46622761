/**
 * What the commands that talk to a running Berth share: where it is, which credentials sign the
 * requests (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else the root credentials kept in the data
 * directory), and in which region.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { defaults } from '../config.js';
import { databaseFileName, SqliteStore } from '../store/sqlite/sqlite-store.js';
import { runRecords } from './run-record.js';
import type { CliCredentials } from './signed-fetch.js';

export interface ClientFlags {
  endpoint?: string;
  dataDir: string;
  keyFile?: string;
  accountId: string;
  region: string;
}

/** The option naming the key file that opens the root credentials kept in the data directory. */
export const keyFileOption = () =>
  new Option('--key-file <file>', 'the key that seals the data directory\'s secrets (default: ~/.config/berth/secrets.key)').env('BERTH_KEY_FILE');

export function withClientOptions(command: Command, regionEnv = 'AWS_DEFAULT_REGION'): Command {
  return command
    .addOption(
      new Option('-e, --endpoint <url>', 'the Berth endpoint (default: that of the Berth running on --data-dir, else http://BERTH_HOST:BERTH_PORT, i.e. http://127.0.0.1:4566)').env(
        'AWS_ENDPOINT_URL',
      ),
    )
    .addOption(new Option('-d, --data-dir <dir>', 'the data directory: root credentials when AWS_ACCESS_KEY_ID is unset').env('BERTH_DATA_DIR').default(defaults.dataDir))
    .addOption(keyFileOption())
    .addOption(new Option('--account-id <id>', 'the account whose root credentials are read from the data directory').env('BERTH_ACCOUNT_ID').default(defaults.accountId))
    .addOption(new Option('--region <region>', 'the region to sign requests for').env(regionEnv).default(defaults.region));
}

/** The endpoint to talk to: the flag, else the one the Berth on this data directory recorded, else the default `berth up` listens on. */
export function endpointOf(flags: Pick<ClientFlags, 'endpoint' | 'dataDir'>, env: NodeJS.ProcessEnv = process.env): string {
  if (flags.endpoint) return flags.endpoint.replace(/\/+$/, '');
  const running = runRecords(flags.dataDir)[0];
  if (running) return running.endpoint;
  return `http://${env.BERTH_HOST ?? defaults.host}:${env.BERTH_PORT ?? defaults.port}`;
}

export async function rootCredentialsIn(dataDir: string, accountId: string, keyFile?: string): Promise<CliCredentials | undefined> {
  // Only a data directory a Berth has started on is read: a mistyped --data-dir must not become a
  // new, empty one (with a key of its own) as a side effect of a command that only reads.
  if (!existsSync(join(dataDir, databaseFileName))) return undefined;
  const store = new SqliteStore(dataDir, keyFile !== undefined ? { keyFile } : {});
  try {
    const root = await store.read((tx) => tx.credentials.findRoot(accountId));
    return root ? { accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey } : undefined;
  } finally {
    await store.close();
  }
}

export async function cliCredentials(dataDir: string, accountId: string, keyFile?: string): Promise<CliCredentials> {
  if (process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY) {
    return { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY };
  }
  const root = await rootCredentialsIn(dataDir, accountId, keyFile);
  if (!root) throw new Error(`no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or start Berth once with --data-dir ${dataDir}`);
  return root;
}

/** Whether a Berth answers its health check at `endpoint`, within `timeoutMs`. */
export async function healthOf(endpoint: string, timeoutMs = 3_000): Promise<{ version?: string } | undefined> {
  try {
    const response = await fetch(`${endpoint}/_berth/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { status?: string; version?: string };
    return body.status === 'ok' ? { ...(body.version ? { version: body.version } : {}) } : undefined;
  } catch {
    return undefined;
  }
}
