import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderConfig } from '../../../src/elbv2/data-plane/haproxy/config.js';
import { defaultThreads } from '../../../src/elbv2/data-plane/haproxy/index.js';
import { queryPairRegex } from '../../../src/elbv2/data-plane/haproxy/conditions.js';
import { backendName, failOpenBackendName } from '../../../src/elbv2/data-plane/haproxy/names.js';
import { literalWord, quotedWord, wildcardRegex } from '../../../src/elbv2/data-plane/haproxy/words.js';
import type { DataPlaneConfig, TargetGroupConfig } from '../../../src/elbv2/data-plane/types.js';

const options = { stateDir: '/var/lib/berth/lb-haproxy', cookieKey: 'k3y' };

function group(name: string, overrides: Partial<TargetGroupConfig> = {}): TargetGroupConfig {
  return {
    arn: `arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/${name}/0123456789abcdef`,
    name,
    protocol: 'HTTP',
    targetType: 'instance',
    algorithm: 'round_robin',
    stickiness: { enabled: false, type: 'lb_cookie', durationSeconds: 86400 },
    slowStartSeconds: 0,
    deregistrationDelaySeconds: 300,
    healthCheck: { enabled: true, protocol: 'HTTP', port: 'traffic-port', path: '/health', matcher: '200', intervalSeconds: 5, timeoutSeconds: 2, healthyThreshold: 2, unhealthyThreshold: 3 },
    targets: [
      { id: 'i-0a', address: '10.0.0.5', port: 32768, state: 'registered', registeredAt: 0 },
      { id: 'i-0b', address: '10.0.0.6', port: 32769, state: 'draining', drainingUntil: 300_000, registeredAt: 0 },
    ],
    ...overrides,
  };
}

function sample(): DataPlaneConfig {
  const web = group('web', { stickiness: { enabled: true, type: 'lb_cookie', durationSeconds: 600 }, slowStartSeconds: 30 });
  const api = group('api', { algorithm: 'least_outstanding_requests', healthCheck: { ...group('x').healthCheck, matcher: '200-299,302' } });
  const tcp = group('tcp', { protocol: 'TCP', algorithm: 'weighted_random', healthCheck: { ...group('x').healthCheck, protocol: 'TCP' } });
  return {
    targetGroups: [web, api, tcp],
    loadBalancers: [
      {
        arn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/front/1',
        name: 'front',
        type: 'application',
        address: '127.0.2.7',
        dnsName: 'front-1.us-east-1.elb.localhost',
        idleTimeoutSeconds: 20,
        listeners: [
          {
            arn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/front/1/80',
            port: 80,
            protocol: 'HTTP',
            rules: [
              { arn: 'r1', priority: 1, conditions: [{ field: 'path-pattern', values: ['/old/*'] }], actions: [{ type: 'redirect', protocol: 'HTTPS', host: '#{host}', port: '443', path: '/#{path}', query: '#{query}', statusCode: 'HTTP_302' }] },
              { arn: 'r2', priority: 5, conditions: [{ field: 'host-header', values: ["it's.*.example"] }, { field: 'http-request-method', values: ['GET', 'HEAD'] }], actions: [{ type: 'fixed-response', statusCode: '404', messageBody: 'no "such" $thing' }] },
              { arn: 'r3', priority: 9, conditions: [{ field: 'path-pattern', values: ['/api/*'] }], actions: [{ type: 'forward', targetGroups: [{ targetGroupArn: api.arn, weight: 1 }] }] },
              { arn: 'r4', priority: 'default', conditions: [], actions: [{ type: 'forward', targetGroups: [{ targetGroupArn: web.arn, weight: 3 }, { targetGroupArn: api.arn, weight: 1 }], stickiness: { enabled: true, durationSeconds: 60 } }] },
            ],
          },
        ],
      },
      {
        arn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/flows/2',
        name: 'flows',
        type: 'network',
        address: '127.0.2.8',
        dnsName: 'flows-2.us-east-1.elb.localhost',
        idleTimeoutSeconds: 60,
        listeners: [{ arn: 'l-tcp', port: 5432, protocol: 'TCP', rules: [{ arn: 'd', priority: 'default', conditions: [], actions: [{ type: 'forward', targetGroups: [{ targetGroupArn: tcp.arn, weight: 1 }] }] }] }],
      },
    ],
  };
}

