import type { Comparison, Expression, Literal, Operator, Subject } from './ast.js';
import { OPERATOR_SYMBOL } from './ast.js';
import { QueryLanguageError } from './errors.js';
import { Lexer, type Token } from './lexer.js';
import { compilePattern, PatternError, type LinearPattern } from '../../core/linear-regex.js';
import { parseBoolean, parseCount, parseDateSpan, parseVersion } from './literals.js';

/** AWS caps placement constraint expressions at 2000 characters. */
export const MAX_EXPRESSION_LENGTH = 2000;
/**
 * Berth's bounds on the work one expression can cause (AWS documents none). Nesting counts
 * parentheses and `not`s, one level each; nodes count every and, or, not, comparison and value.
 * Together with the length, they bound both the parser's and the evaluator's recursion and the
 * steps one instance costs to evaluate.
 */
export const MAX_EXPRESSION_DEPTH = 32;
export const MAX_EXPRESSION_NODES = 500;

const SYMBOL_OPERATORS: Readonly<Record<string, Operator>> = {
  '==': 'equals',
  '!=': 'not_equals',
  '>': 'greater_than',
  '>=': 'greater_than_equal',
  '<': 'less_than',
  '<=': 'less_than_equal',
  '=~': 'matches',
  '!~': 'not_matches',
};

const WORD_OPERATORS: ReadonlySet<string> = new Set<Operator>([
  'equals',
  'not_equals',
  'greater_than',
  'greater_than_equal',
  'less_than',
  'less_than_equal',
  'exists',
  'not_exists',
  'in',
  'not_in',
  'matches',
  'not_matches',
]);

const STRING_OPERATORS: readonly Operator[] = ['equals', 'not_equals', 'in', 'not_in', 'matches', 'not_matches'];
const ORDERED_OPERATORS: readonly Operator[] = [
  'equals',
  'not_equals',
  'greater_than',
  'greater_than_equal',
  'less_than',
  'less_than_equal',
];
const ALL_OPERATORS = [...WORD_OPERATORS] as Operator[];

/** Valid operators per subject, as AWS documents them (task:group and attributes are not restricted there). */
const VALID_OPERATORS: Readonly<Record<Subject['kind'], readonly Operator[]>> = {
  agentConnected: STRING_OPERATORS,
  agentVersion: ORDERED_OPERATORS,
  ec2InstanceId: STRING_OPERATORS,
  registeredAt: ORDERED_OPERATORS,
  runningTasksCount: ORDERED_OPERATORS,
  taskGroup: [...STRING_OPERATORS, 'exists', 'not_exists'],
  attribute: ALL_OPERATORS,
  ec2InstanceType: ALL_OPERATORS,
};

const SUBJECT_WORDS = [
  'agentConnected',
  'agentVersion',
  'attribute:<name>',
  'ec2InstanceId',
  'ec2InstanceType',
  'registeredAt',
  'runningTasksCount',
  'task:group',
];

/**
 * Parses a cluster query language expression (see "Cluster query language" in the Amazon ECS
 * Developer Guide). Precedence, tightest first: `not`/`!`, `and`/`&&`, `or`/`||`; parentheses group.
 * Throws QueryLanguageError.
 */
export function parseExpression(text: string): Expression {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw new QueryLanguageError(`expression is longer than ${MAX_EXPRESSION_LENGTH} characters`, MAX_EXPRESSION_LENGTH);
  }
  const parser = new Parser(new Lexer(text));
  const expression = parser.parseOr();
  const rest = parser.lexer.next();
  if (rest.kind !== 'eof') {
    throw new QueryLanguageError(`unexpected ${describe(rest)}; expected 'and', 'or' or the end of the expression`, rest.start);
  }
  return expression;
}

/** The error message for an invalid expression, or undefined when it parses. */
export function validateExpression(text: string): string | undefined {
  try {
    parseExpression(text);
    return undefined;
  } catch (error) {
    if (error instanceof QueryLanguageError) return error.message;
    throw error;
  }
}

function describe(token: Token): string {
  return token.kind === 'eof' ? 'end of expression' : `'${token.text}'`;
}

function isWord(token: Token, ...words: string[]): boolean {
  return token.kind === 'word' && words.includes(token.text.toLowerCase());
}

class Parser {
  private depth = 0;
  private nodes = 0;

