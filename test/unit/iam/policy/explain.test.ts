import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evalDecision, evaluate, explainDecision, missingContextKeys, parseAndCompile, type RequestContext } from '../../../../src/iam/policy/index.js';

const account = '123456789012';
const alice = { kind: 'user', arn: `arn:aws:iam::${account}:user/alice`, accountId: account, username: 'alice' } as const;
const request = (action: string, keys: RequestContext['keys'] = {}): RequestContext => ({
  principal: alice,
  action,
  resource: `arn:aws:ecs:us-east-1:${account}:cluster/dev`,
  now: new Date('2026-01-01T00:00:00Z'),
  keys,
});
const identity = [
  {
    id: `arn:aws:iam::${account}:policy/ecs-dev`,
    source: alice.arn,
    policy: parseAndCompile(
      {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Dev', Effect: 'Allow', Action: 'ecs:*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/env': 'dev', 'aws:username': 'alice' }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
          { Effect: 'Deny', Action: 'ecs:DeleteCluster', Resource: '*' },
          { Effect: 'Allow', Action: 'ecr:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
        ],
      },
      { kind: 'identity' },
    ),
  },
];

describe('explaining a decision', () => {
  it("names IAM's EvalDecision", () => {
    assert.equal(evalDecision(evaluate(request('ecs:DeleteCluster'), { identity })), 'explicitDeny');
    assert.equal(evalDecision(evaluate(request('ecs:ListServices'), { identity })), 'implicitDeny');
    assert.equal(evalDecision(evaluate(request('ecs:ListServices', { 'aws:ResourceTag/env': 'dev', 'aws:SourceIp': '10.1.1.1' }), { identity })), 'allowed');
  });

  it('lists the condition keys the request lacks, not those it has or the evaluator derives', () => {
    assert.deepEqual(missingContextKeys(request('ecs:ListServices'), { identity }), ['aws:ResourceTag/env', 'aws:SourceIp']);
    assert.deepEqual(missingContextKeys(request('ecs:ListServices', { 'aws:sourceip': '10.0.0.1' }), { identity }), ['aws:ResourceTag/env']);
    // Only statements that apply to the action count.
    assert.deepEqual(missingContextKeys(request('ecr:ListImages'), { identity }), ['aws:SecureTransport']);
  });

  it('says which statement decided', () => {
    assert.equal(
      explainDecision(request('ecs:DeleteCluster'), evaluate(request('ecs:DeleteCluster'), { identity })),
      `Denied: ${alice.arn} ecs:DeleteCluster on arn:aws:ecs:us-east-1:${account}:cluster/dev, explicitly, by statement 2 of identity-based policy arn:aws:iam::${account}:policy/ecs-dev attached to ${alice.arn}.`,
    );
    const allowed = request('ecs:ListServices', { 'aws:ResourceTag/env': 'dev', 'aws:SourceIp': '10.1.1.1' });
    assert.match(explainDecision(allowed, evaluate(allowed, { identity })), /^Allowed: .* by statement "Dev" of identity-based policy/);
    assert.match(explainDecision(request('ecs:ListServices'), evaluate(request('ecs:ListServices'), { identity })), /implicitly: no identity-based policy allows ecs:ListServices\.$/);
  });
});
