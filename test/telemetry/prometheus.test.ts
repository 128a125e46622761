/**
 * Berth's own /metrics, scraped over HTTP as Prometheus scrapes it: ECS calls through the SDK
 * (ok, a client error, a bad signature), a service controller reconcile, and an image pushed and
 * pulled with skopeo, and requests through a load balancer move the series they should; an
 * address outside --metrics-allow is refused.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateClusterCommand, CreateServiceCommand, DeleteClusterCommand, DescribeClustersCommand, ECSClient, ListClustersCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { runCommand } from '../helpers/commands.js';
import { createRepository, makeImage, registryLogin, writeOciLayout, type RegistryLogin } from '../helpers/registry.js';
import { startServer } from '../../src/server.js';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { eventually, get, startTarget } from '../elbv2/data-plane/harness.js';
import { elbClient } from '../elbv2/elbv2-client.js';

/** GET /metrics from a chosen local address (all of 127.0.0.0/8 is loopback on Linux). */
function scrapeFrom(url: string, localAddress = '127.0.0.1'): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL('/metrics', url), { localAddress }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, contentType: String(response.headers['content-type']), body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The value of one sample: `name` with exactly `labels` (in any order); 0 when the series is absent. */
function sample(body: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of body.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    const wanted = Object.entries(labels);
    if (wanted.length === Object.keys(found).length && wanted.every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return 0;
}

describe('GET /metrics', () => {
  let berth: TestBerth;
  const scrape = async () => {
    const answer = await scrapeFrom(berth.url);
    assert.equal(answer.status, 200, answer.body);
    return answer.body;
  };

  before(async () => {
    berth = await startBerth();
  });
  after(async () => {
    await berth?.close();
  });

  it('serves the exposition format with Node.js process metrics', async () => {
    const answer = await scrapeFrom(berth.url);
    assert.equal(answer.status, 200);
    assert.match(answer.contentType, /^text\/plain; version=0\.0\.4/);
    assert.ok(sample(answer.body, 'process_resident_memory_bytes') > 0, 'process metrics are there');
    assert.match(answer.body, /# TYPE berth_api_request_duration_seconds histogram/);
  });

  it('counts API calls by service, operation and outcome, and authentication failures', async () => {
    const before = await scrape();
    const ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'measured' }));
    await ecs.send(new DescribeClustersCommand({ clusters: ['measured'] }));
    await ecs.send(new DescribeClustersCommand({ clusters: ['measured'] }));
    await assert.rejects(ecs.send(new DeleteClusterCommand({ cluster: 'no-such-cluster' })), { name: 'ClusterNotFoundException' });
    const stranger = new ECSClient({ endpoint: berth.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIANOSUCHKEY0000001', secretAccessKey: 'x'.repeat(40) }, maxAttempts: 1 });
    await assert.rejects(stranger.send(new ListClustersCommand({})), { name: 'UnrecognizedClientException' });
    stranger.destroy();
    const now = await scrape();
    const count = (body: string, operation: string, outcome: string, code = '') =>
      sample(body, 'berth_api_request_duration_seconds_count', { service: 'ecs', operation, outcome, error_code: code });
    assert.equal(count(now, 'CreateCluster', 'ok') - count(before, 'CreateCluster', 'ok'), 1);
    assert.equal(count(now, 'DescribeClusters', 'ok') - count(before, 'DescribeClusters', 'ok'), 2);
    assert.equal(count(now, 'DeleteCluster', 'client_error', 'ClusterNotFoundException') - count(before, 'DeleteCluster', 'client_error', 'ClusterNotFoundException'), 1);
    assert.ok(sample(now, 'berth_api_request_duration_seconds_sum', { service: 'ecs', operation: 'DescribeClusters', outcome: 'ok', error_code: '' }) > 0, 'latency is summed');
    const auth = (body: string) => sample(body, 'berth_auth_failures_total', { service: 'ecs', kind: 'authentication', error_code: 'UnrecognizedClientException' });
    assert.equal(auth(now) - auth(before), 1);
    // Store transactions were timed along the way.
    assert.ok(sample(now, 'berth_store_transaction_duration_seconds_count', { kind: 'write', outcome: 'ok' }) > sample(before, 'berth_store_transaction_duration_seconds_count', { kind: 'write', outcome: 'ok' }));
  });

  it('times controller reconciles and shows their queues', async () => {
    const ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'reconciled' }));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'idle', containerDefinitions: [{ name: 'main', image: 'busybox', memory: 32 }] }));
    await berth.server.services.settle();
    const before = await scrape();
    await ecs.send(new CreateServiceCommand({ cluster: 'reconciled', serviceName: 'quiet', taskDefinition: 'idle', desiredCount: 0 }));
    await berth.server.services.settle();
    const now = await scrape();
    const reconciles = (body: string) => sample(body, 'berth_controller_reconcile_duration_seconds_count', { controller: 'services', outcome: 'ok' });
    assert.ok(reconciles(now) - reconciles(before) >= 1, 'the new service was reconciled');
    assert.match(now, /berth_controller_queue_keys\{controller="services",state="dirty"\} 0/);
    assert.match(now, /berth_controller_queue_keys\{controller="load-balancers",state="delayed"\} \d+/);
    assert.equal(sample(now, 'berth_agents_connected'), 0);
    // Every controller has had what the feed published: settle() returned.
    assert.match(now, /^berth_change_feed_backlog \d+$/m);
  });

  it('counts registry bytes in and out of a push and a pull with skopeo', { skip: existsSync('/usr/bin/skopeo') ? false : 'skopeo is not installed' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-telemetry-'));
    try {
      const login: RegistryLogin = await registryLogin(berth);
      await createRepository(berth, 'measured/app');
      const image = makeImage('telemetry');
      writeOciLayout(join(dir, 'in'), 'v1', [image]);
      const layerBytes = image.layers.reduce((sum, layer) => sum + layer.length, 0) + image.config.length;
      const creds = `${login.username}:${login.password}`;
      const before = await scrape();
      await runCommand('/usr/bin/skopeo', ['--insecure-policy', 'copy', '--dest-tls-verify=false', '--dest-creds', creds, `oci:${join(dir, 'in')}:v1`, `docker://${login.host}/measured/app:v1`]);
      const pushed = await scrape();
      const bytes = (body: string, direction: string) => sample(body, 'berth_registry_bytes_total', { direction });
      assert.ok(bytes(pushed, 'in') - bytes(before, 'in') >= layerBytes + image.manifest.length, `at least the blobs and the manifest came in (${layerBytes} bytes of blobs)`);
      const manifestPuts = (body: string) => sample(body, 'berth_registry_requests_total', { kind: 'manifest', method: 'PUT', outcome: 'ok' });
      assert.equal(manifestPuts(pushed) - manifestPuts(before), 1);
      await runCommand('/usr/bin/skopeo', ['--insecure-policy', 'copy', '--src-tls-verify=false', '--src-creds', creds, `docker://${login.host}/measured/app:v1`, `oci:${join(dir, 'out')}:v1`]);
      const pulled = await scrape();
      assert.ok(bytes(pulled, 'out') - bytes(pushed, 'out') >= layerBytes, 'the blobs went out');
      assert.ok(sample(pulled, 'berth_registry_requests_total', { kind: 'blob', method: 'GET', outcome: 'ok' }) >= image.layers.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('load balancer series', () => {
  it("shows the data plane's counts by load balancer and target group name", async () => {
    const berth = await startBerth();
    const target = await startTarget('metered');
    const elb = elbClient(berth);
    try {
      const { LoadBalancers } = await elb.send(new CreateLoadBalancerCommand({ Name: 'metered', Type: 'application', Subnets: ['subnet-local'] }));
      const lbArn = LoadBalancers?.[0]?.LoadBalancerArn as string;
      const { TargetGroups } = await elb.send(
        new CreateTargetGroupCommand({ Name: 'metered-tg', Protocol: 'HTTP', Port: 80, TargetType: 'ip', HealthCheckPath: '/health', HealthCheckIntervalSeconds: 5, HealthyThresholdCount: 2 }),
      );
      const group = TargetGroups?.[0]?.TargetGroupArn as string;
      await elb.send(new RegisterTargetsCommand({ TargetGroupArn: group, Targets: [{ Id: '127.0.0.1', Port: target.port }] }));
      await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 8080, DefaultActions: [{ Type: 'forward', TargetGroupArn: group }] }));
      const address = (await berth.server.store.read((tx) => tx.loadBalancers.get(lbArn)))?.address as string;
      const scrape = async () => (await scrapeFrom(berth.url)).body;
      await eventually(async () => {
        await berth.server.loadBalancers.settle();
        await (await berth.server.dataPlane.get(false))?.checkHealthNow?.();
        assert.equal(sample(await scrape(), 'berth_target_group_healthy_hosts', { target_group: 'metered-tg' }), 1);
      }, 30_000);
      const before = sample(await scrape(), 'berth_load_balancer_requests', { load_balancer: 'metered' });
      for (let i = 0; i < 3; i++) assert.equal((await get(`http://${address}:8080/`)).status, 200);
      const now = await scrape();
      assert.equal(sample(now, 'berth_load_balancer_requests', { load_balancer: 'metered' }) - before, 3);
      assert.ok(sample(now, 'berth_target_group_requests', { target_group: 'metered-tg' }) >= 3);
      assert.equal(sample(now, 'berth_target_group_unhealthy_hosts', { target_group: 'metered-tg' }), 0);
      assert.doesNotMatch(now, /loadbalancer\/app\//, 'no ARN is a label');
    } finally {
      elb.destroy();
      await target.close();
      await berth.close();
    }
  });
});

describe('who may read /metrics', () => {
  it('answers only the ranges of --metrics-allow, and refuses others with words that say how to let them in', async () => {
    const berth = await startBerth({ metricsAllow: ['127.0.0.2/32'] });
    try {
      const refused = await scrapeFrom(berth.url, '127.0.0.1');
      assert.equal(refused.status, 403);
      assert.match(refused.body, /^Berth serves \/metrics only to 127\.0\.0\.2\/32; 127\.0\.0\.1 is not among them\. Start Berth with --metrics-allow/);
      assert.doesNotMatch(refused.body, /berth_/);
      const allowed = await scrapeFrom(berth.url, '127.0.0.2');
      assert.equal(allowed.status, 200);
      assert.match(allowed.body, /berth_api_request_duration_seconds/);
    } finally {
      await berth.close();
    }
  });

  it('is loopback only by default: another loopback address is let in', async () => {
    const berth = await startBerth();
    try {
      assert.equal((await scrapeFrom(berth.url, '127.0.0.3')).status, 200);
    } finally {
      await berth.close();
    }
  });

  it('refuses to start with a range that does not read', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'berth-telemetry-'));
    try {
      await assert.rejects(
        startServer({ host: '127.0.0.1', port: 0, dataDir, region: 'us-east-1', accountId: '000000000000', logLevel: 'silent', metricsAllow: ['10.0.0.0/33'] }, { logger: false }),
        /metrics-allow takes IPv4 or IPv6 address ranges such as 10\.0\.0\.0\/8 or ::1\/128, got '10\.0\.0\.0\/33'/,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
