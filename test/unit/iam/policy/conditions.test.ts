import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileClause } from '../../../../src/iam/policy/conditions.js';
import type { ContextLookup } from '../../../../src/iam/policy/context.js';

/** A request's condition keys, names case-insensitive as in IAM. */
const keys = (values: Record<string, string | string[]>): ContextLookup => {
  const map = new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), typeof v === 'string' ? [v] : v]));
  return (key) => map.get(key.toLowerCase());
};

type Case = [operator: string, key: string, policyValues: string[], request: Record<string, string | string[]>, expected: boolean];

function table(name: string, cases: Case[]): void {
  describe(name, () => {
    for (const [operator, key, values, request, expected] of cases) {
      it(`${operator} ${key} ${JSON.stringify(values)} against ${JSON.stringify(request)} → ${expected}`, () => {
        assert.equal(compileClause(operator, key, values, true)(keys(request)), expected);
      });
    }
  });
}

const none = {};

table('string operators', [
  ['StringEquals', 'aws:username', ['alice'], { 'aws:username': 'alice' }, true],
  ['StringEquals', 'aws:username', ['alice'], { 'aws:username': 'Alice' }, false],
  ['StringEquals', 'aws:username', ['bob', 'alice'], { 'AWS:UserName': 'alice' }, true],
  ['StringEquals', 'aws:username', ['alice'], none, false],
  ['StringNotEquals', 'aws:username', ['alice'], { 'aws:username': 'bob' }, true],
  ['StringNotEquals', 'aws:username', ['alice', 'bob'], { 'aws:username': 'bob' }, false],
  // IAM: a negated operator on a key the request lacks is true.
  ['StringNotEquals', 'aws:username', ['alice'], none, true],
  ['StringEqualsIgnoreCase', 'ecs:cluster', ['arn:aws:ecs:us-east-1:111122223333:cluster/Dev'], { 'ecs:cluster': 'ARN:AWS:ECS:US-EAST-1:111122223333:CLUSTER/dev' }, true],
  ['StringEqualsIgnoreCase', 'ecs:cluster', ['dev'], { 'ecs:cluster': 'prod' }, false],
  ['StringNotEqualsIgnoreCase', 'ecs:cluster', ['DEV'], { 'ecs:cluster': 'dev' }, false],
  ['StringNotEqualsIgnoreCase', 'ecs:cluster', ['DEV'], { 'ecs:cluster': 'prod' }, true],
  ['StringLike', 'aws:RequestTag/team', ['web-*'], { 'aws:RequestTag/team': 'web-frontend' }, true],
  ['StringLike', 'aws:RequestTag/team', ['web-?'], { 'aws:RequestTag/team': 'web-1' }, true],
  ['StringLike', 'aws:RequestTag/team', ['web-?'], { 'aws:RequestTag/team': 'web-12' }, false],
  ['StringLike', 'aws:RequestTag/team', ['web-*'], { 'aws:RequestTag/team': 'Web-frontend' }, false],
  ['StringNotLike', 'aws:RequestTag/team', ['web-*'], { 'aws:RequestTag/team': 'db' }, true],
  ['StringNotLike', 'aws:RequestTag/team', ['web-*'], { 'aws:RequestTag/team': 'web-x' }, false],
  ['StringNotLike', 'aws:RequestTag/team', ['web-*'], none, true],
]);

table('numeric operators', [
  ['NumericEquals', 's3:max-keys', ['10'], { 's3:max-keys': '10' }, true],
  ['NumericEquals', 's3:max-keys', ['10'], { 's3:max-keys': '10.0' }, true],
  ['NumericEquals', 's3:max-keys', ['10'], { 's3:max-keys': '11' }, false],
  ['NumericEquals', 's3:max-keys', ['10'], { 's3:max-keys': 'ten' }, false],
  ['NumericNotEquals', 's3:max-keys', ['10'], { 's3:max-keys': '11' }, true],
  ['NumericNotEquals', 's3:max-keys', ['10'], { 's3:max-keys': '10' }, false],
  ['NumericLessThan', 'aws:MultiFactorAuthAge', ['3600'], { 'aws:MultiFactorAuthAge': '3599' }, true],
  ['NumericLessThan', 'aws:MultiFactorAuthAge', ['3600'], { 'aws:MultiFactorAuthAge': '3600' }, false],
  ['NumericLessThanEquals', 'aws:MultiFactorAuthAge', ['3600'], { 'aws:MultiFactorAuthAge': '3600' }, true],
  ['NumericLessThanEquals', 'aws:MultiFactorAuthAge', ['3600'], { 'aws:MultiFactorAuthAge': '3601' }, false],
  ['NumericGreaterThan', 'ecs:count', ['2'], { 'ecs:count': '3' }, true],
  ['NumericGreaterThan', 'ecs:count', ['2'], { 'ecs:count': '2' }, false],
  ['NumericGreaterThanEquals', 'ecs:count', ['2'], { 'ecs:count': '2' }, true],
  ['NumericGreaterThanEquals', 'ecs:count', ['2'], { 'ecs:count': '-1' }, false],
  ['NumericLessThan', 'aws:MultiFactorAuthAge', ['3600'], none, false],
]);

