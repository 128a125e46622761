/**
 * Enforcement's cost on the ECS API: DescribeClusters latency (p50/p99) at a fixed offered load,
 * signed by the root user (allowed by rule, no policy read) and by an IAM user with 10 attached
 * customer managed policies of 20 statements each (the policy benchmark's mix; the last statement
 * allows the call), in one run, against one Berth server process. Rounds alternate root, user,
 * root, user so that drift in a shared machine falls on both. Prints figures and the user/root
 * ratio of p50 and p99 (target: at most 10% added); asserts nothing.
 *
 * BERTH_BENCH_ENFORCEMENT_RATE (requests/s, default 200) and BERTH_BENCH_ENFORCEMENT_SECONDS (per
 * round, default 10) change the load.
 */
import { Agent } from 'node:http';
import { pathToFileURL } from 'node:url';
import { CreateClusterCommand, DescribeClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { statement } from './policy.js';
import { benchClient, benchCredentials, fmt, pacedLoad, startBerthProcess, stats, type LatencyStats } from './support.js';

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

export async function main(): Promise<void> {
  const rate = Number(process.env.BERTH_BENCH_ENFORCEMENT_RATE ?? 200);
  const seconds = Number(process.env.BERTH_BENCH_ENFORCEMENT_SECONDS ?? 10);
  const berth = await startBerthProcess();
  try {
    const root = benchClient(berth.url);
    await root.send(new CreateClusterCommand({ clusterName: 'bench' }));
    const iam = new IAMClient({ endpoint: berth.url, region: 'us-east-1', credentials: benchCredentials, maxAttempts: 1 });
    await iam.send(new CreateUserCommand({ UserName: 'bench' }));
    for (let p = 0; p < policyCount; p++) {
      const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: `bench-${p}`, PolicyDocument: documentOf(p) }));
      await iam.send(new AttachUserPolicyCommand({ UserName: 'bench', PolicyArn: Policy!.Arn! }));
    }
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'bench' }));
    iam.destroy();
    const user = clientFor(berth.url, { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });

    const call = (client: ECSClient) => () => client.send(new DescribeClustersCommand({ clusters: ['bench'] }));
    // Warm up both: connections open, compiled policies cached.
    for (let i = 0; i < 200; i++) await Promise.all([call(root)(), call(user)()]);

    const rounds: Record<'root' | 'user', LatencyStats[]> = { root: [], user: [] };
    for (let round = 0; round < 3; round++) {
      for (const [who, client] of [['root', root], ['user', user]] as const) {
        const run = await pacedLoad(16, rate, seconds, call(client));
        const result = stats(run.latencies, run.seconds);
        rounds[who].push(result);
        console.log(`DescribeClusters as ${who.padEnd(4)} (${who === 'user' ? `${policyCount} policies × ${statementsPerPolicy} statements` : 'no policy read'}), paced at ${rate} req/s: p50 ${fmt(result.p50, 2)} ms, p99 ${fmt(result.p99, 2)} ms`);
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const p50 = (who: 'root' | 'user') => median(rounds[who].map((r) => r.p50));
    const p99 = (who: 'root' | 'user') => median(rounds[who].map((r) => r.p99));
    console.log(
      `enforcement adds: p50 ${fmt((p50('user') / p50('root') - 1) * 100, 1)}% (${fmt(p50('user'), 2)} vs ${fmt(p50('root'), 2)} ms), p99 ${fmt((p99('user') / p99('root') - 1) * 100, 1)}% (${fmt(p99('user'), 2)} vs ${fmt(p99('root'), 2)} ms); target ≤ 10%`,
    );
    root.destroy();
    user.destroy();
  } finally {
    await berth.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
