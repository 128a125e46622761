/**
 * Space-delimited patterns: `[ip, user, ..., status_code = 4*, bytes > 1000]`. A message splits on
 * spaces into fields, text in double quotes or square brackets being one field (without them).
 * Names take fields in order; `...` takes any number. Conditions (`=`, `!=`, `<`, `<=`, `>`, `>=`,
 * joined by `&&` and `||`) may name any field of the pattern.
 */
import { Scanner } from './scanner.js';
import { invalidCharacterMessage } from './characters.js';
import { compare, readOperand, readOperator } from './values.js';

type Fields = Map<string, string>;
type Condition = (fields: Fields) => boolean;
type Slot = { ellipsis: true } | { ellipsis: false; name: string };

export function splitFields(message: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i < message.length) {
    const char = message[i] as string;
    if (char === ' ' || char === '\t') {
      i++;
      continue;
    }
    const close = char === '"' ? '"' : char === '[' ? ']' : undefined;
    if (close) {
      const end = message.indexOf(close, i + 1);
      if (end >= 0) {
        fields.push(message.slice(i + 1, end));
        i = end + 1;
        continue;
      }
    }
    let end = i;
    while (end < message.length && message[end] !== ' ' && message[end] !== '\t') end++;
    fields.push(message.slice(i, end));
    i = end;
  }
  return fields;
}

const namePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;

function readName(scanner: Scanner): string {
  const start = scanner.pos;
  const name = scanner.word(',]=!<>&|()');
  if (!namePattern.test(name)) scanner.fail('expected a field name', start);
  return name;
}

function readConditionTerm(scanner: Scanner): Condition {
  if (scanner.eat('(')) {
    const inner = readConditionOr(scanner);
    scanner.expect(')');
    return inner;
  }
  const name = readName(scanner);
  const operator = readOperator(scanner);
  if (!operator) scanner.fail('expected a comparison operator');
  const literal = readOperand(scanner, operator, ',]&|()');
  return (fields) => compare(fields.get(name), operator, literal);
}

function readConditionAnd(scanner: Scanner): Condition {
  const terms = [readConditionTerm(scanner)];
  while (scanner.eat('&&')) terms.push(readConditionTerm(scanner));
  return terms.length === 1 ? (terms[0] as Condition) : (fields) => terms.every((term) => term(fields));
}

function readConditionOr(scanner: Scanner): Condition {
  const terms = [readConditionAnd(scanner)];
  while (scanner.eat('||')) terms.push(readConditionAnd(scanner));
  return terms.length === 1 ? (terms[0] as Condition) : (fields) => terms.some((term) => term(fields));
}

/** Assigns fields to slots, trying each length for `...`, until the conditions hold. */
function assign(slots: readonly Slot[], values: readonly string[], holds: (fields: Fields) => boolean): boolean {
  const fields: Fields = new Map();
  const walk = (slot: number, value: number): boolean => {
    if (slot === slots.length) return value === values.length && holds(fields);
    const current = slots[slot] as Slot;
    if (current.ellipsis) {
      for (let next = value; next <= values.length; next++) if (walk(slot + 1, next)) return true;
      return false;
    }
    if (value >= values.length) return false;
    fields.set(current.name, values[value] as string);
    return walk(slot + 1, value + 1);
  };
  return walk(0, 0);
}

/** `text` is the whole pattern, `[` … `]`. */
export function parseSpaceDelimited(text: string): (message: string) => boolean {
  const scanner = new Scanner(text);
  scanner.expect('[');
  const slots: Slot[] = [];
  const conditions: Condition[] = [];
  const names = new Set<string>();
  if (!scanner.eat(']')) {
    do {
      if (scanner.eat('...')) {
        const glued = scanner.pos - 3;
        // `...fields` is no ellipsis: AWS answers `Invalid character(s) in term '...fields'`.
        if (/[A-Za-z0-9_]/.test(scanner.text[scanner.pos] ?? '')) {
          const term = `...${scanner.word(',]=!<>&|()')}`;
          scanner.fail("an ellipsis stands alone between commas; a name cannot follow '...'", glued, invalidCharacterMessage(term));
        }
        slots.push({ ellipsis: true });
        continue;
      }
      const start = scanner.pos;
      const before = scanner.pos;
      // A slot is a name, perhaps with a condition that starts with that name.
      const name = readName(scanner);
      if (names.has(name)) scanner.fail(`field name '${name}' appears twice`, start);
      names.add(name);
      slots.push({ ellipsis: false, name });
      if (scanner.peek() !== ',' && scanner.peek() !== ']') {
        scanner.pos = before;
        conditions.push(readConditionOr(scanner));
      }
    } while (scanner.eat(','));
    scanner.expect(']');
  }
  if (!scanner.atEnd()) scanner.fail("unexpected text after ']'");
  const holds = (fields: Fields) => conditions.every((condition) => condition(fields));
  return (message) => assign(slots, splitFields(message), holds);
}
