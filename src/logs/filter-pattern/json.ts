/**
 * JSON patterns: `{ $.level = "error" && ($.latency > 100 || $.user.id IS NULL) }`. Selectors walk
 * objects by `.name` and arrays by `[index]`; comparisons as in values.ts; `IS NULL`, `IS TRUE`,
 * `IS FALSE`, `EXISTS`, `NOT EXISTS`. A message that is not a JSON object matches nothing.
 */
import { Scanner } from './scanner.js';
import { invalidCharacterMessage } from './characters.js';
import { compare, readOperand, readOperator } from './values.js';

type Step = { key: string } | { index: number };
type JsonTest = (document: unknown) => boolean;

const missing = Symbol('missing');

function select(document: unknown, steps: readonly Step[]): unknown {
  let current: unknown = document;
  for (const step of steps) {
    if ('index' in step) {
      if (!Array.isArray(current) || step.index >= current.length) return missing;
      current = current[step.index];
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, step.key)) return missing;
      current = (current as Record<string, unknown>)[step.key];
    }
  }
  return current;
}

function readSelector(scanner: Scanner): Step[] {
  scanner.skipSpace();
  const selectorStart = scanner.pos;
  if (!scanner.eat('$')) scanner.fail("expected a selector starting with '$'");
  const steps: Step[] = [];
  for (;;) {
    const char = scanner.text[scanner.pos];
    if (char === '.') {
      scanner.pos++;
      const start = scanner.pos;
      while (scanner.pos < scanner.text.length && /[A-Za-z0-9_\-@:]/.test(scanner.text[scanner.pos] as string)) scanner.pos++;
      if (scanner.pos === start) {
        // AWS names the selector up to the character it refuses: `$."sc-status"` answers `Invalid character(s) in term '$."'`.
        const refused = scanner.text[start];
        if (refused !== undefined && !/\s/.test(refused)) {
          scanner.fail('a property name holds letters, digits and _ - @ :', start, invalidCharacterMessage(scanner.text.slice(selectorStart, start + 1)));
        }
        scanner.fail('expected a property name', start);
      }
      steps.push({ key: scanner.text.slice(start, scanner.pos) });
    } else if (char === '[') {
      const start = scanner.pos;
      const close = scanner.text.indexOf(']', start);
      const index = close < 0 ? '' : scanner.text.slice(start + 1, close);
      if (!/^\d+$/.test(index)) scanner.fail('expected an array index', start);
      steps.push({ index: Number(index) });
      scanner.pos = close + 1;
    } else break;
  }
  if (steps.length === 0) scanner.fail('expected a property after $');
  return steps;
}

function readKeyword(scanner: Scanner): string {
  const start = scanner.pos;
  const word = scanner.word('(){}&|=!<>');
  return word === '' ? scanner.fail('expected a keyword', start) : word.toUpperCase();
}

function readComparison(scanner: Scanner): JsonTest {
  const steps = readSelector(scanner);
  const operator = readOperator(scanner);
  if (operator) {
    const literal = readOperand(scanner, operator, '(){}&|');
    return (document) => {
      const value = select(document, steps);
      return value !== missing && compare(value, operator, literal);
    };
  }
  const at = scanner.pos;
  const keyword = readKeyword(scanner);
  if (keyword === 'IS') {
    const what = readKeyword(scanner);
    const expected = what === 'NULL' ? null : what === 'TRUE' ? true : what === 'FALSE' ? false : scanner.fail('expected NULL, TRUE or FALSE after IS', at);
    return (document) => select(document, steps) === expected;
  }
  if (keyword === 'EXISTS') return (document) => select(document, steps) !== missing;
  if (keyword === 'NOT') {
    if (readKeyword(scanner) !== 'EXISTS') scanner.fail('expected EXISTS after NOT', at);
    return (document) => select(document, steps) === missing;
  }
  return scanner.fail('expected a comparison operator, IS or NOT EXISTS', at);
}

/** `}` or `)` after a condition; AWS refuses a comma there (`{ $.a = 1, $.b = 2 }`) as a character in a term. */
function close(scanner: Scanner, token: '}' | ')'): void {
  if (scanner.peek() === ',') scanner.fail("conditions join with && or ||, not ','", scanner.pos, invalidCharacterMessage(','));
  scanner.expect(token);
}

function readUnary(scanner: Scanner): JsonTest {
  if (scanner.eat('(')) {
    const inner = readOr(scanner);
    close(scanner, ')');
    return inner;
  }
  return readComparison(scanner);
}

function readAnd(scanner: Scanner): JsonTest {
  const tests = [readUnary(scanner)];
  while (scanner.eat('&&')) tests.push(readUnary(scanner));
  return tests.length === 1 ? (tests[0] as JsonTest) : (document) => tests.every((test) => test(document));
}

function readOr(scanner: Scanner): JsonTest {
  const tests = [readAnd(scanner)];
  while (scanner.eat('||')) tests.push(readAnd(scanner));
  return tests.length === 1 ? (tests[0] as JsonTest) : (document) => tests.some((test) => test(document));
}

/** `text` is the whole pattern, `{` … `}`. */
export function parseJsonPattern(text: string): (message: string) => boolean {
  const scanner = new Scanner(text);
  scanner.expect('{');
  const test = readOr(scanner);
  close(scanner, '}');
  if (!scanner.atEnd()) scanner.fail("unexpected text after '}'");
  return (message) => {
    const start = message.trimStart()[0];
    if (start !== '{' && start !== '[') return false;
    let document: unknown;
    try {
      document = JSON.parse(message);
    } catch {
      return false;
    }
    return test(document);
  };
}
