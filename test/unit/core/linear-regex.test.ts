import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  backtrackingOnly,
  cachedPatterns,
  compilePattern,
  MAX_PATTERN_LENGTH,
  MAX_PATTERN_PROGRAM,
  PATTERN_CACHE_SIZE,
  PatternError,
} from '../../../src/core/linear-regex.js';
import { bounded } from '../../helpers/bounded.js';

const refused = (source: string, message: RegExp): void => {
  assert.throws(
    () => compilePattern(source),
    (error: unknown) => {
      assert.ok(error instanceof PatternError, `a PatternError for ${source}`);
      assert.match(error.problem, message);
      return true;
    },
  );
};

describe('linear-time patterns: whole-value matching in RE2 syntax', () => {
  const cases: [pattern: string, value: string, expected: boolean][] = [
    ['t2.*', 't2.small', true],
    ['t2', 't2.small', false], // the whole value must match, as Java's Pattern.matches
    ['small', 't2.small', false],
    ['t2\\.(small|micro)', 't2.micro', true],
    ['t2\\.(small|micro)', 't2xmicro', false],
    ['a|b', 'ab', false], // alternation is anchored as a whole, not `^a|b$`
    ['a|b', 'b', true],
    ['m5\\.\\d+xlarge', 'm5.12xlarge', true],
    ['[a-c]{2,3}', 'abc', true],
    ['[a-c]{2,3}', 'abcd', false],
    ['(?i)PROD', 'prod', true],
    ['\\p{Lu}+', 'ABC', true],
    ['[[:digit:]]+', '123', true],
    ['\\Qa.b\\E', 'a.b', true],
    ['\\Qa.b\\E', 'axb', false],
    ['us-east-1[^d]', 'us-east-1a', true],
    ['us-east-1[^d]', 'us-east-1d', false],
    ['.*', '', true],
    ['.', '\n', false],
  ];
  for (const [pattern, value, expected] of cases) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(value)}`, () => {
      assert.equal(compilePattern(pattern).matches(value), expected);
    });
  }
});

describe('linear-time patterns: patterns that backtrack catastrophically in a RegExp', () => {
  const cases: [pattern: string, value: string, expected: boolean][] = [
    ['(a+)+', `${'a'.repeat(128)}!`, false],
    ['(a+)+', 'a'.repeat(128), true],
    ['(a|a)*b', 'a'.repeat(128), false],
    ['(a|aa)*c', 'a'.repeat(128), false],
    ['(.*a){12}', 'a'.repeat(128), true],
    ['(.*a){12}', `${'a'.repeat(11)}${'b'.repeat(117)}`, false],
    ['(\\w+\\s?)*$', `${'word '.repeat(25)}!`, false],
  ];
  for (const [pattern, value, expected] of cases) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${value.slice(0, 8)}…(${value.length})`, async () => {
      assert.equal(await bounded('regex', [pattern, value]), expected);
    });
  }
});

