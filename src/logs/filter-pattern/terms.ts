/**
 * Term patterns over unstructured text: `ERROR`, `"out of memory"`, `ERROR -Exiting`, `?ERROR ?WARN`,
 * `%regex%`. Every plain term must appear (case-sensitive), no `-` term may, and when there are
 * `?` terms, at least one of them must.
 */
import { checkTermCharacters } from './characters.js';
import { Scanner } from './scanner.js';

type Term = (message: string) => boolean;

function readTerm(scanner: Scanner): Term {
  const next = scanner.peek();
  if (next === '"') {
    const phrase = scanner.quoted();
    return (message) => message.includes(phrase);
  }
  if (next === '%') {
    const regex = scanner.regex();
    return (message) => regex.test(message);
  }
  const word = scanner.word('"');
  const start = scanner.pos - word.length;
  if (word === '' || word === '-' || word === '?') scanner.fail('expected a term', start);
  checkTermCharacters(word, start);
  return (message) => message.includes(word);
}

export function parseTerms(text: string): (message: string) => boolean {
  const scanner = new Scanner(text);
  const required: Term[] = [];
  const excluded: Term[] = [];
  const alternatives: Term[] = [];
  while (!scanner.atEnd()) {
    if (scanner.eat('-')) excluded.push(readTerm(scanner));
    else if (scanner.eat('?')) alternatives.push(readTerm(scanner));
    else required.push(readTerm(scanner));
  }
  return (message) =>
    required.every((term) => term(message)) && !excluded.some((term) => term(message)) && (alternatives.length === 0 || alternatives.some((term) => term(message)));
}
