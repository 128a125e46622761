/**
 * The Query envelope with the deeper shapes Elastic Load Balancing v2 sends and answers: lists of
 * structures inside structures inside lists, key/value lists, booleans, integers, timestamps, and
 * modelled errors named by their awsQueryError codes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as elb from '@aws-sdk/client-elastic-load-balancing-v2';
import { NormalizedSchema } from '@smithy/core/schema';
import { modelled } from '../../../src/core/errors.js';
import { defineQueryService, queryError, queryInputOf, queryOperationOf, queryRequestOf, queryResponse } from '../../../src/edge/protocols/aws-query.js';

const handler = async () => ({});
const service = defineQueryService(
  elb as Record<string, unknown>,
  { id: 'elbv2', signingName: 'elasticloadbalancing', version: '2015-12-01', xmlNamespace: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/' },
  { CreateListener: handler, ModifyTargetGroupAttributes: handler, DescribeTargetGroups: handler, CreateRule: handler, DescribeLoadBalancers: handler, RegisterTargets: handler },
);

function requestOf(params: Record<string, string>) {
  const request = queryRequestOf({
    method: 'POST',
    contentType: 'application/x-www-form-urlencoded; charset=utf-8',
    body: Buffer.from(new URLSearchParams({ Version: '2015-12-01', ...params }).toString()),
    query: new URLSearchParams(),
  });
  assert.ok(request);
  return request;
}

const inputOf = (params: Record<string, string>) => {
  const request = requestOf(params);
  return queryInputOf(queryOperationOf(service, request), request);
};

describe('the Query envelope, with nested shapes', () => {
  it('reads a weighted forward: a list of structures inside a structure inside a list, with integers and booleans', () => {
    assert.deepEqual(
      inputOf({
        Action: 'CreateListener',
        LoadBalancerArn: 'arn:lb',
        Protocol: 'HTTP',
        Port: '8080',
        'DefaultActions.member.1.Type': 'forward',
        'DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn': 'arn:a',
        'DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.Weight': '3',
        'DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.TargetGroupArn': 'arn:b',
        'DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.Weight': '0',
        'DefaultActions.member.1.ForwardConfig.TargetGroupStickinessConfig.Enabled': 'true',
        'DefaultActions.member.1.ForwardConfig.TargetGroupStickinessConfig.DurationSeconds': '60',
      }),
      {
        LoadBalancerArn: 'arn:lb',
        Protocol: 'HTTP',
        Port: 8080,
        DefaultActions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: 'arn:a', Weight: 3 },
                { TargetGroupArn: 'arn:b', Weight: 0 },
              ],
              TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 },
            },
          },
        ],
      },
    );
  });

  it('reads key/value lists and rule conditions in both their forms', () => {
    assert.deepEqual(
      inputOf({
        Action: 'ModifyTargetGroupAttributes',
        TargetGroupArn: 'arn:tg',
        'Attributes.member.1.Key': 'deregistration_delay.timeout_seconds',
        'Attributes.member.1.Value': '5',
        'Attributes.member.2.Key': 'stickiness.enabled',
        'Attributes.member.2.Value': 'true',
      }),
      {
        TargetGroupArn: 'arn:tg',
        Attributes: [
          { Key: 'deregistration_delay.timeout_seconds', Value: '5' },
          { Key: 'stickiness.enabled', Value: 'true' },
        ],
      },
    );
    const rule = inputOf({
      Action: 'CreateRule',
      ListenerArn: 'arn:l',
      Priority: '10',
      'Conditions.member.1.Field': 'path-pattern',
      'Conditions.member.1.Values.member.1': '/api/*',
      'Conditions.member.2.Field': 'query-string',
      'Conditions.member.2.QueryStringConfig.Values.member.1.Key': 'v',
      'Conditions.member.2.QueryStringConfig.Values.member.1.Value': '2',
      'Actions.member.1.Type': 'fixed-response',
      'Actions.member.1.FixedResponseConfig.StatusCode': '404',
    });
    assert.deepEqual(rule.Conditions, [
      { Field: 'path-pattern', Values: ['/api/*'] },
      { Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'v', Value: '2' }] } },
    ]);
    assert.equal(rule.Priority, 10);
  });

  it('reads maps as entry.N.key/value, and flattened maps without the entry level', () => {
    // No ELBv2 input has a map; SNS's and SQS's attributes do. A schema of that shape stands in for them.
    const input = NormalizedSchema.of([3, 'test', 'MapInput', 0, ['Attributes', 'Flat'], [[2, 'test', 'Attrs', 0, 0, 0], [2, 'test', 'FlatAttrs', { xmlFlattened: 1 }, 0, 0]]] as never);
    const operation = { name: 'SetAttributes', input, output: input, handler: async () => ({}), rootOnly: false };
    const request = requestOf({
      Action: 'SetAttributes',
      'Attributes.entry.1.key': 'Policy',
      'Attributes.entry.1.value': '{}',
      'Attributes.entry.2.key': 'DisplayName',
      'Attributes.entry.2.value': 'web',
      'Flat.1.key': 'a',
      'Flat.1.value': '1',
    });
    assert.deepEqual(queryInputOf(operation, request), { Attributes: { Policy: '{}', DisplayName: 'web' }, Flat: { a: '1' } });
  });

  it('reads list members past the ninth in order', () => {
    const names = Array.from({ length: 12 }, (_, index) => `lb-${index + 1}`);
    const input = inputOf({ Action: 'DescribeLoadBalancers', ...Object.fromEntries(names.map((name, index) => [`Names.member.${index + 1}`, name])) });
    assert.deepEqual(input.Names, names);
  });

  it('writes lists of nested structures, booleans, integers and ISO 8601 timestamps', () => {
    const request = requestOf({ Action: 'DescribeLoadBalancers' });
    const operation = queryOperationOf(service, request);
    const response = queryResponse(
      service,
      operation,
      {
        LoadBalancers: [
          {
            LoadBalancerName: 'web',
            CreatedTime: new Date('2026-12-04T20:00:00Z'),
            State: { Code: 'active' },
            AvailabilityZones: [{ ZoneName: 'us-east-1a', SubnetId: 's', LoadBalancerAddresses: [{ IpAddress: '127.0.2.1' }] }],
            SecurityGroups: ['sg-1'],
          },
        ],
        NextMarker: 'm',
      },
      'req-1',
    );
    assert.equal(
      response.body,
      '<DescribeLoadBalancersResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeLoadBalancersResult>' +
        '<LoadBalancers><member><CreatedTime>2026-12-04T20:00:00.000Z</CreatedTime><LoadBalancerName>web</LoadBalancerName><State><Code>active</Code></State>' +
        '<AvailabilityZones><member><ZoneName>us-east-1a</ZoneName><SubnetId>s</SubnetId><LoadBalancerAddresses><member><IpAddress>127.0.2.1</IpAddress></member></LoadBalancerAddresses></member></AvailabilityZones>' +
        '<SecurityGroups><member>sg-1</member></SecurityGroups></member></LoadBalancers><NextMarker>m</NextMarker>' +
        '</DescribeLoadBalancersResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DescribeLoadBalancersResponse>',
    );
    const groups = queryResponse(
      service,
      queryOperationOf(service, requestOf({ Action: 'DescribeTargetGroups' })),
      { TargetGroups: [{ TargetGroupName: 'tg', Port: 80, HealthCheckEnabled: false, Matcher: { HttpCode: '200' } }] },
      'req-2',
    );
    assert.match(String(groups.body), /<member><TargetGroupName>tg<\/TargetGroupName><Port>80<\/Port><HealthCheckEnabled>false<\/HealthCheckEnabled><Matcher><HttpCode>200<\/HttpCode><\/Matcher><\/member>/);
  });

  it('answers an empty result element for an output structure without members, as botocore expects', () => {
    const response = queryResponse(service, queryOperationOf(service, requestOf({ Action: 'RegisterTargets' })), {}, 'req-4');
    assert.equal(
      response.body,
      '<RegisterTargetsResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><RegisterTargetsResult></RegisterTargetsResult>' +
        '<ResponseMetadata><RequestId>req-4</RequestId></ResponseMetadata></RegisterTargetsResponse>',
    );
  });

  it("names a modelled error by its awsQueryError code and status, not its class name", () => {
    const response = queryError(modelled(elb.LoadBalancerNotFoundException, 'One or more load balancers not found'), 'req-3', service);
    assert.equal(response.statusCode, 400);
    assert.match(String(response.body), /<Type>Sender<\/Type><Code>LoadBalancerNotFound<\/Code><Message>One or more load balancers not found<\/Message>/);
    assert.equal(service.errorCodes.get('DuplicateListenerException')?.code, 'DuplicateListener');
    assert.equal(service.errorCodes.get('PriorityInUseException')?.code, 'PriorityInUse');
  });
});
