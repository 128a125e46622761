/**
 * `berth down` stops the load balancers' data plane of its data directory, which outlives the
 * control plane on purpose (traffic keeps flowing while it is stopped or killed).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { dataPlaneStateDir, DataPlaneHandle } from '../../src/elbv2/data-plane-handle.js';
import { config, forward, freeListenerAddress, get, loadBalancer, startTarget, targetConfig, targetGroup, type Target } from '../elbv2/data-plane/harness.js';

const run = promisify(execFile);

describe('berth down and the load balancer data plane', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-down-lb-'));
  let target: Target | undefined;
  after(async () => {
    await new DataPlaneHandle('embedded', dataPlaneStateDir(dataDir, 'embedded')).shutdown().catch(() => undefined);
    await target?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shuts down the embedded data plane left running, and its listeners stop answering', async () => {
    target = await startTarget('a');
    const where = await freeListenerAddress();
    const handle = new DataPlaneHandle('embedded', dataPlaneStateDir(dataDir, 'embedded'));
    const plane = (await handle.get(true))!;
    const group = targetGroup('web', [targetConfig(target)]);
    await plane.apply(config([loadBalancer('web', where, [forward(group)])], [group]));
    assert.equal((await get(`http://${where.address}:${where.port}/`)).status, 200);
    await handle.detach();
    const { stdout } = await run(process.execPath, ['bin/berth.js', 'down', '--data-dir', dataDir]);
    assert.match(stdout, /the embedded load balancer data plane stopped/);
    await assert.rejects(get(`http://${where.address}:${where.port}/`, { timeoutMs: 2_000 }));
    assert.equal(await handle.running(), false);
  });
});
