import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRng } from '../../../../src/core/rng.js';
import { matchesWildcard } from '../../../../src/core/wildcard.js';
import { compileArnPattern, compileWildcard, resourceName } from '../../../../src/iam/policy/patterns.js';
import { bounded } from '../../../helpers/bounded.js';

describe('compiled IAM wildcards', () => {
  const cases: [pattern: string, text: string, expected: boolean][] = [
    ['ecs:*', 'ecs:runtask', true],
    ['ecs:describe*', 'ecs:describeclusters', true],
    ['ecs:describe*', 'ecr:describeimages', false],
    ['*:describe*', 'ecr:describeimages', true],
    ['ecs:*task', 'ecs:runtask', true],
    ['ecs:*task', 'ecs:runtasks', false],
    ['ecs:?un*', 'ecs:runtask', true],
    ['ecs:?un*', 'ecs:rruntask', false],
    ['a*b*c', 'axbybc', true],
    ['a*b*c', 'acb', false],
    ['ab*ba', 'aba', false],
    ['ab*ba', 'abba', true],
    ['*a?c*', 'zzabczz', true],
    ['*a?c*', 'zzacczz', true],
    ['*a?c*', 'zzaczz', false],
    ['', '', true],
    ['?', '', false],
    ['?', '😀', true],
  ];
  for (const [pattern, text, expected] of cases) {
    it(`${pattern} ~ ${text} → ${expected}`, () => assert.equal(compileWildcard(pattern, false)(text), expected));
  }

  it('agrees with the reference matcher on 20,000 random patterns (seed 17)', () => {
    const rng = seededRng(17);
    const pick = (alphabet: string, length: number) => Array.from({ length }, () => alphabet[rng.int(alphabet.length)]).join('');
    for (let i = 0; i < 20_000; i++) {
      const pattern = pick('ab*?', rng.int(8));
      const text = pick('ab', rng.int(10));
      assert.equal(compileWildcard(pattern, false)(text), matchesWildcard(pattern, text, { questionMark: true }), `${pattern} ~ ${text}`);
    }
  });

  it('answers a hostile pattern quickly', async () => {
    assert.equal(await bounded('policyWildcard', [`${'a*'.repeat(200)}b`, 'a'.repeat(10_000)]), false);
  });

  it('lowers the pattern for actions (the caller lowers the action)', () => {
    assert.equal(compileWildcard('ECS:Describe*', true)('ecs:describeclusters'), true);
  });
});

describe('ARN patterns match segment by segment', () => {
  const cases: [pattern: string, arn: string, expected: boolean][] = [
    ['arn:aws:ecs:*:111122223333:cluster/*', 'arn:aws:ecs:us-east-1:111122223333:cluster/dev', true],
    ['arn:aws:ecs:*:111122223333:cluster/*', 'arn:aws:ecs:us-east-1:444455556666:cluster/dev', false],
    ['arn:aws:ecs:*:*:cluster/*', 'arn:aws:ecs:us-east-1:111122223333:cluster/dev', true],
    ['arn:aws:ecs:*:*:cluster/*', 'arn:aws:ecs:us-east-1:111122223333:service/dev', false],
    ['arn:aws:ecs:*:*:*', 'arn:aws:ecs:us-east-1:111122223333:task-definition/web:3', true],
    ['arn:aws:ecs:us-east-1:111122223333:task-definition/web:*', 'arn:aws:ecs:us-east-1:111122223333:task-definition/web:3', true],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b:c', true],
    ['arn:aws:s3:::Bucket/*', 'arn:aws:s3:::bucket/a', false],
    ['*', 'anything', true],
    ['arn:aws:ecs:us-east-1:111122223333:cluster/dev', 'arn:aws:ecs:us-east-1:111122223333:cluster/dev', true],
    // A pattern with fewer segments than an ARN is matched as a whole: its last `*` spans the rest.
    ['arn:aws:ecs:*', 'arn:aws:ecs:us-east-1:111122223333:cluster/dev', true],
    ['arn:aws:ecs:*', 'arn:aws:ecr:us-east-1:111122223333:repository/dev', false],
  ];
  for (const [pattern, arn, expected] of cases) {
    it(`${pattern} ~ ${arn} → ${expected}`, () => assert.equal(compileArnPattern(pattern)(resourceName(arn)), expected));
  }
});
