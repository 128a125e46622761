/**
 * Task role credentials benchmark (prints figures, asserts nothing): how long after RunTask, and
 * after its container starts, a task's container holds its role's credentials from 169.254.170.2.
 *
 * Each task's container notes the kernel's uptime when it starts, then asks the credentials
 * endpoint until it answers with credentials (busybox nc; each attempt takes at least 50 ms, so
 * figures are upper bounds to within that), and notes the uptime again. The benchmark notes the
 * uptime when it sends RunTask: container and host read the same clock. Median and worst of
 * BERTH_BENCH_CREDENTIALS_RUNS (default 10) tasks, one at a time, on a cached busybox image.
 * Needs Docker and root (the agent serves 169.254.170.2:80).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { buildBusyboxImage, dockerAvailable } from '../test/helpers/images.js';
import { benchClient, benchCredentials, fmt, startBerthProcess, startDockerBenchAgent, type BenchAgent } from './support.js';

const uptime = () => Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

// In the container: uptime at start, then ask until the answer carries credentials, then uptime again.
const probe = [
  "s=$(cut -d' ' -f1 /proc/uptime)",
  `until { printf 'GET %s HTTP/1.0\\r\\n\\r\\n' "$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"; usleep 50000; } | nc -w 2 169.254.170.2 80 | grep -q AccessKeyId; do usleep 10000; done`,
  "e=$(cut -d' ' -f1 /proc/uptime)",
  'echo "$s $e" > /tmp/ready',
  'exec sleep 600',
].join('; ');

async function main(): Promise<void> {
  if (!(await dockerAvailable())) {
    console.log('task credentials: skipped, no Docker engine reachable');
    return;
  }
  if (process.getuid?.() !== 0) {
    console.log('task credentials: skipped, the agent needs root to serve 169.254.170.2:80');
    return;
  }
  const runs = Number(process.env.BERTH_BENCH_CREDENTIALS_RUNS ?? 10);
  const image = await buildBusyboxImage();
  const server = await startBerthProcess();
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-bench-credentials-'));
  const ecs = benchClient(server.url, 8);
  const iam = new IAMClient({ endpoint: server.url, region: 'us-east-1', credentials: benchCredentials });
  let agent: BenchAgent | undefined;
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = await startDockerBenchAgent(server.url, dataDir);
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: 'bench-app', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'credentials',
        taskRoleArn: Role!.Arn!,
        containerDefinitions: [{ name: 'main', image, memory: 16, command: ['sh', '-c', probe], stopTimeout: 2 }],
      }),
    );
    const fromRunTask: number[] = [];
    const fromStart: number[] = [];
    for (let run = 0; run < runs; run++) {
      const sent = uptime();
      const { tasks } = await ecs.send(new RunTaskCommand({ cluster: 'default', taskDefinition: 'credentials', launchType: 'EC2' }));
      const arn = tasks![0]!.taskArn!;
      let marks: number[] | undefined;
      for (let attempt = 0; attempt < 600 && !marks; attempt++) {
        const { tasks: described } = await ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: [arn] }));
        const task = described?.[0];
        if (task?.lastStatus === 'STOPPED') throw new Error(`the task stopped: ${task.stoppedReason}`);
        const id = task?.containers?.[0]?.runtimeId;
        if (id && task?.lastStatus === 'RUNNING') {
          try {
            const text = execFileSync('docker', ['exec', id, 'cat', '/tmp/ready'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
            marks = text.trim().split(' ').map(Number);
          } catch {
            // Not there yet.
          }
        }
        if (!marks) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      if (!marks) throw new Error('the container never held its credentials');
      const [started, ready] = marks as [number, number];
      fromRunTask.push((ready - sent) * 1000);
      fromStart.push((ready - started) * 1000);
      await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn }));
    }
    console.log(`task role credentials, ${runs} tasks one at a time (bridge network mode, cached image):`);
    console.log(`  RunTask → credentials in the container:         median ${fmt(median(fromRunTask), 0)} ms, worst ${fmt(Math.max(...fromRunTask), 0)} ms`);
    console.log(`  container start → credentials in the container: median ${fmt(median(fromStart), 0)} ms, worst ${fmt(Math.max(...fromStart), 0)} ms`);
  } finally {
    iam.destroy();
    ecs.destroy();
    await agent?.stop();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
