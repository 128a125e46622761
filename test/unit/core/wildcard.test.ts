import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesWildcard } from '../../../src/core/wildcard.js';
import { bounded } from '../../helpers/bounded.js';

describe('wildcard matching, ECR semantics: `*` is any run of characters, everything else literal', () => {
  const cases: [pattern: string, text: string, expected: boolean][] = [
    ['latest', 'latest', true],
    ['latest', 'latest1', false],
    ['latest', 'Latest', false],
    ['', '', true],
    ['', 'a', false],
    ['*', '', true],
    ['*', 'anything.at-all_1', true],
    ['**', 'x', true],
    ['prod*', 'prod', true],
    ['prod*', 'prod-1.2', true],
    ['prod*', 'preprod', false],
    ['*prod', 'preprod', true],
    ['*prod', 'prod-1', false],
    ['*-rc*', 'v1.2-rc3', true],
    ['*-rc*', 'v1.2-rd3', false],
    ['v*.*.*', 'v1.2.3', true],
    ['v*.*.*', 'v1.2', false],
    ['a*b*c', 'axbybc', true],
    ['a*b*c', 'abcx', false],
    ['a*b*c', 'acb', false],
    ['*a*', 'bbb', false],
    ['ab*ab', 'ab', false],
    ['ab*ab', 'abab', true],
    ['*ab', 'aab', true],
    ['a*ba', 'abba', true],
    ['a*aab', 'aaaaab', true],
    // ECR tags have no `?`, `.`, `+` or brackets with special meaning: they are literal characters.
    ['v1.?', 'v1.x', false],
    ['v1.?', 'v1.?', true],
    ['v1.0', 'v1x0', false],
    ['a+b', 'aab', false],
    ['a+b', 'a+b', true],
    ['[ab]', 'a', false],
    ['(a|b)', '(a|b)', true],
    ['^a$', '^a$', true],
    ['a\\b', 'a\\b', true],
    ['.*', 'abc', false],
    ['.*', '.abc', true],
  ];
  for (const [pattern, text, expected] of cases) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(text)}`, () => {
      assert.equal(matchesWildcard(pattern, text), expected);
    });
  }
});

describe('wildcard matching: shapes that take a backtracking matcher exponential time', () => {
  const cases: [pattern: string, text: string, expected: boolean][] = [
    ['a*a*a*a*a*a*a*b', 'a'.repeat(64), false],
    ['a*a*a*a*a*a*a*b', `${'a'.repeat(64)}b`, true],
    [`${'a*'.repeat(63)}b`, 'a'.repeat(128), false],
    [`${'a*'.repeat(63)}b`, `${'a'.repeat(127)}b`, true],
    [`${'*a'.repeat(60)}`, 'a'.repeat(128), true],
    [`${'*a'.repeat(60)}`, 'a'.repeat(59), false],
    [`${'*ab'.repeat(20)}*c`, 'ab'.repeat(64), false],
    ['a*a*a*a*b', `${'a'.repeat(60)}b${'a'.repeat(60)}b`, true],
  ];
  for (const [pattern, text, expected] of cases) {
    it(`${pattern.length > 20 ? `${pattern.slice(0, 8)}…(${pattern.length})` : pattern} ${expected ? 'matches' : 'does not match'} ${text.slice(0, 8)}…(${text.length})`, async () => {
      assert.equal(await bounded('wildcard', [pattern, text]), expected);
    });
  }
});

describe('wildcard matching, IAM options', () => {
  it('`?` is one character only when asked for', () => {
    assert.equal(matchesWildcard('ecr:Get?', 'ecr:GetX'), false);
    assert.equal(matchesWildcard('ecr:Get?', 'ecr:GetX', { questionMark: true }), true);
    assert.equal(matchesWildcard('ecr:Get?', 'ecr:Get', { questionMark: true }), false);
    assert.equal(matchesWildcard('ecr:Get??', 'ecr:GetX', { questionMark: true }), false);
    assert.equal(matchesWildcard('ecr:*?olicy', 'ecr:SetRepositoryPolicy', { questionMark: true }), true);
  });

  it('`?` takes a whole character outside the Basic Multilingual Plane', () => {
    assert.equal(matchesWildcard('a?b', 'a😀b', { questionMark: true }), true);
  });

  it('ignoreCase compares without regard to case', () => {
    assert.equal(matchesWildcard('ecr:set*', 'ecr:SetRepositoryPolicy'), false);
    assert.equal(matchesWildcard('ecr:set*', 'ecr:SetRepositoryPolicy', { ignoreCase: true }), true);
    assert.equal(matchesWildcard('ECR:*', 'ecr:SetRepositoryPolicy', { ignoreCase: true }), true);
  });

  it('answers hostile IAM patterns', async () => {
    const options = { questionMark: true, ignoreCase: true };
    assert.equal(await bounded('wildcard', [`ecr:${'*?'.repeat(200)}x`, 'ecr:SetRepositoryPolicy', options]), false);
    assert.equal(await bounded('wildcard', [`ecr:${'*?'.repeat(5)}y`, 'ecr:SetRepositoryPolicy', options]), true);
  });
});
