/** A pull that fails while the image is cached: the task runs on the cached image, and the user is warned. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateClusterCommand } from '@aws-sdk/client-ecs';
import { pino } from 'pino';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { TaskDriver } from '../helpers/tasks.js';

const docker = await dockerAvailable();

describe('a failed pull of a cached image', { skip: docker ? false : 'no Docker engine reachable' }, () => {
  let berth: TestBerth;
  let agent: TestAgent;
  const records: Record<string, unknown>[] = [];

  before(async () => {
    berth = await startBerth();
    await berth.ecs().send(new CreateClusterCommand({ clusterName: 'pull-warning' }));
    const log = pino({ level: 'warn' }, { write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>) });
    agent = await startTestAgent(berth, { cluster: 'pull-warning', pullBehavior: 'default', log });
  });
  after(async () => {
    await agent?.close();
    await berth?.close();
  });

  it('runs the task on the cached image and warns, naming the image and the pull error', async () => {
    // The image exists only on this engine: no registry has it, so the pull fails.
    const image = await buildBusyboxImage();
    const tasks = new TaskDriver(berth.ecs(), 'pull-warning');
    const definition = await tasks.register({ family: 'pull-warning', containerDefinitions: [{ name: 'app', image, memory: 32, command: ['sleep', '30'], stopTimeout: 2 }] });
    const taskArn = await tasks.run(definition);
    await tasks.until(taskArn, 'RUNNING', 60_000);
    const warning = records.find((record) => typeof record.msg === 'string' && record.msg.startsWith('the pull failed'));
    assert.ok(warning, `a warning was logged: ${JSON.stringify(records)}`);
    assert.equal(warning.level, 40);
    assert.equal(warning.image, image);
    assert.equal(warning.task, taskArn);
    assert.match(warning.msg as string, new RegExp(`^the pull failed, so the cached ${image.replace(/[/.]/g, '\\$&')} runs: pull ${image.replace(/[/.]/g, '\\$&')}: .+`));
  });
});
