/**
 * A rolling deployment of a 3-task service behind an ALB, under a steady 200 requests/s through the
 * listener: how many requests failed, and how long the deployment took (UpdateService to COMPLETED,
 * and to the last old task STOPPED). Everything on real time, the scheduler's proving window (10 s)
 * and the drains included, as a user's rollout runs. Busybox httpd tasks in bridge mode with
 * dynamic host ports on the local Docker engine; Berth and its agent in this process.
 *
 * Prints figures; asserts nothing. Environment: BERTH_BENCH_LB_ROLLOUT_RATE (200 requests/s),
 * BERTH_BENCH_LB_DATA_PLANE (embedded).
 */
import { Agent, request } from 'node:http';
import { CreateClusterCommand, CreateServiceCommand, DeleteServiceCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { eventually, startTestAgent, type TestAgent } from '../test/helpers/agent.js';
import { startBerth, type TestBerth } from '../test/helpers/berth.js';
import { buildBusyboxImage, dockerAvailable } from '../test/helpers/images.js';
import { describeService, serviceTasks, steady } from '../test/helpers/service-faults.js';
import { TaskDriver } from '../test/helpers/tasks.js';
import { elbClient } from '../test/elbv2/elbv2-client.js';
import { balancedListener, targetHealth, webContainer } from '../test/elbv2/service-load.js';

const rate = Number(process.env.BERTH_BENCH_LB_ROLLOUT_RATE ?? 200);
const dataPlane = (process.env.BERTH_BENCH_LB_DATA_PLANE ?? 'embedded') as 'embedded' | 'haproxy';
const desiredCount = 3;

/** Open-loop load: a GET every 1000/rate ms whatever the answers, over keep-alive connections. */
class PacedLoad {
  private readonly agent = new Agent({ keepAlive: true });
  private readonly timer: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();
  sent = 0;
  failed = 0;
  readonly failures: string[] = [];
  private readonly startedAt = performance.now();
  private due = 0;

  constructor(url: string) {
    // Timers fire late under load: each tick sends what is due since the start, so the rate holds.
    this.timer = setInterval(() => {
      const target = Math.floor(((performance.now() - this.startedAt) / 1000) * rate);
      while (this.due < target) {
        this.due++;
        this.send(url);
      }
    }, 5);
  }

  private send(url: string): void {
    this.sent++;
    const done = new Promise<void>((resolve) => {
      const fail = (why: string) => {
        this.failed++;
        if (this.failures.length < 10) this.failures.push(why);
        resolve();
      };
      const outgoing = request(url, { agent: this.agent, timeout: 10_000 }, (response) => {
        response.resume();
        response.on('end', () => (response.statusCode === 200 ? resolve() : fail(`HTTP ${response.statusCode}`)));
        response.on('error', (error) => fail(error.message));
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error('timed out')));
      outgoing.on('error', (error) => fail(error.message));
      outgoing.end();
    });
    this.inFlight.add(done);
    void done.then(() => this.inFlight.delete(done));
  }

  async stop(): Promise<{ sent: number; failed: number; seconds: number }> {
    clearInterval(this.timer);
    const seconds = (performance.now() - this.startedAt) / 1000;
    await Promise.all(this.inFlight);
    this.agent.destroy();
    return { sent: this.sent, failed: this.failed, seconds };
  }
}

const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');

export async function rolloutUnderLoad(): Promise<void> {
  if (!(await dockerAvailable())) {
    console.log('rolling deployment behind the ALB: skipped, no Docker engine reachable');
    return;
  }
  const image = await buildBusyboxImage();
  let berth: TestBerth | undefined;
  let agent: TestAgent | undefined;
  try {
    berth = await startBerth({ loadBalancerDataPlane: dataPlane });
    const ecs = berth.ecs();
    const elb = elbClient(berth);
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = await startTestAgent(berth);
    const tasks = new TaskDriver(ecs);
    const { targetGroupArn, url } = await balancedListener(elb, { name: 'bench', port: 8080 });
    const register = (revision: string) =>
      tasks.register({ family: 'bench-web', networkMode: 'bridge', requiresCompatibilities: ['EC2'], containerDefinitions: [webContainer(image, revision)] });
    const v1 = await register('v1');
    const v2 = await register('v2');
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'default',
        serviceName: 'bench-web',
        taskDefinition: v1,
        desiredCount,
        launchType: 'EC2',
        loadBalancers: [{ targetGroupArn, containerName: 'web', containerPort: 80 }],
      }),
    );
    await steady(ecs, 'default', 'bench-web', desiredCount, v1, 120_000);
    await eventually(
      async () => {
        const described = await targetHealth(elb, targetGroupArn);
        return described.length === desiredCount && described.every((target) => target.state === 'healthy') ? true : undefined;
      },
      60_000,
      'three healthy targets',
    );
    const oldTasks = (await serviceTasks(ecs, 'default', 'bench-web', 'RUNNING')).map((task) => task.taskArn!);

    const load = new PacedLoad(url);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const started = performance.now();
    await ecs.send(new UpdateServiceCommand({ cluster: 'default', service: 'bench-web', taskDefinition: v2 }));
    let completedS = NaN;
    let oldStoppedS = NaN;
    await eventually(
      async () => {
        const elapsed = (performance.now() - started) / 1000;
        if (Number.isNaN(oldStoppedS)) {
          const old = (await serviceTasks(ecs, 'default', 'bench-web')).filter((task) => oldTasks.includes(task.taskArn!));
          if (old.every((task) => task.lastStatus === 'STOPPED')) oldStoppedS = elapsed;
        }
        if (Number.isNaN(completedS)) {
          const described = await describeService(ecs, 'default', 'bench-web');
          const [only, ...others] = described.deployments ?? [];
          if (others.length === 0 && only?.taskDefinition === v2 && only.rolloutState === 'COMPLETED') completedS = elapsed;
        }
        return Number.isNaN(completedS) || Number.isNaN(oldStoppedS) ? undefined : true;
      },
      300_000,
      'the deployment COMPLETED and the old tasks STOPPED',
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const { sent, failed, seconds } = await load.stop();
    console.log(
      `rolling deployment of a ${desiredCount}-task service behind the ALB (${dataPlane} data plane), ${fmt(sent / seconds, 0)} requests/s through the listener: ` +
        `${failed} failed of ${sent}; UpdateService → COMPLETED ${fmt(completedS)} s, → last old task STOPPED ${fmt(oldStoppedS)} s ` +
        `(health checks every 5 s, healthy after 2; proving window 10 s; deregistration delay 5 s)`,
    );
    if (failed > 0) console.log(`  first failures: ${load.failures.join('; ')}`);
    await ecs.send(new DeleteServiceCommand({ cluster: 'default', service: 'bench-web', force: true })).catch(() => undefined);
    elb.destroy();
  } finally {
    await agent?.close();
    await berth?.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await rolloutUnderLoad();