  constructor(readonly lexer: Lexer) {}

  /** Counts `count` more nodes of the tree, refusing the expression past MAX_EXPRESSION_NODES. */
  private grow(position: number, count = 1): void {
    this.nodes += count;
    if (this.nodes > MAX_EXPRESSION_NODES) {
      throw new QueryLanguageError(
        `the expression has more than ${MAX_EXPRESSION_NODES} terms (comparisons, values, and, or, not); split it or use fewer values`,
        position,
      );
    }
  }

  /** Parses what `parse` reads one nesting level deeper, refusing past MAX_EXPRESSION_DEPTH. */
  private nested<T>(position: number, parse: () => T): T {
    if (++this.depth > MAX_EXPRESSION_DEPTH) {
      throw new QueryLanguageError(`the expression nests parentheses and 'not' more than ${MAX_EXPRESSION_DEPTH} levels deep`, position);
    }
    const result = parse();
    this.depth--;
    return result;
  }

  parseOr(): Expression {
    let left = this.parseAnd();
    for (;;) {
      const token = this.lexer.peek();
      if (token.kind !== 'oror' && !isWord(token, 'or')) return left;
      this.lexer.next();
      this.grow(token.start);
      left = { kind: 'or', left, right: this.parseAnd() };
    }
  }

  private parseAnd(): Expression {
    let left = this.parseUnary();
    for (;;) {
      const token = this.lexer.peek();
      if (token.kind !== 'andand' && !isWord(token, 'and')) return left;
      this.lexer.next();
      this.grow(token.start);
      left = { kind: 'and', left, right: this.parseUnary() };
    }
  }

  private parseUnary(): Expression {
    const token = this.lexer.peek();
    if (token.kind === 'bang' || isWord(token, 'not')) {
      this.lexer.next();
      this.grow(token.start);
      return { kind: 'not', operand: this.nested(token.start, () => this.parseUnary()) };
    }
    if (token.kind === 'lparen') {
      this.lexer.next();
      const inner = this.nested(token.start, () => this.parseOr());
      const close = this.lexer.next();
      if (close.kind !== 'rparen') {
        throw new QueryLanguageError(`expected ')' to close the '(' at column ${token.start + 1}, found ${describe(close)}`, close.start);
      }
      return inner;
    }
    return this.parseComparison();
  }

  private parseComparison(): Comparison {
    const token = this.lexer.next();
    if (token.kind !== 'word') {
      throw new QueryLanguageError(`expected a subject (${SUBJECT_WORDS.join(', ')}), found ${describe(token)}`, token.start);
    }
    const subject = parseSubject(token);
    this.grow(token.start);
    const operator = this.parseOperator(token);
    if (!VALID_OPERATORS[subject.kind].includes(operator)) {
      throw new QueryLanguageError(
        `operator '${OPERATOR_SYMBOL[operator]}' is not valid for ${token.text}; valid: ${VALID_OPERATORS[subject.kind]
          .map((op) => OPERATOR_SYMBOL[op])
          .join(', ')}`,
        token.start,
      );
    }
    const comparison: Comparison = { kind: 'comparison', subject, operator, values: [], position: token.start };
    if (operator === 'exists' || operator === 'not_exists') return comparison;
    if (operator === 'in' || operator === 'not_in') {
      comparison.values = this.parseList(subject, operator);
      return comparison;
    }
    const value = this.lexer.readValue();
    if (!value) {
      const next = this.lexer.peek();
      const hint =
        next.kind === 'lbracket'
          ? `; '${OPERATOR_SYMBOL[operator]}' takes a single value, use 'in' for a list`
          : next.kind === 'lparen'
            ? '; quote values that contain parentheses'
            : '';
      throw new QueryLanguageError(`expected a value after '${OPERATOR_SYMBOL[operator]}', found ${describe(next)}${hint}`, next.start);
    }
    this.grow(value.start);
    if (operator === 'matches' || operator === 'not_matches') {
      comparison.values = [{ kind: 'string', text: value.text }];
      comparison.pattern = patternOf(value);
      return comparison;
    }
    comparison.values = [toLiteral(subject, value)];
    return comparison;
  }

