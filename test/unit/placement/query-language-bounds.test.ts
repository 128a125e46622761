import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  evaluate,
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_NODES,
  parseExpression,
  QueryLanguageError,
  type QueryTarget,
} from '../../../src/placement/query-language/index.js';
import { bounded } from '../../helpers/bounded.js';

const target = (value: string, groups: string[] = []): QueryTarget => ({
  ec2InstanceId: 'i-abcd1234',
  agentConnected: true,
  registeredAt: 0,
  attributes: { v: value },
  tasks: groups.map((group) => ({ group })),
});

const refused = (text: string, message: RegExp, position?: number): void => {
  assert.throws(
    () => parseExpression(text),
    (error: unknown) => {
      assert.ok(error instanceof QueryLanguageError, 'a QueryLanguageError');
      assert.match(error.message, message);
      if (position !== undefined) assert.equal(error.position, position);
      return true;
    },
  );
};

describe('cluster query language: =~ runs in linear time with RE2 semantics', () => {
  const cases: [text: string, value: string, expected: boolean][] = [
    ['attribute:v =~ "(a+)+"', `${'a'.repeat(127)}-`, false],
    ['attribute:v !~ "(a+)+"', `${'a'.repeat(127)}-`, true],
    ['attribute:v =~ "(a+)+"', 'a'.repeat(128), true],
    ['attribute:v =~ "(a|aa)*-"', `${'a'.repeat(127)}-`, true],
    ["attribute:v =~ '(.*a){20}'", 'a'.repeat(128), true],
    ["attribute:v =~ '(.*a){20}'", `${'a'.repeat(19)}${'b'.repeat(109)}`, false],
    ['attribute:v =~ "t2\\.(micro|small)"', 't2.small', true],
    ['attribute:v =~ "t2|m5"', 't2', true],
    ['attribute:v =~ "t2|m5"', 't2m5', false],
  ];
  for (const [text, value, expected] of cases) {
    it(`${text} against ${value.length > 20 ? `${value.slice(0, 6)}…(${value.length})` : value}`, async () => {
      assert.equal(await bounded('query', [text, target(value)]), expected);
    });
  }

  it('task:group =~ with a catastrophic pattern over long groups', async () => {
    const on = target('', ['x'.repeat(255), 'service:web']);
    assert.equal(await bounded('query', ['task:group =~ "(x+x+)+y"', on]), false);
    assert.equal(await bounded('query', ['task:group =~ "(x+x+)+"', on]), true);
    assert.equal(await bounded('query', ['task:group !~ "(x+x+)+y"', on]), true);
  });

  it('refuses what only a backtracking engine does, at the pattern', () => {
    refused('attribute:v =~ "(a)\\1"', /column 16: invalid regular expression '\(a\)\\1': the backreference \\1 is not supported: patterns are evaluated with RE2 syntax/, 15);
    refused("attribute:v =~ 'a(?!b)'", /the lookahead \(\?! is not supported/, 15);
    refused("attribute:v =~ '(?<=a)b'", /the lookbehind \(\?<= is not supported/, 15);
    refused("attribute:v =~ 'a++'", /the possessive quantifier \+\+ is not supported/, 15);
    refused("attribute:v =~ '[a-z&&[^b]]'", /the character-class intersection/, 15);
    refused("attribute:v =~ 'a{1001}'", /invalid repeat count/, 15);
  });
});

describe('cluster query language: bounds on the work of one expression', () => {
  it(`accepts nesting up to ${MAX_EXPRESSION_DEPTH} levels and refuses deeper`, () => {
    const nested = (depth: number) => `${'('.repeat(depth)}attribute:v == a${')'.repeat(depth)}`;
    assert.equal(evaluate(parseExpression(nested(MAX_EXPRESSION_DEPTH)), target('a')), true);
    refused(nested(MAX_EXPRESSION_DEPTH + 1), new RegExp(`nests parentheses and 'not' more than ${MAX_EXPRESSION_DEPTH} levels deep`), MAX_EXPRESSION_DEPTH);
    const nots = (depth: number) => `${'not '.repeat(depth)}attribute:v == a`;
    assert.equal(evaluate(parseExpression(nots(MAX_EXPRESSION_DEPTH)), target('a')), true);
    refused(nots(MAX_EXPRESSION_DEPTH + 1), /more than 32 levels deep/);
    refused(`${'!'.repeat(1000)}attribute:v == a`, /more than 32 levels deep/);
  });

  it(`refuses more than ${MAX_EXPRESSION_NODES} terms`, () => {
    // One comparison and its values: 1 + n nodes.
    const list = (n: number) => `attribute:v in [${Array.from({ length: n }, () => 'b').join(',')}]`;
    assert.equal(evaluate(parseExpression(list(MAX_EXPRESSION_NODES - 1)), target('b')), true);
    refused(list(MAX_EXPRESSION_NODES), new RegExp(`more than ${MAX_EXPRESSION_NODES} terms`));
    // A long chain of clauses within 2000 characters stays under the bound.
    const chain = (n: number) => Array.from({ length: n }, () => 'attribute:v==c').join('||');
    assert.equal(evaluate(parseExpression(`${chain(120)}||attribute:v==b`), target('b')), true);
  });

  it('refuses a pattern over 512 characters', () => {
    parseExpression(`attribute:v =~ "${'a'.repeat(512)}"`);
    refused(`attribute:v =~ "${'a'.repeat(513)}"`, /the pattern is 513 characters long; at most 512 are allowed/, 15);
  });
});