describe('linear-time patterns: what only a backtracking engine can do is refused by name', () => {
  const cases: [pattern: string, message: RegExp][] = [
    ['(a)\\1', /the backreference \\1 is not supported: patterns are evaluated with RE2 syntax/],
    ['(?<x>a)\\k<x>', /the named backreference/],
    ['(?=a)a', /the lookahead \(\?=/],
    ['a(?!b)', /the lookahead \(\?!/],
    ['(?<=a)b', /the lookbehind \(\?<=/],
    ['(?<!a)b', /the lookbehind \(\?<!/],
    ['(?>a+)b', /the atomic group/],
    ['a++b', /the possessive quantifier \+\+/],
    ['a*+b', /the possessive quantifier \*\+/],
    ['a?+b', /the possessive quantifier \?\+/],
    ['a{2,3}+b', /the possessive quantifier \{2,3\}\+/],
    ['[a-z&&[^b]]', /the character-class intersection '&&'/],
    ['[a[b]]', /a '\[' inside a character class/],
  ];
  for (const [pattern, message] of cases) {
    it(`refuses ${JSON.stringify(pattern)}`, () => refused(pattern, message));
  }

  it('does not mistake escaped or bracketed characters for those constructs', () => {
    for (const pattern of ['\\(?=a', '[(?=]x', '\\[a[b]', '[\\[]', 'a\\++', '[+]+', 'x}+', '[]a]', '[^]a]', '[[:alpha:]]+', '\\Q(?=\\E', '(?:a)+', '(?i)a+', '(?P<n>a)', '\\\\1']) {
      assert.equal(backtrackingOnly(pattern), undefined, pattern);
      compilePattern(pattern);
    }
  });

  it('passes on RE2 syntax errors in its words', () => {
    refused('(unclosed', /missing closing \)/);
    refused('a{1001}', /invalid repeat count/);
    refused('\\Z', /invalid escape sequence/);
  });
});

describe('linear-time patterns: bounds', () => {
  it(`refuses patterns over ${MAX_PATTERN_LENGTH} characters`, () => {
    compilePattern('a'.repeat(MAX_PATTERN_LENGTH));
    refused('a'.repeat(MAX_PATTERN_LENGTH + 1), new RegExp(`is ${MAX_PATTERN_LENGTH + 1} characters long; at most ${MAX_PATTERN_LENGTH}`));
  });

  it(`refuses patterns that compile to more than ${MAX_PATTERN_PROGRAM} instructions`, () => {
    compilePattern('a{1000}|b{1000}');
    refused(Array.from({ length: 11 }, (_, i) => `${String.fromCharCode(97 + i)}{1000}`).join('|'), /too complex: it compiles to \d+ instructions/);
  });

  it('keeps the most recently used patterns compiled, and compiles an evicted one again when it is used', () => {
    const first = compilePattern('cache-first.*');
    for (let i = 0; i < PATTERN_CACHE_SIZE - 1; i++) compilePattern(`cache-filler-${i}`);
    assert.equal(first.matches('cache-first-1'), true, 'used again, so it is the most recent');
    for (let i = 0; i < PATTERN_CACHE_SIZE - 1; i++) compilePattern(`cache-other-${i}`);
    assert.ok(cachedPatterns().includes('cache-first.*'), 'kept: used more recently than the fillers');
    assert.ok(!cachedPatterns().includes('cache-filler-0'), 'the least recently used went first');
    assert.equal(cachedPatterns().length, PATTERN_CACHE_SIZE);
    compilePattern('cache-last');
    assert.ok(!cachedPatterns().includes('cache-first.*'), 'evicted');
    assert.equal(first.matches('cache-first-2'), true, 'compiled again when used');
    assert.equal(first.matches('other'), false);
    assert.equal(cachedPatterns().at(-1), 'cache-first.*');
  });
});

describe('linear-time patterns: searching with groups and flags', () => {
  it('gives the first match\'s groups by number, and the named groups\' numbers', () => {
    const pattern = compilePattern('(?<level>[A-Z]+): (?P<rest>.*)(x)?');
    assert.deepEqual(pattern.namedGroups, { level: 1, rest: 2 });
    assert.deepEqual(pattern.firstMatch('at 12 ERROR: boom'), ['ERROR: boom', 'ERROR', 'boom', undefined]);
    assert.equal(pattern.firstMatch('nothing here'), undefined);
  });

  it('takes the flags i, s and m, and refuses others', () => {
    assert.equal(compilePattern('^error$', 'im').found('ok\nERROR\nok'), true);
    assert.equal(compilePattern('^error$', 'i').found('ok\nERROR\nok'), false);
    assert.equal(compilePattern('a.b', 's').found('a\nb'), true);
    assert.throws(() => compilePattern('a', 'g'), (error: unknown) => error instanceof PatternError && /the flag g is not supported/.test(error.problem));
  });
});
