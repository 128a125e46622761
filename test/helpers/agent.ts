/** Runs a real Berth agent against a test Berth, on the local Docker engine (or a given runtime). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startAgent, type AgentOptions, type RunningAgent } from '../../src/agent/agent.js';
import Docker from 'dockerode';
import { DockerRuntime, socketPathFromEnvironment } from '../../src/agent/runtime/docker-runtime.js';
import { labels } from '../../src/agent/runtime/types.js';
import { SimulatedRuntime } from '../../src/agent/simulated/simulated-runtime.js';
import { testCredentials, type TestBerth } from './berth.js';
import { whenInterrupted } from './interrupt.js';

export interface TestAgent {
  agent: RunningAgent;
  dataDir: string;
  options: AgentOptions;
  stop(): Promise<void>;
  /** Starts a new agent process-equivalent on the same data directory. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Options for a simulated agent (`berth agent --simulate`): an instance of 4 CPUs and 8 GiB that
 * takes tasks like a real one and runs no containers.
 */
export function simulatedAgent(overrides: Partial<AgentOptions> = {}): Partial<AgentOptions> {
  return {
    runtime: new SimulatedRuntime({ cpus: 4, memoryBytes: 8 * 1024 ** 3 }),
    metadata: false,
    simulated: true,
    pullBehavior: 'prefer-cached',
    reservedMemoryMiB: 0,
    ...overrides,
  };
}

/** Task volumes the agent had no time to remove before the test ended. */
async function removeVolumesOf(owner: string): Promise<void> {
  const docker = new Docker({ socketPath: socketPathFromEnvironment() });
  const { Volumes } = await docker.listVolumes({ filters: JSON.stringify({ label: [`${labels.owner}=${owner}`] }) }).catch(() => ({ Volumes: [] }));
  await Promise.all((Volumes ?? []).map((volume) => docker.getVolume(volume.Name).remove().catch(() => undefined)));
}

/** `berth` may be any Berth endpoint, in this process or another. */
export async function startTestAgent(berth: Pick<TestBerth, 'url'>, overrides: Partial<AgentOptions> = {}): Promise<TestAgent> {
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'berth-agent-test-'));
  const options: AgentOptions = {
    endpoint: berth.url,
    region: 'us-east-1',
    credentials: testCredentials,
    mode: 'instance',
    cluster: 'default',
    launchKind: 'EC2',
    dataDir,
    availabilityZone: 'us-east-1a',
    reservedMemoryMiB: 256,
    reservedPorts: [22],
    pullBehavior: 'default',
    cleanupDelayMs: 0,
    runtime: new DockerRuntime(),
    metadata: true,
    log: pino({ level: process.env.BERTH_TEST_AGENT_LOG ?? 'silent' }),
    tickMs: 1000,
    ...overrides,
  };
  let agent = await startAgent(options);
  /** Tests leave no containers behind: remove whatever this agent created, running or not. */
  const removeLeftovers = async () => {
    const owner = agent.registration.owner;
    const leftovers = await options.runtime.listManaged(owner).catch(() => []);
    await Promise.all(leftovers.map((container) => options.runtime.remove(container.id).catch(() => undefined)));
    if (options.runtime instanceof DockerRuntime) await removeVolumesOf(owner);
  };
  const forget = whenInterrupted(async () => {
    await agent.stop().catch(() => undefined);
    await removeLeftovers();
  });
  const handle: TestAgent = {
    agent,
    dataDir,
    options,
    async stop() {
      await agent.stop();
    },
    async restart() {
      agent = await startAgent(options);
      handle.agent = agent;
    },
    async close() {
      await agent.stop().catch(() => undefined);
      await removeLeftovers();
      forget();
      if (!overrides.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

/** Polls `probe` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
