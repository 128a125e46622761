/**
 * Listeners and rules through the AWS SDK: protocols per load balancer type, one listener per
 * port, the forms of actions AWS describes and their validation, rules with priorities and
 * conditions in both forms, the default rule, SetRulePriorities, and tags on every kind.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateRuleCommand,
  DeleteListenerCommand,
  DeleteRuleCommand,
  DescribeAccountLimitsCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeSSLPoliciesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ModifyListenerCommand,
  ModifyRuleCommand,
  RemoveTagsCommand,
  SetRulePrioritiesCommand,
  type ElasticLoadBalancingV2Client,
  type RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { createForwardingListener, createLoadBalancer, createTargetGroup, elbClient } from './elbv2-client.js';

describe('ELBv2 listeners and rules', () => {
  let berth: TestBerth;
  let elb: ElasticLoadBalancingV2Client;
  let alb: string;
  let nlb: string;
  let web: string;
  let api: string;
  let tcp: string;
  let listener: string;
  before(async () => {
    berth = await startBerth();
    elb = elbClient(berth);
    alb = await createLoadBalancer(elb, 'alb');
    nlb = await createLoadBalancer(elb, 'nlb', 'network');
    web = await createTargetGroup(elb, 'web');
    api = await createTargetGroup(elb, 'api');
    tcp = await createTargetGroup(elb, 'tcp', 'TCP', 5432);
  });
  after(async () => {
    elb.destroy();
    await berth.close();
  });

  it('creates an HTTP listener whose forward action is described with its ForwardConfig', async () => {
    const { Listeners } = await elb.send(new CreateListenerCommand({ LoadBalancerArn: alb, Protocol: 'HTTP', Port: 8080, DefaultActions: [{ Type: 'forward', TargetGroupArn: web }] }));
    const created = Listeners?.[0];
    listener = created?.ListenerArn as string;
    const id = alb.split('/').slice(-2).join('/');
    assert.match(listener, new RegExp(`^arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/${id}/[0-9a-f]{16}$`));
    assert.equal(created?.Port, 8080);
    assert.deepEqual(created?.DefaultActions, [
      { Type: 'forward', TargetGroupArn: web, ForwardConfig: { TargetGroups: [{ TargetGroupArn: web, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: false } } },
    ]);
    const described = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: alb }));
    assert.deepEqual(described.Listeners?.map((item) => item.ListenerArn), [listener]);
    assert.deepEqual((await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [web] }))).TargetGroups?.[0]?.LoadBalancerArns, [alb]);
  });

  it('answers DuplicateListener for another listener on the same port, and the same listener to the same request', async () => {
    assert.equal(await createForwardingListener(elb, alb, web, 8080), listener);
    await rejects(
      elb.send(new CreateListenerCommand({ LoadBalancerArn: alb, Protocol: 'HTTP', Port: 8080, DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }] })),
      'DuplicateListenerException',
      new RegExp(`^A listener already exists on this port for this load balancer '${alb}'$`),
    );
  });

  it('checks the protocol against the load balancer type, wants a certificate for HTTPS, and refuses UDP as not supported', async () => {
    const create = (LoadBalancerArn: string, Protocol: string, TargetGroupArn: string) =>
      elb.send(new CreateListenerCommand({ LoadBalancerArn, Protocol: Protocol as never, Port: 9000, DefaultActions: [{ Type: 'forward', TargetGroupArn }] }));
    await rejects(create(alb, 'TCP', web), 'ValidationError', /^Listener protocol 'TCP' must be one of 'HTTPS, HTTP'$/);
    await rejects(create(nlb, 'HTTP', tcp), 'ValidationError', /^Listener protocol 'HTTP' must be one of 'TCP_UDP, TLS, UDP, TCP'$/);
    await rejects(create(alb, 'HTTPS', web), 'ValidationError', /^A certificate must be specified for HTTPS listeners$/);
    await rejects(create(nlb, 'TLS', tcp), 'ValidationError', /^A certificate must be specified for TLS listeners$/);
    await rejects(create(nlb, 'UDP', tcp), 'InvalidConfigurationRequestException', /'UDP' is not supported/);
    await rejects(create(alb, 'HTTP', tcp), 'IncompatibleProtocolsException', /not compatible with listener protocol 'HTTP'/);
    await rejects(create(alb, 'SMTP', web), 'ValidationError', /enum value set/);
    await rejects(elb.send(new CreateListenerCommand({ LoadBalancerArn: alb, Protocol: 'HTTP', Port: 0, DefaultActions: [{ Type: 'forward', TargetGroupArn: web }] })), 'ValidationError', /between 1 and 65535/);
    const { Listeners } = await elb.send(new CreateListenerCommand({ LoadBalancerArn: nlb, Protocol: 'TCP', Port: 5432, DefaultActions: [{ Type: 'forward', TargetGroupArn: tcp }] }));
    assert.match(Listeners?.[0]?.ListenerArn ?? '', /:listener\/net\/nlb\//);
  });

  it('validates actions as AWS does: redirect and fixed-response forms, weights, loops, unknown target groups', async () => {
    const create = (action: object, Port = 9100) => elb.send(new CreateListenerCommand({ LoadBalancerArn: alb, Protocol: 'HTTP', Port, DefaultActions: [action as never] }));
    const redirect = await create({ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }, 9101);
    assert.deepEqual(redirect.Listeners?.[0]?.DefaultActions?.[0]?.RedirectConfig, { Protocol: 'HTTPS', Port: '443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301' });
    const fixed = await create({ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'down' } }, 9102);
    assert.deepEqual(fixed.Listeners?.[0]?.DefaultActions?.[0]?.FixedResponseConfig, { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'down' });
    const weighted = await create({ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: web, Weight: 3 }, { TargetGroupArn: api, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 } } }, 9103);
    assert.deepEqual(weighted.Listeners?.[0]?.DefaultActions?.[0], {
      Type: 'forward',
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: web, Weight: 3 }, { TargetGroupArn: api, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 } },
    });
    await rejects(create({ Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_301' } }), 'InvalidLoadBalancerActionException', /creates a loop/);
    await rejects(create({ Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_307', Port: '443' } }), 'ValidationError', /HTTP_301, HTTP_302/);
    await rejects(create({ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '302' } }), 'ValidationError', /regular expression pattern/);
    await rejects(create({ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', ContentType: 'image/png' } }), 'ValidationError', /Content type/);
    await rejects(create({ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: web, Weight: 1000 }] } }), 'ValidationError', /weight.*between 0 and 999/);
    await rejects(create({ Type: 'forward' }), 'ValidationError', /target group ARN must be specified/);
    await rejects(create({ Type: 'authenticate-oidc' }), 'InvalidConfigurationRequestException', /'authenticate-oidc' is not supported/);
    await rejects(create({ Type: 'forward', TargetGroupArn: web.replace(/[0-9a-f]{16}$/, '0'.repeat(16)) }), 'TargetGroupNotFoundException');
    await rejects(create({ Type: 'jump' }), 'ValidationError', /enum value set/);
    await rejects(create({ Type: 'forward', TargetGroupArn: tcp }, 9104), 'IncompatibleProtocolsException');
  });

  it('checks the input before looking anything up', async () => {
    const missing = alb.replace(/[0-9a-f]{16}$/, '0'.repeat(16));
    const listen = (Port: number, action: object) => elb.send(new CreateListenerCommand({ LoadBalancerArn: missing, Protocol: 'HTTP', Port, DefaultActions: [action as never] }));
    await rejects(listen(0, { Type: 'forward', TargetGroupArn: web }), 'ValidationError', /between 1 and 65535/);
    await rejects(listen(80, { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '700' } }), 'ValidationError', /regular expression/);
    await rejects(listen(80, { Type: 'forward', TargetGroupArn: web }), 'LoadBalancerNotFoundException');
    const missingListener = `${alb.replace(':loadbalancer/', ':listener/')}/${'0'.repeat(16)}`;
    await rejects(elb.send(new CreateRuleCommand({ ListenerArn: missingListener, Priority: 0, Conditions: [], Actions: [] })), 'ValidationError', /priority/);
    await rejects(elb.send(new CreateRuleCommand({ ListenerArn: missingListener, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/'] }], Actions: [{ Type: 'forward', TargetGroupArn: web }] })), 'ListenerNotFoundException');
  });

  it('refuses a target group another load balancer already uses', async () => {
    const other = await createLoadBalancer(elb, 'other');
    await rejects(createForwardingListener(elb, other, web), 'TargetGroupAssociationLimitException', /cannot be associated with more than one load balancer/);
  });

  it('creates rules with both condition forms and describes them in priority order with the default rule last', async () => {
    const conditions: RuleCondition[] = [
      { Field: 'path-pattern', Values: ['/api/*'] },
      { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Env', Values: ['dev'] } },
    ];
    const ten = await elb.send(new CreateRuleCommand({ ListenerArn: listener, Priority: 10, Conditions: conditions, Actions: [{ Type: 'forward', TargetGroupArn: api }] }));
    const rule = ten.Rules?.[0];
    assert.match(rule?.RuleArn ?? '', new RegExp(`^${listener.replace('listener/', 'listener-rule/')}/[0-9a-f]{16}$`));
    assert.equal(rule?.Priority, '10');
    assert.equal(rule?.IsDefault, false);
    assert.deepEqual(rule?.Conditions, [
      { Field: 'path-pattern', Values: ['/api/*'], PathPatternConfig: { Values: ['/api/*'] } },
      { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Env', Values: ['dev'] } },
    ]);
    await elb.send(
      new CreateRuleCommand({ ListenerArn: listener, Priority: 5, Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['*.example.com'] } }], Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }] }),
    );
    const { Rules } = await elb.send(new DescribeRulesCommand({ ListenerArn: listener }));
    assert.deepEqual(Rules?.map((item) => [item.Priority, item.IsDefault]), [['5', false], ['10', false], ['default', true]]);
    assert.deepEqual(Rules?.[2]?.Conditions, []);
    const paged = await elb.send(new DescribeRulesCommand({ ListenerArn: listener, PageSize: 2 }));
    assert.equal(paged.Rules?.length, 2);
    const rest = await elb.send(new DescribeRulesCommand({ ListenerArn: listener, PageSize: 2, Marker: paged.NextMarker }));
    assert.deepEqual(rest.Rules?.map((item) => item.Priority), ['default']);
    assert.equal(rest.NextMarker, undefined);
  });

  it("answers PriorityInUse, and checks priorities and conditions with AWS's limits", async () => {
    const create = (Priority: number, Conditions: RuleCondition[]) => elb.send(new CreateRuleCommand({ ListenerArn: listener, Priority, Conditions, Actions: [{ Type: 'forward', TargetGroupArn: web }] }));
    const path = [{ Field: 'path-pattern', Values: ['/x'] }];
    await rejects(create(10, path), 'PriorityInUseException', /^Priority '10' is currently in use$/);
    await rejects(create(0, path), 'ValidationError', /priority.*between 1 and 50000/);
    await rejects(create(50001, path), 'ValidationError', /between 1 and 50000/);
    await rejects(create(20, []), 'ValidationError', /at least one condition/);
    await rejects(create(20, [{ Field: 'path-pattern', Values: ['/a', '/b', '/c', '/d', '/e', '/f'] }]), 'ValidationError', /^A rule can only have '5' condition values$/);
    await rejects(create(20, [{ Field: 'path-pattern', Values: ['/a'] }, { Field: 'path-pattern', Values: ['/b'] }]), 'ValidationError', /only have one 'path-pattern' condition/);
    await rejects(create(20, [{ Field: 'http-request-method', Values: ['GET'] }]), 'ValidationError', /HttpRequestMethodConfig, not Values/);
    await rejects(create(20, [{ Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['get'] } }]), 'ValidationError', /A-Z/);
    await rejects(create(20, [{ Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/33'] } }]), 'ValidationError', /not a valid CIDR/);
    await rejects(create(20, [{ Field: 'cookie', Values: ['a'] }]), 'ValidationError', /Condition field 'cookie'/);
    await rejects(create(20, [{ Field: 'path-pattern', Values: ['/a b'] }]), 'ValidationError', /can only contain/);
    const many = await create(20, [
      { Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'v', Value: '2' }] } },
      { Field: 'source-ip', SourceIpConfig: { Values: ['127.0.0.0/8'] } },
      { Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['GET', 'HEAD'] } },
    ]);
    assert.equal(many.Rules?.[0]?.Conditions?.length, 3);
    const nlbListener = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: nlb }))).Listeners?.[0]?.ListenerArn as string;
    await rejects(
      elb.send(new CreateRuleCommand({ ListenerArn: nlbListener, Priority: 1, Conditions: path, Actions: [{ Type: 'forward', TargetGroupArn: tcp }] })),
      'ValidationError',
      /Application Load Balancers/,
    );
  });

  it('swaps priorities with SetRulePriorities, refusing a clash and the default rule', async () => {
    const rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: listener }))).Rules ?? [];
    const five = rules.find((rule) => rule.Priority === '5')?.RuleArn as string;
    const ten = rules.find((rule) => rule.Priority === '10')?.RuleArn as string;
    const fallback = rules.find((rule) => rule.IsDefault)?.RuleArn as string;
    const swapped = await elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: five, Priority: 10 }, { RuleArn: ten, Priority: 5 }] }));
    assert.deepEqual(swapped.Rules?.map((rule) => [rule.RuleArn, rule.Priority]), [[five, '10'], [ten, '5']]);
    await rejects(elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: five, Priority: 20 }] })), 'PriorityInUseException', /'20'/);
    await rejects(elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: fallback, Priority: 30 }] })), 'OperationNotPermittedException');
  });

  it('modifies a rule and the default rule through ModifyRule and ModifyListener, and never deletes the default rule', async () => {
    const rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: listener }))).Rules ?? [];
    const five = rules.find((rule) => rule.Priority === '5')?.RuleArn as string;
    const fallback = rules.find((rule) => rule.IsDefault)?.RuleArn as string;
    const modified = await elb.send(new ModifyRuleCommand({ RuleArn: five, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/v2/*'] } }] }));
    assert.deepEqual(modified.Rules?.[0]?.Conditions, [{ Field: 'path-pattern', Values: ['/v2/*'], PathPatternConfig: { Values: ['/v2/*'] } }]);
    await rejects(elb.send(new ModifyRuleCommand({ RuleArn: fallback, Conditions: [{ Field: 'path-pattern', Values: ['/'] }] })), 'OperationNotPermittedException');
    await elb.send(new ModifyListenerCommand({ ListenerArn: listener, DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }] }));
    const after = (await elb.send(new DescribeRulesCommand({ RuleArns: [fallback] }))).Rules?.[0];
    assert.deepEqual(after?.Actions, [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }]);
    await rejects(elb.send(new DeleteRuleCommand({ RuleArn: fallback })), 'OperationNotPermittedException', /Default rule cannot be deleted/);
    await elb.send(new DeleteRuleCommand({ RuleArn: five }));
    await rejects(elb.send(new DescribeRulesCommand({ RuleArns: [five] })), 'RuleNotFoundException', /^One or more rules not found$/);
  });

  it('moves a listener to a free port and refuses a taken one', async () => {
    const { Listeners } = await elb.send(new ModifyListenerCommand({ ListenerArn: listener, Port: 8081 }));
    assert.equal(Listeners?.[0]?.Port, 8081);
    await rejects(elb.send(new ModifyListenerCommand({ ListenerArn: listener, Port: 9101 })), 'DuplicateListenerException');
  });

  it('tags load balancers, target groups, listeners and rules', async () => {
    const rule = (await elb.send(new DescribeRulesCommand({ ListenerArn: listener }))).Rules?.[0]?.RuleArn as string;
    const arns = [alb, web, listener, rule];
    await elb.send(new AddTagsCommand({ ResourceArns: arns, Tags: [{ Key: 'team', Value: 'core' }, { Key: 'env', Value: 'dev' }] }));
    await elb.send(new RemoveTagsCommand({ ResourceArns: [web], TagKeys: ['env'] }));
    const { TagDescriptions } = await elb.send(new DescribeTagsCommand({ ResourceArns: arns }));
    assert.deepEqual(TagDescriptions?.map((item) => [item.ResourceArn, item.Tags?.map((tag) => tag.Key)]), [
      [alb, ['team', 'env']],
      [web, ['team']],
      [listener, ['team', 'env']],
      [rule, ['team', 'env']],
    ]);
    await rejects(elb.send(new AddTagsCommand({ ResourceArns: [alb], Tags: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] })), 'DuplicateTagKeysException');
    await rejects(elb.send(new AddTagsCommand({ ResourceArns: [alb], Tags: [{ Key: 'aws:x', Value: '1' }] })), 'ValidationError', /reserved prefix/);
    await rejects(elb.send(new DescribeTagsCommand({ ResourceArns: ['arn:aws:ecs:us-east-1:000000000000:cluster/x'] })), 'ValidationError', /not a valid resource ARN/);
    await rejects(elb.send(new DescribeTagsCommand({ ResourceArns: [web.replace(/[0-9a-f]{16}$/, '0'.repeat(16))] })), 'TargetGroupNotFoundException');
    const many = Array.from({ length: 51 }, (_, index) => ({ Key: `k${index}`, Value: 'v' }));
    await rejects(elb.send(new AddTagsCommand({ ResourceArns: [alb], Tags: many })), 'TooManyTagsException');
  });

  it('deletes a listener with its rules', async () => {
    const rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: listener }))).Rules ?? [];
    await elb.send(new DeleteListenerCommand({ ListenerArn: listener }));
    await rejects(elb.send(new DescribeListenersCommand({ ListenerArns: [listener] })), 'ListenerNotFoundException', /^One or more listeners not found$/);
    await rejects(elb.send(new DescribeRulesCommand({ RuleArns: [rules[0]?.RuleArn as string] })), 'RuleNotFoundException');
    await rejects(elb.send(new DescribeListenersCommand({})), 'ValidationError', /listener ARNs or a load balancer ARN/);
  });

  it("lists the account's limits and the SSL policies listeners may use", async () => {
    const { Limits } = await elb.send(new DescribeAccountLimitsCommand({}));
    const limits = Object.fromEntries((Limits ?? []).map((limit) => [limit.Name, limit.Max]));
    assert.equal(limits['application-load-balancers'], '50');
    assert.equal(limits['rules-per-application-load-balancer'], '100');
    assert.equal(limits['targets-per-target-group'], '1000');
    const policies = (await elb.send(new DescribeSSLPoliciesCommand({}))).SslPolicies ?? [];
    assert.ok(policies.some((policy) => policy.Name === 'ELBSecurityPolicy-TLS13-1-2-2021-06' && policy.SslProtocols?.join() === 'TLSv1.2,TLSv1.3'));
    const page = await elb.send(new DescribeSSLPoliciesCommand({ PageSize: 2 }));
    assert.equal(page.SslPolicies?.length, 2);
    const rest = await elb.send(new DescribeSSLPoliciesCommand({ PageSize: 400, Marker: page.NextMarker }));
    assert.equal((rest.SslPolicies?.length ?? 0) + 2, policies.length);
    await rejects(elb.send(new DescribeSSLPoliciesCommand({ Names: ['ELBSecurityPolicy-2016-08', 'ELBSecurityPolicy-Unknown'] })), 'SSLPolicyNotFoundException');
  });
});

describe('ELBv2 listener ports the data plane may not bind', () => {
  let berth: TestBerth;
  let elb: ElasticLoadBalancingV2Client;
  before(async () => {
    // As a process that is not root and lacks CAP_NET_BIND_SERVICE sees it.
    berth = await startBerth({}, { lowestBindablePort: 1024 });
    elb = elbClient(berth);
  });
  after(async () => {
    elb.destroy();
    await berth.close();
  });

  it('refuses a port below the floor, saying what to do in berthHelp, and takes one above it', async () => {
    const lb = await createLoadBalancer(elb, 'low');
    const create = (Port: number) =>
      elb.send(new CreateListenerCommand({ LoadBalancerArn: lb, Protocol: 'HTTP', Port, DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }] }));
    await assert.rejects(create(80), (error: Error & { $response?: { body?: unknown } }) => {
      assert.equal(error.name, 'InvalidConfigurationRequestException');
      assert.equal(error.message, 'Listener port 80 cannot be used');
      return true;
    });
    const { Listeners } = await create(8080);
    await rejects(elb.send(new ModifyListenerCommand({ ListenerArn: Listeners?.[0]?.ListenerArn as string, Port: 443 })), 'InvalidConfigurationRequestException', /port 443/);
  });
});