  private parseOperator(subjectToken: Token): Operator {
    const token = this.lexer.next();
    if (token.kind === 'symbol') {
      const op = SYMBOL_OPERATORS[token.text];
      if (op) return op;
    }
    if (token.kind === 'bang') {
      const after = this.lexer.next();
      if (isWord(after, 'exists')) return 'not_exists';
      if (isWord(after, 'in')) return 'not_in';
      throw new QueryLanguageError(`expected 'exists' or 'in' after '!', found ${describe(after)}`, after.start);
    }
    if (token.kind === 'word') {
      const lower = token.text.toLowerCase();
      if (WORD_OPERATORS.has(lower)) return lower as Operator;
      if (lower === 'not') {
        const after = this.lexer.peek();
        if (isWord(after, 'in', 'exists')) {
          const op = after.text.toLowerCase();
          throw new QueryLanguageError(`unknown operator 'not ${op}'; write 'not_${op}' or '!${op}'`, token.start);
        }
      }
    }
    throw new QueryLanguageError(`expected an operator after '${subjectToken.text}', found ${describe(token)}`, token.start);
  }

  private parseList(subject: Subject, operator: Operator): Literal[] {
    const open = this.lexer.next();
    if (open.kind !== 'lbracket') {
      throw new QueryLanguageError(`'${OPERATOR_SYMBOL[operator]}' expects a list like [a, b], found ${describe(open)}`, open.start);
    }
    const values: Literal[] = [];
    for (;;) {
      const value = this.lexer.readValue();
      if (!value) {
        const next = this.lexer.peek();
        const problem = next.kind === 'rbracket' && values.length === 0 ? 'empty argument list' : `expected a value, found ${describe(next)}`;
        throw new QueryLanguageError(problem, next.start);
      }
      this.grow(value.start);
      values.push(toLiteral(subject, value));
      const sep = this.lexer.next();
      if (sep.kind === 'rbracket') return values;
      if (sep.kind !== 'comma') {
        throw new QueryLanguageError(`expected ',' or ']' in the argument list, found ${describe(sep)}`, sep.start);
      }
    }
  }
}

function parseSubject(token: Token): Subject {
  const text = token.text;
  if (text.startsWith('attribute:')) {
    const name = text.slice('attribute:'.length);
    if (name === '') throw new QueryLanguageError("missing attribute name after 'attribute:'", token.start);
    return { kind: 'attribute', name };
  }
  switch (text) {
    case 'task:group':
      return { kind: 'taskGroup' };
    case 'agentConnected':
    case 'agentVersion':
    case 'ec2InstanceId':
    case 'ec2InstanceType':
    case 'registeredAt':
    case 'runningTasksCount':
      return { kind: text };
  }
  throw new QueryLanguageError(`unknown subject '${text}'; expected one of ${SUBJECT_WORDS.join(', ')}`, token.start);
}

function toLiteral(subject: Subject, token: Token): Literal {
  const text = token.text;
  switch (subject.kind) {
    case 'agentConnected': {
      const value = parseBoolean(text);
      if (value === undefined) throw new QueryLanguageError(`agentConnected compares with true or false, found '${text}'`, token.start);
      return { kind: 'boolean', text, value };
    }
    case 'agentVersion': {
      const parts = parseVersion(text);
      if (!parts) throw new QueryLanguageError(`'${text}' is not an agent version like 1.14.5`, token.start);
      return { kind: 'version', text, parts };
    }
    case 'registeredAt': {
      const span = parseDateSpan(text);
      if (!span) {
        throw new QueryLanguageError(
          `'${text}' is not a valid date; use 2018-06-18T22:28:28+00:00, 2018-06-18T22:28:28Z, 2018-06-18T22:28:28 or 2018-06-18`,
          token.start,
        );
      }
      return { kind: 'date', text, ...span };
    }
    case 'runningTasksCount': {
      const value = parseCount(text);
      if (value === undefined) throw new QueryLanguageError(`runningTasksCount compares with a whole number, found '${text}'`, token.start);
      return { kind: 'number', text, value };
    }
    default:
      return { kind: 'string', text };
  }
}

/**
 * A `=~` / `!~` argument, in RE2 syntax, matched against the whole value (as Java's
 * Pattern.matches, which ECS uses) in linear time.
 */
function patternOf(token: Token): LinearPattern {
  try {
    return compilePattern(token.text);
  } catch (error) {
    if (error instanceof PatternError) throw new QueryLanguageError(`invalid regular expression '${token.text}': ${error.problem}`, token.start);
    throw error;
  }
}
