/** The right-hand side of a comparison in JSON and space-delimited patterns, and how it compares. */
import { matchesWildcard } from '../../core/wildcard.js';
import { invalidCharacterMessage } from './characters.js';
import type { RegexTerm } from './regex.js';
import type { Scanner } from './scanner.js';

export type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** `wildcard`: the value has `*`, which stands for any characters (`4*`, `*html*`). */
export type Literal = { kind: 'number'; value: number } | { kind: 'text'; value: string; wildcard: boolean } | { kind: 'regex'; value: RegexTerm };

const operators: Operator[] = ['!=', '<=', '>=', '=', '<', '>'];

export function readOperator(scanner: Scanner): Operator | undefined {
  for (const operator of operators) if (scanner.eat(operator)) return operator;
  return undefined;
}

function readLiteral(scanner: Scanner, stops: string): Literal {
  const next = scanner.peek();
  if (next === '"') {
    const value = scanner.quoted();
    return { kind: 'text', value, wildcard: value.includes('*') };
  }
  if (next === '%') return { kind: 'regex', value: scanner.regex() };
  const start = scanner.pos;
  const word = scanner.word(stops);
  if (word === '') scanner.fail('expected a value', start);
  if (/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(word)) return { kind: 'number', value: Number(word) };
  return { kind: 'text', value: word, wildcard: word.includes('*') };
}

const ordering: readonly Operator[] = ['<', '<=', '>', '>='];

/**
 * The value after `operator`. `<`, `<=`, `>` and `>=` compare numbers only: AWS refuses
 * `{ $.someInt >= someString }` and `{ $.someInt >= "123" }` with `Invalid character(s) in term
 * '"someString"'`, the value in double quotes however it was written.
 */
export function readOperand(scanner: Scanner, operator: Operator, stops: string): Literal {
  scanner.skipSpace();
  const start = scanner.pos;
  const literal = readLiteral(scanner, stops);
  if (literal.kind === 'number' || !ordering.includes(operator)) return literal;
  const term = literal.kind === 'regex' ? `%${literal.value.source}%` : `"${literal.value}"`;
  return scanner.fail(`${operator} compares numbers, and ${term} is not one`, start, invalidCharacterMessage(term));
}

function textMatches(literal: Extract<Literal, { kind: 'text' }>, actual: string): boolean {
  // Not a RegExp: `*` as `.*` backtracks without bound on JavaScript's engine; this is linear in practice.
  return literal.wildcard ? matchesWildcard(literal.value, actual) : literal.value === actual;
}

/**
 * Compares a field's value (a JSON value, or a space-delimited field's text) with a literal.
 * Ordering needs numbers on both sides; a field that is missing or of another kind does not match.
 */
export function compare(actual: unknown, operator: Operator, literal: Literal): boolean {
  if (actual === undefined) return false;
  if (literal.kind === 'number') {
    const number = typeof actual === 'number' ? actual : typeof actual === 'string' && actual.trim() !== '' ? Number(actual) : Number.NaN;
    if (Number.isNaN(number)) return operator === '!=' && (typeof actual === 'string' || typeof actual === 'number');
    switch (operator) {
      case '=':
        return number === literal.value;
      case '!=':
        return number !== literal.value;
      case '<':
        return number < literal.value;
      case '<=':
        return number <= literal.value;
      case '>':
        return number > literal.value;
      case '>=':
        return number >= literal.value;
    }
  }
  if (typeof actual !== 'string' && typeof actual !== 'number' && typeof actual !== 'boolean') return false;
  const text = String(actual);
  const equal = literal.kind === 'regex' ? literal.value.test(text) : textMatches(literal, text);
  if (operator === '=') return equal;
  if (operator === '!=') return !equal;
  return false;
}
