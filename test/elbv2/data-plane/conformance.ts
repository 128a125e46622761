/**
 * The behaviour every load balancer data plane must have: one suite, run by each implementation's
 * test file with a way to open its DataPlane (`open(stateDir)` attaches to the data plane running
 * for that state directory or starts one). embedded.test.ts runs it for the embedded data plane.
 *
 * Real traffic only: targets are node:http / node:net servers on 127.0.0.1, clients are node:http
 * requests and raw sockets, load balancers bind their own 127.0.2.x address. Health checks run at
 * the data plane's configured 1 s interval; where the data plane can check on demand
 * (`checkHealthNow`), the suite has it check before each look at health() instead of waiting for
 * the interval, and otherwise polls health() until the expected state, with a generous deadline.
 * It never sleeps on a timer of the data plane.
 * Each test applies the whole configuration it needs, so what earlier tests applied goes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { Agent } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DataPlane, DataPlaneConfig, LoadBalancerConfig, TargetGroupConfig, TargetHealthReport } from '../../../src/elbv2/data-plane/types.js';
import { sslPolicyNamed, tlsPolicyConfig } from '../../../src/elbv2/ssl-policies.js';
import { makeCertificate, type TestCertificate } from '../../helpers/certificates.js';
import {
  eventually, forward, freePort, lbAddress, listener, loadBalancer, rawExchange, rule, selfSignedCertificate, send, startHttpTarget, startTcpTarget, targetGroup, tcpExchange,
  type HttpTarget,
} from './support.js';

export interface ConformanceOptions {
  /** Parts an implementation does not have yet, each skipped with the reason given. */
  skip?: Partial<Record<'accessLog' | 'https' | 'websocket' | 'tcp', string>>;
}

