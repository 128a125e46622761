/**
 * Agents' channels and the per-address connection bound: many agents on one host (a simulated
 * fleet, or several agents behind one address) each hold a WebSocket for as long as they run.
 * Once verified, a channel no longer counts towards its address's bound, so the fleet is not
 * refused; HTTP connections from the same address still count.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateClusterCommand, DescribeContainerInstancesCommand, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { SimulatedRuntime } from '../../src/agent/simulated/simulated-runtime.js';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';

const agentCount = 10;
/** Below the agents' channels and HTTP connections together, above their HTTP connections alone. */
const perClient = 14;

describe('agent channels and the per-address connection bound', () => {
  let berth: TestBerth;
  const agents: TestAgent[] = [];

  before(async () => {
    berth = await startBerth({ maxConnectionsPerClient: perClient });
    await berth.ecs().send(new CreateClusterCommand({ clusterName: 'fleet' }));
    for (let index = 0; index < agentCount; index++) {
      agents.push(
        await startTestAgent(berth, {
          cluster: 'fleet',
          name: `fleet-${index}`,
          runtime: new SimulatedRuntime({ cpus: 1, memoryBytes: 1024 ** 3 }),
          metadata: false,
          simulated: true,
          reservedMemoryMiB: 0,
          ...(agents[0] ? { dataDir: agents[0].dataDir } : {}),
        }),
      );
    }
  });
  after(async () => {
    for (const agent of agents.reverse()) await agent.close();
    await berth?.close();
  });

  test(`${agentCount} agents from one address all keep their channels open under a bound of ${perClient} connections`, async () => {
    const ecs = berth.ecs();
    await eventually(async () => {
      const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({ cluster: 'fleet' }));
      const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'fleet', containerInstances: containerInstanceArns! }));
      const connected = containerInstances!.filter((instance) => instance.agentConnected).length;
      return connected === agentCount ? connected : undefined;
    }, 20_000, `all ${agentCount} agents connected`);
  });
});
