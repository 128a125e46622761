import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AdvancingClock } from '../../../src/core/clock.js';
import { createHaproxyDataPlane } from '../../../src/elbv2/data-plane/haproxy/index.js';
import { runtimePaths } from '../../../src/elbv2/data-plane/haproxy/config.js';
import { bindProblem } from '../../../src/elbv2/data-plane/haproxy/bind-check.js';
import { masterPid } from '../../../src/elbv2/data-plane/haproxy/process.js';
import { sendCommand } from '../../../src/elbv2/data-plane/haproxy/runtime-api.js';
import { dataPlaneConformance } from './conformance.js';
import { haproxyCases } from './haproxy-cases.js';
import { config, eventually, forward, freeListenerAddress, get, loadBalancer, startTarget, targetConfig, targetGroup, targetOf } from './harness.js';

const stateDirs = new WeakMap<object, string>();

dataPlaneConformance('haproxy', (stateDir) => createHaproxyDataPlane({ stateDir }));

describe('the haproxy data plane', () => {
  haproxyCases(
    async (stateDir) => {
      const plane = await createHaproxyDataPlane({ stateDir });
      stateDirs.set(plane, stateDir);
      return plane;
    },
    {
      // The worker's pid: unchanged across target changes proves they were applied without a reload.
      workerPid: async (plane) => {
        const info = await sendCommand(runtimePaths(stateDirs.get(plane)!).adminSocket, 'show info');
        return Number(/^Pid: (\d+)/m.exec(info)?.[1]);
      },
    },
  );

  it('cuts what a draining target still serves once its deregistration delay is over', async () => {
    const [slow, fast] = await Promise.all([startTarget('slow'), startTarget('fast')]);
    const stateDir = mkdtempSync(join(tmpdir(), 'berth-lb-'));
    const where = await freeListenerAddress();
    const clock = new AdvancingClock();
    const plane = await createHaproxyDataPlane({ stateDir, clock, syncIntervalMs: 100 });
    try {
      const tg = targetGroup('deadline', [targetConfig(slow), targetConfig(fast)]);
      const lb = loadBalancer('deadline', where, [forward(tg)]);
      tg.targets = [targetConfig(slow)];
      await plane.apply(config([lb], [tg]));
      await eventually(async () => assert.equal((await plane.health())[0]?.state, 'healthy'));
      slow.delayMs = 60_000;
      const stuck = get(`http://${where.address}:${where.port}/`, { timeoutMs: 30_000 }).then((r) => r.status, () => 'cut');
      await eventually(async () => assert.equal(slow.requests, 1));
      tg.targets = [targetConfig(slow, { state: 'draining', drainingUntil: clock.now().getTime() + 300_000 }), targetConfig(fast)];
      await plane.apply(config([lb], [tg]));
      assert.equal((await plane.health()).find((h) => h.targetId === 'i-slow')?.state, 'draining', 'still serving: kept while its delay runs');
      clock.advance(300_000);
      await eventually(async () => assert.equal((await plane.health()).find((h) => h.targetId === 'i-slow'), undefined));
      assert.notEqual(await stuck, 200, 'the request it still served was cut at the deadline');
    } finally {
      await plane.shutdown();
      await Promise.all([slow.close(), fast.close()]);
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('starts haproxy again on the next apply when it died', async () => {
    const target = await startTarget('a');
    const stateDir = mkdtempSync(join(tmpdir(), 'berth-lb-'));
    const where = await freeListenerAddress();
    const tg = targetGroup('phoenix', [targetConfig(target)]);
    const desired = config([loadBalancer('phoenix', where, [forward(tg)])], [tg]);
    const plane = await createHaproxyDataPlane({ stateDir });
    try {
      await plane.apply(desired);
      process.kill(masterPid(stateDir)!, 'SIGKILL');
      // Its orphaned worker stops on its own once it sees the master gone, and lets go of the port.
      await eventually(async () => assert.equal(await bindProblem(where.address, where.port), undefined));
      assert.deepEqual((await plane.apply(desired)).listenerErrors, []);
      assert.equal(targetOf(await eventually(() => get(`http://${where.address}:${where.port}/`))), 'a');
    } finally {
      await plane.shutdown();
      await target.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('keeps forwarding when the control plane that started it is killed with SIGKILL, and a new one attaches', async () => {
    const target = await startTarget('a');
    const stateDir = mkdtempSync(join(tmpdir(), 'berth-lb-'));
    const where = await freeListenerAddress();
    const tg = targetGroup('survivor', [targetConfig(target)]);
    const desired = config([loadBalancer('survivor', where, [forward(tg)])], [tg]);
    const moduleUrl = new URL('../../../src/elbv2/data-plane/haproxy/index.js', import.meta.url).href;
    // A control plane of its own: applies, says so, and waits to be killed.
    const script = `const { createHaproxyDataPlane } = await import(${JSON.stringify(moduleUrl)});
      const plane = await createHaproxyDataPlane({ stateDir: ${JSON.stringify(stateDir)} });
      await plane.apply(${JSON.stringify(desired)});
      console.log('applied'); setInterval(() => {}, 1000);`;
    const controlPlane = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        controlPlane.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('applied') && resolve());
        controlPlane.on('exit', (code) => reject(new Error(`the control plane exited (${code}) before applying`)));
      });
      controlPlane.kill('SIGKILL');
      await new Promise((resolve) => controlPlane.once('exit', resolve));
      const reply = await eventually(async () => {
        const r = await get(`http://${where.address}:${where.port}/`);
        assert.equal(r.status, 200);
        return r;
      });
      assert.equal(targetOf(reply), 'a');
      const attached = await createHaproxyDataPlane({ stateDir });
      assert.deepEqual((await attached.apply(desired)).listenerErrors, [], 'its own listener is not reported as taken');
      assert.equal(targetOf(await get(`http://${where.address}:${where.port}/`)), 'a');
      await attached.shutdown();
      await assert.rejects(get(`http://${where.address}:${where.port}/`), 'shut down: nothing listens');
    } finally {
      controlPlane.kill('SIGKILL');
      await target.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
