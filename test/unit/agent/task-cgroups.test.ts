import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { detectTaskCgroups, type TaskCgroups } from '../../../src/agent/runtime/task-cgroups.js';

// A plain directory stands in for the cgroup root: these tests check which files get which limits;
// the kernel's side is checked on Docker in test/agent.
describe('task cgroups: the files that carry a task\'s limits', () => {
  const roots: string[] = [];
  const root = (...controllers: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-cgroup-'));
    for (const controller of controllers) mkdirSync(join(dir, controller));
    roots.push(dir);
    return dir;
  };
  after(() => roots.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  const cgroups = async (engine: { cgroupDriver: string; cgroupVersion: string }, at: string) => {
    const found = await detectTaskCgroups(engine, 'agent1', at);
    assert.ok(!('unavailable' in found), 'unavailable' in found ? found.unavailable : '');
    return found as TaskCgroups;
  };

  test('v1: memory.limit_in_bytes and the CFS quota, under the agent\'s own directory', async () => {
    const at = root('memory', 'cpu');
    const v1 = await cgroups({ cgroupDriver: 'cgroupfs', cgroupVersion: '1' }, at);
    assert.equal(await v1.ensure('task1', { cpu: 512, memory: 96 }), '/berth/agent1/task1');
    assert.equal(readFileSync(join(at, 'memory/berth/agent1/task1/memory.limit_in_bytes'), 'utf8'), String(96 * 1024 * 1024));
    assert.equal(readFileSync(join(at, 'cpu/berth/agent1/task1/cpu.cfs_quota_us'), 'utf8'), '50000');
    assert.equal(readFileSync(join(at, 'cpu/berth/agent1/task1/cpu.cfs_period_us'), 'utf8'), '100000');
    assert.deepEqual(await v1.list(), ['task1']);
  });

  test('v2: memory.max and cpu.max, with the controllers delegated down the tree', async () => {
    const at = root();
    const v2 = await cgroups({ cgroupDriver: 'cgroupfs', cgroupVersion: '2' }, at);
    await v2.ensure('task1', { cpu: 2048, memory: 512 });
    assert.equal(readFileSync(join(at, 'berth/agent1/task1/memory.max'), 'utf8'), String(512 * 1024 * 1024));
    assert.equal(readFileSync(join(at, 'berth/agent1/task1/cpu.max'), 'utf8'), '200000 100000');
    for (const dir of ['berth', 'berth/agent1']) assert.equal(readFileSync(join(at, dir, 'cgroup.subtree_control'), 'utf8'), '+memory +cpu');
  });

  test('a task with only memory writes no CPU quota', async () => {
    const at = root('memory', 'cpu');
    const v1 = await cgroups({ cgroupDriver: 'cgroupfs', cgroupVersion: '1' }, at);
    await v1.ensure('task2', { memory: 64 });
    assert.throws(() => readFileSync(join(at, 'cpu/berth/agent1/task2/cpu.cfs_quota_us')), /ENOENT/);
  });

  test('unavailable, with the reason: the systemd driver, a missing hierarchy, a bad task id', async () => {
    const systemd = await detectTaskCgroups({ cgroupDriver: 'systemd', cgroupVersion: '2' }, 'agent1', root());
    assert.match('unavailable' in systemd ? systemd.unavailable : '', /'systemd' cgroup driver/);
    const missing = await detectTaskCgroups({ cgroupDriver: 'cgroupfs', cgroupVersion: '1' }, 'agent1', root('cpu'));
    assert.match('unavailable' in missing ? missing.unavailable : '', /memory is not writable/);
    const v1 = await cgroups({ cgroupDriver: 'cgroupfs', cgroupVersion: '1' }, root('memory', 'cpu'));
    await assert.rejects(v1.ensure('../escape', { memory: 1 }), /not a task id/);
  });
});
