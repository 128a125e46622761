import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessDenied, authorize } from '../../../src/core/authorize.js';
import { helpOf } from '../../../src/core/errors.js';
import type { Principal } from '../../../src/core/principal.js';

const root: Principal = { accountId: '111122223333', accessKeyId: 'AKIAROOT', arn: 'arn:aws:iam::111122223333:root', isRoot: true };
const user: Principal = { accountId: '111122223333', accessKeyId: 'AKIAUSER', arn: 'arn:aws:iam::111122223333:user/dev', isRoot: false };
const context = { region: 'us-east-1', rootOnly: false };

describe('authorize: allow-all except root-only calls, each decision with its reason', () => {
  it('allows any principal an ordinary action, saying no policy is evaluated yet', () => {
    for (const principal of [root, user]) {
      const decision = authorize(principal, 'ecs:RunTask', 'arn:aws:ecs:us-east-1:111122223333:cluster/default', context);
      assert.equal(decision.allowed, true);
      assert.match(decision.reason, /no IAM policies/);
    }
  });

  it('allows a root-only action to root credentials only', () => {
    assert.equal(authorize(root, 'berth:Reset', '*', { ...context, rootOnly: true }).allowed, true);
    const denied = authorize(user, 'berth:Reset', '*', { ...context, rootOnly: true });
    assert.equal(denied.allowed, false);
    assert.equal(denied.reason, 'Only root credentials may perform berth:Reset; arn:aws:iam::111122223333:user/dev is not the account\'s root.');
  });

  it('always allows sts:GetCallerIdentity, as AWS does', () => {
    const decision = authorize(user, 'sts:GetCallerIdentity', '*', { ...context, rootOnly: true });
    assert.deepEqual(decision, { allowed: true, reason: 'sts:GetCallerIdentity needs no permission.' });
  });

  it("builds AWS's AccessDeniedException from a denial, the reason in berthHelp", () => {
    const error = accessDenied(user, 'ecs:DeleteCluster', '*', { allowed: false, reason: 'because' });
    assert.equal(error.code, 'AccessDeniedException');
    assert.equal(error.statusCode, 403);
    assert.equal(error.message, 'User: arn:aws:iam::111122223333:user/dev is not authorized to perform: ecs:DeleteCluster on resource: *');
    assert.deepEqual(helpOf(error), { resource: '*', hint: 'because' });
  });
});
