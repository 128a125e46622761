/**
 * Data-plane cases run against a real data plane with real HTTP targets and clients. Written for
 * the haproxy data plane and shaped like the shared conformance suite (a function of a factory),
 * so the same cases can run against any DataPlane.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { Agent } from 'node:http';
import { get as httpsGet } from 'node:https';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { DataPlane, TargetHealthReport } from '../../../src/elbv2/data-plane/types.js';
import { config, eventually, forward, freeListenerAddress, get, loadBalancer, startTarget, targetConfig, targetGroup, targetOf, type Target } from './harness.js';

/** A throwaway self-signed certificate for localhost (openssl is part of every Debian). */
function selfSignedCertificate(): { certificatePem: string; privateKeyPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { certificatePem: readFileSync(join(dir, 'cert.pem'), 'utf8'), privateKeyPem: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type DataPlaneFactory = (stateDir: string) => Promise<DataPlane>;

export function haproxyCases(factory: DataPlaneFactory, options: { workerPid?: (plane: DataPlane) => Promise<number> } = {}): void {
  const cleanups: (() => Promise<unknown>)[] = [];
  const targets = async (...names: string[]): Promise<Target[]> => {
    const started = await Promise.all(names.map(startTarget));
    cleanups.push(...started.map((t) => () => t.close()));
    return started;
  };
  const plane = async (): Promise<{ plane: DataPlane; stateDir: string }> => {
    const stateDir = mkdtempSync(join(tmpdir(), 'berth-lb-'));
    const created = await factory(stateDir);
    cleanups.push(async () => {
      await created.shutdown();
      rmSync(stateDir, { recursive: true, force: true });
    });
    return { plane: created, stateDir };
  };
  const healthOf = async (dataPlane: DataPlane, targetId: string): Promise<TargetHealthReport | undefined> => (await dataPlane.health()).find((h) => h.targetId === targetId);
  const healthy = (dataPlane: DataPlane, ...ids: string[]) =>
    eventually(async () => {
      for (const id of ids) assert.equal((await healthOf(dataPlane, id))?.state, 'healthy', `${id} healthy`);
    });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });
  after(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  describe('rules and actions', () => {
    it('evaluates every condition in priority order and runs forward, redirect and fixed-response', async () => {
      const [api, web, other] = await targets('api', 'web', 'other');
      const tgApi = targetGroup('api', [targetConfig(api!)]);
      const tgWeb = targetGroup('web', [targetConfig(web!)]);
      const tgOther = targetGroup('other', [targetConfig(other!)]);
      const where = await freeListenerAddress();
      const rule = (priority: number, conditions: Parameters<typeof forward>[2], action?: 'redirect' | 'fixed') => {
        const r = forward(tgOther, priority, conditions);
        if (action === 'redirect') r.actions = [{ type: 'redirect', protocol: '#{protocol}', host: 'moved.#{host}', port: '#{port}', path: '/new/#{path}', query: '#{query}', statusCode: 'HTTP_301' }];
        if (action === 'fixed') r.actions = [{ type: 'fixed-response', statusCode: '418', contentType: 'text/plain', messageBody: 'short and stout' }];
        return r;
      };
      const lb = loadBalancer('rules', where, [
        rule(1, [{ field: 'path-pattern', values: ['/old/*'] }], 'redirect'),
        rule(2, [{ field: 'path-pattern', values: ['/teapot'] }], 'fixed'),
        forward(tgApi, 3, [{ field: 'path-pattern', values: ['/api/*', '/v?/x'] }]),
        forward(tgApi, 4, [{ field: 'host-header', values: ['*.api.example'] }]),
        rule(5, [{ field: 'http-header', headerName: 'X-Env', values: ['st*g'] }]),
        rule(6, [{ field: 'http-request-method', values: ['DELETE'] }]),
        rule(7, [{ field: 'query-string', values: [{ key: 'v', value: 'b?ta' }] }]),
        rule(8, [{ field: 'source-ip', values: ['10.0.0.0/8'] }]),
        forward(tgWeb),
      ]);
      const { plane: dataPlane } = await plane();
      const result = await dataPlane.apply(config([lb], [tgApi, tgWeb, tgOther]));
      assert.deepEqual(result.listenerErrors, []);
      await healthy(dataPlane, 'i-api', 'i-web', 'i-other');
      const base = `http://${where.address}:${where.port}`;

      const moved = await get(`${base}/old/page?a=1`, { headers: { host: 'site.example:8080' } });
      assert.equal(moved.status, 301);
      assert.equal(moved.headers.location, `http://moved.site.example:${where.port}/new/old/page?a=1`);
      const movedNoQuery = await get(`${base}/old/x`, { headers: { host: 'site.example' } });
      assert.equal(movedNoQuery.headers.location, `http://moved.site.example:${where.port}/new/old/x`);

      const teapot = await get(`${base}/teapot`);
      assert.equal(teapot.status, 418);
      assert.equal(teapot.body, 'short and stout');
      assert.equal(teapot.headers['content-type'], 'text/plain');

      assert.equal(targetOf(await get(`${base}/api/users`)), 'api');
      assert.equal(targetOf(await get(`${base}/v2/x`)), 'api');
      assert.equal(targetOf(await get(`${base}/v22/x`)), 'web', '? takes exactly one character');
      assert.equal(targetOf(await get(`${base}/API/users`)), 'web', 'paths are case-sensitive');
      assert.equal(targetOf(await get(`${base}/`, { headers: { host: 'eu.API.example:81' } })), 'api', 'hosts are not, and the port is ignored');
      assert.equal(targetOf(await get(`${base}/`, { headers: { 'x-env': 'STAGING' } })), 'other');
      assert.equal(targetOf(await get(`${base}/`, { method: 'DELETE' })), 'other');
      assert.equal(targetOf(await get(`${base}/?a=1&v=beta`)), 'other');
      assert.equal(targetOf(await get(`${base}/?v=betas`)), 'web');
      assert.equal(targetOf(await get(`${base}/`)), 'web', 'source 127.0.0.0/8 is not in 10.0.0.0/8');
    });

    it('adds X-Forwarded-For/-Proto/-Port and X-Amzn-Trace-Id when absent', async () => {
      const [web] = await targets('web');
      const tg = targetGroup('web', [targetConfig(web!)]);
      const where = await freeListenerAddress();
      const { plane: dataPlane } = await plane();
      await dataPlane.apply(config([loadBalancer('headers', where, [forward(tg)])], [tg]));
      await healthy(dataPlane, 'i-web');
      const echo = JSON.parse((await get(`http://${where.address}:${where.port}/`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).body) as { headers: Record<string, string> };
      assert.equal(echo.headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
      assert.equal(echo.headers['x-forwarded-proto'], 'http');
      assert.equal(echo.headers['x-forwarded-port'], String(where.port));
      assert.match(echo.headers['x-amzn-trace-id']!, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
      const kept = JSON.parse((await get(`http://${where.address}:${where.port}/`, { headers: { 'x-amzn-trace-id': 'Root=1-mine' } })).body) as { headers: Record<string, string> };
      assert.equal(kept.headers['x-amzn-trace-id'], 'Root=1-mine');
    });

    it('splits weighted forwards across target groups and answers 503 when a group has no target', async () => {
      const [a, b] = await targets('a', 'b');
      const tgA = targetGroup('a', [targetConfig(a!)]);
      const tgB = targetGroup('b', [targetConfig(b!)]);
      const empty = targetGroup('empty', []);
      const where = await freeListenerAddress();
      const weighted = forward(tgA);
      weighted.actions = [{ type: 'forward', targetGroups: [{ targetGroupArn: tgA.arn, weight: 1 }, { targetGroupArn: tgB.arn, weight: 1 }] }];
      const { plane: dataPlane } = await plane();
      await dataPlane.apply(config([loadBalancer('weights', where, [forward(empty, 1, [{ field: 'path-pattern', values: ['/none'] }]), weighted])], [tgA, tgB, empty]));
      await healthy(dataPlane, 'i-a', 'i-b');
      const seen = new Set<string>();
      for (let i = 0; i < 40; i++) seen.add(targetOf(await get(`http://${where.address}:${where.port}/`)));
      assert.deepEqual([...seen].sort(), ['a', 'b']);
      assert.equal((await get(`http://${where.address}:${where.port}/none`)).status, 503);

      // Group stickiness: the AWSALBTG cookie keeps a client on the target group it first got.
      weighted.actions = [{ ...weighted.actions[0]!, stickiness: { enabled: true, durationSeconds: 300 } } as (typeof weighted.actions)[number]];
      await dataPlane.apply(config([loadBalancer('weights', where, [weighted])], [tgA, tgB]));
      const first = await get(`http://${where.address}:${where.port}/`);
      const cookie = String(first.headers['set-cookie']?.find((c) => c.startsWith('AWSALBTG=')) ?? '').split(';')[0]!;
      assert.match(cookie, /^AWSALBTG=/);
      for (let i = 0; i < 10; i++) assert.equal(targetOf(await get(`http://${where.address}:${where.port}/`, { headers: { cookie } })), targetOf(first));
    });

    it('keeps a client on one target with the AWSALB cookie', async () => {
      const [a, b] = await targets('a', 'b');
      const tg = targetGroup('sticky', [targetConfig(a!), targetConfig(b!)], { stickiness: { enabled: true, type: 'lb_cookie', durationSeconds: 3600 } });
      const where = await freeListenerAddress();
      const { plane: dataPlane } = await plane();
      await dataPlane.apply(config([loadBalancer('sticky', where, [forward(tg)])], [tg]));
      await healthy(dataPlane, 'i-a', 'i-b');
      const first = await get(`http://${where.address}:${where.port}/`);
      const cookie = String(first.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
      assert.match(cookie, /^AWSALB=/);
      for (let i = 0; i < 10; i++) assert.equal(targetOf(await get(`http://${where.address}:${where.port}/`, { headers: { cookie } })), targetOf(first));
    });
  });

  describe('upgrades', () => {
    it('carries WebSocket connections to a target', async () => {
      const [a] = await targets('a');
      const tg = targetGroup('ws', [targetConfig(a!)]);
      const where = await freeListenerAddress();
      const { plane: dataPlane } = await plane();
      await dataPlane.apply(config([loadBalancer('ws', where, [forward(tg)])], [tg]));
      await healthy(dataPlane, 'i-a');
      const socket = new WebSocket(`ws://${where.address}:${where.port}/chat`);
      cleanups.push(async () => socket.terminate());
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      socket.send('hello');
      const [answer] = (await once(socket, 'message')) as [Buffer];
      assert.equal(String(answer), 'a:hello');
    });
  });

  describe('errors as ALB answers them', () => {
    it('answers 504 when a target does not answer within the idle timeout, 502 when it resets', async () => {
      const [slow, broken] = await targets('slow', 'broken');
      slow!.delayMs = 3000;
      broken!.reset = true;
      const tgSlow = targetGroup('slow', [targetConfig(slow!)]);
      const tgBroken = targetGroup('broken', [targetConfig(broken!)]);
      const where = await freeListenerAddress();
      const lb = loadBalancer('errors', where, [forward(tgBroken, 1, [{ field: 'path-pattern', values: ['/broken'] }]), forward(tgSlow)], { idleTimeoutSeconds: 1 });
      const { plane: dataPlane } = await plane();
      await dataPlane.apply(config([lb], [tgSlow, tgBroken]));
      await healthy(dataPlane, 'i-slow', 'i-broken');
      assert.equal((await get(`http://${where.address}:${where.port}/`)).status, 504);
      assert.equal((await get(`http://${where.address}:${where.port}/broken`)).status, 502);
      const counters = await dataPlane.counters();
      assert.equal(counters.loadBalancers[lb.arn]?.httpCodeElb5xx, 2);
    });
  });

  describe('health', () => {
    it('reports initial, healthy and unhealthy with ELB reason codes, routes to healthy targets, and fails open', async () => {
      const [good, bad] = await targets('good', 'bad');
      bad!.healthStatus = 500;
      const tg = targetGroup('health', [targetConfig(good!), targetConfig(bad!)]);
      const where = await freeListenerAddress();
      const { plane: dataPlane } = await plane();
      const lb = loadBalancer('health', where, [forward(tg)]);
      await dataPlane.apply(config([lb], [tg]));
      assert.equal((await healthOf(dataPlane, 'i-good'))?.state, 'initial');
      await healthy(dataPlane, 'i-good');
      await eventually(async () => {
        const report = await healthOf(dataPlane, 'i-bad');
        assert.equal(report?.state, 'unhealthy');
        assert.equal(report?.reason, 'Target.ResponseCodeMismatch');
      });
      for (let i = 0; i < 6; i++) assert.equal(targetOf(await get(`http://${where.address}:${where.port}/`)), 'good');

      good!.healthStatus = 503;
      await eventually(async () => assert.equal((await healthOf(dataPlane, 'i-good'))?.state, 'unhealthy'));
      const served = new Set<string>();
      for (let i = 0; i < 6; i++) served.add(targetOf(await get(`http://${where.address}:${where.port}/`)));
      assert.deepEqual([...served].sort(), ['bad', 'good'], 'every target unhealthy: all of them take traffic (fail-open)');

      bad!.healthStatus = 200;
      await healthy(dataPlane, 'i-bad');
      const counters = await dataPlane.counters();
      assert.equal(counters.targetGroups[tg.arn]?.healthyHostCount, 1);
      assert.equal(counters.targetGroups[tg.arn]?.unhealthyHostCount, 1);
      assert.ok((counters.targetGroups[tg.arn]?.requestCount ?? 0) >= 12);
      assert.ok((counters.loadBalancers[lb.arn]?.requestCount ?? 0) >= 12);
    });
  });

  describe('runtime changes', () => {
    it('adds and removes targets without a reload: a keep-alive connection survives', async () => {
      const [a, b] = await targets('a', 'b');
      const tg = targetGroup('live', [targetConfig(a!)]);
      const where = await freeListenerAddress();
      const lb = loadBalancer('live', where, [forward(tg)]);
      const { plane: dataPlane } = await plane();
      await dataPlane.apply(config([lb], [tg]));
      await healthy(dataPlane, 'i-a');
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      cleanups.push(async () => agent.destroy());
      const url = `http://${where.address}:${where.port}/`;
      const first = await get(url, { agent });
      const pid = await options.workerPid?.(dataPlane);

      tg.targets = [targetConfig(a!), targetConfig(b!)];
      await dataPlane.apply(config([lb], [tg]));
      await healthy(dataPlane, 'i-b');
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const reply = await get(url, { agent });
        assert.equal(reply.localPort, first.localPort, 'the same connection');
        seen.add(targetOf(reply));
      }
      assert.deepEqual([...seen].sort(), ['a', 'b']);

      tg.targets = [targetConfig(b!)];
      await dataPlane.apply(config([lb], [tg]));
      for (let i = 0; i < 4; i++) {
        const reply = await get(url, { agent });
        assert.equal(reply.localPort, first.localPort, 'the same connection');
        assert.equal(targetOf(reply), 'b');
      }
      if (options.workerPid !== undefined) assert.equal(await options.workerPid(dataPlane), pid, 'no reload');
    });

    it('ramps a new target up slowly when slow start is on', async () => {
      const [old, fresh] = await targets('old', 'fresh');
      const tg = targetGroup('slowstart', [targetConfig(old!)]);
      const where = await freeListenerAddress();
      const lb = loadBalancer('slowstart', where, [forward(tg)]);
      const { plane: dataPlane } = await plane();
      await dataPlane.apply(config([lb], [tg]));
      await healthy(dataPlane, 'i-old');
      // As in ELB, targets already healthy when slow start is turned on do not enter it.
      tg.slowStartSeconds = 120;
      tg.targets = [targetConfig(old!), targetConfig(fresh!)];
      await dataPlane.apply(config([lb], [tg]));
      await healthy(dataPlane, 'i-fresh');
      let onFresh = 0;
      for (let i = 0; i < 60; i++) if (targetOf(await get(`http://${where.address}:${where.port}/`)) === 'fresh') onFresh++;
      assert.ok(onFresh < 15, `${onFresh} of 60 requests on the target in slow start (round robin alone: 30)`);
    });

    it('drains a deregistered target: in-flight requests finish, new ones go elsewhere, then it is gone', async () => {
      const [slow, fast] = await targets('slow', 'fast');
      const tg = targetGroup('drain', [targetConfig(slow!), targetConfig(fast!)]);
      const where = await freeListenerAddress();
      const lb = loadBalancer('drain', where, [forward(tg)]);
      const { plane: dataPlane } = await plane();
      await dataPlane.apply(config([lb], [tg]));
      await healthy(dataPlane, 'i-slow', 'i-fast');
      const url = `http://${where.address}:${where.port}/`;
      slow!.delayMs = 1500;
      // Round-robin: of a few concurrent requests, some are on the slow target.
      const inFlight = Promise.all([get(url), get(url), get(url), get(url)]);
      await eventually(async () => assert.ok(slow!.requests > 0));
      tg.targets = [targetConfig(slow!, { state: 'draining', drainingUntil: Date.now() + 60_000 }), targetConfig(fast!)];
      await dataPlane.apply(config([lb], [tg]));
      assert.equal((await healthOf(dataPlane, 'i-slow'))?.state, 'draining');
      assert.equal((await healthOf(dataPlane, 'i-slow'))?.reason, 'Target.DeregistrationInProgress');
      for (let i = 0; i < 4; i++) assert.equal(targetOf(await get(url)), 'fast');
      const replies = await inFlight;
      assert.deepEqual(replies.map((r) => r.status), [200, 200, 200, 200]);
      assert.ok(replies.some((r) => targetOf(r) === 'slow'), 'the slow target finished what it had');
      await eventually(async () => assert.equal(await healthOf(dataPlane, 'i-slow'), undefined, 'drained and removed before its delay ends'));
    });

    it('reloads for listener and rule changes without failing a request', async () => {
      const [a] = await targets('a');
      const tg = targetGroup('reload', [targetConfig(a!)]);
      const where = await freeListenerAddress();
      const lb = loadBalancer('reload', where, [forward(tg)]);
      const { plane: dataPlane } = await plane();
      await dataPlane.apply(config([lb], [tg]));
      await healthy(dataPlane, 'i-a');
      const url = `http://${where.address}:${where.port}/`;
      let stop = false;
      let sent = 0;
      const failures: string[] = [];
      // Two clients open a connection per request, two keep theirs alive across the reloads.
      const load = Promise.all(
        [false, false, true, true].map(async (keepAlive) => {
          const agent = keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : undefined;
          while (!stop) {
            sent++;
            await get(url, { agent }).then((r) => (r.status === 200 ? undefined : failures.push(String(r.status))), (e: Error) => failures.push(e.message));
          }
          agent?.destroy();
        }),
      );
      for (let i = 0; i < 4; i++) {
        lb.listeners[0]!.rules = [{ ...forward(tg, 1, [{ field: 'path-pattern', values: [`/v${i}/*`] }]) }, forward(tg)];
        await dataPlane.apply(config([lb], [tg]));
      }
      stop = true;
      await load;
      assert.deepEqual(failures, [], `${failures.length} of ${sent} requests failed`);
      assert.equal((await healthOf(dataPlane, 'i-a'))?.state, 'healthy', 'health carried over the reloads');
    });
  });

  describe('lifecycle and errors', () => {
    it('keeps forwarding after detach, and a new instance attaches to the running data plane', async () => {
      const [a] = await targets('a');
      const tg = targetGroup('attach', [targetConfig(a!)]);
      const where = await freeListenerAddress();
      const { plane: first, stateDir } = await plane();
      await first.apply(config([loadBalancer('attach', where, [forward(tg)])], [tg]));
      await healthy(first, 'i-a');
      await first.detach();
      assert.equal(targetOf(await get(`http://${where.address}:${where.port}/`)), 'a');
      const second = await factory(stateDir);
      assert.equal((await healthOf(second, 'i-a'))?.state, 'healthy', 'same data plane, same health');
      await second.detach();
    });

    it('reports a listener whose port is taken, with what to do, and serves the others', async () => {
      const [a] = await targets('a');
      const tg = targetGroup('bind', [targetConfig(a!)]);
      const taken = await freeListenerAddress();
      const holder: Server = createServer();
      await new Promise<void>((resolve) => holder.listen(taken.port, taken.address, resolve));
      cleanups.push(() => new Promise((resolve) => holder.close(resolve)));
      const free = await freeListenerAddress();
      const blocked = loadBalancer('blocked', taken, [forward(tg)]);
      const fine = loadBalancer('fine', free, [forward(tg)]);
      const { plane: dataPlane } = await plane();
      const result = await dataPlane.apply(config([blocked, fine], [tg]));
      assert.equal(result.listenerErrors.length, 1);
      assert.equal(result.listenerErrors[0]?.listenerArn, blocked.listeners[0]!.arn);
      assert.match(result.listenerErrors[0]!.message, /already in use.*choose another port/);
      await healthy(dataPlane, 'i-a');
      assert.equal(targetOf(await get(`http://${free.address}:${free.port}/`)), 'a');
    });

    it('terminates TLS on an HTTPS listener with the given certificate', async () => {
      const [a] = await targets('a');
      const tg = targetGroup('tls', [targetConfig(a!)]);
      const where = await freeListenerAddress();
      const lb = loadBalancer('tls', where, [forward(tg)]);
      lb.listeners[0]!.protocol = 'HTTPS';
      lb.listeners[0]!.certificate = selfSignedCertificate();
      const { plane: dataPlane } = await plane();
      assert.deepEqual((await dataPlane.apply(config([lb], [tg]))).listenerErrors, []);
      await healthy(dataPlane, 'i-a');
      const echo = await new Promise<{ target: string; headers: Record<string, string> }>((resolve, reject) => {
        httpsGet(`https://${where.address}:${where.port}/`, { rejectUnauthorized: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(JSON.parse(body) as { target: string; headers: Record<string, string> }));
        }).on('error', reject);
      });
      assert.equal(echo.target, 'a');
      assert.equal(echo.headers['x-forwarded-proto'], 'https');
    });

    it('forwards TCP connections for a network load balancer', async () => {
      const [a] = await targets('a');
      const tg = targetGroup('tcp', [targetConfig(a!)], { protocol: 'TCP' });
      tg.healthCheck = { ...tg.healthCheck, protocol: 'TCP' };
      const where = await freeListenerAddress();
      const nlb = loadBalancer('tcp', where, [forward(tg)], { type: 'network' });
      nlb.listeners[0]!.protocol = 'TCP';
      const { plane: dataPlane } = await plane();
      await dataPlane.apply(config([nlb], [tg]));
      await healthy(dataPlane, 'i-a');
      const echo = JSON.parse((await get(`http://${where.address}:${where.port}/`)).body) as { target: string; headers: Record<string, string> };
      assert.equal(echo.target, 'a');
      assert.equal(echo.headers['x-forwarded-for'], undefined, 'layer 4: bytes pass untouched');
    });
  });
}