describe('haproxy words: user values can only be literal text plus ELB wildcards', () => {
  it('quotes single and double quoted words as haproxy reads them back', () => {
    assert.equal(literalWord("it's"), "'it'\\''s'");
    assert.equal(quotedWord('a "b" \\ $HOME'), '"a \\"b\\" \\\\ \\$HOME"');
  });

  it('writes line breaks and tabs as haproxy escapes, so a value never ends the line', () => {
    assert.equal(quotedWord('a\r\nb\tc'), '"a\\r\\nb\\tc"');
  });

  it('turns * and ? into regex and every other mark into an escaped code point', () => {
    assert.equal(wildcardRegex('/api/*'), '/api/.*');
    assert.equal(wildcardRegex('a.b?c'), 'a\\x{2e}b.c');
    assert.equal(wildcardRegex('(x)+[y]'), '\\x{28}x\\x{29}\\x{2b}\\x{5b}y\\x{5d}');
    const regex = new RegExp(queryPairRegex('v', 'b?ta').replace(/\\x\{([0-9a-f]+)\}/g, '\\u{$1}'), 'u');
    assert.ok(regex.test('a=1&v=beta'));
    assert.ok(!regex.test('v=betas'));
    assert.ok(!regex.test('xv=beta'));
  });
});

describe('renderConfig: DataPlaneConfig as haproxy.cfg', () => {
  const rendered = renderConfig(sample(), options);
  const web = backendName(sample().targetGroups[0]!.arn, 'web');
  const api = backendName(sample().targetGroups[1]!.arn, 'api');
  const tcp = backendName(sample().targetGroups[2]!.arn, 'tcp');

  it('binds one frontend per listener address:port, with the idle timeout and forwarding headers', () => {
    assert.deepEqual(rendered.listeners.map((l) => `${l.address}:${l.port}`), ['127.0.2.7:80', '127.0.2.8:5432']);
    assert.match(rendered.text, /bind 127\.0\.2\.7:80\n {2}bind 'unix@[^']+' accept-proxy\n {2}timeout client 20s\n {2}timeout http-keep-alive 20s\n {2}option idle-close-on-response\n {2}option forwardfor/);
    assert.match(rendered.text, /set-header X-Forwarded-Proto http\n/);
    assert.match(rendered.text, /set-header X-Forwarded-Port 80\n/);
    assert.match(rendered.text, /X-Amzn-Trace-Id .* unless \{ req\.hdr\(x-amzn-trace-id\) -m found \}/);
  });

  it('evaluates rules in order into txn.rule, conditions ANDed', () => {
    const order = [...rendered.text.matchAll(/set-var\(txn\.rule\) int\((\d+)\) if !\{ var\(txn\.rule\) -m found \}(.*)/g)].map((m) => `${m[1]}:${m[2]!.trim()}`);
    assert.deepEqual(order, ['1:r1c1', '2:r2c1 r2c2', '3:r3c1', '4:']);
    assert.match(rendered.text, /acl r2c1 req\.hdr\(host\),field\(1,:\) -m reg -i '\^it\\x\{27\}s\\x\{2e\}\.\*\\x\{2e\}example\$'/);
    assert.match(rendered.text, /acl r2c2 method -m str 'GET' 'HEAD'/);
  });

  it('writes redirects with ELB placeholders, fixed responses, and weighted, sticky forwards', () => {
    assert.match(rendered.text, /http-request redirect location "https:\/\/%\[req\.hdr\(host\),field\(1,:\)\]\/%\[path,regsub\(\^\/,\)\]\?%\[query\]" code 302 if \{ var\(txn\.rule\) -m int eq 1 \} \{ query -m len gt 0 \}/);
    assert.match(rendered.text, /http-request return status 404 content-type "text\/plain" string "no \\"such\\" \\\$thing" if \{ var\(txn\.rule\) -m int eq 2 \}/);
    assert.match(rendered.text, new RegExp(`set-var\\(txn\\.tg\\) str\\(${api}\\) if \\{ var\\(txn\\.rule\\) -m int eq 3 \\}`));
    assert.match(rendered.text, /set-var\(txn\.pick\) rand\(4\)/);
    assert.match(rendered.text, new RegExp(`str\\(${web}\\) if .* \\{ var\\(txn\\.pick\\) -m int lt 3 \\}`));
    assert.match(rendered.text, /Set-Cookie "AWSALBTG=%\[var\(txn\.tg\)\]; Max-Age=60; Path=\/"/);
    assert.match(rendered.text, new RegExp(`set-var\\(txn\\.be\\) str\\(${failOpenBackendName(web)}\\) if \\{ var\\(txn\\.tg\\) -m str ${web} \\} \\{ nbsrv\\(${web}\\) eq 0 \\}`));
  });

  it('answers 503 without a target and turns haproxy\'s 503 for a refused connection into ALB\'s 502', () => {
    assert.match(rendered.text, /^ {2}retries 0$/m);
    assert.doesNotMatch(rendered.text, /option redispatch/);
    assert.match(rendered.text, /http-error status 503 content-type text\/html string "<html>.*502 Bad Gateway/);
    assert.match(rendered.text, new RegExp(`http-request return status 503 content-type text/html string ".*503 Service Temporarily Unavailable.*" if \\{ var\\(txn\\.tg\\) -m str ${web} \\} \\{ nbsrv\\(${web}\\) eq 0 \\} \\{ nbsrv\\(${failOpenBackendName(web)}\\) eq 0 \\} !\\{ stopping \\}`));
    assert.match(rendered.text, /http-response set-var\(txn\.answered\) bool\(true\)/);
    assert.match(rendered.text, /http-after-response set-status 502 reason "Bad Gateway" if \{ status 503 \} \{ srv_id -m found \} !\{ var\(txn\.answered\) -m found \}/);
  });

  it('renders target groups as backends with their algorithm, checks, stickiness and slow start', () => {
    const section = (name: string) => rendered.text.split(`\nbackend ${name}\n`)[1]!.split('\n\n')[0]!;
    assert.match(section(web), /balance roundrobin/);
    assert.match(section(web), /timeout server 20s/);
    assert.match(section(web), /cookie AWSALB insert indirect nocache dynamic maxlife 600s/);
    assert.match(section(web), /server i-0a-32768 10\.0\.0\.5:32768 weight 100 check inter 5s rise 2 fall 3 slowstart 30s/);
    assert.doesNotMatch(section(web), /i-0b/, 'a draining target is no desired server');
    assert.match(section(web), /http-check send meth GET uri '\/health'/);
    assert.match(section(api), /balance leastconn/);
    assert.match(section(api), /http-check expect status 200-299,302/);
    assert.match(section(failOpenBackendName(web)), /server i-0a-32768 10\.0\.0\.5:32768 weight 100$/m);
    assert.match(section(tcp), /mode tcp\n {2}balance random\n {2}timeout server 350s/);
    assert.doesNotMatch(section(tcp), /httpchk/);
    assert.match(rendered.text, new RegExp(`frontend lb_flows_127\\.0\\.2\\.8_5432\\n {2}mode tcp\\n {2}bind 127\\.0\\.2\\.8:5432\\n {2}bind 'unix@[^']+' accept-proxy\\n.*\\n {2}use_backend ${failOpenBackendName(tcp)} if \\{ nbsrv\\(${tcp}\\) eq 0 \\}\\n {2}default_backend ${tcp}`));
  });

  it('keeps targets out of the skeleton: only listener, rule and settings changes reload', () => {
    const moved = sample();
    moved.targetGroups[0]!.targets.push({ id: 'i-0c', address: '10.0.0.7', port: 32770, state: 'registered', registeredAt: 0 });
    const withTarget = renderConfig(moved, options);
    assert.equal(withTarget.skeleton, rendered.skeleton);
    assert.notEqual(withTarget.text, rendered.text);
    assert.equal(withTarget.servers[web]!.length, 2);
    moved.targetGroups[0]!.healthCheck.intervalSeconds = 10;
    assert.notEqual(renderConfig(moved, options).skeleton, rendered.skeleton, "servers' check options are settings");
  });

  it('refuses UDP listeners and skipped ones with words that say what to do', () => {
    const config = sample();
    config.loadBalancers[1]!.listeners.push({ arn: 'l-udp', port: 53, protocol: 'UDP', rules: [] });
    const result = renderConfig(config, { ...options, skipListeners: new Map([['l-tcp', 'in use']]) });
    assert.deepEqual(result.unsupported.map((u) => u.listenerArn), ['l-udp']);
    assert.match(result.unsupported[0]!.message, /UDP listeners are not supported.*use a TCP listener/);
    assert.deepEqual(result.listeners.map((l) => l.listenerArn), [config.loadBalancers[0]!.listeners[0]!.arn]);
  });

  it('serves each listener port on 127.0.0.1 too, relaying by Host to the listener frontend over its Unix socket', () => {
    const text = rendered.text;
    const shared = text.split('\nfrontend shared_127.0.0.1_80\n')[1]!.split('\n\n')[0]!;
    assert.match(shared, /^ {2}mode http\n {2}bind 127\.0\.0\.1:80\n {2}timeout client 20s/);
    assert.match(shared, /acl known req\.hdr\(host\),field\(1,:\),lower -m str front-1\.us-east-1\.elb\.localhost front-1\.us-east-1\.elb\.localhost\. *$/m);
    assert.match(shared, /http-request return status 404 content-type "text\/plain; charset=utf-8" lf-string "Host %\[req\.hdr\(host\),field\(1,:\),lower\] names no load balancer .*front-1\.us-east-1\.elb\.localhost.*" unless known/);
    assert.match(shared, /use_backend relay_lb_front_127\.0\.2\.7_80 if \{ req\.hdr\(host\),field\(1,:\),lower -m str front-1\.us-east-1\.elb\.localhost front-1\.us-east-1\.elb\.localhost\. \}/);
    const socket = /bind 'unix@([^']+)' accept-proxy/.exec(text.split('\nfrontend lb_front_127.0.2.7_80\n')[1]!)![1]!;
    assert.ok(socket.startsWith('/var/lib/berth/lb-haproxy/'));
    assert.match(text, new RegExp(`backend relay_lb_front_127\\.0\\.2\\.7_80\\n {2}mode http\\n {2}timeout server 20s\\n {2}http-reuse never\\n {2}server listener 'unix@${socket}' send-proxy-v2`));
    // A lone network load balancer's port: its connections, relayed as they are.
    assert.match(text, /frontend shared_127\.0\.0\.1_5432\n {2}mode tcp\n {2}bind 127\.0\.0\.1:5432\n {2}timeout client 350s\n {2}default_backend relay_lb_flows_127\.0\.2\.8_5432/);
    assert.deepEqual(rendered.sharedPorts, [80, 5432]);
    assert.deepEqual(rendered.sharedPortNotices, []);
  });

  it('leaves 127.0.0.1:<port> out when another program holds it, with a notice; the listener frontend keeps its own address', () => {
    const result = renderConfig(sample(), { ...options, skipSharedPorts: new Map([[80, 'EADDRINUSE']]) });
    assert.doesNotMatch(result.text, /shared_127\.0\.0\.1_80|relay_lb_front/);
    assert.match(result.text, /bind 127\.0\.2\.7:80\n {2}timeout client 20s/);
    assert.deepEqual(result.sharedPorts, [5432]);
    assert.equal(result.sharedPortNotices.length, 1);
    assert.match(result.sharedPortNotices[0]!, /^Port 80 is not served on 127\.0\.0\.1: another program listens there; .*127\.0\.2\.7:80/);
  });

  it('is a file haproxy accepts, with every kind of stickiness and health check', () => {
    const config = sample();
    const x = group('x').healthCheck;
    config.targetGroups.push(
      group('app', { stickiness: { enabled: true, type: 'app_cookie', durationSeconds: 60, appCookieName: 'SESSION' }, healthCheck: { ...x, protocol: 'HTTPS', port: 8443 } }),
      group('flow', { protocol: 'TLS', stickiness: { enabled: true, type: 'source_ip', durationSeconds: 60 }, healthCheck: { ...x, protocol: 'HTTP' } }),
      group('quiet', { healthCheck: { ...x, enabled: false } }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'berth-haproxy-cfg-'));
    try {
      const file = join(dir, 'haproxy.cfg');
      const text = renderConfig(config, { ...options, stateDir: dir }).text;
      assert.match(text, /stick match req\.cook\(AWSALBAPP-0\)\n\s*stick on req\.cook\('SESSION'\),xxh64\(\d+\)/);
      assert.match(text, /http-response add-header Set-Cookie "AWSALBAPP-0=%\[res\.cook\('SESSION'\),xxh64\(\d+\)\]; Max-Age=60; Path=\/" if \{ res\.cook\('SESSION'\) -m found \}/);
      assert.match(text, /stick on src/);
      assert.match(text, /port 8443 check-ssl/);
      writeFileSync(file, text);
      const check = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
      assert.equal(check.status, 0, check.stderr);
      // Only the server state file may be missing: haproxy's first start has none.
      assert.doesNotMatch(check.stderr.replace(/.*server state file.*/g, ''), /WARNING|ALERT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('haproxy threads: one per core but one, and at least one', () => {
  it('leaves a core to the targets and to Berth', () => {
    assert.deepEqual([1, 2, 4, 16].map((cores) => defaultThreads(cores)), [1, 1, 3, 15]);
  });

  it('renders nbthread in the global section when given, and leaves haproxy its default otherwise', () => {
    const global = (text: string) => text.slice(0, text.indexOf('\ndefaults'));
    assert.match(global(renderConfig(sample(), { ...options, threads: 3 }).text), /^ {2}nbthread 3$/m);
    assert.doesNotMatch(global(renderConfig(sample(), options).text), /nbthread/);
  });
});

describe('haproxy frontend: a listener whose only rule forwards to one target group', () => {
  const web = group('web');
  const config = (accessLogPath?: string): DataPlaneConfig => ({
    targetGroups: [web],
    loadBalancers: [{
      arn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/plain/3',
      name: 'plain',
      type: 'application',
      address: '127.0.2.9',
      dnsName: 'plain-3.us-east-1.elb.localhost',
      idleTimeoutSeconds: 60,
      ...(accessLogPath === undefined ? {} : { accessLogPath }),
      listeners: [{ arn: 'l-80', port: 80, protocol: 'HTTP', rules: [{ arn: 'd', priority: 'default', conditions: [], actions: [{ type: 'forward', targetGroups: [{ targetGroupArn: web.arn, weight: 1 }] }] }] }],
    }],
  });
  const frontendOf = (text: string) => text.slice(text.indexOf('\nfrontend lb_plain'), text.indexOf('\n\n', text.indexOf('\nfrontend lb_plain')));

  it('chooses the checked backend, else the fail-open one, else answers 503, with no rule variables', () => {
    const backend = backendName(web.arn, web.name);
    const frontend = frontendOf(renderConfig(config(), options).text);
    assert.doesNotMatch(frontend, /txn\.(rule|tg|be)/);
    assert.match(frontend, new RegExp(`^ {2}http-request return status 503 .* if \\{ nbsrv\\(${backend}\\) eq 0 \\} \\{ nbsrv\\(${failOpenBackendName(backend)}\\) eq 0 \\} !\\{ stopping \\}$`, 'm'));
    assert.match(frontend, new RegExp(`^ {2}use_backend ${backend} if \\{ nbsrv\\(${backend}\\) gt 0 \\}$`, 'm'));
    assert.match(frontend, new RegExp(`^ {2}default_backend ${failOpenBackendName(backend)}$`, 'm'));
  });

  it('keeps the rule variables when an access log names the rule and the backend', () => {
    const frontend = frontendOf(renderConfig(config('/tmp/access.log'), { ...options, accessLogTarget: '127.0.0.1:5140' }).text);
    assert.match(frontend, /set-var\(txn\.rule\) int\(1\)/);
    assert.match(frontend, /use_backend %\[var\(txn\.be\)\]/);
  });
});
