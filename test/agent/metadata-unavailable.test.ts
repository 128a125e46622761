/**
 * An agent whose Docker engine's bridge gateway is no address of its own host (the engine runs on
 * another machine, or in a VM) cannot offer the task metadata endpoint there. It starts anyway,
 * names the address and the reason, and bridge tasks run without ECS_CONTAINER_METADATA_URI_V4
 * rather than with a URI nothing answers; host network mode tasks still get theirs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { CreateClusterCommand, StopTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { pino } from 'pino';
import { DockerRuntime } from '../../src/agent/runtime/docker-runtime.js';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { TaskDriver } from '../helpers/tasks.js';

const docker = await dockerAvailable();

/** An address of the documentation range 203.0.113.0/24 that no interface of this host has. */
function absentAddress(): string {
  const local = new Set(Object.values(networkInterfaces()).flatMap((addresses) => (addresses ?? []).map((address) => address.address)));
  for (let host = 1; host < 255; host++) if (!local.has(`203.0.113.${host}`)) return `203.0.113.${host}`;
  throw new Error('every address of 203.0.113.0/24 is on this host');
}

/** The local Docker engine, except that its bridge network's gateway is an address this host does not have. */
class RemoteBridgeRuntime extends DockerRuntime {
  constructor(private readonly gateway: string) {
    super();
  }
  override async networkGateway(name: string): Promise<string | undefined> {
    return name === 'bridge' ? this.gateway : super.networkGateway(name);
  }
}

function environmentOf(containerId: string): string[] {
  return JSON.parse(execFileSync('docker', ['inspect', '--format', '{{json .Config.Env}}', containerId], { encoding: 'utf8' })) as string[];
}

describe('metadata endpoint on a host without the bridge gateway', { skip: docker ? false : 'no Docker engine reachable' }, () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  let agent: TestAgent | undefined;
  const gateway = absentAddress();
  const logLines: string[] = [];

  before(async () => {
    berth = await startBerth();
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
  });
  after(async () => {
    await agent?.close();
    await berth?.close();
  });

  test('the agent starts, says which address it could not listen on and why, and bridge tasks get no metadata URI', async () => {
    const image = await buildBusyboxImage();
    const log = pino(
      { level: 'warn' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(chunk.toString());
          done();
        },
      }),
    );
    agent = await startTestAgent(berth, { runtime: new RemoteBridgeRuntime(gateway), log });
    assert.deepEqual(agent.agent.metadata?.unavailable.map((item) => item.address), [gateway]);
    const warning = logLines.map((line) => JSON.parse(line) as { msg: string; address?: string }).find((line) => line.address === gateway);
    assert.ok(warning, `a warning names ${gateway}: ${logLines.join('')}`);
    assert.match(warning.msg, new RegExp(`cannot be offered on ${gateway.replaceAll('.', '\\.')} \\(the gateway of Docker's bridge network, for bridge network mode tasks\\): listen EADDRNOTAVAIL`));
    assert.match(warning.msg, /get no ECS_CONTAINER_METADATA_URI_V4/);

    const tasks = new TaskDriver(ecs);
    const definition = (networkMode: 'bridge' | 'host') =>
      tasks.register({ family: `metadata-${networkMode}`, networkMode, containerDefinitions: [{ name: 'main', image, memory: 16, command: ['sleep', '600'], stopTimeout: 1 }] });
    const bridge = await tasks.run(await definition('bridge'));
    const host = await tasks.run(await definition('host'));
    try {
      const bridgeEnv = environmentOf((await tasks.until(bridge, 'RUNNING')).containers![0]!.runtimeId!);
      assert.equal(bridgeEnv.find((entry) => entry.startsWith('ECS_CONTAINER_METADATA_URI_V4=')), undefined, 'no URI nothing answers');
      assert.ok(bridgeEnv.includes('AWS_EXECUTION_ENV=AWS_ECS_EC2'), 'the rest of the environment is there');

      const hostEnv = environmentOf((await tasks.until(host, 'RUNNING')).containers![0]!.runtimeId!);
      const uri = hostEnv.find((entry) => entry.startsWith('ECS_CONTAINER_METADATA_URI_V4='))?.split('=', 2)[1];
      assert.match(uri ?? '', /^http:\/\/127\.0\.0\.1:\d+\/v4\//);
      const response = await fetch(`${uri!}/task`);
      assert.equal(response.status, 200, 'the endpoint answers host network mode tasks');
      assert.equal(((await response.json()) as { TaskARN: string }).TaskARN, host);
    } finally {
      for (const task of [bridge, host]) await ecs.send(new StopTaskCommand({ cluster: 'default', task }));
      for (const task of [bridge, host]) await tasks.until(task, 'STOPPED').catch(() => undefined);
    }
  });
});
