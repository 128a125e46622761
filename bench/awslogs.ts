/**
 * awslogs benchmark: a container writes 10,000 lines/s for BENCH_SECONDS (default 60) through a
 * Berth server process and a Docker agent in this process; the benchmark follows the log stream
 * with GetLogEvents (forward tokens, as `berth logs -f` does) and reports the lines lost or
 * repeated (target 0) and the lag from each line's write to its first appearance in GetLogEvents
 * (p50, p99; target p99 < 2 s).
 *
 * Each line carries its sequence number and its write time. busybox's date has no sub-second
 * field, so the container reads /proc/uptime (centiseconds; the kernel is the host's) and the
 * benchmark maps uptime to wall-clock time once, from its own reading of the same file.
 * The container writes in 100 ms slots of 1,000 lines, catching up on its schedule. Prints
 * figures; asserts nothing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, CreateLogGroupCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { buildBusyboxImage, dockerAvailable } from '../test/helpers/images.js';
import { benchClient, benchCredentials, fmt, startBerthProcess, startDockerBenchAgent, stats, type BenchAgent } from './support.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 60);
const perSlot = 1_000;
const slots = seconds * 10;
const total = slots * perSlot;

/** Wall-clock milliseconds minus /proc/uptime's milliseconds, read here once. */
function uptimeOffsetMs(): number {
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return Date.now() - uptime * 1000;
}

const script = [
  'up() { read u _ < /proc/uptime; echo ${u%.*}${u#*.}; }',
  'start=$(up); n=0; k=0',
  `while [ $k -lt ${slots} ]; do`,
  '  t=$(up)',
  `  seq $n $((n+${perSlot - 1})) | sed "s/\\$/ $t/"`,
  `  n=$((n+${perSlot})); k=$((k+1))`,
  '  next=$((start+10*k)); now=$(up)',
  '  [ $next -gt $now ] && usleep $(((next-now)*10000))',
  'done',
].join('\n');

async function main(): Promise<void> {
  if (!(await dockerAvailable())) {
    console.log('awslogs: skipped, no Docker engine reachable');
    return;
  }
  const image = await buildBusyboxImage();
  const server = await startBerthProcess();
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-awslogs-'));
  const ecs = benchClient(server.url, 8);
  const logs = new CloudWatchLogsClient({ endpoint: server.url, region: 'us-east-1', credentials: benchCredentials, maxAttempts: 1 });
  let agent: BenchAgent | undefined;
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = await startDockerBenchAgent(server.url, dataDir);
    const group = '/bench/awslogs';
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'awslogs-bench',
        containerDefinitions: [
          {
            name: 'writer',
            image,
            memory: 64,
            command: ['sh', '-c', script],
            logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': group, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'bench' } },
          },
        ],
      }),
    );
    const offset = uptimeOffsetMs();
    const { tasks } = await ecs.send(new RunTaskCommand({ cluster: 'default', taskDefinition: 'awslogs-bench', launchType: 'EC2' }));
    const arn = tasks![0]!.taskArn!;
    const stream = `bench/writer/${arn.split('/').at(-1)}`;

    const seen = new Map<number, number>();
    let repeated = 0;
    const lags: number[] = [];
    let token: string | undefined;
    let stoppedAt: number | undefined;
    let lastStatusCheck = 0;
    for (;;) {
      const page = await logs
        .send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, ...(token ? { nextToken: token } : {}) }))
        .catch((error: unknown) => {
          if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
          throw error;
        });
      const now = Date.now();
      for (const event of page?.events ?? []) {
        const [sequence, written] = (event.message ?? '').split(' ').map(Number);
        if (sequence === undefined || written === undefined || Number.isNaN(sequence)) continue;
        if (seen.has(sequence)) {
          repeated++;
          continue;
        }
        seen.set(sequence, now);
        lags.push(now - (offset + written * 10));
      }
      if (page?.nextForwardToken) token = page.nextForwardToken;
      if (seen.size >= total) break;
      if (now - lastStatusCheck > 1_000) {
        lastStatusCheck = now;
        const described = await ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: [arn] }));
        if (described.tasks?.[0]?.lastStatus === 'STOPPED') stoppedAt ??= now;
      }
      // Once the writer stopped, what has not arrived within 30 s is counted lost.
      if (stoppedAt !== undefined && now - stoppedAt > 30_000) break;
      if ((page?.events ?? []).length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const lag = stats(lags, seconds);
    console.log(`awslogs: ${total} lines written over ${seconds} s (${perSlot * 10} lines/s); ${total - seen.size} lost (target 0), ${repeated} repeated`);
    console.log(`  lag write → GetLogEvents: p50 ${fmt(lag.p50)} ms, p99 ${fmt(lag.p99)} ms (target p99 < 2000 ms); lines carry /proc/uptime, 10 ms resolution`);
  } finally {
    await agent?.stop();
    logs.destroy();
    ecs.destroy();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
