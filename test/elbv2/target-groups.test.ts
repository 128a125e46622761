/**
 * Target groups through the AWS SDK: AWS's defaults per protocol, the valid ranges with AWS's
 * errors, lookups by ARN, name and load balancer, modification, attributes, and deletion refused
 * while a listener or rule forwards to the group.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteTargetGroupCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { addOtherAccount, createForwardingListener, createLoadBalancer, createTargetGroup, elbClient, otherAccount } from './elbv2-client.js';

describe('ELBv2 target groups', () => {
  let berth: TestBerth;
  let elb: ElasticLoadBalancingV2Client;
  before(async () => {
    berth = await startBerth();
    elb = elbClient(berth);
    await addOtherAccount(berth);
  });
  after(async () => {
    elb.destroy();
    await berth.close();
  });

  it("takes AWS's HTTP defaults: interval 30, timeout 5, healthy 5, unhealthy 2, matcher 200, path /", async () => {
    const { TargetGroups } = await elb.send(new CreateTargetGroupCommand({ Name: 'http', Protocol: 'HTTP', Port: 80 }));
    const group = TargetGroups?.[0];
    assert.match(group?.TargetGroupArn ?? '', /^arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup\/http\/[0-9a-f]{16}$/);
    assert.equal(group?.HealthCheckProtocol, 'HTTP');
    assert.equal(group?.HealthCheckPort, 'traffic-port');
    assert.equal(group?.HealthCheckEnabled, true);
    assert.equal(group?.HealthCheckIntervalSeconds, 30);
    assert.equal(group?.HealthCheckTimeoutSeconds, 5);
    assert.equal(group?.HealthyThresholdCount, 5);
    assert.equal(group?.UnhealthyThresholdCount, 2);
    assert.equal(group?.HealthCheckPath, '/');
    assert.deepEqual(group?.Matcher, { HttpCode: '200' });
    assert.equal(group?.TargetType, 'instance');
    assert.equal(group?.ProtocolVersion, 'HTTP1');
    assert.deepEqual(group?.LoadBalancerArns, []);
  });

  it("takes AWS's TCP defaults: a TCP check, timeout 10, no path or matcher; an HTTP check on a TCP group matches 200-399", async () => {
    const tcp = (await elb.send(new CreateTargetGroupCommand({ Name: 'tcp', Protocol: 'TCP', Port: 5432, TargetType: 'ip' }))).TargetGroups?.[0];
    assert.equal(tcp?.HealthCheckProtocol, 'TCP');
    assert.equal(tcp?.HealthCheckTimeoutSeconds, 10);
    assert.equal(tcp?.HealthCheckPath, undefined);
    assert.equal(tcp?.Matcher, undefined);
    assert.equal(tcp?.TargetType, 'ip');
    const checked = (await elb.send(new CreateTargetGroupCommand({ Name: 'tcp-http', Protocol: 'TCP', Port: 80, HealthCheckProtocol: 'HTTP' }))).TargetGroups?.[0];
    assert.equal(checked?.HealthCheckTimeoutSeconds, 6);
    assert.equal(checked?.HealthCheckPath, '/');
    assert.deepEqual(checked?.Matcher, { HttpCode: '200-399' });
  });

  it('enforces the valid ranges with AWS errors naming the field', async () => {
    const create = (extra: Record<string, unknown>) => elb.send(new CreateTargetGroupCommand({ Name: 'ranges', Protocol: 'HTTP', Port: 80, ...extra }));
    await rejects(create({ HealthCheckIntervalSeconds: 4 }), 'ValidationError', /'healthCheckIntervalSeconds' failed to satisfy constraint: Member must have value between 5 and 300/);
    await rejects(create({ HealthCheckTimeoutSeconds: 1 }), 'ValidationError', /healthCheckTimeoutSeconds.*between 2 and 120/);
    await rejects(create({ HealthyThresholdCount: 11 }), 'ValidationError', /healthyThresholdCount.*between 2 and 10/);
    await rejects(create({ UnhealthyThresholdCount: 1 }), 'ValidationError', /unhealthyThresholdCount.*between 2 and 10/);
    await rejects(create({ HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 10 }), 'ValidationError', /^Health check interval must be greater than the timeout.$/);
    await rejects(create({ Matcher: { HttpCode: '600' } }), 'ValidationError', /matcher HTTP code '600' must be within '200-499'/);
    await rejects(create({ HealthCheckPath: 'health' }), 'ValidationError', /must begin with a '\/'/);
    await rejects(create({ HealthCheckProtocol: 'TCP' }), 'ValidationError', /'TCP' is not supported for target groups with the 'HTTP' protocol/);
    await rejects(create({ Port: 0 }), 'ValidationError', /'port' failed to satisfy constraint: Member must have value between 1 and 65535/);
    await rejects(create({ Protocol: 'FTP' }), 'ValidationError', /enum value set/);
    await rejects(create({ TargetType: 'lambda' }), 'InvalidConfigurationRequestException', /Target type 'lambda' is not supported/);
    await rejects(elb.send(new CreateTargetGroupCommand({ Name: 'tg_bad', Protocol: 'HTTP', Port: 80 })), 'ValidationError', /alphanumeric/);
    await rejects(elb.send(new CreateTargetGroupCommand({ Name: 'noport', Protocol: 'HTTP' })), 'ValidationError', /A port must be specified/);
    await rejects(elb.send(new CreateTargetGroupCommand({ Name: 'tcp', Protocol: 'TCP', Port: 5432, HealthCheckPath: '/x' })), 'ValidationError', /path can only be specified for HTTP and HTTPS/);
  });

  it('answers the same group to the same request, and DuplicateTargetGroupName to a different one', async () => {
    const first = await createTargetGroup(elb, 'dup');
    assert.equal(await createTargetGroup(elb, 'dup'), first);
    await rejects(elb.send(new CreateTargetGroupCommand({ Name: 'dup', Protocol: 'HTTP', Port: 81 })), 'DuplicateTargetGroupNameException', /^A target group with the same name 'dup' exists$/);
  });

  it('describes by ARNs, by names, by load balancer and all, with pagination', async () => {
    const http = (await elb.send(new DescribeTargetGroupsCommand({ Names: ['http'] }))).TargetGroups?.[0]?.TargetGroupArn as string;
    assert.deepEqual((await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [http] }))).TargetGroups?.map((group) => group.TargetGroupName), ['http']);
    await rejects(elb.send(new DescribeTargetGroupsCommand({ Names: ['missing'] })), 'TargetGroupNotFoundException', /^One or more target groups not found$/);
    await rejects(elb.send(new DescribeTargetGroupsCommand({ Names: ['http'], TargetGroupArns: [http] })), 'ValidationError');
    const lb = await createLoadBalancer(elb, 'front');
    assert.deepEqual((await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb }))).TargetGroups, []);
    await createForwardingListener(elb, lb, http);
    const used = await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb }));
    assert.deepEqual(used.TargetGroups?.map((group) => group.TargetGroupName), ['http']);
    assert.deepEqual(used.TargetGroups?.[0]?.LoadBalancerArns, [lb]);
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await elb.send(new DescribeTargetGroupsCommand({ PageSize: 2, ...(marker ? { Marker: marker } : {}) }));
      names.push(...(page.TargetGroups ?? []).map((group) => group.TargetGroupName as string));
      marker = page.NextMarker;
    } while (marker);
    assert.deepEqual(names, ['http', 'tcp', 'tcp-http', 'dup']);
  });

  it('modifies the health check, checking the result as a whole', async () => {
    const arn = await createTargetGroup(elb, 'modify');
    const { TargetGroups } = await elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: arn, HealthCheckPath: '/health', HealthCheckIntervalSeconds: 10, Matcher: { HttpCode: '200-299' } }));
    assert.equal(TargetGroups?.[0]?.HealthCheckPath, '/health');
    assert.equal(TargetGroups?.[0]?.HealthCheckIntervalSeconds, 10);
    assert.deepEqual(TargetGroups?.[0]?.Matcher, { HttpCode: '200-299' });
    await rejects(elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: arn, HealthCheckIntervalSeconds: 5 })), 'ValidationError', /interval must be greater than the timeout/);
    await rejects(elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: arn.replace(/[0-9a-f]{16}$/, '0'.repeat(16)) })), 'TargetGroupNotFoundException');
  });

  it('has the attributes AWS lists, deregistration delay 300 by default, and refuses unknown keys', async () => {
    const arn = await createTargetGroup(elb, 'attrs');
    const values = async (target: string) =>
      Object.fromEntries(((await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: target }))).Attributes ?? []).map((item) => [item.Key, item.Value]));
    const before = await values(arn);
    assert.equal(before['deregistration_delay.timeout_seconds'], '300');
    assert.equal(before['stickiness.enabled'], 'false');
    assert.equal(before['stickiness.type'], 'lb_cookie');
    assert.equal(before['load_balancing.algorithm.type'], 'round_robin');
    assert.equal(before['slow_start.duration_seconds'], '0');
    await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: [
          { Key: 'deregistration_delay.timeout_seconds', Value: '5' },
          { Key: 'stickiness.enabled', Value: 'true' },
          { Key: 'load_balancing.algorithm.type', Value: 'least_outstanding_requests' },
          { Key: 'slow_start.duration_seconds', Value: '30' },
        ],
      }),
    );
    const after = await values(arn);
    assert.equal(after['deregistration_delay.timeout_seconds'], '5');
    assert.equal(after['load_balancing.algorithm.type'], 'least_outstanding_requests');
    const modify = (Key: string, Value: string) => elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key, Value }] }));
    await rejects(modify('deregistration_delay.timeout_seconds', '3601'), 'ValidationError', /between 0 and 3600/);
    await rejects(modify('slow_start.duration_seconds', '10'), 'ValidationError', /between 30 and 900/);
    await rejects(modify('stickiness.type', 'source_ip'), 'ValidationError', /lb_cookie, app_cookie/);
    await rejects(modify('proxy_protocol_v2.enabled', 'true'), 'ValidationError', /Attribute key 'proxy_protocol_v2.enabled' is not recognized/);
    await rejects(modify('stickiness.type', 'app_cookie'), 'ValidationError', /application cookie name must be specified/);
    const cookie = await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: [
          { Key: 'stickiness.type', Value: 'app_cookie' },
          { Key: 'stickiness.app_cookie.cookie_name', Value: 'session' },
        ],
      }),
    );
    assert.ok(cookie.Attributes?.some((item) => item.Key === 'stickiness.app_cookie.cookie_name' && item.Value === 'session'));
    await rejects(modify('stickiness.app_cookie.cookie_name', 'AWSALBAPP-1'), 'ValidationError', /cannot begin with 'AWSALB'/);
    const tcp = (await elb.send(new DescribeTargetGroupsCommand({ Names: ['tcp'] }))).TargetGroups?.[0]?.TargetGroupArn as string;
    const tcpValues = await values(tcp);
    assert.equal(tcpValues['stickiness.type'], 'source_ip');
    assert.equal(tcpValues['proxy_protocol_v2.enabled'], 'false');
    await rejects(
      elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tcp, Attributes: [{ Key: 'proxy_protocol_v2.enabled', Value: 'true' }] })),
      'InvalidConfigurationRequestException',
      /proxy_protocol_v2.enabled/,
    );
  });

  it('refuses to delete a group a listener forwards to (ResourceInUse), and deletes it once unused', async () => {
    const arn = await createTargetGroup(elb, 'in-use');
    const lb = await createLoadBalancer(elb, 'in-use');
    const listener = await createForwardingListener(elb, lb, arn);
    await rejects(elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn })), 'ResourceInUseException', new RegExp(`^Target group '${arn}' is currently in use by a listener or a rule$`));
    await elb.send(new DeleteListenerCommand({ ListenerArn: listener }));
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }));
    await rejects(elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] })), 'TargetGroupNotFoundException');
  });

  it('keeps target groups per account', async () => {
    const arn = (await elb.send(new DescribeTargetGroupsCommand({ Names: ['http'] }))).TargetGroups?.[0]?.TargetGroupArn as string;
    const other = elbClient(berth, 'us-east-1', otherAccount);
    try {
      assert.deepEqual((await other.send(new DescribeTargetGroupsCommand({}))).TargetGroups, []);
      // Naming this account's target group is a cross-account call: AccessDenied, as ELB has no resource policies.
      await rejects(other.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn })), 'AccessDenied', /elasticloadbalancing:DeleteTargetGroup/);
      // The same name is free in another account.
      await createTargetGroup(other, 'http');
    } finally {
      other.destroy();
    }
  });
});
