/**
 * An agent reports where its host's task ports are reached: `berth.host-address`, from
 * --host-address or else the local address of its connection to the control plane. The load
 * balancers' data-plane configuration sends that instance's targets there.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { CreateClusterCommand, DescribeContainerInstancesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { RegisterTargetsCommand, type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { SimulatedRuntime } from '../../src/agent/simulated/simulated-runtime.js';
import { desiredDataPlaneConfig } from '../../src/controllers/load-balancers.js';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { freePort } from '../helpers/ports.js';
import { createForwardingListener, createLoadBalancer, createTargetGroup, elbClient } from '../elbv2/elbv2-client.js';

describe('the host address an agent reports', () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  let elb: ElasticLoadBalancingV2Client;
  const agents: TestAgent[] = [];
  const simulated = (name: string, dataDir?: string) => ({
    name,
    runtime: new SimulatedRuntime({ cpus: 2, memoryBytes: 2 * 1024 ** 3 }),
    metadata: false,
    simulated: true,
    pullBehavior: 'prefer-cached' as const,
    ...(dataDir === undefined ? {} : { dataDir }),
  });

  before(async () => {
    berth = await startBerth({ loadBalancerAddresses: '127.0.2.0/28' });
    ecs = berth.ecs();
    elb = elbClient(berth);
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agents.push(await startTestAgent(berth, { ...simulated('remote'), hostAddress: '192.0.2.10' }));
    agents.push(await startTestAgent(berth, simulated('nearby', agents[0]!.dataDir)));
  });
  after(async () => {
    elb?.destroy();
    for (const agent of agents.reverse()) await agent.close();
    await berth?.close();
  });

  async function instanceOf(agent: TestAgent) {
    const arn = agent.agent.registration.containerInstanceArn as string;
    const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'default', containerInstances: [arn] }));
    return containerInstances![0]!;
  }

  test('DescribeContainerInstances shows berth.host-address: the given one, else the address of the connection to the control plane', async () => {
    const remote = await instanceOf(agents[0]!);
    assert.deepEqual(remote.attributes?.filter((attribute) => attribute.name === 'berth.host-address'), [{ name: 'berth.host-address', value: '192.0.2.10' }]);
    const nearby = await instanceOf(agents[1]!);
    // The control plane listens on 127.0.0.1: the agent's end of that connection is 127.0.0.1 too.
    assert.equal(nearby.attributes?.find((attribute) => attribute.name === 'berth.host-address')?.value, '127.0.0.1');
  });

  test("an instance target is forwarded to at its agent's host address", async () => {
    const remote = await instanceOf(agents[0]!);
    const nearby = await instanceOf(agents[1]!);
    const lb = await createLoadBalancer(elb, 'reach');
    const group = await createTargetGroup(elb, 'reach');
    await createForwardingListener(elb, lb, group, await freePort());
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: group, Targets: [{ Id: remote.ec2InstanceId!, Port: 32768 }, { Id: nearby.ec2InstanceId!, Port: 32769 }] }));
    const config = await berth.server.store.read((tx) => desiredDataPlaneConfig(tx, Date.now() / 1000));
    const targets = config.targetGroups.find((candidate) => candidate.arn === group)?.targets.map(({ id, address, port }) => ({ id, address, port }));
    assert.deepEqual(
      targets?.sort((a, b) => a.port - b.port),
      [
        { id: remote.ec2InstanceId, address: '192.0.2.10', port: 32768 },
        { id: nearby.ec2InstanceId, address: '127.0.0.1', port: 32769 },
      ],
    );
  });

  test('berth agent refuses a --host-address that is not an IP address, and documents the option', () => {
    const refused = spawnSync(process.execPath, ['bin/berth.js', 'agent', '--host-address', 'not-an-address'], { encoding: 'utf8', env: { ...process.env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' } });
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /'not-an-address' is not an IP address/);
    const help = spawnSync(process.execPath, ['bin/berth.js', 'agent', '--help'], { encoding: 'utf8' });
    assert.match(help.stdout, /--host-address <ip>/);
  });
});