table('date operators (ISO 8601 and epoch seconds)', [
  ['DateLessThan', 'aws:CurrentTime', ['2020-04-01T00:00:00Z'], { 'aws:CurrentTime': '2020-03-31T23:59:59Z' }, true],
  ['DateLessThan', 'aws:CurrentTime', ['2020-04-01T00:00:00Z'], { 'aws:CurrentTime': '2020-04-01T00:00:00Z' }, false],
  ['DateLessThanEquals', 'aws:CurrentTime', ['2020-04-01T00:00:00Z'], { 'aws:CurrentTime': '2020-04-01T00:00:00Z' }, true],
  ['DateGreaterThan', 'aws:CurrentTime', ['2020-04-01'], { 'aws:CurrentTime': '2020-04-01T00:00:01Z' }, true],
  ['DateGreaterThan', 'aws:CurrentTime', ['2020-04-01'], { 'aws:CurrentTime': '2019-12-31T00:00:00Z' }, false],
  ['DateGreaterThanEquals', 'aws:CurrentTime', ['1585699200'], { 'aws:CurrentTime': '2020-04-01T00:00:00Z' }, true],
  ['DateGreaterThanEquals', 'aws:CurrentTime', ['1585699201'], { 'aws:CurrentTime': '2020-04-01T00:00:00Z' }, false],
  ['DateEquals', 'aws:TokenIssueTime', ['2020-04-01T00:00:00Z'], { 'aws:TokenIssueTime': '2020-04-01T00:00:00.000Z' }, true],
  ['DateEquals', 'aws:TokenIssueTime', ['2020-04-01T00:00:00Z'], { 'aws:TokenIssueTime': '2020-04-02T00:00:00Z' }, false],
  ['DateNotEquals', 'aws:TokenIssueTime', ['2020-04-01T00:00:00Z'], { 'aws:TokenIssueTime': '2020-04-02T00:00:00Z' }, true],
  ['DateNotEquals', 'aws:TokenIssueTime', ['2020-04-01T00:00:00Z'], { 'aws:TokenIssueTime': '2020-04-01T00:00:00Z' }, false],
  ['DateLessThan', 'aws:CurrentTime', ['not a date'], { 'aws:CurrentTime': '2020-04-01T00:00:00Z' }, false],
]);

