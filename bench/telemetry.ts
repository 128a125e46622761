/**
 * The cost of Berth's own metrics on the ECS API: DescribeClusters from 8 concurrent clients
 * against two servers in this process, one measured (the default) and one started with telemetry
 * off, in alternating rounds so that drift on a shared machine falls on both alike. Prints the mean
 * and p99 latency of each and the ratio measured/unmeasured (target: at most 1.03); asserts nothing.
 *
 * Whole-call latencies on a busy machine drift by more than the instrumentation costs, so the
 * instrumentation is also timed alone: what one API call adds (the edge's histogram observation,
 * plus the store transactions the call makes, each timed), in microseconds, and that as a share
 * of the measured mean latency.
 *
 * BERTH_BENCH_TELEMETRY_ROUNDS (default 10) and BERTH_BENCH_TELEMETRY_CALLS (per round and
 * server, default 400) change the load.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { CreateClusterCommand, DescribeClustersCommand } from '@aws-sdk/client-ecs';
import { Telemetry } from '../src/telemetry/telemetry.js';
import { startBerth, type TestBerth } from '../test/helpers/berth.js';
import { benchClient, benchCredentials, fmt, load, stats } from './support.js';

const rounds = Number(process.env.BERTH_BENCH_TELEMETRY_ROUNDS ?? 10);
const callsPerRound = Number(process.env.BERTH_BENCH_TELEMETRY_CALLS ?? 400);
const concurrency = 8;

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** Microseconds one measured call adds: one request observation and `transactions` store timings. */
function instrumentationMicros(transactions: number): number {
  const telemetry = new Telemetry();
  const n = 200_000;
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    for (let t = 0; t < transactions; t++) telemetry.transaction('read', (performance.now() - t0) / 1000, false);
    telemetry.request('ecs', 'DescribeClusters', 200, undefined, (performance.now() - t0) / 1000);
  }
  return ((performance.now() - started) * 1000) / n;
}

export async function main(): Promise<void> {
  const root = { rootAccessKeyId: benchCredentials.accessKeyId, rootSecretAccessKey: benchCredentials.secretAccessKey };
  const measured = await startBerth(root);
  const unmeasured = await startBerth(root, { telemetry: false });
  const servers: [string, TestBerth][] = [
    ['measured', measured],
    ['unmeasured', unmeasured],
  ];
  const latencies: Record<string, number[]> = { measured: [], unmeasured: [] };
  const seconds: Record<string, number> = { measured: 0, unmeasured: 0 };
  /** Each round's measured/unmeasured ratio of mean latency: their median shrugs off a round hit by a stall. */
  const roundRatios: number[] = [];
  try {
    const clients = Object.fromEntries(servers.map(([name, berth]) => [name, benchClient(berth.url)]));
    for (const [name] of servers) await clients[name]!.send(new CreateClusterCommand({ clusterName: 'bench' }));
    const call = (name: string) => () => clients[name]!.send(new DescribeClustersCommand({ clusters: ['bench'] }));
    // Warm-up: JIT, connections, statement caches.
    for (const [name] of servers) await load(concurrency, callsPerRound, call(name));
    const readsBefore = await storeReads(measured);
    for (let round = 0; round < rounds; round++) {
      // Alternate which goes first, so neither always runs right after the other's garbage.
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      const roundMeans: Record<string, number> = {};
      for (const [name] of order) {
        const result = await load(concurrency, callsPerRound, call(name));
        latencies[name]!.push(...result.latencies);
        seconds[name]! += result.seconds;
        roundMeans[name] = mean(result.latencies);
      }
      roundRatios.push(roundMeans.measured! / roundMeans.unmeasured!);
    }
    const readsPerCall = ((await storeReads(measured)) - readsBefore) / (rounds * callsPerRound);
    for (const client of Object.values(clients)) client.destroy();

    console.log(`DescribeClusters, ${concurrency} concurrent clients, ${rounds} alternating rounds of ${callsPerRound} calls per server`);
    for (const [name] of servers) {
      const s = stats(latencies[name]!, seconds[name]!);
      console.log(`  ${name.padEnd(10)}  mean ${fmt(mean(latencies[name]!), 3)} ms  p50 ${fmt(s.p50, 3)} ms  p99 ${fmt(s.p99, 3)} ms  ${fmt(s.perSecond, 0)} calls/s`);
    }
    const ratio = mean(latencies.measured!) / mean(latencies.unmeasured!);
    const p50Ratio = stats(latencies.measured!, 1).p50 / stats(latencies.unmeasured!, 1).p50;
    console.log(`  ratio measured/unmeasured: ${fmt(median(roundRatios), 3)} (median of the rounds' mean latencies; target ≤ 1.03), ${fmt(ratio, 3)} over all calls, ${fmt(p50Ratio, 3)} at p50`);
    const micros = instrumentationMicros(Math.max(1, Math.round(readsPerCall)));
    const share = micros / 1000 / mean(latencies.unmeasured!);
    console.log(`  instrumentation alone: ${fmt(micros, 2)} µs per call (${fmt(readsPerCall, 1)} store reads timed per call) = ${fmt(share * 100, 2)}% of the unmeasured mean`);
  } finally {
    await measured.close();
    await unmeasured.close();
  }
}

/** Store reads timed so far by the measured server (from its own exposition). */
async function storeReads(berth: TestBerth): Promise<number> {
  const text = (await berth.server.telemetry?.exposition())?.body ?? '';
  const line = text.split('\n').find((l) => l.startsWith('berth_store_transaction_duration_seconds_count{kind="read",outcome="ok"}'));
  return line ? Number(line.split(' ').pop()) : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
