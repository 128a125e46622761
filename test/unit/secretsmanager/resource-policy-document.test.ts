import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { broadAccessStatements, parseSecretPolicy } from '../../../src/secretsmanager/resource-policy-document.js';

const statement = (extra: Record<string, unknown>) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'S', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*', ...extra }] });
const broad = (extra: Record<string, unknown>) => broadAccessStatements(parseSecretPolicy(statement(extra))).length > 0;

describe('broad access in a secret policy (BlockPublicPolicy)', () => {
  it('finds grants to everyone that no condition narrows', () => {
    assert.equal(broad({ Principal: '*' }), true);
    assert.equal(broad({ Principal: { AWS: '*' } }), true);
    assert.equal(broad({ NotPrincipal: { AWS: 'arn:aws:iam::000000000000:root' } }), true);
    assert.equal(broad({ Principal: '*', Condition: { StringEqualsIfExists: { 'aws:PrincipalAccount': '000000000000' } } }), true);
    assert.equal(broad({ Principal: '*', Condition: { StringLike: { 'aws:PrincipalArn': '*' } } }), true);
    assert.equal(broad({ Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } }), true);
    assert.equal(broad({ Principal: '*', Condition: { StringNotEquals: { 'aws:PrincipalAccount': '111111111111' } } }), true);
  });

  it('lets named principals and pinned grants through', () => {
    assert.equal(broad({ Principal: { AWS: 'arn:aws:iam::000000000000:role/app' } }), false);
    assert.equal(broad({ Principal: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': '000000000000' } } }), false);
    assert.equal(broad({ Principal: '*', Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::000000000000:role/*' } } }), false);
    assert.equal(broad({ Principal: '*', Effect: 'Deny' }), false);
  });
});
