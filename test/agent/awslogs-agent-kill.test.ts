/**
 * kill -9 of the agent (a `berth agent` process of its own) while a container writes lines: a new
 * agent on the same data directory resumes from the checkpoint, and GetLogEvents has every line
 * exactly once, in order.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startAgentProcess } from '../helpers/agent-process.js';
import { allEvents, runShipping } from '../helpers/awslogs-on-docker.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { executionRoleFor } from '../helpers/execution-role.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { killProcess } from '../helpers/server-process.js';
import { TaskDriver } from '../helpers/tasks.js';

const dockerUp = await dockerAvailable();

describe('awslogs across kill -9 of the agent', { skip: dockerUp ? false : 'no Docker engine reachable' }, () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  let logs: CloudWatchLogsClient;
  let tasks: TaskDriver;
  let image: string;
  let executionRole: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-awslogs-kill-'));
  let killed: ChildProcess | undefined;
  let revived: TestAgent | undefined;

  before(async () => {
    image = await buildBusyboxImage();
    berth = await startBerth();
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    tasks = new TaskDriver(ecs);
    executionRole = await executionRoleFor(berth);
    logs = new CloudWatchLogsClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
  });
  after(async () => {
    if (killed) await killProcess(killed);
    // Whatever the killed agent left running goes with an agent on its data directory.
    if (!revived && berth) revived = await startTestAgent(berth, { dataDir }).catch(() => undefined);
    await revived?.close();
    logs?.destroy();
    await berth?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a new agent on the same data directory ships every line exactly once, in order', async () => {
    const group = '/ecs/killed';
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    const agent = await startAgentProcess(berth.url, dataDir);
    killed = agent.child;
    const count = 1500;
    const arn = await runShipping({ tasks, image, executionRole }, 'killed', group, {
      command: ['sh', '-c', `i=0; while [ $i -lt ${count} ]; do echo "line $i"; i=$((i+1)); [ $((i % 20)) -eq 0 ] && sleep 0.05; done; true`],
    });
    const stream = `web/app/${arn.split('/').at(-1)}`;
    // Killed while it ships: some lines arrived, more are being written.
    const arrived = await eventually(async () => {
      const events = await allEvents(logs, group, stream).catch(() => []);
      return events.length >= 100 ? events.length : undefined;
    }, 60_000, 'the first lines');
    await killProcess(agent.child);
    killed = undefined;
    assert.ok(arrived < count, `killed mid-stream (${arrived} of ${count} had arrived)`);

    revived = await startTestAgent(berth, { dataDir });
    await tasks.until(arn, 'STOPPED', 120_000);
    const events = await eventually(async () => {
      const all = await allEvents(logs, group, stream).catch(() => []);
      return all.length >= count ? all : undefined;
    }, 60_000, `${count} lines`);
    // A duplicate would be sent before the agent holds the task's output all acknowledged.
    await eventually(async () => (revived!.agent.awslogsShipped(arn) ? true : undefined), 30_000, 'the output acknowledged');
    const settled = await allEvents(logs, group, stream);
    assert.equal(settled.length, count, `exactly the lines written (${events.length} seen first)`);
    assert.deepEqual(settled.map((event) => event.message), Array.from({ length: count }, (_, i) => `line ${i}`), 'each once, in order');
  });
});