table('Bool and BinaryEquals', [
  ['Bool', 'aws:SecureTransport', ['true'], { 'aws:SecureTransport': 'true' }, true],
  ['Bool', 'aws:SecureTransport', ['true'], { 'aws:SecureTransport': 'false' }, false],
  ['Bool', 'aws:SecureTransport', ['false'], { 'aws:SecureTransport': 'FALSE' }, true],
  ['Bool', 'aws:SecureTransport', ['false'], none, false],
  ['BoolIfExists', 'aws:MultiFactorAuthPresent', ['false'], none, true],
  ['BoolIfExists', 'aws:MultiFactorAuthPresent', ['false'], { 'aws:MultiFactorAuthPresent': 'true' }, false],
  ['BinaryEquals', 'key', ['QmluYXJ5VmFsdWVJbkJhc2U2NA=='], { key: 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' }, true],
  ['BinaryEquals', 'key', ['QmluYXJ5VmFsdWVJbkJhc2U2NA=='], { key: 'T3RoZXI=' }, false],
]);

table('IpAddress and NotIpAddress, IPv4 and IPv6', [
  ['IpAddress', 'aws:SourceIp', ['203.0.113.0/24'], { 'aws:SourceIp': '203.0.113.7' }, true],
  ['IpAddress', 'aws:SourceIp', ['203.0.113.0/24'], { 'aws:SourceIp': '203.0.114.7' }, false],
  ['IpAddress', 'aws:SourceIp', ['203.0.113.0/24', '10.0.0.0/8'], { 'aws:SourceIp': '10.200.1.1' }, true],
  ['IpAddress', 'aws:SourceIp', ['203.0.113.7'], { 'aws:SourceIp': '203.0.113.7' }, true],
  ['IpAddress', 'aws:SourceIp', ['0.0.0.0/0'], { 'aws:SourceIp': '198.51.100.1' }, true],
  ['IpAddress', 'aws:SourceIp', ['2001:DB8:1234:5678::/64'], { 'aws:SourceIp': '2001:db8:1234:5678::1' }, true],
  ['IpAddress', 'aws:SourceIp', ['2001:DB8:1234:5678::/64'], { 'aws:SourceIp': '2001:db8:1234:5679::1' }, false],
  ['IpAddress', 'aws:SourceIp', ['203.0.113.0/24'], { 'aws:SourceIp': '::ffff:203.0.113.9' }, true],
  ['IpAddress', 'aws:SourceIp', ['203.0.113.0/24'], { 'aws:SourceIp': 'not-an-ip' }, false],
  ['IpAddress', 'aws:SourceIp', ['203.0.113.0/33'], { 'aws:SourceIp': '203.0.113.1' }, false],
  ['IpAddress', 'aws:SourceIp', ['203.0.113.0/24'], none, false],
  ['NotIpAddress', 'aws:SourceIp', ['192.0.2.0/24'], { 'aws:SourceIp': '203.0.113.7' }, true],
  ['NotIpAddress', 'aws:SourceIp', ['192.0.2.0/24'], { 'aws:SourceIp': '192.0.2.200' }, false],
]);

table('ARN operators: segment by segment, wildcards in each', [
  ['ArnLike', 'aws:SourceArn', ['arn:aws:ecs:*:111122223333:cluster/*'], { 'aws:SourceArn': 'arn:aws:ecs:us-east-1:111122223333:cluster/dev' }, true],
  ['ArnLike', 'aws:SourceArn', ['arn:aws:ecs:*:111122223333:cluster/*'], { 'aws:SourceArn': 'arn:aws:ecs:us-east-1:444455556666:cluster/dev' }, false],
  // The region's `*` stops at its colon: it cannot swallow the account.
  ['ArnLike', 'aws:SourceArn', ['arn:aws:ecs:*:cluster/*'], { 'aws:SourceArn': 'arn:aws:ecs:us-east-1:111122223333:cluster/dev' }, false],
  ['ArnEquals', 'aws:SourceArn', ['arn:aws:ecs:us-east-1:111122223333:cluster/dev'], { 'aws:SourceArn': 'arn:aws:ecs:us-east-1:111122223333:cluster/dev' }, true],
  ['ArnEquals', 'aws:SourceArn', ['arn:aws:ecs:us-east-1:111122223333:cluster/*'], { 'aws:SourceArn': 'arn:aws:ecs:us-east-1:111122223333:cluster/x' }, true],
  ['ArnEquals', 'aws:SourceArn', ['arn:aws:ecs:us-east-1:111122223333:cluster/dev'], { 'aws:SourceArn': 'arn:aws:ecs:us-east-1:111122223333:cluster/Dev' }, false],
  ['ArnNotEquals', 'aws:SourceArn', ['arn:aws:ecs:us-east-1:111122223333:cluster/dev'], { 'aws:SourceArn': 'arn:aws:ecs:us-east-1:111122223333:cluster/prod' }, true],
  ['ArnNotLike', 'aws:PrincipalArn', ['arn:aws:iam::*:role/admin-*'], { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/admin-ops' }, false],
  ['ArnNotLike', 'aws:PrincipalArn', ['arn:aws:iam::*:role/admin-*'], { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:user/bob' }, true],
  ['ArnLike', 'aws:SourceArn', ['arn:aws:ecs:*'], { 'aws:SourceArn': 'not-an-arn' }, false],
]);

table('Null', [
  ['Null', 'aws:TokenIssueTime', ['true'], none, true],
  ['Null', 'aws:TokenIssueTime', ['true'], { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' }, false],
  ['Null', 'aws:TokenIssueTime', ['false'], { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' }, true],
  ['Null', 'aws:TokenIssueTime', ['false'], none, false],
  ['Null', 'aws:TagKeys', ['true'], { 'aws:TagKeys': [] }, true],
]);

table('…IfExists: true when the key is absent, the operator otherwise', [
  ['StringEqualsIfExists', 'ec2:InstanceType', ['t2.micro'], none, true],
  ['StringEqualsIfExists', 'ec2:InstanceType', ['t2.micro'], { 'ec2:InstanceType': 't2.micro' }, true],
  ['StringEqualsIfExists', 'ec2:InstanceType', ['t2.micro'], { 'ec2:InstanceType': 'm5.large' }, false],
  ['ArnLikeIfExists', 'iam:AssociatedResourceArn', ['arn:aws:ecs:*'], none, true],
  ['NumericLessThanIfExists', 'ecs:count', ['3'], { 'ecs:count': '5' }, false],
]);

table('set operators over multi-valued keys', [
  // Every tag key the request sets is allowed: missing or empty key sets are true.
  ['ForAllValues:StringEquals', 'aws:TagKeys', ['environment', 'cost-center'], { 'aws:TagKeys': ['environment'] }, true],
  ['ForAllValues:StringEquals', 'aws:TagKeys', ['environment', 'cost-center'], { 'aws:TagKeys': ['environment', 'cost-center'] }, true],
  ['ForAllValues:StringEquals', 'aws:TagKeys', ['environment', 'cost-center'], { 'aws:TagKeys': ['environment', 'owner'] }, false],
  ['ForAllValues:StringEquals', 'aws:TagKeys', ['environment'], none, true],
  ['ForAllValues:StringEquals', 'aws:TagKeys', ['environment'], { 'aws:TagKeys': [] }, true],
  ['ForAllValues:StringLike', 'aws:TagKeys', ['team-*'], { 'aws:TagKeys': ['team-a', 'team-b'] }, true],
  ['ForAllValues:StringNotEquals', 'aws:TagKeys', ['secret'], { 'aws:TagKeys': ['a', 'b'] }, true],
  ['ForAllValues:StringNotEquals', 'aws:TagKeys', ['secret'], { 'aws:TagKeys': ['a', 'secret'] }, false],
  // At least one tag key is in the list: a missing key is false.
  ['ForAnyValue:StringEquals', 'aws:TagKeys', ['environment', 'cost-center'], { 'aws:TagKeys': ['owner', 'environment'] }, true],
  ['ForAnyValue:StringEquals', 'aws:TagKeys', ['environment', 'cost-center'], { 'aws:TagKeys': ['owner'] }, false],
  ['ForAnyValue:StringEquals', 'aws:TagKeys', ['environment'], none, false],
  ['ForAnyValue:StringNotEquals', 'aws:TagKeys', ['secret'], { 'aws:TagKeys': ['secret', 'b'] }, true],
  ['ForAnyValue:StringNotEquals', 'aws:TagKeys', ['secret'], { 'aws:TagKeys': ['secret'] }, false],
  ['ForAnyValue:StringEqualsIfExists', 'aws:TagKeys', ['a'], none, true],
  // Without a set operator, a multi-valued key matches when any of its values does.
  ['StringEquals', 'aws:TagKeys', ['a'], { 'aws:TagKeys': ['b', 'a'] }, true],
]);

table('policy variables in condition values', [
  ['StringEquals', 'aws:RequestTag/owner', ['${aws:username}'], { 'aws:RequestTag/owner': 'alice', 'aws:username': 'alice' }, true],
  ['StringEquals', 'aws:RequestTag/owner', ['${aws:username}'], { 'aws:RequestTag/owner': 'alice', 'aws:username': 'bob' }, false],
  ['StringEquals', 'aws:ResourceTag/team', ['${aws:PrincipalTag/team}'], { 'aws:ResourceTag/team': 'web', 'aws:PrincipalTag/team': 'web' }, true],
  ['StringEquals', 'aws:ResourceTag/team', ['${aws:PrincipalTag/team}'], { 'aws:ResourceTag/team': 'web' }, false],
  ['StringEquals', 'aws:ResourceTag/team', ["${aws:PrincipalTag/team, 'web'}"], { 'aws:ResourceTag/team': 'web' }, true],
  ['StringLike', 's3:prefix', ['home/${aws:username}/*'], { 's3:prefix': 'home/alice/docs', 'aws:username': 'alice' }, true],
  ['StringLike', 's3:prefix', ['home/${aws:username}/*'], { 's3:prefix': 'home/bob/docs', 'aws:username': 'alice' }, false],
  // A substituted value is literal text: a `*` in it is no wildcard.
  ['StringLike', 'aws:ResourceTag/x', ['${aws:PrincipalTag/x}'], { 'aws:ResourceTag/x': 'abc', 'aws:PrincipalTag/x': 'a*' }, false],
  ['StringLike', 'aws:ResourceTag/x', ['${aws:PrincipalTag/x}'], { 'aws:ResourceTag/x': 'a*', 'aws:PrincipalTag/x': 'a*' }, true],
  ['StringLike', 'aws:ResourceTag/x', ['a${*}'], { 'aws:ResourceTag/x': 'a*' }, true],
  ['StringLike', 'aws:ResourceTag/x', ['a${*}'], { 'aws:ResourceTag/x': 'ab' }, false],
]);

describe('policy variables are text in 2008-10-17 policies', () => {
  it('does not substitute', () => {
    const lookup = keys({ 'aws:RequestTag/owner': 'alice', 'aws:username': 'alice' });
    assert.equal(compileClause('StringEquals', 'aws:RequestTag/owner', ['${aws:username}'], false)(lookup), false);
    assert.equal(compileClause('StringEquals', 'aws:RequestTag/owner', ['${aws:username}'], false)(keys({ 'aws:RequestTag/owner': '${aws:username}' })), true);
  });
});
