/** Starts a real Berth server on a free loopback port with a fresh data directory, for behaviour tests. */
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { BerthConfig } from '../../src/config.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server.js';

export const testCredentials = { accessKeyId: 'AKIATESTROOT00000001', secretAccessKey: 'test-secret-key-for-berth-tests-000000001' };

export interface TestBerth {
  server: RunningServer;
  url: string;
  dataDir: string;
  config: BerthConfig;
  ecs(region?: string, credentials?: { accessKeyId: string; secretAccessKey: string }): ECSClient;
  secretsManager(region?: string, credentials?: { accessKeyId: string; secretAccessKey: string }): SecretsManagerClient;
  ecr(region?: string, credentials?: { accessKeyId: string; secretAccessKey: string }): ECRClient;
  /** Stops the server but keeps the data directory (for restart tests). */
  stop(): Promise<void>;
  /** Starts again on the same data directory and port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `options` gives the server a clock the test moves, or other delays (restarts keep them), or an
 * authorize step that replaces the built-in one, for tests of what a denied call answers, or a
 * logger whose lines the test reads.
 */
export async function startBerth(overrides: Partial<BerthConfig> = {}, options: Pick<ServerOptions, 'clock' | 'timing' | 'authorize' | 'lowestBindablePort' | 'log' | 'telemetry'> = {}): Promise<TestBerth> {
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'berth-test-'));
  // Test servers run side by side: each gives its load balancers addresses of its own, so their listeners never collide.
  const loadBalancerAddresses = `127.${64 + randomInt(190)}.${randomInt(256)}.0/24`;
  const config: BerthConfig = {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    region: 'us-east-1',
    accountId: '000000000000',
    logLevel: 'silent',
    rootAccessKeyId: testCredentials.accessKeyId,
    rootSecretAccessKey: testCredentials.secretAccessKey,
    loadBalancerAddresses,
    ...overrides,
  };
  let server = await startServer(config, { ...options, logger: false });
  const clients: { destroy(): void }[] = [];
  const handle: TestBerth = {
    server,
    url: server.url,
    dataDir,
    config,
    ecs(region = 'us-east-1', credentials = testCredentials) {
      const client = new ECSClient({ endpoint: handle.url, region, credentials, maxAttempts: 1 });
      clients.push(client);
      return client;
    },
    secretsManager(region = 'us-east-1', credentials = testCredentials) {
      const client = new SecretsManagerClient({ endpoint: handle.url, region, credentials, maxAttempts: 1 });
      clients.push(client);
      return client;
    },
    ecr(region = 'us-east-1', credentials = testCredentials) {
      const client = new ECRClient({ endpoint: handle.url, region, credentials, maxAttempts: 1 });
      clients.push(client);
      return client;
    },
    async stop() {
      await server.close();
    },
    async restart() {
      server = await startServer({ ...config, port: Number(new URL(handle.url).port) }, { ...options, logger: false });
      handle.server = server;
    },
    async close() {
      for (const client of clients) client.destroy();
      await server.close().catch(() => undefined);
      // The data plane outlives a control plane that stops; a test's does not outlive the test.
      await server.dataPlane.shutdown().catch(() => undefined);
      if (!overrides.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}
