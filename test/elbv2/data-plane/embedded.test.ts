/**
 * The embedded data plane (a Node.js process of Berth's own) passes the data-plane conformance
 * suite, and outlives a control plane killed with SIGKILL.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createEmbeddedDataPlane } from '../../../src/elbv2/data-plane/embedded/index.js';
import { dataPlaneConformance } from './conformance.js';
import { eventually, forward, freePort, lbAddress, listener, loadBalancer, rule, send, startHttpTarget, targetGroup } from './support.js';

dataPlaneConformance('embedded', (stateDir) => createEmbeddedDataPlane({ stateDir }));

describe('embedded data plane process', () => {
  it('relays an answer whose head lines end in LF alone, as busybox httpd sends a CGI script’s headers', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'berth-lb-bare-lf-'));
    // Each request answered as busybox httpd answers a CGI script that prints LF-only headers, the body delimited by the close.
    const sockets = new Set<Socket>();
    const server = createNetServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\n\nfrom a CGI script\n'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const targetPort = (server.address() as { port: number }).port;
    const group = targetGroup([{ id: 'i-cgi', address: '127.0.0.1', port: targetPort, state: 'registered', registeredAt: Date.now() }]);
    const address = lbAddress();
    const port = await freePort();
    const plane = await createEmbeddedDataPlane({ stateDir });
    try {
      await plane.apply({ loadBalancers: [loadBalancer(address, [listener(port, [rule('default', [], forward(group))])])], targetGroups: [group] });
      const reply = await eventually('a 200 through the listener', async () => {
        const answer = await send(`http://${address}:${port}/cgi-bin/page`);
        return answer.status === 200 ? answer : undefined;
      });
      assert.equal(reply.body, 'from a CGI script\n');
    } finally {
      await plane.shutdown();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('keeps forwarding when the control plane that started it is killed with SIGKILL, and a new one re-attaches to it', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'berth-lb-kill-'));
    const target = await startHttpTarget('survivor');
    const group = targetGroup([target.config()]);
    const address = lbAddress();
    const port = await freePort();
    const config = { loadBalancers: [loadBalancer(address, [listener(port, [rule('default', [], forward(group))])])], targetGroups: [group] };
    const entry = new URL('../../../src/elbv2/data-plane/embedded/index.js', import.meta.url).href;
    // A control plane of its own: starts the data plane, applies, and is then killed.
    const script = `const { createEmbeddedDataPlane } = await import(${JSON.stringify(entry)});
      const plane = await createEmbeddedDataPlane({ stateDir: ${JSON.stringify(stateDir)} });
      const result = await plane.apply(${JSON.stringify(config)});
      process.stdout.write(JSON.stringify(result) + '\\n');
      setInterval(() => undefined, 1000);`;
    const controlPlane = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const applied = await new Promise<string>((resolve, reject) => {
        controlPlane.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
        controlPlane.once('exit', (code) => reject(new Error(`the control plane exited with ${code}`)));
      });
      assert.deepEqual(JSON.parse(applied), { listenerErrors: [] });
      controlPlane.kill('SIGKILL');
      await new Promise((resolve) => controlPlane.once('exit', resolve));
      const reply = await eventually('traffic through the orphaned data plane', async () => {
        const answer = await send(`http://${address}:${port}/`);
        return answer.status === 200 ? answer : undefined;
      });
      assert.equal(reply.json().target, 'survivor');
      const pid = Number(readFileSync(join(stateDir, 'embedded.pid'), 'utf8'));
      const plane = await createEmbeddedDataPlane({ stateDir });
      assert.equal(Number(readFileSync(join(stateDir, 'embedded.pid'), 'utf8')), pid, 'the same process, not a second one');
      assert.deepEqual(await plane.apply(config), { listenerErrors: [] });
      assert.equal((await send(`http://${address}:${port}/`)).status, 200);
      await plane.shutdown();
      assert.throws(() => process.kill(pid, 0), 'shutdown ends the process');
    } finally {
      controlPlane.kill('SIGKILL');
      await target.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
