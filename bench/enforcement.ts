/**
 * Enforcement's cost on the ECS API: DescribeClusters latency (p50/p99) at a fixed offered load,
 * signed by the root user (allowed by rule, no policy read) and by an IAM user with 10 attached
 * customer managed policies of 20 statements each (the policy benchmark's mix; the last statement
 * allows the call), in one run, against one Berth server process: one paced load whose requests
 * alternate between the two, so that drift in a shared machine falls on both alike. Prints figures
 * and the user/root ratio of p50 and p99 (target: at most 10% added); asserts nothing.
 *
 * On a busy machine those percentiles drift more than enforcement costs, so the authorize step is
 * also timed alone, in process: the policy enforcer deciding DescribeClusters for root and for the
 * user, microseconds per decision (compiled policies cached, as between calls of a server).
 *
 * BERTH_BENCH_ENFORCEMENT_RATE (requests/s, both principals together, default 200) and
 * BERTH_BENCH_ENFORCEMENT_SECONDS (default 20) change the load.
 */
import { Agent } from 'node:http';
import { pathToFileURL } from 'node:url';
import { CreateClusterCommand, DescribeClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { performance } from 'node:perf_hooks';
import { PolicyEnforcer } from '../src/authz/enforcer.js';
import { systemClock } from '../src/core/clock.js';
import type { Principal } from '../src/core/principal.js';
import { startBerth } from '../test/helpers/berth.js';
import { statement } from './policy.js';
import { benchClient, benchCredentials, fmt, pacedLoad, startBerthProcess, stats } from './support.js';

const policyCount = 10;
const statementsPerPolicy = 20;

function documentOf(p: number): string {
  const statements = Array.from({ length: statementsPerPolicy }, (_, s) => statement(p, s));
  // The last statement of the last policy is the one that allows the benchmarked call.
  if (p === policyCount - 1) statements[statementsPerPolicy - 1] = { Sid: 'Describe', Effect: 'Allow', Action: 'ecs:DescribeClusters', Resource: '*' };
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

function clientFor(url: string, credentials: { accessKeyId: string; secretAccessKey: string }): ECSClient {
  return new ECSClient({
    endpoint: url,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) }),
  });
}

/** Creates the user with its 10 policies through IAM as root; answers its access key. */
async function benchUser(url: string, rootCredentials: { accessKeyId: string; secretAccessKey: string }): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const iam = new IAMClient({ endpoint: url, region: 'us-east-1', credentials: rootCredentials, maxAttempts: 1 });
  try {
    await iam.send(new CreateUserCommand({ UserName: 'bench' }));
    for (let p = 0; p < policyCount; p++) {
      const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: `bench-${p}`, PolicyDocument: documentOf(p) }));
      await iam.send(new AttachUserPolicyCommand({ UserName: 'bench', PolicyArn: Policy!.Arn! }));
    }
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'bench' }));
    return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  } finally {
    iam.destroy();
  }
}

/** The authorize step alone: microseconds per decision for root and for the user, in this process. */
async function decisionCost(): Promise<void> {
  const berth = await startBerth();
  const enforcer = new PolicyEnforcer({ store: berth.server.store, clock: systemClock });
  enforcer.start();
  try {
    const keys = await benchUser(berth.url, { accessKeyId: berth.config.rootAccessKeyId!, secretAccessKey: berth.config.rootSecretAccessKey! });
    const account = berth.config.accountId;
    const cluster = `arn:aws:ecs:us-east-1:${account}:cluster/bench`;
    const principals: Record<'root' | 'user', Principal> = {
      root: { accountId: account, accessKeyId: berth.config.rootAccessKeyId!, arn: `arn:aws:iam::${account}:root`, isRoot: true },
      user: { accountId: account, accessKeyId: keys.accessKeyId, arn: `arn:aws:iam::${account}:user/bench`, isRoot: false },
    };
    const context = { region: 'us-east-1', rootOnly: false, sourceIp: '127.0.0.1', secureTransport: false };
    for (const who of ['root', 'user'] as const) {
      const decide = () => enforcer.authorize(principals[who], 'ecs:DescribeClusters', cluster, context);
      const first = await decide();
      if (!first.allowed) throw new Error(`the bench ${who} is denied: ${first.reason}`);
      for (let i = 0; i < 2_000; i++) await decide();
      const count = 50_000;
      const started = performance.now();
      for (let i = 0; i < count; i++) await decide();
      const micros = ((performance.now() - started) * 1000) / count;
      console.log(`authorize step alone, ${who.padEnd(4)}: ${fmt(micros, 2)} µs per decision (${fmt(1e6 / micros, 0)}/s)`);
    }
  } finally {
    enforcer.stop();
    await berth.close();
  }
}

export async function main(): Promise<void> {
  await decisionCost();
  const rate = Number(process.env.BERTH_BENCH_ENFORCEMENT_RATE ?? 200);
  const seconds = Number(process.env.BERTH_BENCH_ENFORCEMENT_SECONDS ?? 20);
  const berth = await startBerthProcess();
  try {
    const root = benchClient(berth.url);
    await root.send(new CreateClusterCommand({ clusterName: 'bench' }));
    const user = clientFor(berth.url, await benchUser(berth.url, benchCredentials));

    const call = (client: ECSClient) => () => client.send(new DescribeClustersCommand({ clusters: ['bench'] }));
    // Warm up both: connections open, compiled policies cached.
    for (let i = 0; i < 200; i++) await Promise.all([call(root)(), call(user)()]);

    // One paced load whose requests alternate between the two principals, so that both meet the
    // same machine at the same moments: on a shared machine, load drifts more than enforcement costs.
    const clients = { root, user };
    const latencies: Record<'root' | 'user', number[]> = { root: [], user: [] };
    const run = await pacedLoad(16, rate, seconds, async (index) => {
      const who = index % 2 === 0 ? 'root' : 'user';
      const started = performance.now();
      await call(clients[who])();
      latencies[who].push(performance.now() - started);
    });
    const result = { root: stats(latencies.root, run.seconds), user: stats(latencies.user, run.seconds) };
    for (const who of ['root', 'user'] as const) {
      const what = who === 'user' ? `${policyCount} policies × ${statementsPerPolicy} statements` : 'no policy read';
      console.log(`DescribeClusters as ${who.padEnd(4)} (${what}), ${result[who].requests} calls, half of ${rate} req/s paced: p50 ${fmt(result[who].p50, 2)} ms, p99 ${fmt(result[who].p99, 2)} ms`);
    }
    const added = (q: 'p50' | 'p99') => `${fmt((result.user[q] / result.root[q] - 1) * 100, 1)}% (${fmt(result.user[q], 2)} vs ${fmt(result.root[q], 2)} ms)`;
    console.log(`enforcement adds: p50 ${added('p50')}, p99 ${added('p99')}; target ≤ 10%`);
    root.destroy();
    user.destroy();
  } finally {
    await berth.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
