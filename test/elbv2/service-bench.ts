/**
 * The set-up the end-to-end tests of services behind a load balancer start from: the busybox image,
 * a Berth server on the data plane `DATA_PLANE` names (the embedded one unless told), its ECS and
 * ELBv2 clients, the cluster `default`, and an ALB whose listener forwards to one target group
 * (`balancedListener`). Agents are each test's own: how they come and go is what the tests are about.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import { CreateClusterCommand, DeleteServiceCommand } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { BerthConfig } from '../../src/config.js';
import type { AdvancingClock } from '../../src/core/clock.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { buildBusyboxImage } from '../helpers/images.js';
import { TaskDriver } from '../helpers/tasks.js';
import { elbClient } from './elbv2-client.js';
import { balancedListener, type BalancedListener } from './service-load.js';

export const dataPlane = (process.env.DATA_PLANE ?? 'embedded') as 'embedded' | 'haproxy';

export interface ServiceBench extends BalancedListener {
  berth: TestBerth;
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
  tasks: TaskDriver;
  image: string;
  /** Deletes the service (force), whatever is left of it; for a test's `after`, before its agents go. */
  deleteService(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startServiceBench(options: {
  clock: AdvancingClock;
  /** More server settings than the data plane. */
  config?: Partial<BerthConfig>;
  listener: Parameters<typeof balancedListener>[1];
}): Promise<ServiceBench> {
  const image = await buildBusyboxImage();
  const berth = await startBerth({ loadBalancerDataPlane: dataPlane, ...options.config }, { clock: options.clock });
  const ecs = berth.ecs();
  const elb = elbClient(berth);
  const close = async () => {
    elb.destroy();
    await berth.close();
  };
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    const listener = await balancedListener(elb, options.listener);
    return {
      berth,
      ecs,
      elb,
      tasks: new TaskDriver(ecs),
      image,
      ...listener,
      async deleteService(name) {
        await ecs.send(new DeleteServiceCommand({ cluster: 'default', service: name, force: true })).catch(() => undefined);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
