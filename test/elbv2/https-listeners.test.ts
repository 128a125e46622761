/**
 * HTTPS listeners end to end: certificates imported through ACM, listeners made through the ELBv2
 * SDK, and verifying TLS clients reaching a real HTTP target through the data plane chosen by
 * `DATA_PLANE` (embedded unless set), picking certificates by SNI; and an HTTP listener that
 * redirects to the HTTPS one.
 */
import assert from 'node:assert/strict';
import { request, type RequestOptions } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { ACMClient, DeleteCertificateCommand, DescribeCertificateCommand, ImportCertificateCommand } from '@aws-sdk/client-acm';
import {
  AddListenerCertificatesCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DescribeListenerCertificatesCommand,
  DescribeListenersCommand,
  DescribeSSLPoliciesCommand,
  DescribeTargetHealthCommand,
  ModifyListenerCommand,
  RegisterTargetsCommand,
  RemoveListenerCertificatesCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { rejects } from '../helpers/assertions.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { makeCertificate, type TestCertificate } from '../helpers/certificates.js';
import { eventually, get, startTarget, type Target } from './data-plane/harness.js';
import { elbClient } from './elbv2-client.js';

const dataPlane = (process.env.DATA_PLANE ?? 'embedded') as 'embedded' | 'haproxy';
const bytes = (text: string) => new TextEncoder().encode(text);

describe(`HTTPS listeners through the ${dataPlane} data plane`, () => {
  let berth: TestBerth;
  let elb: ElasticLoadBalancingV2Client;
  let acm: ACMClient;
  let target: Target;
  let lbArn: string;
  let address: string;
  let group: string;
  let site: TestCertificate;
  let other: TestCertificate;
  let siteArn: string;
  let otherArn: string;
  let httpsArn: string;

  const importCertificate = async (certificate: TestCertificate) =>
    (await acm.send(new ImportCertificateCommand({ Certificate: bytes(certificate.certificatePem), PrivateKey: bytes(certificate.privateKeyPem) }))).CertificateArn as string;
  /** A TLS client that trusts only `ca` and checks the certificate names `servername`. */
  const secureGet = (port: number, servername: string, ca: string, path = '/') =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      request({ host: address, port, path, servername, ca, agent: false, headers: { host: `${servername}:${port}` } }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
        .on('error', reject)
        .end();
    });

  before(async () => {
    berth = await startBerth({ loadBalancerDataPlane: dataPlane });
    elb = elbClient(berth);
    acm = new ACMClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    target = await startTarget('a');
    site = makeCertificate({ commonName: 'site.example.test' });
    other = makeCertificate({ commonName: 'other.example.test', altNames: ['*.other.example.test'] });
    siteArn = await importCertificate(site);
    otherArn = await importCertificate(other);
    const { LoadBalancers } = await elb.send(new CreateLoadBalancerCommand({ Name: 'secure', Type: 'application', Subnets: ['subnet-local'] }));
    lbArn = LoadBalancers?.[0]?.LoadBalancerArn as string;
    address = (await berth.server.store.read((tx) => tx.loadBalancers.get(lbArn)))?.address as string;
    const { TargetGroups } = await elb.send(
      new CreateTargetGroupCommand({ Name: 'secure', Protocol: 'HTTP', Port: 80, TargetType: 'ip', HealthCheckPath: '/health', HealthCheckIntervalSeconds: 5, HealthyThresholdCount: 2 }),
    );
    group = TargetGroups?.[0]?.TargetGroupArn as string;
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: group, Targets: [{ Id: '127.0.0.1', Port: target.port }] }));
  });
  after(async () => {
    elb?.destroy();
    acm?.destroy();
    await berth?.close();
    await target?.close();
  });

  it('refuses HTTPS listeners without a certificate, or with one or a policy that does not exist, in ELB\'s words', async () => {
    const create = (input: Partial<ConstructorParameters<typeof CreateListenerCommand>[0]>) =>
      elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTPS', Port: 9443, DefaultActions: [{ Type: 'forward', TargetGroupArn: group }], ...input }));
    await rejects(create({}), 'ValidationError', /^A certificate must be specified for HTTPS listeners$/);
    await rejects(create({ Protocol: 'HTTP', Certificates: [{ CertificateArn: siteArn }] }), 'ValidationError', /^A certificate cannot be specified for HTTP listeners$/);
    const missing = 'arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-0000-0000-000000000000';
    await rejects(create({ Certificates: [{ CertificateArn: missing }] }), 'CertificateNotFoundException', new RegExp(`^Certificate '${missing}' not found$`));
    await rejects(create({ Certificates: [{ CertificateArn: siteArn }], SslPolicy: 'ELBSecurityPolicy-Nonexistent' }), 'SSLPolicyNotFoundException');
    await rejects(create({ Certificates: [{ CertificateArn: siteArn }], AlpnPolicy: ['HTTP2Preferred'] }), 'ValidationError');
    await rejects(create({ Certificates: [{ CertificateArn: siteArn }, { CertificateArn: otherArn }] }), 'ValidationError');
    await rejects(create({ Certificates: [{ CertificateArn: siteArn }], MutualAuthentication: { Mode: 'verify', TrustStoreArn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:truststore/ts/0123456789abcdef' } }), 'InvalidConfigurationRequestException', /Mutual TLS authentication mode 'verify' is not supported/);
    const { SslPolicies = [] } = await elb.send(new DescribeSSLPoliciesCommand({ Names: ['ELBSecurityPolicy-2016-08'] }));
    assert.deepEqual(SslPolicies[0]?.SslProtocols, ['TLSv1', 'TLSv1.1', 'TLSv1.2']);
    assert.equal(SslPolicies[0]?.Ciphers?.[0]?.Name, 'ECDHE-ECDSA-AES128-GCM-SHA256');
  });

  it('serves the imported certificate the client names by SNI and forwards to the target', async () => {
    const { Listeners } = await elb.send(
      new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTPS', Port: 8443, Certificates: [{ CertificateArn: siteArn }], DefaultActions: [{ Type: 'forward', TargetGroupArn: group }] }),
    );
    httpsArn = Listeners?.[0]?.ListenerArn as string;
    assert.deepEqual(Listeners?.[0]?.Certificates, [{ CertificateArn: siteArn }]);
    assert.equal(Listeners?.[0]?.SslPolicy, 'ELBSecurityPolicy-2016-08');
    const added = await elb.send(new AddListenerCertificatesCommand({ ListenerArn: httpsArn, Certificates: [{ CertificateArn: otherArn }] }));
    assert.deepEqual(added.Certificates, [{ CertificateArn: otherArn, IsDefault: false }]);
    const listed = await elb.send(new DescribeListenerCertificatesCommand({ ListenerArn: httpsArn }));
    assert.deepEqual(listed.Certificates, [{ CertificateArn: siteArn, IsDefault: true }, { CertificateArn: otherArn, IsDefault: false }]);

    await eventually(async () => {
      const { TargetHealthDescriptions = [] } = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group }));
      assert.equal(TargetHealthDescriptions[0]?.TargetHealth?.State, 'healthy');
    }, 30_000);
    const viaSite = await eventually(() => secureGet(8443, 'site.example.test', site.certificatePem, '/hello'), 15_000);
    assert.equal(viaSite.status, 200);
    const echo = JSON.parse(viaSite.body) as { target: string; url: string; headers: Record<string, string> };
    assert.equal(echo.target, 'a');
    assert.equal(echo.url, '/hello');
    assert.equal(echo.headers['x-forwarded-proto'], 'https');
    assert.equal(echo.headers['x-forwarded-port'], '8443');
    const viaOther = await eventually(() => secureGet(8443, 'api.other.example.test', other.certificatePem), 15_000);
    assert.equal(viaOther.status, 200);

    // ACM says who uses the certificate, and keeps it while they do.
    const detail = (await acm.send(new DescribeCertificateCommand({ CertificateArn: otherArn }))).Certificate;
    assert.deepEqual(detail?.InUseBy, [lbArn]);
    await rejects(acm.send(new DeleteCertificateCommand({ CertificateArn: otherArn })), 'ResourceInUseException');
    await rejects(elb.send(new RemoveListenerCertificatesCommand({ ListenerArn: httpsArn, Certificates: [{ CertificateArn: siteArn }] })), 'ValidationError');
    await elb.send(new RemoveListenerCertificatesCommand({ ListenerArn: httpsArn, Certificates: [{ CertificateArn: otherArn }] }));
    assert.deepEqual((await acm.send(new DescribeCertificateCommand({ CertificateArn: otherArn }))).Certificate?.InUseBy, []);
  });

  it('redirects an HTTP listener to the HTTPS one, which answers', async () => {
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lbArn,
        Protocol: 'HTTP',
        Port: 8080,
        DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '8443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301' } }],
      }),
    );
    const redirect = await eventually(async () => {
      const reply = await get(`http://${address}:8080/page?x=1`, { headers: { host: 'site.example.test:8080' } });
      assert.equal(reply.status, 301);
      return reply;
    }, 15_000);
    const location = new URL(String(redirect.headers.location));
    assert.equal(location.href, 'https://site.example.test:8443/page?x=1');
    const followed = await secureGet(Number(location.port), location.hostname, site.certificatePem, `${location.pathname}${location.search}`);
    assert.equal(followed.status, 200);
    assert.equal((JSON.parse(followed.body) as { url: string }).url, '/page?x=1');
  });

  it('switches a listener from HTTPS to HTTP and back, with the certificate it needs', async () => {
    const modified = await elb.send(new ModifyListenerCommand({ ListenerArn: httpsArn, Protocol: 'HTTP' }));
    assert.equal(modified.Listeners?.[0]?.Certificates, undefined);
    assert.equal(modified.Listeners?.[0]?.SslPolicy, undefined);
    await eventually(async () => assert.equal((await get(`http://${address}:8443/plain`)).status, 200), 15_000);
    await rejects(elb.send(new ModifyListenerCommand({ ListenerArn: httpsArn, Protocol: 'HTTPS' })), 'ValidationError', /^A certificate must be specified for HTTPS listeners$/);
    await elb.send(new ModifyListenerCommand({ ListenerArn: httpsArn, Protocol: 'HTTPS', Certificates: [{ CertificateArn: otherArn }], SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' }));
    const { Listeners = [] } = await elb.send(new DescribeListenersCommand({ ListenerArns: [httpsArn] }));
    assert.equal(Listeners[0]?.SslPolicy, 'ELBSecurityPolicy-TLS13-1-2-2021-06');
    await eventually(async () => assert.equal((await secureGet(8443, 'www.other.example.test', other.certificatePem)).status, 200), 15_000);
    // The site certificate is no longer served anywhere: ACM deletes it.
    await acm.send(new DeleteCertificateCommand({ CertificateArn: siteArn }));
  });

  it('holds a load balancer to ELB\'s quota of 25 certificates besides the default ones', async () => {
    const arns: string[] = [];
    for (let i = 0; i < 26; i++) arns.push(await importCertificate(other));
    const { Listeners } = await elb.send(
      new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTPS', Port: 9444, Certificates: [{ CertificateArn: arns[0] }], DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }] }),
    );
    const listener = Listeners?.[0]?.ListenerArn as string;
    await elb.send(new AddListenerCertificatesCommand({ ListenerArn: listener, Certificates: arns.slice(1, 25).map((CertificateArn) => ({ CertificateArn })) }));
    await elb.send(new AddListenerCertificatesCommand({ ListenerArn: httpsArn, Certificates: [{ CertificateArn: arns[25] }] }));
    await rejects(elb.send(new AddListenerCertificatesCommand({ ListenerArn: listener, Certificates: [{ CertificateArn: siteArn.replace(/[0-9a-f]{12}$/, '000000000000') }] })), 'CertificateNotFoundException');
    await rejects(elb.send(new AddListenerCertificatesCommand({ ListenerArn: listener, Certificates: [{ CertificateArn: otherArn }] })), 'TooManyCertificatesException');
    const { Certificates = [] } = await elb.send(new DescribeListenerCertificatesCommand({ ListenerArn: listener, PageSize: 400 }));
    assert.equal(Certificates.length, 25);
    await elb.send(new DeleteListenerCommand({ ListenerArn: listener }));
    await elb.send(new RemoveListenerCertificatesCommand({ ListenerArn: httpsArn, Certificates: [{ CertificateArn: arns[25] }] }));
  });

  it('terminates TLS on an NLB listener with its ALPN policy and pipes the stream to a TCP target', async () => {
    const { LoadBalancers } = await elb.send(new CreateLoadBalancerCommand({ Name: 'secure-tcp', Type: 'network', Subnets: ['subnet-local'] }));
    const nlb = LoadBalancers?.[0]?.LoadBalancerArn as string;
    const nlbAddress = (await berth.server.store.read((tx) => tx.loadBalancers.get(nlb)))?.address as string;
    const { TargetGroups } = await elb.send(
      new CreateTargetGroupCommand({ Name: 'secure-tcp', Protocol: 'TCP', Port: 80, TargetType: 'ip', HealthCheckProtocol: 'TCP', HealthCheckIntervalSeconds: 5, HealthyThresholdCount: 2 }),
    );
    const tcpGroup = TargetGroups?.[0]?.TargetGroupArn as string;
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tcpGroup, Targets: [{ Id: '127.0.0.1', Port: target.port }] }));
    const create = (AlpnPolicy: string[]) =>
      elb.send(new CreateListenerCommand({ LoadBalancerArn: nlb, Protocol: 'TLS', Port: 9443, Certificates: [{ CertificateArn: otherArn }], AlpnPolicy, DefaultActions: [{ Type: 'forward', TargetGroupArn: tcpGroup }] }));
    await rejects(create(['HTTP3Only']), 'ALPNPolicyNotSupportedException');
    const { Listeners } = await create(['HTTP1Only']);
    assert.deepEqual([Listeners?.[0]?.Protocol, Listeners?.[0]?.AlpnPolicy, Listeners?.[0]?.SslPolicy], ['TLS', ['HTTP1Only'], 'ELBSecurityPolicy-2016-08']);
    await eventually(async () => {
      const { TargetHealthDescriptions = [] } = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tcpGroup }));
      assert.equal(TargetHealthDescriptions[0]?.TargetHealth?.State, 'healthy');
    }, 30_000);
    const reply = await eventually(
      () =>
        new Promise<{ status: number; protocol: string | false }>((resolve, reject) => {
          // The client offers h2 first; the HTTP1Only policy makes the listener choose http/1.1.
          const options: RequestOptions & { ALPNProtocols: string[] } = { host: nlbAddress, port: 9443, path: '/through-nlb', servername: 'tls.other.example.test', ca: other.certificatePem, agent: false, ALPNProtocols: ['h2', 'http/1.1'] };
          request(options, (response) => {
            response.resume();
            response.on('end', () => resolve({ status: response.statusCode ?? 0, protocol: (response.socket as TLSSocket).alpnProtocol ?? false }));
          })
            .on('error', reject)
            .end();
        }),
      15_000,
    );
    assert.deepEqual(reply, { status: 200, protocol: 'http/1.1' });
  });
});
