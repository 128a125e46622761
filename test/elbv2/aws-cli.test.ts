/**
 * The load balancing walk-through of the issue with the real `aws elbv2` (CLI v1, skipped where
 * the machine has none): shorthand arguments, pagination the CLI drives itself, and errors as the
 * CLI prints them (the awsQueryError code, not the SDK's exception class).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cliEnvironment, hasAwsCli, run } from '../helpers/aws-cli.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { makeCertificate } from '../helpers/certificates.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';


describe('aws elbv2 against Berth', { skip: hasAwsCli ? false : 'the aws command is not installed on this machine' }, () => {
  let berth: TestBerth;
  const aws = async (...args: string[]) => {
    const { stdout } = await run('aws', ['--endpoint-url', berth.url, '--output', 'json', 'elbv2', ...args], { env: cliEnvironment });
    return JSON.parse(stdout || '{}') as Record<string, any>;
  };
  /** The CLI's error line for a failing command. */
  const failure = async (...args: string[]) => {
    try {
      await run('aws', ['--endpoint-url', berth.url, 'elbv2', ...args], { env: cliEnvironment });
    } catch (error) {
      return String((error as { stderr?: string }).stderr).trim();
    }
    assert.fail(`aws elbv2 ${args.join(' ')} succeeded`);
  };
  before(async () => {
    berth = await startBerth();
  });
  after(async () => berth.close());

  it('runs the walk-through: load balancer, target group, listener, rule, targets', async () => {
    const lb = (await aws('create-load-balancer', '--name', 'web', '--type', 'application', '--subnets', 'subnet-local')).LoadBalancers[0];
    assert.match(lb.DNSName, /^web-[0-9a-f]{16}\.us-east-1\.elb\.localhost$/);
    const group = (
      await aws('create-target-group', '--name', 'web', '--protocol', 'HTTP', '--port', '80', '--target-type', 'instance',
        '--health-check-path', '/health', '--health-check-interval-seconds', '5', '--healthy-threshold-count', '2')
    ).TargetGroups[0];
    assert.equal(group.HealthCheckIntervalSeconds, 5);
    assert.equal(group.HealthyThresholdCount, 2);
    assert.ok(group.HealthCheckTimeoutSeconds < 5);
    const api = (await aws('create-target-group', '--name', 'api', '--protocol', 'HTTP', '--port', '80')).TargetGroups[0];
    const listener = (
      await aws('create-listener', '--load-balancer-arn', lb.LoadBalancerArn, '--protocol', 'HTTP', '--port', '8080',
        '--default-actions', `Type=forward,TargetGroupArn=${group.TargetGroupArn}`)
    ).Listeners[0];
    assert.equal(listener.Port, 8080);
    const rule = (
      await aws('create-rule', '--listener-arn', listener.ListenerArn, '--priority', '10', '--conditions', 'Field=path-pattern,Values=/api/*',
        '--actions', `Type=forward,TargetGroupArn=${api.TargetGroupArn}`)
    ).Rules[0];
    assert.deepEqual(rule.Conditions[0].Values, ['/api/*']);
    await aws('register-targets', '--target-group-arn', group.TargetGroupArn, '--targets', 'Id=i-0123456789abcdef0,Port=32768', 'Id=i-0123456789abcdef0,Port=32769');
    const health = await aws('describe-target-health', '--target-group-arn', group.TargetGroupArn);
    // Initial, with either of ELB's reasons: registration in progress, or (once the data plane has
    // the targets) its first health checks under way.
    assert.deepEqual(
      health.TargetHealthDescriptions.map((item: any) => [item.Target.Port, item.TargetHealth.State, item.TargetHealth.Reason.replace('Elb.InitialHealthChecking', 'Elb.RegistrationInProgress')]),
      [
        [32768, 'initial', 'Elb.RegistrationInProgress'],
        [32769, 'initial', 'Elb.RegistrationInProgress'],
      ],
    );
    const attributes = await aws('modify-target-group-attributes', '--target-group-arn', group.TargetGroupArn, '--attributes', 'Key=deregistration_delay.timeout_seconds,Value=5');
    assert.ok(attributes.Attributes.some((item: any) => item.Key === 'deregistration_delay.timeout_seconds' && item.Value === '5'));
    const rules = await aws('describe-rules', '--listener-arn', listener.ListenerArn);
    assert.deepEqual(rules.Rules.map((item: any) => item.Priority), ['10', 'default']);
  });

  it('pages with --page-size and --marker, and follows NextMarker itself otherwise', async () => {
    for (const name of ['second', 'third']) await aws('create-load-balancer', '--name', name);
    const first = await aws('describe-load-balancers', '--page-size', '2');
    assert.deepEqual(first.LoadBalancers.map((item: any) => item.LoadBalancerName), ['web', 'second']);
    const rest = await aws('describe-load-balancers', '--page-size', '2', '--marker', first.NextMarker);
    assert.deepEqual(rest.LoadBalancers.map((item: any) => item.LoadBalancerName), ['third']);
    assert.equal(rest.NextMarker, undefined);
    const limited = await aws('describe-load-balancers', '--max-items', '1');
    assert.deepEqual(limited.LoadBalancers.map((item: any) => item.LoadBalancerName), ['web']);
    assert.ok(limited.NextToken);
  });

  it('prints the awsQueryError codes with their messages', async () => {
    assert.match(await failure('describe-load-balancers', '--names', 'nope'), /\(LoadBalancerNotFound\) when calling the DescribeLoadBalancers operation: Load balancers '\[nope\]' not found/);
    assert.match(await failure('create-load-balancer', '--name', 'web', '--type', 'network'), /\(DuplicateLoadBalancerName\).*A load balancer with the same name 'web' exists/);
    assert.match(await failure('describe-target-groups', '--names', 'nope'), /\(TargetGroupNotFound\)/);
    assert.match(
      await failure('create-target-group', '--name', 'bad', '--protocol', 'HTTP', '--port', '80', '--health-check-interval-seconds', '10', '--health-check-timeout-seconds', '10'),
      /\(ValidationError\).*Health check interval must be greater than the timeout/,
    );
  });

  it('imports a certificate with aws acm import-certificate fileb:// and serves it on an HTTPS listener', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-cli-cert-'));
    try {
      const certificate = makeCertificate({ commonName: 'cli.example.test' });
      writeFileSync(join(dir, 'cert.pem'), certificate.certificatePem);
      writeFileSync(join(dir, 'key.pem'), certificate.privateKeyPem);
      const acm = async (...args: string[]) => {
        const { stdout } = await run('aws', ['--endpoint-url', berth.url, '--output', 'json', 'acm', ...args], { env: cliEnvironment, cwd: dir });
        return JSON.parse(stdout || '{}') as Record<string, any>;
      };
      const { CertificateArn } = await acm('import-certificate', '--certificate', 'fileb://cert.pem', '--private-key', 'fileb://key.pem');
      assert.match(CertificateArn, /^arn:aws:acm:us-east-1:000000000000:certificate\//);
      const listed = await acm('list-certificates');
      assert.ok(listed.CertificateSummaryList.some((item: any) => item.CertificateArn === CertificateArn && item.DomainName === 'cli.example.test'));
      const lb = (await aws('create-load-balancer', '--name', 'secure', '--subnets', 'subnet-local')).LoadBalancers[0];
      const listener = (
        await aws('create-listener', '--load-balancer-arn', lb.LoadBalancerArn, '--protocol', 'HTTPS', '--port', '8443', '--certificates', `CertificateArn=${CertificateArn}`,
          '--ssl-policy', 'ELBSecurityPolicy-TLS13-1-2-2021-06', '--default-actions', 'Type=fixed-response,FixedResponseConfig={StatusCode=200}')
      ).Listeners[0];
      assert.deepEqual([listener.Protocol, listener.SslPolicy, listener.Certificates], ['HTTPS', 'ELBSecurityPolicy-TLS13-1-2-2021-06', [{ CertificateArn }]]);
      assert.match(await failure('create-listener', '--load-balancer-arn', lb.LoadBalancerArn, '--protocol', 'HTTPS', '--port', '9443', '--default-actions', 'Type=fixed-response,FixedResponseConfig={StatusCode=200}'),
        /\(ValidationError\).*A certificate must be specified for HTTPS listeners/);
      const inUse = await run('aws', ['--endpoint-url', berth.url, 'acm', 'delete-certificate', '--certificate-arn', CertificateArn], { env: cliEnvironment }).then(() => '', (error: { stderr?: string }) => String(error.stderr));
      assert.match(inUse, /\(ResourceInUseException\) when calling the DeleteCertificate operation: Certificate .* is in use\./);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
