/**
 * The permission table's derivations, case by case: names and ARNs in the caller's account and
 * region become the ARNs AWS's Service Authorization Reference checks, with the condition keys the
 * request supplies.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { permissionEntry } from '../../../src/authz/permissions/index.js';

const scope = { accountId: '111122223333', region: 'eu-west-1' };
const ecs = (resource: string) => `arn:aws:ecs:eu-west-1:111122223333:${resource}`;

const permissionOf = (service: string, operation: string, input: Record<string, unknown>, caller?: string) => {
  const entry = permissionEntry(service, operation);
  assert.ok(entry, `${service}:${operation} has an entry`);
  const { resources, keys, action } = entry(input, scope, caller);
  return { resources, ...(keys ? { keys } : {}), ...(action ? { action } : {}) };
};

describe('the permission table', () => {
  const cases: [string, string, Record<string, unknown>, { resources: string[]; keys?: Record<string, unknown> }, string?][] = [
    ['ecs', 'DeleteCluster', { cluster: 'prod' }, { resources: [ecs('cluster/prod')] }],
    ['ecs', 'DescribeClusters', {}, { resources: [ecs('cluster/default')] }],
    ['ecs', 'ListClusters', {}, { resources: ['*'] }],
    ['ecs', 'CreateCluster', { clusterName: 'dev', tags: [{ key: 'team', value: 'web' }] }, { resources: [ecs('cluster/dev')], keys: { 'aws:RequestTag/team': 'web', 'aws:TagKeys': ['team'] } }],
    [
      'ecs',
      'RunTask',
      { cluster: 'prod', taskDefinition: 'web:3' },
      { resources: [ecs('task-definition/web:3')], keys: { 'ecs:cluster': ecs('cluster/prod'), 'ecs:task-definition': ecs('task-definition/web:3') } },
    ],
    [
      'ecs',
      'DescribeServices',
      { cluster: 'prod', services: ['api', ecs('service/prod/worker')] },
      { resources: [ecs('service/prod/api'), ecs('service/prod/worker')], keys: { 'ecs:cluster': ecs('cluster/prod') } },
    ],
    ['ecs', 'StopTask', { task: '0123abcd' }, { resources: [ecs('task/default/0123abcd')], keys: { 'ecs:cluster': ecs('cluster/default') } }],
    ['ecs', 'DescribeTaskDefinition', { taskDefinition: 'web:1' }, { resources: [ecs('task-definition/web:1')], keys: { 'ecs:task-definition': ecs('task-definition/web:1') } }],
    ['ecs', 'ListServices', { cluster: 'prod' }, { resources: ['*'], keys: { 'ecs:cluster': ecs('cluster/prod') } }],
    ['ecs', 'UntagResource', { resourceArn: ecs('cluster/prod'), tagKeys: ['a', 'b'] }, { resources: [ecs('cluster/prod')], keys: { 'aws:TagKeys': ['a', 'b'] } }],
    ['ecr', 'BatchGetImage', { repositoryName: 'team/app' }, { resources: ['arn:aws:ecr:eu-west-1:111122223333:repository/team/app'] }],
    ['ecr', 'BatchGetImage', { registryId: '444455556666', repositoryName: 'base' }, { resources: ['arn:aws:ecr:eu-west-1:444455556666:repository/base'] }],
    ['ecr', 'GetAuthorizationToken', {}, { resources: ['*'] }],
    ['secretsmanager', 'GetSecretValue', { SecretId: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf' }, { resources: ['arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf'] }],
    ['secretsmanager', 'CreateSecret', { Name: 'prod/db' }, { resources: ['arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-??????'] }],
    ['elasticloadbalancing', 'DescribeLoadBalancers', {}, { resources: ['*'] }],
    [
      'elasticloadbalancing',
      'CreateLoadBalancer',
      { Name: 'web', Type: 'network', Tags: [{ Key: 'env', Value: 'prod' }] },
      { resources: ['arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/net/web/*'], keys: { 'aws:RequestTag/env': 'prod', 'aws:TagKeys': ['env'] } },
    ],
    ['iam', 'CreateRole', { RoleName: 'app', Path: '/tasks/' }, { resources: ['arn:aws:iam::111122223333:role/tasks/app'] }],
    [
      'iam',
      'AttachUserPolicy',
      { UserName: 'ci', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
      { resources: ['arn:aws:iam::111122223333:user/ci'], keys: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/ReadOnlyAccess' } },
    ],
    ['iam', 'ListAccessKeys', {}, { resources: ['arn:aws:iam::111122223333:user/dev/alice'] }, 'arn:aws:iam::111122223333:user/dev/alice'],
    ['iam', 'ListUsers', {}, { resources: ['*'] }],
    ['sts', 'GetCallerIdentity', {}, { resources: ['*'] }],
  ];
  for (const [service, operation, input, expected, caller] of cases) {
    it(`${service}:${operation} ${JSON.stringify(input)}`, () => {
      assert.deepEqual(permissionOf(service, operation, input, caller), expected);
    });
  }

  it('hands RunTask, StartTask, CreateService and UpdateService a PassRole lookup, and RegisterTaskDefinition none', () => {
    for (const operation of ['RunTask', 'StartTask', 'CreateService', 'UpdateService']) {
      assert.ok(permissionEntry('ecs', operation)!({ taskDefinition: 'web', serviceName: 's', service: 's' }, scope).passRoles, operation);
    }
    assert.equal(permissionEntry('ecs', 'RegisterTaskDefinition')!({ family: 'web', taskRoleArn: 'arn:aws:iam::111122223333:role/app' }, scope).passRoles, undefined);
  });

  it('leaves to the store what only it knows: a bare family, a secret by name, an IAM entity path', () => {
    assert.ok(permissionEntry('ecs', 'RunTask')!({ taskDefinition: 'web' }, scope).resolve);
    assert.ok(permissionEntry('secretsmanager', 'GetSecretValue')!({ SecretId: 'prod/db' }, scope).resolve);
    assert.ok(permissionEntry('iam', 'GetRole')!({ RoleName: 'app' }, scope).resolve);
  });
});
