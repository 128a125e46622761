/**
 * A deployment the circuit breaker rolls back, under steady load through a real ALB, on real Docker
 * containers: revision 2 serves its pages but its /health answers 404, so its targets never turn
 * healthy; the service stops each of its tasks with ECS's reason, the breaker counts them, fails
 * the deployment and rolls back to revision 1, and not one request through the listener fails
 * meanwhile (unhealthy targets take no traffic while healthy ones remain).
 *
 * The data plane's health checks (every 5 s, healthy or unhealthy after 2) and the deregistration
 * delay (5 s) run on real time, so every wait below polls against a deadline; the scheduler's
 * proving window passes on the server's clock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateServiceCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { AdvancingClock } from '../../src/core/clock.js';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { dockerAvailable } from '../helpers/images.js';
import { describeService, messagesOf, serviceTasks, steady } from '../helpers/service-faults.js';
import { proveRunning } from '../helpers/services.js';
import { dataPlane, startServiceBench, type ServiceBench } from './service-bench.js';
import { LoadGenerator, targetHealth, webContainer } from './service-load.js';

const skip = (await dockerAvailable()) ? false : 'no Docker engine reachable';

const serviceName = 'web';
const desiredCount = 3;

describe(`a deployment the circuit breaker rolls back behind an ALB (${dataPlane} data plane), under load`, { skip }, () => {
  let bench: ServiceBench;
  let agent: TestAgent;
  const clock = new AdvancingClock();

  before(async () => {
    bench = await startServiceBench({ clock, listener: { name: 'web', port: 8080, targetGroup: { HealthCheckPath: '/health' } } });
    agent = await startTestAgent(bench.berth, { clock });
  });
  after(async () => {
    await bench?.deleteService(serviceName);
    await agent?.close();
    await bench?.close();
  });

  test('revision 2 fails its ELB health checks: the breaker rolls back to revision 1 and no request fails', async (t) => {
    const { berth, ecs, elb, tasks, image, targetGroupArn, url } = bench;
    const v1 = await tasks.register({ family: 'web', networkMode: 'bridge', requiresCompatibilities: ['EC2'], containerDefinitions: [webContainer(image, 'v1')] });
    const v2 = await tasks.register({
      family: 'web',
      networkMode: 'bridge',
      requiresCompatibilities: ['EC2'],
      containerDefinitions: [webContainer(image, 'v2', { healthy: false })],
    });
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'default',
        serviceName,
        taskDefinition: v1,
        desiredCount,
        launchType: 'EC2',
        loadBalancers: [{ targetGroupArn, containerName: 'web', containerPort: 80 }],
        deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    );
    const initial = await steady(ecs, 'default', serviceName, desiredCount, v1, 60_000, { berth, clock });
    const firstDeployment = initial.deployments![0]!.id!;
    await eventually(
      async () => {
        const described = await targetHealth(elb, targetGroupArn);
        return described.length === desiredCount && described.every((target) => target.state === 'healthy') ? described : undefined;
      },
      30_000,
      'three healthy targets',
    );

    const load = new LoadGenerator(url);
    const startedAt = Date.now();
    let failedDeployment: string | undefined;
    try {
      const { service: updated } = await ecs.send(new UpdateServiceCommand({ cluster: 'default', service: serviceName, taskDefinition: v2 }));
      failedDeployment = updated!.deployments!.find((deployment) => deployment.status === 'PRIMARY')!.id!;

      // The breaker trips and a rollback deployment of revision 1 takes over; once its tasks run
      // (their targets healthy), their proving window passes on the clock and it completes.
      const rolledBack = await eventually(
        async () => {
          const described = await describeService(ecs, 'default', serviceName);
          const [only, ...others] = described.deployments ?? [];
          if (others.length === 0 && only?.taskDefinition === v1 && only.id !== firstDeployment && only.rolloutState === 'COMPLETED' && described.runningCount === desiredCount) {
            return described;
          }
          const primary = (described.deployments ?? []).find((deployment) => deployment.status === 'PRIMARY');
          if (primary?.taskDefinition === v1 && primary.id !== firstDeployment) {
            const fresh = (await serviceTasks(ecs, 'default', serviceName, 'RUNNING')).filter((task) => task.startedBy === primary.id && task.lastStatus === 'RUNNING');
            if (fresh.length === desiredCount) await proveRunning(berth, clock, fresh);
          }
          return undefined;
        },
        180_000,
        'the rollback to revision 1 COMPLETED',
      );
      t.diagnostic(`UpdateService to the rollback COMPLETED: ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

      // Only revision 1 answers now; revision 2 never served a request through the listener.
      await eventually(
        async () => {
          const recent = await load.recentPages();
          return recent.length > 0 && recent.every((page) => page.startsWith('v1 ')) ? recent : undefined;
        },
        30_000,
        'only v1 pages served',
      );
      const { requests, seconds } = await load.stop();
      t.diagnostic(load.summary());
      assert.ok(requests / seconds >= 50, `a steady load: ${requests} requests in ${seconds} s`);
      assert.deepEqual(load.failures, [], 'zero failed requests');
      assert.deepEqual(
        [...load.pages.keys()].filter((page) => !page.startsWith('v1 ')),
        [],
        'revision 2, never healthy, took no traffic',
      );

      // What the user reads: the failed deployment, its tasks stopped with ECS's reason, the events in ECS's words.
      // Three failed their checks (the breaker's threshold for three tasks); any other of revision 2
      // that had started meanwhile is retired by the rollback.
      const stopped = (await serviceTasks(ecs, 'default', serviceName, 'STOPPED')).filter((task) => task.taskDefinitionArn === v2);
      const elbReason = `Task failed ELB health checks in (target-group ${targetGroupArn})`;
      const retired = `Scaling activity initiated by (deployment ${rolledBack.deployments![0]!.id})`;
      t.diagnostic(`revision 2's tasks stopped: ${stopped.map((task) => task.stoppedReason).join('; ')}`);
      assert.ok(stopped.filter((task) => task.stoppedReason === elbReason).length >= 3, 'three tasks failed their ELB health checks');
      for (const task of stopped) assert.ok(task.stoppedReason === elbReason || task.stoppedReason === retired, task.stoppedReason);
      const events = messagesOf(rolledBack);
      t.diagnostic(`events, oldest first:\n${events.join('\n')}`);
      const unhealthy = new RegExp(
        `^\\(service web\\) \\(instance i-[0-9a-f]+\\) \\(port \\d+\\) is unhealthy in \\(target-group ${targetGroupArn.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\) due to \\(reason Health checks failed with these codes: \\[404\\]\\)\\.$`,
      );
      assert.ok(events.filter((message) => unhealthy.test(message)).length >= 3, events.join('\n'));
      assert.ok(events.includes(`(service web) (deployment ${failedDeployment}) deployment failed: tasks failed to start.`), events.join('\n'));
      assert.ok(events.includes(`(service web) rolling back to deployment ${firstDeployment}.`), events.join('\n'));
      assert.ok(
        events.indexOf(`(service web) (deployment ${failedDeployment}) deployment failed: tasks failed to start.`) <
          events.indexOf(`(service web) rolling back to deployment ${firstDeployment}.`),
        'the failure, then the rollback',
      );
      assert.equal(rolledBack.events?.[0]?.message, '(service web) has reached a steady state.');

      // The target group ends with the rollback's three tasks, healthy; revision 2's targets are gone.
      const final = await eventually(
        async () => {
          const described = await targetHealth(elb, targetGroupArn);
          return described.length === desiredCount ? described : undefined;
        },
        30_000,
        'three targets left',
      );
      assert.ok(
        final.every((target) => target.state === 'healthy'),
        JSON.stringify(final),
      );
    } finally {
      await load.stop();
    }
  });
});
