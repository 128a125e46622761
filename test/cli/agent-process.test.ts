/**
 * `berth agent` as a process of its own: it keeps running, and reconnecting, while its control
 * plane is away, however long that is, until it is stopped.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CreateClusterCommand, DescribeContainerInstancesCommand, ECSClient, ListContainerInstancesCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { eventually } from '../helpers/agent.js';
import { testCredentials } from '../helpers/berth.js';
import { freePort } from '../helpers/ports.js';
import { killProcess, startServerProcess } from '../helpers/server-process.js';
import { TaskDriver } from '../helpers/tasks.js';

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

async function connectedInstances(ecs: ECSClient): Promise<number> {
  const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({ cluster: 'default' }));
  if (!containerInstanceArns?.length) return 0;
  const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'default', containerInstances: containerInstanceArns }));
  return (containerInstances ?? []).filter((instance) => instance.agentConnected).length;
}

test('berth agent --simulate outlives a restart of its control plane and reconnects', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-agent-process-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let server = await startServerProcess(join(dataDir, 'server'), port);
  const ecs = new ECSClient({ endpoint: url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
  let agent: ChildProcess | undefined;
  let agentOutput = '';
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = spawn(process.execPath, ['bin/berth.js', 'agent', '--simulate', '2', '--launch-type', 'EC2', '--cluster', 'default', '--endpoint', url, '--data-dir', join(dataDir, 'agent'), '--heartbeat-timeout', '15'], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: testCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The heartbeat timeout also caps the agent's reconnect back-off (30 s by default): with 15 s,
    // a control plane that is slow to come back on a loaded machine is still found within the wait.
    agent.stdout!.on('data', (chunk: Buffer) => (agentOutput += chunk.toString()));
    agent.stderr!.on('data', (chunk: Buffer) => (agentOutput += chunk.toString()));
    await eventually(async () => ((await connectedInstances(ecs)) === 2 ? true : undefined), 30_000, 'both simulated instances connected');

    await killProcess(server);
    // The agent is alone now: its sockets are closed and it can only wait to reconnect.
    await eventually(async () => (/agent channel closed; reconnecting/.test(agentOutput) ? true : undefined), 10_000, 'the agent noticing its control plane is gone');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(exited(agent), false, `the agent process is still running (it exited with ${agent.exitCode}): ${agentOutput}`);

    server = await startServerProcess(join(dataDir, 'server'), port);
    // A deadline, not a wait: the back-off (at most 15 s here) plus a control plane's start on a loaded machine.
    await eventually(async () => ((agentOutput.match(/agent channel connected again/g) ?? []).length >= 2 ? true : undefined), 60_000, 'both instances reconnecting');
    assert.equal(await connectedInstances(ecs), 2);
    // A task placed now reaches one of them over its new channel.
    const driver = new TaskDriver(ecs);
    const task = await driver.run(await driver.register({ family: 'after-restart', containerDefinitions: [{ name: 'main', image: 'simulated/app:1', memory: 64 }] }));
    await driver.until(task, 'RUNNING', 30_000);
    await ecs.send(new StopTaskCommand({ cluster: 'default', task }));
    await driver.until(task, 'STOPPED', 30_000);
    assert.equal(exited(agent), false);
  } finally {
    if (agent && !exited(agent)) {
      const gone = new Promise((resolve) => agent!.once('exit', resolve));
      agent.kill('SIGTERM');
      await gone;
    }
    ecs.destroy();
    await killProcess(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
