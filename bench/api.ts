/**
 * API benchmarks against a Berth server process:
 *  - end to end: RunTask count=10, signed and persisted → tasks/s (this also stores the 10,000 tasks)
 *  - DescribeTasks (100 ARNs per call) and ListTasks from 64 concurrent signed clients → req/s, p50, p99
 * Prints figures; asserts nothing.
 */
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { benchClient, fmt, load, pacedLoad, startBerthProcess, stats } from './support.js';

export async function main(): Promise<void> {
  const berth = await startBerthProcess();
  try {
    const ecs = benchClient(berth.url);
    await ecs.send(new CreateClusterCommand({ clusterName: 'bench' }));
    for (let i = 0; i < 50; i++) {
      await ecs.send(
        new RegisterContainerInstanceCommand({
          cluster: 'bench',
          instanceIdentityDocument: JSON.stringify({ instanceId: `i-${String(i).padStart(17, '0')}`, availabilityZone: `us-east-1${'abc'[i % 3]}` }),
          totalResources: [
            { name: 'CPU', type: 'INTEGER', integerValue: 1_000_000 },
            { name: 'MEMORY', type: 'INTEGER', integerValue: 10_000_000 },
          ],
        }),
      );
    }
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'bench', containerDefinitions: [{ name: 'app', image: 'busybox', cpu: 10, memory: 32 }] }));

    const runCalls = 1000;
    let cpuBefore = await berth.cpuSeconds();
    const serverCpu = async (seconds: number) => {
      const now = await berth.cpuSeconds();
      const share = (now - cpuBefore) / seconds;
      cpuBefore = now;
      return `server CPU ${fmt(share * 100, 0)}% of one core`;
    };
    const run = await load(16, runCalls, () => ecs.send(new RunTaskCommand({ cluster: 'bench', taskDefinition: 'bench', count: 10 })));
    const runStats = stats(run.latencies, run.seconds);
    console.log(`RunTask count=10, 16 concurrent, ${runCalls} calls: ${fmt(runStats.perSecond * 10, 0)} tasks/s (p50 ${fmt(runStats.p50)} ms, p99 ${fmt(runStats.p99)} ms; ${await serverCpu(run.seconds)})`);

    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListTasksCommand({ cluster: 'bench', maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    console.log(`stored tasks: ${arns.length}`);

    cpuBefore = await berth.cpuSeconds();
    const clients = Array.from({ length: 64 }, () => benchClient(berth.url, 1));
    const describe = await load(64, 3000, (index) => {
      const start = (index * 100) % (arns.length - 100);
      return clients[index % 64]!.send(new DescribeTasksCommand({ cluster: 'bench', tasks: arns.slice(start, start + 100) }));
    });
    const d = stats(describe.latencies, describe.seconds);
    console.log(`DescribeTasks (100 ARNs), 64 clients: ${fmt(d.perSecond, 0)} req/s, p50 ${fmt(d.p50)} ms, p99 ${fmt(d.p99)} ms; ${await serverCpu(describe.seconds)}`);

    const list = await load(64, 5000, (index) => clients[index % 64]!.send(new ListTasksCommand({ cluster: 'bench', maxResults: 100 })));
    const l = stats(list.latencies, list.seconds);
    console.log(`ListTasks (100 per page), 64 clients: ${fmt(l.perSecond, 0)} req/s, p50 ${fmt(l.p50)} ms, p99 ${fmt(l.p99)} ms; ${await serverCpu(list.seconds)}`);
    // Closed-loop clients measure queueing as much as service time; at a paced load below saturation
    // the percentiles show what one request costs.
    for (const rate of [100, 200]) {
      const paced = await pacedLoad(64, rate, 10, (index) => {
        const start = (index * 100) % (arns.length - 100);
        return clients[index % 64]!.send(new DescribeTasksCommand({ cluster: 'bench', tasks: arns.slice(start, start + 100) }));
      });
      const p = stats(paced.latencies, paced.seconds);
      console.log(`DescribeTasks (100 ARNs), 64 clients paced at ${rate} req/s: p50 ${fmt(p.p50)} ms, p99 ${fmt(p.p99)} ms; ${await serverCpu(paced.seconds)}`);
    }
    for (const rate of [500, 1000]) {
      const paced = await pacedLoad(64, rate, 10, (index) => clients[index % 64]!.send(new ListTasksCommand({ cluster: 'bench', maxResults: 100 })));
      const p = stats(paced.latencies, paced.seconds);
      console.log(`ListTasks (100 per page), 64 clients paced at ${rate} req/s: p50 ${fmt(p.p50)} ms, p99 ${fmt(p.p99)} ms; ${await serverCpu(paced.seconds)}`);
    }
    console.log(`server RSS: ${fmt(await berth.rssMiB(), 0)} MiB`);
    for (const client of [...clients, ecs]) client.destroy();
  } finally {
    await berth.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
