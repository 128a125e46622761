/**
 * Shared pieces of the benchmark scripts: a Berth child process, in-process agents, latency
 * statistics, a bounded load loop. Benchmarks leave nothing behind, even when interrupted: the
 * Berth process and the containers of Docker agents are removed on SIGINT and SIGTERM too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'node:http';
import { ECSClient } from '@aws-sdk/client-ecs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { pino } from 'pino';
import { startAgent, type AgentOptions, type RunningAgent } from '../src/agent/agent.js';
import { DockerRuntime } from '../src/agent/runtime/docker-runtime.js';
import { SimulatedRuntime } from '../src/agent/simulated/simulated-runtime.js';
import { berthContainers, berthVolumes, dockerOf, removeVolumes, stopAndRemove } from '../src/cli/berth-containers.js';
import { whenInterrupted } from '../test/helpers/interrupt.js';

export { whenInterrupted };

export const benchCredentials = { accessKeyId: 'AKIABENCHROOT0000001', secretAccessKey: 'bench-secret-key-000000000000000000000001' };

export interface BerthProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
  /** Resident set size of the server process in MiB, from /proc. */
  rssMiB(): Promise<number>;
  /** CPU seconds (user + system) the server process has used so far, from /proc. */
  cpuSeconds(): Promise<number>;
  /** Peak resident set size of the server process in MiB (VmHWM). */
  peakRssMiB(): Promise<number>;
}

export async function startBerthProcess(): Promise<BerthProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-'));
  const child = spawn(process.execPath, ['bin/berth.js', 'server', '--port', '0', '--log-level', 'warn'], {
    env: { ...process.env, BERTH_DATA_DIR: dataDir, BERTH_ROOT_ACCESS_KEY_ID: benchCredentials.accessKeyId, BERTH_ROOT_SECRET_ACCESS_KEY: benchCredentials.secretAccessKey },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const forget = whenInterrupted(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /endpoint:\s+(http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`berth exited with ${code} before it was up:\n${output}`)));
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
      forget();
    },
    async cpuSeconds() {
      const { readFile } = await import('node:fs/promises');
      const fields = (await readFile(`/proc/${child.pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
      // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    async peakRssMiB() {
      const { readFile } = await import('node:fs/promises');
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    },
    async rssMiB() {
      const { readFile } = await import('node:fs/promises');
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb / 1024;
    },
  };
}

export function benchClient(url: string, sockets = 64): ECSClient {
  return new ECSClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: benchCredentials,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: sockets }) }),
  });
}

/** An agent in the benchmark's own process, joining cluster `default` on Docker unless `overrides` say otherwise. */
export function benchAgentOptions(url: string, dataDir: string, overrides: Partial<AgentOptions>): AgentOptions {
  return {
    endpoint: url,
    region: 'us-east-1',
    credentials: benchCredentials,
    mode: 'instance',
    cluster: 'default',
    launchKind: 'EC2',
    dataDir,
    availabilityZone: 'us-east-1a',
    reservedMemoryMiB: 0,
    reservedPorts: [],
    pullBehavior: 'prefer-cached',
    cleanupDelayMs: 0,
    runtime: new DockerRuntime(),
    metadata: true,
    log: pino({ level: 'warn' }),
    ...overrides,
  };
}

/** Stops and removes every container, and removes every task volume, that the agent `owner` created. */
export async function removeAgentLeftovers(owner: string): Promise<void> {
  const docker = dockerOf();
  await stopAndRemove(docker, await berthContainers(docker, [owner]), () => undefined);
  await removeVolumes(docker, (await berthVolumes(docker)).filter((volume) => volume.owner === owner), () => undefined);
}

/**
 * An agent on Docker in the benchmark's own process. `stop()` stops it and removes what it
 * created: a stopped agent leaves its tasks' containers (running ones, and stopped ones it has not
 * cleaned up yet) on the engine, as a real agent does.
 */
export interface BenchAgent {
  agent: RunningAgent;
  stop(): Promise<void>;
}

export async function startDockerBenchAgent(url: string, dataDir: string, overrides: Partial<AgentOptions> = {}): Promise<BenchAgent> {
  const agent = await startAgent(benchAgentOptions(url, dataDir, overrides));
  const owner = agent.registration.owner;
  const stop = async () => {
    await agent.stop();
    await removeAgentLeftovers(owner);
  };
  const forget = whenInterrupted(stop);
  return {
    agent,
    async stop() {
      await stop();
      forget();
    },
  };
}

/** `count` simulated instances of 16 CPUs and 64 GiB, over three availability zones, registered `concurrency` at a time. */
export async function startSimulatedFleet(url: string, dataDir: string, count: number, concurrency: number): Promise<RunningAgent[]> {
  const agents: RunningAgent[] = [];
  const starting = load(concurrency, count, async (index) => {
    agents.push(
      await startAgent(
        benchAgentOptions(url, dataDir, {
          name: `sim-${index}`,
          availabilityZone: `us-east-1${'abc'[index % 3]}`,
          runtime: new SimulatedRuntime({ cpus: 16, memoryBytes: 64 * 1024 ** 3 }),
          metadata: false,
          simulated: true,
          tickMs: 60_000,
        }),
      ),
    );
  });
  try {
    await starting;
  } catch (error) {
    await Promise.all(agents.map((agent) => agent.stop()));
    throw error;
  }
  return agents;
}

export interface LatencyStats {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

export function stats(latenciesMs: number[], seconds: number): LatencyStats {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { requests: sorted.length, seconds, perSecond: sorted.length / seconds, p50: at(0.5), p99: at(0.99) };
}

/** Runs `work` from `concurrency` workers until `total` calls are done; returns each call's latency. */
export async function load(concurrency: number, total: number, work: (index: number) => Promise<unknown>): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const index = next++;
        const t0 = performance.now();
        await work(index);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

export const fmt = (value: number, digits = 1) => value.toFixed(digits);

/**
 * Open-loop load: `concurrency` workers together offer `ratePerSecond` requests for `seconds`.
 * Latency counts from each request's scheduled start, so a slow server cannot hide queueing.
 */
export async function pacedLoad(concurrency: number, ratePerSecond: number, seconds: number, work: (index: number) => Promise<unknown>): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  const interval = (1000 * concurrency) / ratePerSecond;
  const started = performance.now();
  const perWorker = Math.floor((seconds * ratePerSecond) / concurrency);
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; i < perWorker; i++) {
        const scheduled = started + (i + worker / concurrency) * interval;
        const wait = scheduled - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        await work(worker * perWorker + i);
        latencies.push(performance.now() - scheduled);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}