export function dataPlaneConformance(name: string, open: (stateDir: string) => Promise<DataPlane>, options: ConformanceOptions = {}): void {
  describe(`load balancer data plane conformance: ${name}`, () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'berth-lb-conformance-'));
    let plane: DataPlane;
    const targets: HttpTarget[] = [];
    let a: HttpTarget;
    let b: HttpTarget;
    let c: HttpTarget;

    before(async () => {
      plane = await open(stateDir);
      a = await startHttpTarget('a');
      b = await startHttpTarget('b');
      c = await startHttpTarget('c');
      targets.push(a, b, c);
    });

    after(async () => {
      await plane.shutdown();
      await Promise.all(targets.map((target) => target.stop()));
      rmSync(stateDir, { recursive: true, force: true });
    });

    const reset = (): void => {
      for (const target of targets) {
        target.mode = 'ok';
        target.requests.length = 0;
      }
    };

    async function applyOk(config: DataPlaneConfig): Promise<void> {
      const result = await plane.apply(config);
      assert.deepEqual(result.listenerErrors, []);
    }

    async function healthOf(group: TargetGroupConfig, targetId: string): Promise<TargetHealthReport | undefined> {
      return (await plane.health()).find((report) => report.targetGroupArn === group.arn && report.targetId === targetId);
    }

    async function untilState(group: TargetGroupConfig, targetId: string, state: string, reason?: string): Promise<TargetHealthReport> {
      return eventually(`${targetId} ${state}${reason === undefined ? '' : ` (${reason})`}`, async () => {
        await plane.checkHealthNow?.();
        const report = await healthOf(group, targetId);
        return report?.state === state && (reason === undefined || report.reason === reason) ? report : undefined;
      });
    }

    async function allHealthy(group: TargetGroupConfig): Promise<void> {
      for (const target of group.targets) await untilState(group, target.id, 'healthy');
    }

    /** One load balancer with one HTTP listener whose default rule forwards to `group`; its URL. */
    let lastLoadBalancerArn = '';
    async function simple(group: TargetGroupConfig, lbOverrides = {}): Promise<string> {
      const address = lbAddress();
      const port = await freePort();
      const lb = loadBalancer(address, [listener(port, [rule('default', [], forward(group))])], lbOverrides);
      lastLoadBalancerArn = lb.arn;
      await applyOk({ loadBalancers: [lb], targetGroups: [group] });
      return `http://${address}:${port}`;
    }

    it('forwards to a target with X-Forwarded-For appended, X-Forwarded-Proto, X-Forwarded-Port and a trace id', async () => {
      reset();
      const group = targetGroup([a.config()]);
      const url = await simple(group);
      await allHealthy(group);
      const reply = await send(`${url}/path?q=1`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
      assert.equal(reply.status, 200);
      const seen = reply.json();
      assert.equal(seen.url, '/path?q=1');
      assert.equal(seen.headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
      assert.equal(seen.headers['x-forwarded-proto'], 'http');
      assert.equal(seen.headers['x-forwarded-port'], url.split(':').pop());
      assert.match(seen.headers['x-amzn-trace-id'] ?? '', /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
      assert.equal(seen.headers.host, url.slice('http://'.length));
      const traced = (await send(url, { headers: { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793' } })).json();
      assert.match(traced.headers['x-amzn-trace-id'] ?? '', /^Root=1-5759e988-bd862e3fe1be46a994272793/);
      const plain = (await send(url)).json();
      assert.equal(plain.headers['x-forwarded-for'], '127.0.0.1');
    });

    it('serves many requests on one client connection: bodies, chunked answers, HEAD, a large upload', async () => {
      reset();
      const group = targetGroup([a.config(), b.config()]);
      const url = await simple(group);
      await allHealthy(group);
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const posted = await send(`${url}/echo`, { method: 'POST', body: 'hello body', headers: { 'content-type': 'text/plain' }, agent });
        assert.equal(posted.status, 200);
        assert.equal(posted.json().method, 'POST');
        assert.equal(posted.json().bodyStart, 'hello body');
        const chunked = await send(`${url}/chunked`, { agent });
        assert.equal(chunked.status, 200);
        assert.equal(chunked.json().url, '/chunked');
        const head = await send(`${url}/`, { method: 'HEAD', agent });
        assert.equal(head.status, 200);
        assert.equal(head.body, '');
        const large = 'x'.repeat(300 * 1024);
        const uploaded = await send(`${url}/upload`, { method: 'PUT', body: large, agent });
        assert.equal(uploaded.json().bodyLength, large.length);
        const seen = new Set<string>();
        for (let i = 0; i < 4; i++) {
          const reply = await send(`${url}/again-${i}`, { agent });
          assert.equal(reply.json().url, `/again-${i}`);
          seen.add(reply.json().target);
        }
        assert.equal(seen.size, 2, 'requests on one connection are still balanced');
      } finally {
        agent.destroy();
      }
    });

    it('answers pipelined requests in order, and closes after the one that asks for it', async () => {
      reset();
      const group = targetGroup([a.config()]);
      const url = await simple(group);
      await allHealthy(group);
      const [host, port] = url.slice('http://'.length).split(':') as [string, string];
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect({ host, port: Number(port) });
        let received = '';
        socket.setTimeout(10_000, () => socket.destroy(new Error(`no complete answer; got ${JSON.stringify(received)}`)));
        socket.on('connect', () => socket.write(`GET /first HTTP/1.1\r\nHost: ${host}\r\n\r\nGET /second HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
        socket.on('data', (chunk) => (received += chunk.toString()));
        socket.on('end', () => resolve(received));
        socket.on('error', reject);
      });
      const answers = raw.split(/(?=HTTP\/1\.1 )/);
      assert.equal(answers.length, 2, raw);
      assert.match(answers[0] ?? '', /^HTTP\/1\.1 200 [^]*"url":"\/first"/);
      assert.match(answers[1] ?? '', /^HTTP\/1\.1 200 [^]*"url":"\/second"/);
    });

    it('closes a client connection that stays idle longer than the idle timeout', async () => {
      reset();
      const group = targetGroup([a.config()]);
      const url = await simple(group, { idleTimeoutSeconds: 1 });
      await allHealthy(group);
      const [host, port] = url.slice('http://'.length).split(':') as [string, string];
      const openFor = await new Promise<number>((resolve, reject) => {
        const socket = connect({ host, port: Number(port) });
        let opened = 0;
        socket.on('connect', () => {
          opened = Date.now();
          socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
        });
        socket.on('data', () => undefined);
        socket.on('close', () => resolve(Date.now() - opened));
        socket.on('error', reject);
        setTimeout(() => {
          socket.destroy();
          reject(new Error('the idle connection was still open after 10 s'));
        }, 10_000).unref();
      });
      assert.ok(openFor >= 900 && openFor < 5000, `closed after ${openFor} ms`);
    });

    it('evaluates rules in order with every condition, AND across conditions', async () => {
      reset();
      const fixed = (body: string) => ({ type: 'fixed-response' as const, statusCode: '200', contentType: 'text/plain', messageBody: body });
      const address = lbAddress();
      const port = await freePort();
      const rules = [
        rule(1, [{ field: 'path-pattern', values: ['/api/*'] }, { field: 'http-request-method', values: ['POST'] }], fixed('api-post')),
        rule(2, [{ field: 'path-pattern', values: ['/api/v?/*'] }], fixed('api-versioned')),
        rule(3, [{ field: 'host-header', values: ['*.example.com'] }], fixed('host')),
        rule(4, [{ field: 'http-header', headerName: 'X-Canary', values: ['yes*'] }], fixed('header')),
        rule(5, [{ field: 'query-string', values: [{ key: 'version', value: 'b*' }] }], fixed('query')),
        rule(6, [{ field: 'source-ip', values: ['192.0.2.0/24'] }], fixed('elsewhere')),
        rule(7, [{ field: 'source-ip', values: ['127.0.0.0/8'] }, { field: 'path-pattern', values: ['/local'] }], fixed('local')),
        rule('default', [], fixed('default')),
      ];
      await applyOk({ loadBalancers: [loadBalancer(address, [listener(port, rules)])], targetGroups: [] });
      const url = `http://${address}:${port}`;
      const body = async (path: string, options: { method?: string; headers?: Record<string, string> } = {}) => (await send(`${url}${path}`, options)).body;
      assert.equal(await body('/api/x', { method: 'POST' }), 'api-post');
      assert.equal(await body('/api/v2/x'), 'api-versioned');
      assert.equal(await body('/api/v22/x'), 'default');
      assert.equal(await body('/', { headers: { host: 'Shop.Example.com' } }), 'host');
      assert.equal(await body('/', { headers: { 'x-canary': 'YES-please' } }), 'header');
      assert.equal(await body('/?a=1&version=Beta'), 'query');
      assert.equal(await body('/local'), 'local');
      assert.equal(await body('/other'), 'default');
    });

    it('answers fixed responses and redirects with their placeholders', async () => {
      reset();
      const address = lbAddress();
      const port = await freePort();
      const rules = [
        rule(1, [{ field: 'path-pattern', values: ['/old/*'] }], { type: 'redirect', protocol: 'HTTPS', host: '#{host}', port: '443', path: '/new/#{path}', query: '#{query}&from=old', statusCode: 'HTTP_301' }),
        rule(2, [{ field: 'path-pattern', values: ['/moved'] }], { type: 'redirect', protocol: '#{protocol}', host: 'elsewhere.localhost', port: '#{port}', path: '/#{path}', query: '#{query}', statusCode: 'HTTP_302' }),
        rule('default', [], { type: 'fixed-response', statusCode: '404', contentType: 'application/json', messageBody: '{"missing":true}' }),
      ];
      await applyOk({ loadBalancers: [loadBalancer(address, [listener(port, rules)])], targetGroups: [] });
      const url = `http://${address}:${port}`;
      const permanent = await send(`${url}/old/page?x=1`, { headers: { host: 'web.localhost' } });
      assert.equal(permanent.status, 301);
      assert.equal(permanent.headers.location, 'https://web.localhost/new/old/page?x=1&from=old');
      const temporary = await send(`${url}/moved`, { headers: { host: 'web.localhost' } });
      assert.equal(temporary.status, 302);
      assert.equal(temporary.headers.location, `http://elsewhere.localhost:${port}/moved`);
      const missing = await send(`${url}/nothing`);
      assert.equal(missing.status, 404);
      assert.equal(missing.headers['content-type'], 'application/json');
      assert.equal(missing.body, '{"missing":true}');
    });

    it('answers 503 without registered targets, 502 when a target refuses or resets, 504 when it does not answer in the idle timeout', async () => {
      reset();
      const empty = targetGroup([]);
      const address = lbAddress();
      const port = await freePort();
      const refusing = await startHttpTarget('refusing');
      targets.push(refusing);
      await refusing.refuse();
      const refusedGroup = targetGroup([refusing.config()], { healthCheck: { ...targetGroup([]).healthCheck, enabled: true } });
      const resetGroup = targetGroup([b.config()]);
      const hangGroup = targetGroup([c.config()]);
      const rules = [
        rule(1, [{ field: 'path-pattern', values: ['/empty'] }], forward(empty)),
        rule(2, [{ field: 'path-pattern', values: ['/refused'] }], forward(refusedGroup)),
        rule(3, [{ field: 'path-pattern', values: ['/reset'] }], forward(resetGroup)),
        rule('default', [], forward(hangGroup)),
      ];
      const lbConfig = loadBalancer(address, [listener(port, rules)], { idleTimeoutSeconds: 1 });
      await applyOk({ loadBalancers: [lbConfig], targetGroups: [empty, refusedGroup, resetGroup, hangGroup] });
      const url = `http://${address}:${port}`;
      assert.equal((await send(`${url}/empty`)).status, 503);
      assert.equal((await send(`${url}/refused`)).status, 502);
      b.mode = 'reset';
      assert.equal((await send(`${url}/reset`)).status, 502);
      c.mode = 'hang';
      const started = Date.now();
      assert.equal((await send(`${url}/hang`)).status, 504);
      assert.ok(Date.now() - started >= 900, 'the 504 comes after the idle timeout');
      const counts = await plane.counters();
      const lb = counts.loadBalancers[lbConfig.arn];
      assert.ok(lb !== undefined && lb.httpCodeElb5xx === 4, `ELB 5xx counted: ${JSON.stringify(lb)}`);
      await refusing.restart();
    });

    it('round-robins over healthy targets and keeps away from an unhealthy one', async () => {
      reset();
      const group = targetGroup([a.config(), b.config(), c.config()]);
      const url = await simple(group);
      await allHealthy(group);
      const order: string[] = [];
      for (let i = 0; i < 6; i++) order.push((await send(url)).json().target);
      assert.deepEqual([...order].sort(), ['a', 'a', 'b', 'b', 'c', 'c']);
      assert.notEqual(order[0], order[1]);
      c.mode = 'error500';
      const unhealthy = await untilState(group, 'i-c', 'unhealthy', 'Target.ResponseCodeMismatch');
      assert.match(unhealthy.description ?? '', /500/);
      c.requests.length = 0;
      for (let i = 0; i < 6; i++) assert.notEqual((await send(url)).json().target, 'c');
      assert.equal(c.requests.length, 0);
      c.mode = 'ok';
      await untilState(group, 'i-c', 'healthy');
    });

    it('passes a target\'s 500 through, answers 502 for one that refuses, aborts one that breaks off mid-response, and the others keep serving', async () => {
      reset();
      const d = await startHttpTarget('d');
      targets.push(d);
      const group = targetGroup([a.config(), b.config(), c.config(), d.config()]);
      const url = await simple(group);
      await allHealthy(group);
      const before = await plane.counters();
      b.mode = 'error500';
      await c.refuse();
      d.mode = 'truncate';
      // Round robin: four requests in a row reach each target once, before health checks catch up.
      const outcomes: string[] = [];
      for (let i = 0; i < 4; i++) {
        outcomes.push(
          await send(url, { timeoutMs: 5_000 }).then(
            (reply) => (reply.status === 200 ? `200 ${reply.json().target}` : reply.status === 500 ? `500 ${reply.body}` : String(reply.status)),
            (error: Error) => (error.message.startsWith('no answer') ? 'left hanging' : 'aborted'),
          ),
        );
      }
      // The truncated answer cannot become a clean one: the client sees it fail (or a 502, had the data plane not sent the head yet).
      assert.deepEqual(outcomes.map((outcome) => (outcome === 'aborted' ? '502' : outcome)).sort(), ['200 a', '500 broken', '502', '502'], outcomes.join(', '));
      const counts = await plane.counters();
      const was = before.targetGroups[group.arn];
      const tg = counts.targetGroups[group.arn];
      assert.ok((tg?.httpCodeTarget5xx ?? 0) - (was?.httpCodeTarget5xx ?? 0) >= 1, `the 500 counted as the target's: ${JSON.stringify(tg)}`);
      const lb = counts.loadBalancers[lastLoadBalancerArn];
      assert.ok((lb?.httpCodeElb5xx ?? 0) >= 1, `the 502 counted as the load balancer's: ${JSON.stringify(lb)}`);

      // Health follows; meanwhile and after, the healthy targets serve every request.
      d.mode = 'ok';
      await untilState(group, 'i-b', 'unhealthy', 'Target.ResponseCodeMismatch');
      await untilState(group, 'i-c', 'unhealthy', 'Target.FailedHealthChecks');
      const served: string[] = [];
      for (let i = 0; i < 6; i++) {
        const reply = await send(url);
        assert.equal(reply.status, 200);
        served.push(reply.json().target);
      }
      assert.deepEqual([...new Set(served)].sort(), ['a', 'd'], served.join(', '));
      await c.restart();
      b.mode = 'ok';
      await untilState(group, 'i-c', 'healthy');
    });

    it('moves health through initial, healthy and unhealthy with thresholds and reason codes', async () => {
      reset();
      const group = targetGroup([a.config()], { healthCheck: { ...targetGroup([]).healthCheck, healthyThreshold: 3, unhealthyThreshold: 2, timeoutSeconds: 1 } });
      await simple(group);
      const first = await healthOf(group, 'i-a');
      assert.ok(first !== undefined && (first.state === 'initial' || first.state === 'healthy'));
      if (first.state === 'initial') assert.equal(first.reason, 'Elb.InitialHealthChecking');
      const healthy = await untilState(group, 'i-a', 'healthy');
      a.mode = 'hang';
      await untilState(group, 'i-a', 'unhealthy', 'Target.Timeout');
      a.mode = 'ok';
      const back = await untilState(group, 'i-a', 'healthy');
      assert.ok(back.since > healthy.since);
      await a.refuse();
      await untilState(group, 'i-a', 'unhealthy', 'Target.FailedHealthChecks');
      await a.restart();
      await untilState(group, 'i-a', 'healthy');
      const counts = await plane.counters();
      assert.equal(counts.targetGroups[group.arn]?.healthyHostCount, 1);
      assert.equal(counts.targetGroups[group.arn]?.unhealthyHostCount, 0);
    });

    it('checks health on the configured port, with the matcher\'s codes', async () => {
      reset();
      // a's traffic goes to a, its health checks to b's port.
      const group = targetGroup([a.config()], { healthCheck: { ...targetGroup([]).healthCheck, port: b.port, matcher: '200-299' } });
      await simple(group);
      await untilState(group, 'i-a', 'healthy');
      b.mode = 'error500';
      const report = await untilState(group, 'i-a', 'unhealthy', 'Target.ResponseCodeMismatch');
      assert.equal(a.mode, 'ok');
      assert.match(report.description ?? '', /500/);
      b.mode = 'ok';
      await untilState(group, 'i-a', 'healthy');
    });

    it('fails open: when every target is unhealthy, all of them take traffic', async () => {
      reset();
      const group = targetGroup([a.config(), b.config()], { healthCheck: { ...targetGroup([]).healthCheck, path: '/unhealthy-check', matcher: '299' } });
      const url = await simple(group);
      await untilState(group, 'i-a', 'unhealthy', 'Target.ResponseCodeMismatch');
      await untilState(group, 'i-b', 'unhealthy');
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const reply = await send(url);
        assert.equal(reply.status, 200);
        seen.add(reply.json().target);
      }
      assert.deepEqual([...seen].sort(), ['a', 'b']);
    });

    it('routes with least_outstanding_requests and weighted_random to every healthy target', async () => {
      reset();
      const least = targetGroup([a.config(), b.config()], { algorithm: 'least_outstanding_requests' });
      const url = await simple(least);
      await allHealthy(least);
      // a is busy with a slow request: the next requests go to b.
      const slow = send(`${url}/slow?ms=1500`);
      await eventually('the slow request reached a target', async () => (a.requests.length + b.requests.length > 0 ? true : undefined));
      const busy = a.requests.length > 0 ? 'a' : 'b';
      for (let i = 0; i < 3; i++) assert.notEqual((await send(url)).json().target, busy);
      assert.equal((await slow).status, 200);
      reset();
      const random = targetGroup([a.config(), b.config(), c.config()], { algorithm: 'weighted_random' });
      const randomUrl = await simple(random);
      await allHealthy(random);
      const seen = new Set<string>();
      for (let i = 0; i < 60 && seen.size < 3; i++) seen.add((await send(randomUrl)).json().target);
      assert.deepEqual([...seen].sort(), ['a', 'b', 'c']);
    });

    it('ramps a newly healthy target up slowly with slow start', async () => {
      reset();
      // Slow start applies to targets that turn healthy while it is on, beside targets already healthy.
      const settled = targetGroup([a.config(), b.config()]);
      const address = lbAddress();
      const port = await freePort();
      const lb = loadBalancer(address, [listener(port, [rule('default', [], forward(settled))])]);
      await applyOk({ loadBalancers: [lb], targetGroups: [settled] });
      await allHealthy(settled);
      const joined = { ...settled, slowStartSeconds: 60, targets: [...settled.targets, c.config()] };
      await applyOk({ loadBalancers: [lb], targetGroups: [joined] });
      await untilState(joined, 'i-c', 'healthy');
      const counts = new Map<string, number>();
      for (let i = 0; i < 60; i++) {
        const target = (await send(`http://${address}:${port}/`)).json().target;
        counts.set(target, (counts.get(target) ?? 0) + 1);
      }
      assert.ok((counts.get('c') ?? 0) <= 8, `the new target takes a small share at first: ${JSON.stringify([...counts])}`);
      assert.ok((counts.get('a') ?? 0) >= 20 && (counts.get('b') ?? 0) >= 20, JSON.stringify([...counts]));
    });

    it('keeps a client on its target with the AWSALB cookie, and with AWSALBAPP-0 after the application cookie', async () => {
      reset();
      const lbSticky = targetGroup([a.config(), b.config(), c.config()], { stickiness: { enabled: true, type: 'lb_cookie', durationSeconds: 600 } });
      const url = await simple(lbSticky);
      await allHealthy(lbSticky);
      const first = await send(url);
      const cookie = (first.headers['set-cookie'] ?? []).find((line) => line.startsWith('AWSALB='));
      assert.ok(cookie !== undefined, `AWSALB set: ${JSON.stringify(first.headers['set-cookie'])}`);
      const pair = cookie.split(';')[0] as string;
      for (let i = 0; i < 5; i++) assert.equal((await send(url, { headers: { cookie: pair } })).json().target, first.json().target);
      const spread = new Set<string>();
      for (let i = 0; i < 6; i++) spread.add((await send(url)).json().target);
      assert.ok(spread.size > 1, 'without the cookie, requests spread');

      const appSticky = targetGroup([a.config(), b.config(), c.config()], { stickiness: { enabled: true, type: 'app_cookie', durationSeconds: 600, appCookieName: 'session' } });
      const appUrl = await simple(appSticky);
      await allHealthy(appSticky);
      const plain = await send(appUrl);
      assert.ok(!(plain.headers['set-cookie'] ?? []).some((line) => line.startsWith('AWSALBAPP-0=')), 'no AWSALBAPP-0 until the target sets its cookie');
      const withCookie = await send(`${appUrl}/cookie`);
      const app = (withCookie.headers['set-cookie'] ?? []).find((line) => line.startsWith('AWSALBAPP-0='));
      assert.ok(app !== undefined, `AWSALBAPP-0 set: ${JSON.stringify(withCookie.headers['set-cookie'])}`);
      assert.ok((withCookie.headers['set-cookie'] ?? []).some((line) => line.startsWith('session=')), 'the application cookie passes through');
      const appPair = `${app.split(';')[0] as string}; session=abc`;
      for (let i = 0; i < 5; i++) assert.equal((await send(appUrl, { headers: { cookie: appPair } })).json().target, withCookie.json().target);
    });

    it('splits a weighted forward across target groups, and keeps a client on one group with group stickiness', async () => {
      reset();
      const left = targetGroup([a.config()]);
      const right = targetGroup([b.config()]);
      const address = lbAddress();
      const port = await freePort();
      const weighted = { type: 'forward' as const, targetGroups: [{ targetGroupArn: left.arn, weight: 1 }, { targetGroupArn: right.arn, weight: 1 }], stickiness: { enabled: true, durationSeconds: 600 } };
      await applyOk({ loadBalancers: [loadBalancer(address, [listener(port, [rule('default', [], weighted)])])], targetGroups: [left, right] });
      await allHealthy(left);
      await allHealthy(right);
      const url = `http://${address}:${port}`;
      const seen = new Set<string>();
      for (let i = 0; i < 40 && seen.size < 2; i++) seen.add((await send(url)).json().target);
      assert.deepEqual([...seen].sort(), ['a', 'b']);
      const first = await send(url);
      const cookies = (first.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]).join('; ');
      assert.ok(cookies.length > 0, 'group stickiness sets a cookie');
      for (let i = 0; i < 8; i++) assert.equal((await send(url, { headers: { cookie: cookies } })).json().target, first.json().target);
    });

    it('drains a deregistered target: its in-flight request finishes, new requests go elsewhere, then it is gone', async () => {
      reset();
      const registered = targetGroup([a.config(), b.config()]);
      const address = lbAddress();
      const port = await freePort();
      const lb = loadBalancer(address, [listener(port, [rule('default', [], forward(registered))])]);
      await applyOk({ loadBalancers: [lb], targetGroups: [registered] });
      await allHealthy(registered);
      const url = `http://${address}:${port}`;
      // Send slow requests until one lands on a (round robin: within two).
      let inFlight: Promise<Awaited<ReturnType<typeof send>>> | undefined;
      for (let i = 0; i < 4 && inFlight === undefined; i++) {
        const before = a.requests.length;
        const reachedBefore = a.requests.length + b.requests.length;
        const pending = send(`${url}/slow?ms=2000`);
        // This request, not an earlier one, has reached a target.
        await eventually('the slow request reached a target', async () => (a.requests.length + b.requests.length > reachedBefore ? true : undefined));
        await new Promise((resolve) => setImmediate(resolve));
        if (a.requests.length > before) inFlight = pending;
        else await pending;
      }
      assert.ok(inFlight !== undefined, 'a slow request is in flight on a');
      const draining = { ...registered, targets: [{ ...registered.targets[0]!, state: 'draining' as const, drainingUntil: Date.now() + 60_000 }, registered.targets[1]!] };
      await applyOk({ loadBalancers: [lb], targetGroups: [draining] });
      const report = await healthOf(draining, 'i-a');
      assert.equal(report?.state, 'draining');
      assert.equal(report?.reason, 'Target.DeregistrationInProgress');
      a.requests.length = 0;
      for (let i = 0; i < 4; i++) assert.equal((await send(url)).json().target, 'b');
      assert.equal(a.requests.length, 0, 'no new request reaches a draining target');
      const finished = await inFlight;
      assert.equal(finished.status, 200);
      assert.equal(finished.json().target, 'a');
      await eventually('the drained target is gone', async () => ((await healthOf(draining, 'i-a')) === undefined ? true : undefined));
    });

    it('re-applies the same configuration without disturbing listeners or health', async () => {
      reset();
      const group = targetGroup([a.config(), b.config()]);
      const address = lbAddress();
      const port = await freePort();
      const config = { loadBalancers: [loadBalancer(address, [listener(port, [rule('default', [], forward(group))])])], targetGroups: [group] };
      await applyOk(config);
      await allHealthy(group);
      const before = await plane.health();
      const url = `http://${address}:${port}`;
      for (let i = 0; i < 3; i++) {
        await applyOk(config);
        assert.equal((await send(url)).status, 200);
      }
      const afterApply = await plane.health();
      const key = (r: TargetHealthReport) => `${r.targetId}:${r.state}:${r.since}`;
      assert.deepEqual(afterApply.map(key).sort(), before.map(key).sort());
      // What the configuration no longer names goes.
      await applyOk({ loadBalancers: [], targetGroups: [] });
      assert.deepEqual(await plane.health(), []);
      await assert.rejects(send(url, { timeoutMs: 3000 }));
    });

    it('keeps forwarding after the control plane side detaches, and a new handle attaches to the same data plane', async () => {
      reset();
      const group = targetGroup([a.config()]);
      const url = await simple(group);
      await allHealthy(group);
      await plane.detach();
      assert.equal((await send(url)).status, 200);
      plane = await open(stateDir);
      assert.equal((await healthOf(group, 'i-a'))?.state, 'healthy', 'the running data plane kept its health state');
      assert.equal((await send(url)).status, 200);
    });

    it('reports listener bind errors with what to do, and refuses UDP', async () => {
      reset();
      const address = lbAddress();
      const taken = createNetServer();
      const port = await freePort();
      await new Promise<void>((resolve) => taken.listen(port, address, resolve));
      try {
        const group = targetGroup([a.config()]);
        const free = await freePort();
        const lb = loadBalancer(address, [
          listener(port, [rule('default', [], forward(group))]),
          listener(free, [rule('default', [], forward(group))]),
        ]);
        const nlb = loadBalancer(lbAddress(), [listener(free, [rule('default', [], forward(group))], { protocol: 'UDP', arn: 'udp-listener' })], { type: 'network' });
        const result = await plane.apply({ loadBalancers: [lb, nlb], targetGroups: [group] });
        const inUse = result.listenerErrors.find((error) => error.listenerArn === lb.listeners[0]?.arn);
        assert.ok(inUse !== undefined, `an error for the taken port: ${JSON.stringify(result)}`);
        assert.match(inUse.message, new RegExp(`${address.replace(/\./g, '\\.')}:${port}`));
        assert.match(inUse.message, /in use/);
        const udp = result.listenerErrors.find((error) => error.listenerArn === 'udp-listener');
        assert.match(udp?.message ?? '', /UDP.*not supported/);
        assert.equal(result.listenerErrors.length, 2, 'the other listener binds');
        await untilState(group, 'i-a', 'healthy');
        assert.equal((await send(`http://${address}:${free}`)).status, 200);
        if (process.getuid?.() !== 0) {
          const low = await plane.apply({ loadBalancers: [loadBalancer(lbAddress(), [listener(80, [rule('default', [], forward(group))])])], targetGroups: [group] });
          assert.match(low.listenerErrors[0]?.message ?? '', /1024/);
        }
      } finally {
        taken.close();
      }
    });

    /** Two load balancers with an HTTP listener on the same port, the first forwarding to a, the second to b; both healthy. */
    async function twoOnOnePort(): Promise<{ port: number; first: LoadBalancerConfig; second: LoadBalancerConfig }> {
      const groupA = targetGroup([a.config()]);
      const groupB = targetGroup([b.config()]);
      const port = await freePort();
      const first = loadBalancer(lbAddress(), [listener(port, [rule('default', [], forward(groupA))])]);
      const second = loadBalancer(lbAddress(), [listener(port, [rule('default', [], forward(groupB))])]);
      const result = await plane.apply({ loadBalancers: [first, second], targetGroups: [groupA, groupB] });
      assert.deepEqual(result.listenerErrors, []);
      assert.deepEqual(result.sharedPortNotices ?? [], []);
      await allHealthy(groupA);
      await allHealthy(groupB);
      return { port, first, second };
    }

    it('serves each HTTP listener port on 127.0.0.1 too, to the load balancer the Host names; curl reaches it by DNS name', async () => {
      reset();
      const { port, first, second } = await twoOnOnePort();
      const shared = `http://127.0.0.1:${port}/who`;
      const toFirst = await send(shared, { headers: { host: `${first.dnsName}:${port}` } });
      assert.equal(toFirst.status, 200);
      assert.equal(toFirst.json().target, 'a');
      assert.equal(toFirst.json().headers['x-forwarded-for'], '127.0.0.1');
      assert.equal(toFirst.json().headers['x-forwarded-port'], String(port));
      assert.equal((await send(shared, { headers: { host: `${second.dnsName.toUpperCase()}.` } })).json().target, 'b');
      // One kept-alive connection may name both, request by request.
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        assert.equal((await send(shared, { agent, headers: { host: first.dnsName } })).json().target, 'a');
        assert.equal((await send(shared, { agent, headers: { host: second.dnsName } })).json().target, 'b');
      } finally {
        agent.destroy();
      }
      const unknown = await send(shared, { headers: { host: 'nobody.us-east-1.elb.localhost' } });
      assert.equal(unknown.status, 404);
      assert.ok(unknown.body.includes('nobody.us-east-1.elb.localhost') && unknown.body.includes(first.dnsName) && unknown.body.includes(second.dnsName), unknown.body);
      // curl resolves *.localhost names to loopback itself (127.0.0.1 or ::1), as browsers do.
      const curled = await new Promise<string>((resolve, reject) =>
        execFile('curl', ['-sS', '--max-time', '10', `http://${second.dnsName}:${port}/by-name`], (error, stdout, stderr) => (error ? reject(new Error(`${error.message} ${stderr}`)) : resolve(stdout))),
      );
      assert.equal(JSON.parse(curled).target, 'b');
      assert.equal(JSON.parse(curled).url, '/by-name');
      // Each one's own address answers as before.
      assert.equal((await send(`http://${first.address}:${port}/`)).json().target, 'a');
      // A port given up goes from 127.0.0.1 too.
      await applyOk({ loadBalancers: [], targetGroups: [] });
      await assert.rejects(send(shared, { headers: { host: first.dnsName }, timeoutMs: 5000 }));
    });

    it('serves a lone network load balancer port on 127.0.0.1 too; not two of them, with a notice', { skip: options.skip?.tcp }, async () => {
      const x = await startTcpTarget('x');
      const y = await startTcpTarget('y');
      try {
        const tcpCheck = { ...targetGroup([]).healthCheck, protocol: 'TCP' as const, path: '/' };
        const groupX = targetGroup([x.config()], { protocol: 'TCP', healthCheck: tcpCheck });
        const groupY = targetGroup([y.config()], { protocol: 'TCP', healthCheck: tcpCheck });
        const port = await freePort();
        const nlb = (group: TargetGroupConfig) => loadBalancer(lbAddress(), [listener(port, [rule('default', [], forward(group))], { protocol: 'TCP' })], { type: 'network', idleTimeoutSeconds: 350 });
        const one = nlb(groupX);
        const lone = await plane.apply({ loadBalancers: [one], targetGroups: [groupX] });
        assert.deepEqual(lone.sharedPortNotices ?? [], []);
        await allHealthy(groupX);
        assert.equal(await tcpExchange('127.0.0.1', port, 'shared'), 'x:shared');
        const two = nlb(groupY);
        const both = await plane.apply({ loadBalancers: [one, two], targetGroups: [groupX, groupY] });
        assert.deepEqual(both.listenerErrors, []);
        assert.equal(both.sharedPortNotices?.length, 1);
        assert.match(both.sharedPortNotices![0]!, new RegExp(`Port ${port} is not served on 127\\.0\\.0\\.1.*own address`));
        await allHealthy(groupY);
        assert.equal(await tcpExchange(two.address, port, 'own'), 'y:own');
        await assert.rejects(tcpExchange('127.0.0.1', port, 'shared'));
      } finally {
        await x.stop();
        await y.stop();
      }
    });

    it('counts requests and target responses per load balancer and target group', async () => {
      reset();
      const group = targetGroup([a.config()]);
      const url = await simple(group);
      await allHealthy(group);
      const before = await plane.counters();
      const was = before.targetGroups[group.arn]?.requestCount ?? 0;
      for (let i = 0; i < 5; i++) await send(url);
      const counts = await plane.counters();
      const tg = counts.targetGroups[group.arn];
      assert.equal((tg?.requestCount ?? 0) - was, 5);
      assert.ok((tg?.httpCodeTarget2xx ?? 0) >= 5);
      assert.ok((tg?.targetResponseTimeSum ?? -1) >= 0);
      const lb = counts.loadBalancers[lastLoadBalancerArn];
      assert.ok(lb !== undefined && lb.requestCount === 5 && lb.newConnectionCount === 5 && lb.processedBytes > 0, JSON.stringify(lb));
    });

    /** What a load balancer's connection counters moved by while `traffic` ran, once its connections are closed again. */
    async function connectionCounts(arn: string, traffic: () => Promise<void>): Promise<{ requestCount: number; newConnectionCount: number; activeConnectionCount: number; processedBytes: number }> {
      const read = async () => {
        const counts = (await plane.counters()).loadBalancers[arn];
        return { requestCount: counts?.requestCount ?? 0, newConnectionCount: counts?.newConnectionCount ?? 0, activeConnectionCount: counts?.activeConnectionCount ?? 0, processedBytes: counts?.processedBytes ?? 0 };
      };
      const before = await read();
      await traffic();
      // A connection is counted closed a moment after the client sees it close.
      const after = await eventually('the connections counted closed', async () => {
        const now = await read();
        return now.activeConnectionCount === before.activeConnectionCount ? now : undefined;
      });
      return {
        requestCount: after.requestCount - before.requestCount,
        newConnectionCount: after.newConnectionCount - before.newConnectionCount,
        activeConnectionCount: after.activeConnectionCount - before.activeConnectionCount,
        processedBytes: after.processedBytes - before.processedBytes,
      };
    }

    it('counts an HTTP connection that comes through 127.0.0.1 by DNS name as the load balancer\'s it names, exactly as one on its own address', async () => {
      reset();
      const { port, first, second } = await twoOnOnePort();
      // The same bytes both ways: the Host names the first load balancer on its own address too.
      const request = `GET /counted HTTP/1.1\r\nHost: ${first.dnsName}:${port}\r\nConnection: close\r\n\r\n`;
      // What was counted, and how far the processed bytes are from those the client's connection carried.
      const through = async (host: string) => {
        let clientBytes = 0;
        const counted = await connectionCounts(first.arn, async () => {
          for (let i = 0; i < 3; i++) {
            const exchange = await rawExchange(host, port, request);
            assert.match(exchange.answer, /^HTTP\/1\.1 200 .*"target":"a"/s);
            clientBytes += exchange.bytes;
          }
        });
        return { ...counted, processedBytes: counted.processedBytes > 0, bytesOff: counted.processedBytes - clientBytes };
      };
      const secondBefore = (await plane.counters()).loadBalancers[second.arn];
      const own = await through(first.address);
      const shared = await through('127.0.0.1');
      // The two ways answer with different bytes (the target echoes the headers it got, and the data
      // plane may forward through different code); haproxy counts a request's and an answer's bytes
      // as it parsed them, not as they came on the wire: the same way both ways.
      assert.deepEqual({ ...own, bytesOff: 0 }, { requestCount: 3, newConnectionCount: 3, activeConnectionCount: 0, processedBytes: true, bytesOff: 0 });
      assert.deepEqual(shared, own);
      assert.deepEqual((await plane.counters()).loadBalancers[second.arn] ?? secondBefore, secondBefore, 'the other load balancer on the port counts none of it');

      // An open connection through 127.0.0.1 is active on the load balancer its request named.
      const activeBefore = (await plane.counters()).loadBalancers[first.arn]?.activeConnectionCount ?? 0;
      const open = await rawExchange('127.0.0.1', port, request.replace('Connection: close', 'Connection: keep-alive'), true);
      try {
        await eventually('the open connection counted active', async () => ((await plane.counters()).loadBalancers[first.arn]?.activeConnectionCount === activeBefore + 1 ? true : undefined));
        assert.equal((await plane.counters()).loadBalancers[second.arn]?.activeConnectionCount ?? 0, secondBefore?.activeConnectionCount ?? 0);
      } finally {
        open.socket.destroy();
      }
      await eventually('the closed connection counted closed', async () => ((await plane.counters()).loadBalancers[first.arn]?.activeConnectionCount === activeBefore ? true : undefined));
    });

    it('NLB: counts a connection that comes through 127.0.0.1 exactly as one on its own address', { skip: options.skip?.tcp }, async () => {
      const x = await startTcpTarget('x');
      try {
        const group = targetGroup([x.config()], { protocol: 'TCP', healthCheck: { ...targetGroup([]).healthCheck, protocol: 'TCP', path: '/' } });
        const port = await freePort();
        const nlb = loadBalancer(lbAddress(), [listener(port, [rule('default', [], forward(group))], { protocol: 'TCP' })], { type: 'network', idleTimeoutSeconds: 350 });
        const applied = await plane.apply({ loadBalancers: [nlb], targetGroups: [group] });
        assert.deepEqual(applied.listenerErrors, []);
        assert.deepEqual(applied.sharedPortNotices ?? [], []);
        await allHealthy(group);
        const through = async (host: string): Promise<{ counted: Awaited<ReturnType<typeof connectionCounts>>; clientBytes: number }> => {
          let clientBytes = 0;
          const counted = await connectionCounts(nlb.arn, async () => {
            for (let i = 0; i < 2; i++) {
              // The target answers and the client ends its side: the connection closes with both sides' bytes through.
              const socket = connect({ host, port });
              const answer = await new Promise<string>((resolve, reject) => {
                socket.once('connect', () => socket.write('counted'));
                socket.once('data', (chunk: Buffer) => {
                  socket.end();
                  resolve(chunk.toString());
                });
                socket.once('error', reject);
              });
              await new Promise((resolve) => (socket.closed ? resolve(undefined) : socket.once('close', resolve)));
              assert.equal(answer, 'x:counted');
              clientBytes += socket.bytesRead + socket.bytesWritten;
            }
          });
          return { counted, clientBytes };
        };
        const own = await through(nlb.address);
        const shared = await through('127.0.0.1');
        // NLB has no request count (CloudWatch's NewFlowCount is the new connections).
        const flows = ({ newConnectionCount, activeConnectionCount, processedBytes }: typeof own.counted) => ({ newConnectionCount, activeConnectionCount, processedBytes });
        assert.deepEqual(flows(own.counted), { newConnectionCount: 2, activeConnectionCount: 0, processedBytes: own.clientBytes });
        assert.deepEqual(flows(shared.counted), flows(own.counted));
      } finally {
        await x.stop();
      }
    });

    it('writes one access-log line per request when asked, with ALB\'s fields in ALB\'s order', { skip: options.skip?.accessLog }, async () => {
      reset();
      const group = targetGroup([a.config()]);
      const logPath = join(stateDir, `access-${Date.now()}.log`);
      const address = lbAddress();
      const port = await freePort();
      const rules = [
        rule(5, [{ field: 'path-pattern', values: ['/moved'] }], { type: 'redirect', protocol: '#{protocol}', host: '#{host}', port: '#{port}', path: '/new', query: '', statusCode: 'HTTP_302' }),
        rule('default', [], forward(group)),
      ];
      const lb = loadBalancer(address, [listener(port, rules)], { accessLogPath: logPath });
      await applyOk({ loadBalancers: [lb], targetGroups: [group] });
      await allHealthy(group);
      const url = `http://${address}:${port}`;
      const trace = 'Root=1-5759e988-bd862e3fe1be46a994272793';
      const headers = { 'user-agent': 'conformance "agent"/1.0', 'x-amzn-trace-id': trace };
      for (let i = 0; i < 3; i++) assert.equal((await send(`${url}/logged-${i}?q=${i}`, { headers })).status, 200);
      const moved = await send(`${url}/moved`, { headers });
      assert.equal(moved.status, 302);
      const lines = await eventually('four access-log lines', async () => {
        if (!existsSync(logPath)) return undefined;
        const written = readFileSync(logPath, 'utf8').split('\n').filter((line) => line !== '');
        return written.length >= 4 ? written : undefined;
      });
      assert.equal(lines.length, 4);
      // Words, and quoted strings with their escaped quotes, as ALB writes them.
      const fieldsOf = (line: string) => line.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
      const forwarded = fieldsOf(lines.find((line) => line.includes('/logged-0')) ?? '');
      const redirected = fieldsOf(lines.find((line) => line.includes('/moved')) ?? '');
      const time = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/;
      const seconds = /^\d+\.\d{3}$/;
      assert.equal(forwarded.length, 29, `ALB's 29 fields: ${JSON.stringify(forwarded)}`);
      const elb = lb.arn.slice(lb.arn.indexOf('loadbalancer/') + 'loadbalancer/'.length);
      const expected: (string | RegExp)[] = [
        'http', time, elb, /^127\.0\.0\.1:\d+$/, `127.0.0.1:${a.port}`, seconds, seconds, seconds, '200', '200', /^\d+$/, /^\d+$/,
        `"GET http://${address}:${port}/logged-0?q=0 HTTP/1.1"`, '"conformance \\"agent\\"/1.0"', '-', '-', group.arn, `"${trace}"`, '"-"', '"-"',
        '0', time, '"forward"', '"-"', '"-"', `"127.0.0.1:${a.port}"`, '"200"', '"-"', '"-"',
      ];
      expected.forEach((want, i) => {
        const field = forwarded[i] ?? '';
        if (typeof want === 'string') assert.equal(field, want, `field ${i + 1} of ${JSON.stringify(forwarded)}`);
        else assert.match(field, want, `field ${i + 1} of ${JSON.stringify(forwarded)}`);
      });
      assert.ok(Number(forwarded[10]) > 0 && Number(forwarded[11]) > 0, 'bytes received and sent');
      assert.equal(redirected.length, 29, `ALB's 29 fields: ${JSON.stringify(redirected)}`);
      const redirect: [number, string][] = [[4, '-'], [6, '-1'], [8, '302'], [9, '-'], [12, `"GET http://${address}:${port}/moved HTTP/1.1"`], [16, '-'], [20, '5'], [22, '"redirect"'], [23, `"${moved.headers.location}"`], [25, '"-"'], [26, '"-"']];
      for (const [index, want] of redirect) assert.equal(redirected[index], want, `field ${index + 1} of ${JSON.stringify(redirected)}`);
    });

    it('passes a WebSocket upgrade through both ways', { skip: options.skip?.websocket }, async () => {
      reset();
      const group = targetGroup([a.config()]);
      const url = await simple(group);
      await allHealthy(group);
      const [host, port] = url.slice('http://'.length).split(':') as [string, string];
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect({ host, port: Number(port) });
        let received = '';
        socket.setTimeout(10_000, () => socket.destroy(new Error(`no WebSocket answer; got ${JSON.stringify(received)}`)));
        socket.on('connect', () => socket.write(`GET /ws HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`));
        socket.on('data', (chunk) => {
          received += chunk.toString();
          if (received.includes('\r\n\r\n') && !received.includes('a:ping')) socket.write('ping');
          if (received.includes('a:ping')) {
            socket.destroy();
            resolve(received);
          }
        });
        socket.on('error', reject);
      });
      assert.match(answer, /^HTTP\/1\.1 101 /);
      assert.equal(a.requests.at(-1)?.headers['x-forwarded-proto'], 'http');
    });

    it('serves HTTPS with the given certificate and forwards with X-Forwarded-Proto https', { skip: options.skip?.https }, async (t) => {
      const certificate = selfSignedCertificate();
      if (certificate === undefined) return t.skip('openssl is not installed');
      reset();
      const group = targetGroup([a.config()]);
      const address = lbAddress();
      const port = await freePort();
      await applyOk({ loadBalancers: [loadBalancer(address, [listener(port, [rule('default', [], forward(group))], { protocol: 'HTTPS', certificate })])], targetGroups: [group] });
      await allHealthy(group);
      const { request } = await import('node:https');
      const secure = (path: string, method = 'GET', body?: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
        request(`https://${address}:${port}${path}`, { method, rejectUnauthorized: false, agent: false }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        }).on('error', reject).end(body);
      });
      const seen = await secure('/secure');
      assert.equal(seen.status, 200);
      const headers = (JSON.parse(seen.body) as { headers: Record<string, string> }).headers;
      assert.equal(headers['x-forwarded-proto'], 'https');
      assert.equal(headers['x-forwarded-port'], String(port));
      const upload = 'y'.repeat(200 * 1024);
      const uploaded = await secure('/upload', 'PUT', upload);
      assert.equal(uploaded.status, 200);
      assert.equal((JSON.parse(uploaded.body) as { bodyLength: number }).bodyLength, upload.length);
    });

    it('serves an HTTPS listener port on 127.0.0.1 too, with the certificate of the load balancer the TLS server name names', { skip: options.skip?.https }, async (t) => {
      const first = selfSignedCertificate();
      const second = selfSignedCertificate();
      if (first === undefined || second === undefined) return t.skip('openssl is not installed');
      reset();
      const groupA = targetGroup([a.config()]);
      const groupB = targetGroup([b.config()]);
      const port = await freePort();
      const https = (certificate: typeof first, group: TargetGroupConfig) => {
        const lb = loadBalancer(lbAddress(), []);
        return { ...lb, listeners: [listener(port, [rule('default', [], forward(group))], { protocol: 'HTTPS', certificate, arn: `${lb.arn.replace(':loadbalancer/', ':listener/')}/${port}` })] };
      };
      const one = https(first, groupA);
      const two = https(second, groupB);
      const result = await plane.apply({ loadBalancers: [one, two], targetGroups: [groupA, groupB] });
      assert.deepEqual(result.listenerErrors, []);
      assert.deepEqual(result.sharedPortNotices ?? [], []);
      await allHealthy(groupA);
      await allHealthy(groupB);
      const { request } = await import('node:https');
      const { X509Certificate } = await import('node:crypto');
      const viaName = (dnsName: string) => new Promise<{ target: string; proto: string; fingerprint: string }>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: '/tls', servername: dnsName, headers: { host: `${dnsName}:${port}` }, rejectUnauthorized: false, agent: false }, (response) => {
          const fingerprint = (response.socket as import('node:tls').TLSSocket).getPeerCertificate().fingerprint256;
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => {
            const seen = JSON.parse(text) as { target: string; headers: Record<string, string> };
            resolve({ target: seen.target, proto: seen.headers['x-forwarded-proto'] ?? '', fingerprint });
          });
        }).on('error', reject).end();
      });
      const toOne = await viaName(one.dnsName);
      assert.deepEqual(toOne, { target: 'a', proto: 'https', fingerprint: new X509Certificate(first.certificatePem).fingerprint256 });
      const toTwo = await viaName(two.dnsName);
      assert.deepEqual(toTwo, { target: 'b', proto: 'https', fingerprint: new X509Certificate(second.certificatePem).fingerprint256 });
      // Each connection counts as the one's it was relayed to, once closed with its bytes.
      const connections = await eventually('both connections counted closed', async () => {
        const counts = (await plane.counters()).loadBalancers;
        const seen = [one, two].map((lb) => counts[lb.arn]);
        return seen.every((lb) => lb !== undefined && lb.activeConnectionCount === 0) ? seen : undefined;
      });
      for (const lb of connections) assert.ok(lb !== undefined && lb.newConnectionCount === 1 && lb.requestCount === 1 && lb.processedBytes > 0, JSON.stringify(lb));
    });

    it('HTTPS: serves the certificate the client names by SNI, the default one otherwise, under the SSL policy, and takes a new certificate', { skip: options.skip?.https }, async () => {
      reset();
      const primary = makeCertificate({ commonName: 'default.example.test' });
      const other = makeCertificate({ commonName: 'other.example.test', altNames: ['*.other.example.test'] });
      const group = targetGroup([a.config()]);
      const address = lbAddress();
      const port = await freePort();
      const policy = tlsPolicyConfig(sslPolicyNamed('ELBSecurityPolicy-TLS13-1-2-Res-2021-06')!);
      const https = (certificate: TestCertificate) =>
        listener(port, [rule('default', [], forward(group))], { protocol: 'HTTPS', certificate, sniCertificates: [other], tlsPolicy: policy });
      await applyOk({ loadBalancers: [loadBalancer(address, [https(primary)])], targetGroups: [group] });
      await allHealthy(group);
      const { request } = await import('node:https');
      const { connect: tlsConnect } = await import('node:tls');
      // A verifying client: it trusts only the certificate it expects, for the name it asks for.
      const verified = (servername: string, ca: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
        request({ host: address, port, path: '/sni', servername, ca, agent: false, headers: { host: servername } }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        }).on('error', reject).end();
      });
      const served = (servername: string | undefined, extra: Record<string, unknown> = {}) => new Promise<string>((resolve, reject) => {
        const socket = tlsConnect({ host: address, port, rejectUnauthorized: false, ...(servername ? { servername } : {}), ...extra }, () => {
          const subject = socket.getPeerCertificate().subject?.CN;
          socket.destroy();
          resolve(String(subject));
        });
        socket.once('error', reject);
      });
      const byName = await verified('api.other.example.test', other.certificatePem);
      assert.equal(byName.status, 200);
      assert.equal((JSON.parse(byName.body) as { headers: Record<string, string> }).headers['x-forwarded-proto'], 'https');
      assert.equal((await verified('default.example.test', primary.certificatePem)).status, 200);
      assert.equal(await served('unknown.example.test'), 'default.example.test');
      assert.equal(await served(undefined), 'default.example.test');
      // The policy allows TLS 1.2 and 1.3, with forward-secret GCM ciphers only.
      assert.equal(await served('default.example.test', { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }), 'default.example.test');
      await assert.rejects(served('default.example.test', { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA256' }));
      await assert.rejects(served('default.example.test', { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }));
      // A new default certificate on the same listener is served from the next handshake.
      const renewed = makeCertificate({ commonName: 'default.example.test', altNames: ['renewed.example.test'] });
      await applyOk({ loadBalancers: [loadBalancer(address, [https(renewed)])], targetGroups: [group] });
      await eventually('the renewed certificate served', async () => {
        const answer = await verified('renewed.example.test', renewed.certificatePem).catch(() => undefined);
        return answer?.status === 200 ? true : undefined;
      });
    });

    it('HTTPS: accepts exactly the TLS versions of the listener\'s SSL policy, as the policy changes', { skip: options.skip?.https }, async () => {
      const certificate = makeCertificate({ commonName: 'policy.example.test' });
      const address = lbAddress();
      const port = await freePort();
      const { connect: tlsConnect } = await import('node:tls');
      // The client offers one version at a time, at OpenSSL's lowest security level so that it would take TLS 1.0 and 1.1.
      const accepts = (version: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3') => new Promise<boolean>((resolve) => {
        const socket = tlsConnect({ host: address, port, rejectUnauthorized: false, minVersion: version, maxVersion: version, ciphers: 'DEFAULT:@SECLEVEL=0' }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      const expected: [string, boolean[]][] = [
        ['ELBSecurityPolicy-2016-08', [true, true, true, false]],
        ['ELBSecurityPolicy-TLS-1-2-2017-01', [false, false, true, false]],
        ['ELBSecurityPolicy-TLS13-1-3-2021-06', [false, false, false, true]],
      ];
      for (const [name, versions] of expected) {
        const secure = listener(port, [rule('default', [], { type: 'fixed-response', statusCode: '200' })], { protocol: 'HTTPS', certificate, tlsPolicy: tlsPolicyConfig(sslPolicyNamed(name)!) });
        await applyOk({ loadBalancers: [loadBalancer(address, [secure])], targetGroups: [] });
        await eventually(`the versions of ${name}`, async () => {
          const seen = [await accepts('TLSv1'), await accepts('TLSv1.1'), await accepts('TLSv1.2'), await accepts('TLSv1.3')];
          return JSON.stringify(seen) === JSON.stringify(versions) ? true : undefined;
        });
      }
    });

    it('NLB: offers the ALPN protocols of the listener\'s policy', { skip: options.skip?.tcp }, async () => {
      const certificate = makeCertificate({ commonName: 'tls.example.test' });
      const x = await startTcpTarget('x');
      try {
        const group = targetGroup([x.config()], { protocol: 'TCP', healthCheck: { ...targetGroup([]).healthCheck, protocol: 'TCP', path: '/' } });
        const address = lbAddress();
        const port = await freePort();
        const tls = listener(port, [rule('default', [], forward(group))], { protocol: 'TLS', certificate, alpnProtocols: ['h2', 'http/1.1', 'http/1.0'] });
        await applyOk({ loadBalancers: [loadBalancer(address, [tls], { type: 'network', idleTimeoutSeconds: 350 })], targetGroups: [group] });
        await allHealthy(group);
        const { connect: tlsConnect } = await import('node:tls');
        const negotiated = (offered: string[]) => new Promise<string | false>((resolve, reject) => {
          const socket = tlsConnect({ host: address, port, ca: certificate.certificatePem, servername: 'tls.example.test', ALPNProtocols: offered }, () => {
            const protocol = socket.alpnProtocol ?? false;
            socket.destroy();
            resolve(protocol);
          });
          socket.once('error', reject);
        });
        assert.equal(await negotiated(['http/1.1', 'h2']), 'h2');
        assert.equal(await negotiated(['http/1.1']), 'http/1.1');
      } finally {
        await x.stop();
      }
    });

    it('NLB: terminates TLS with the given certificate and pipes the plain stream to a target', { skip: options.skip?.tcp }, async (t) => {
      const certificate = selfSignedCertificate();
      if (certificate === undefined) return t.skip('openssl is not installed');
      const x = await startTcpTarget('x');
      try {
        const group = targetGroup([x.config()], { protocol: 'TCP', healthCheck: { ...targetGroup([]).healthCheck, protocol: 'TCP', path: '/' } });
        const address = lbAddress();
        const port = await freePort();
        await applyOk({ loadBalancers: [loadBalancer(address, [listener(port, [rule('default', [], forward(group))], { protocol: 'TLS', certificate })], { type: 'network', idleTimeoutSeconds: 350 })], targetGroups: [group] });
        await allHealthy(group);
        const { connect: tlsConnect } = await import('node:tls');
        const answer = await new Promise<string>((resolve, reject) => {
          const socket = tlsConnect({ host: address, port, rejectUnauthorized: false }, () => socket.write('secret'));
          socket.once('data', (chunk) => {
            socket.destroy();
            resolve(chunk.toString());
          });
          socket.once('error', reject);
        });
        assert.equal(answer, 'x:secret');
      } finally {
        await x.stop();
      }
    });

    it('NLB: pipes TCP connections round robin to healthy targets and drains a deregistered one', { skip: options.skip?.tcp }, async () => {
      const x = await startTcpTarget('x');
      const y = await startTcpTarget('y');
      try {
        const tcpCheck = { ...targetGroup([]).healthCheck, protocol: 'TCP' as const, path: '/' };
        const group = targetGroup([x.config(), y.config()], { protocol: 'TCP', healthCheck: tcpCheck });
        const address = lbAddress();
        const port = await freePort();
        const nlb = loadBalancer(address, [listener(port, [rule('default', [], forward(group))], { protocol: 'TCP' })], { type: 'network', idleTimeoutSeconds: 350 });
        await applyOk({ loadBalancers: [nlb], targetGroups: [group] });
        await allHealthy(group);
        const answers: string[] = [];
        for (let i = 0; i < 4; i++) answers.push(await tcpExchange(address, port, `hello${i}`));
        assert.deepEqual(answers.map((answer) => answer.split(':')[0]).sort(), ['x', 'x', 'y', 'y']);
        assert.ok(answers.every((answer, i) => answer.endsWith(`hello${i}`)));
        // An open connection to x survives x's deregistration; new connections go to y only.
        const open = connect({ host: address, port });
        let opened = '';
        open.on('data', (chunk) => (opened += chunk.toString()));
        await new Promise((resolve) => open.once('connect', resolve));
        let onX = false;
        for (let i = 0; i < 3 && !onX; i++) {
          open.write('probe');
          await eventually('an answer on the open connection', async () => (opened.length > 0 ? true : undefined));
          onX = opened.startsWith('x:');
          if (!onX) {
            opened = '';
            break;
          }
        }
        const draining = { ...group, targets: [{ ...group.targets[0]!, state: 'draining' as const, drainingUntil: Date.now() + 60_000 }, group.targets[1]!] };
        await applyOk({ loadBalancers: [nlb], targetGroups: [draining] });
        for (let i = 0; i < 3; i++) assert.match(await tcpExchange(address, port, 'new'), /^y:/);
        if (onX) {
          opened = '';
          open.write('still');
          await eventually('the draining connection still answers', async () => (opened.includes('x:still') ? true : undefined));
          assert.equal((await healthOf(draining, 'i-x'))?.state, 'draining');
        }
        open.destroy();
        await eventually('the drained target is gone', async () => ((await healthOf(draining, 'i-x')) === undefined ? true : undefined));
      } finally {
        await x.stop();
        await y.stop();
      }
    });
  });
}
