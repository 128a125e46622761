/**
 * Parses a Logs Insights query: `fields`, `display`, `filter`, `stats … by …`, `sort`, `limit` and
 * `parse`, separated by `|`. Expressions: field names (`@message`, `level`, `user.id`, `` `odd name` ``),
 * numbers, strings, `/regex/`, `and`/`or`/`not`, comparisons, `like`, `=~`, arithmetic, and the
 * functions bin(), ispresent(), strlen(), tolower(), toupper().
 */
import type { Aggregate, Command, Expr, Projection, Query, Statistic } from './ast.js';
import { compilePattern, PatternError, type LinearPattern } from '../../core/linear-regex.js';
import { QuerySyntaxError, tokenize, type Token } from './lexer.js';

const aggregates: readonly Aggregate[] = ['count', 'count_distinct', 'avg', 'sum', 'min', 'max', 'pct'];
const functions = ['bin', 'ispresent', 'strlen', 'tolower', 'toupper'];
const comparisons = ['=', '!=', '<', '<=', '>', '>=', '=~'];

class Parser {
  private i = 0;
  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  private get token(): Token {
    return this.tokens[this.i] as Token;
  }

  private fail(message: string, token = this.token): never {
    throw new QuerySyntaxError(token.start, Math.max(token.end, token.start + 1), message);
  }

  private isWord(word: string): boolean {
    return this.token.kind === 'ident' && this.token.text.toLowerCase() === word;
  }

  private isPunct(text: string): boolean {
    return this.token.kind === 'punct' && this.token.text === text;
  }

  private next(): Token {
    const token = this.token;
    this.i++;
    return token;
  }

  private expectPunct(text: string): void {
    if (!this.isPunct(text)) this.fail(`expected '${text}'`);
    this.i++;
  }

  query(): Query {
    const commands: Command[] = [this.command()];
    while (this.isPunct('|')) {
      this.i++;
      commands.push(this.command());
    }
    if (this.token.kind !== 'end') this.fail(`unexpected '${this.token.text}'`);
    return { commands };
  }

  private command(): Command {
    const token = this.token;
    if (token.kind !== 'ident') this.fail('expected a command: fields, display, filter, stats, sort, limit or parse');
    const name = token.text.toLowerCase();
    this.i++;
    switch (name) {
      case 'fields':
      case 'display':
        return { kind: name, projections: this.projections() };
      case 'filter':
        return { kind: 'filter', expr: this.expr() };
      case 'stats':
        return this.stats();
      case 'sort': {
        const keys: { expr: Expr; descending: boolean }[] = [];
        do {
          if (keys.length > 0) this.i++;
          const expr = this.sortKey();
          let descending = false;
          if (this.isWord('desc')) {
            descending = true;
            this.i++;
          } else if (this.isWord('asc')) this.i++;
          keys.push({ expr, descending });
        } while (this.isPunct(','));
        return { kind: 'sort', keys };
      }
      case 'limit': {
        const count = this.token;
        if (count.kind !== 'number' || !/^\d+$/.test(count.text) || Number(count.text) < 1 || Number(count.text) > 10_000) this.fail('limit takes a whole number from 1 to 10000');
        this.i++;
        return { kind: 'limit', count: Number(count.text) };
      }
      case 'parse':
        return this.parse();
      default:
        return this.fail(`unknown command '${token.text}'`, token);
    }
  }

  /**
   * `sort` orders by a field: a log field, or a name that `fields`, `stats` or `parse` made. Logs
   * Insights refuses an expression there (`sort bin(1d) desc` answers `unexpected symbol found (`),
   * so does Berth; give the expression a name with `as` and sort by the name.
   */
  private sortKey(): Expr {
    const token = this.token;
    if (token.kind !== 'ident') this.fail('sort takes a field name, or the name given to an expression with as');
    this.i++;
    if (!this.isWord('asc') && !this.isWord('desc') && !this.isPunct(',') && !this.isPunct('|') && this.token.kind !== 'end') {
      this.fail('sort takes a field name, not an expression: name the expression with as (stats count(*) by bin(1h) as hour) and sort by that name');
    }
    return { kind: 'field', name: token.text };
  }

  private sourceOf(start: number): string {
    const end = (this.tokens[this.i - 1] as Token).end;
    return this.text.slice(start, end).replace(/\s+/g, ' ');
  }

  private projection(): Projection {
    const start = this.token.start;
    const expr = this.additive();
    let name = expr.kind === 'field' ? expr.name : this.sourceOf(start);
    if (this.isWord('as')) {
      this.i++;
      if (this.token.kind !== 'ident') this.fail('expected a name after as');
      name = this.next().text;
    }
    return { expr, name };
  }

  private projections(): Projection[] {
    const list = [this.projection()];
    while (this.isPunct(',')) {
      this.i++;
      list.push(this.projection());
    }
    return list;
  }

  private stats(): Command {
    const statistics: Statistic[] = [];
    do {
      if (statistics.length > 0) this.i++;
      const start = this.token.start;
      const fnToken = this.token;
      const fn = fnToken.text.toLowerCase() as Aggregate;
      if (fnToken.kind !== 'ident' || !aggregates.includes(fn)) this.fail(`expected a statistic: ${aggregates.join(', ')}`);
      this.i++;
      this.expectPunct('(');
      let arg: Expr | undefined;
      let percentile: number | undefined;
      if (fn === 'count' && this.isPunct('*')) this.i++;
      else if (fn === 'count' && this.isPunct(')')) arg = undefined;
      else arg = this.additive();
      if (fn === 'pct') {
        this.expectPunct(',');
        const value = this.token;
        if (value.kind !== 'number' || Number(value.text) < 0 || Number(value.text) > 100) this.fail('pct takes a percentile from 0 to 100');
        percentile = Number(value.text);
        this.i++;
      }
      this.expectPunct(')');
      let name = this.sourceOf(start);
      if (this.isWord('as')) {
        this.i++;
        if (this.token.kind !== 'ident') this.fail('expected a name after as');
        name = this.next().text;
      }
      statistics.push({ fn, name, ...(arg ? { arg } : {}), ...(percentile !== undefined ? { percentile } : {}) });
    } while (this.isPunct(','));
    let by: Projection[] = [];
    if (this.isWord('by')) {
      this.i++;
      by = this.projections();
    }
    return { kind: 'stats', statistics, by };
  }

  private parse(): Command {
    const source = this.isPunct('|') || this.token.kind === 'string' || this.token.kind === 'regex' ? ({ kind: 'field', name: '@message' } as Expr) : this.primary();
    const patternToken = this.token;
    let pattern: LinearPattern;
    let names: string[] = [];
    let groups: number[];
    if (patternToken.kind === 'string') {
      this.i++;
      const parts = patternToken.text.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
      if (!this.isWord('as')) this.fail("expected 'as' and the names of the parsed fields");
      this.i++;
      do {
        if (names.length > 0) this.i++;
        if (this.token.kind !== 'ident') this.fail('expected a field name');
        names.push(this.next().text);
      } while (this.isPunct(','));
      if (names.length !== parts.length - 1) this.fail(`the pattern has ${parts.length - 1} '*' but ${names.length} names follow 'as'`, patternToken);
      // Each * takes as little as it can, except a * that ends the pattern: it takes the rest.
      const source = parts.map((part, index) => (index === 0 ? part : `(${index === parts.length - 1 && part === '' ? '.*' : '.*?'})${part}`)).join('');
      try {
        pattern = compilePattern(source, 's');
      } catch (error) {
        if (!(error instanceof PatternError)) throw error;
        return this.fail(`invalid parse pattern: ${error.problem}`, patternToken);
      }
      groups = names.map((_, index) => index + 1);
    } else if (patternToken.kind === 'regex') {
      this.i++;
      pattern = regexOf(patternToken);
      const named = Object.entries(pattern.namedGroups).sort(([, a], [, b]) => a - b);
      names = named.map(([name]) => name);
      groups = named.map(([, group]) => group);
      if (names.length === 0) this.fail('a parse regular expression names its fields with (?<name>…)', patternToken);
    } else {
      return this.fail('expected a glob string or a regular expression');
    }
    return { kind: 'parse', source, pattern, names, groups };
  }

  expr(): Expr {
    let left = this.and();
    while (this.isWord('or')) {
      this.i++;
      left = { kind: 'binary', op: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.isWord('and')) {
      this.i++;
      left = { kind: 'binary', op: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): Expr {
    if (this.isWord('not')) {
      this.i++;
      return { kind: 'not', expr: this.not() };
    }
    return this.comparison();
  }

  private comparison(): Expr {
    const left = this.additive();
    if (this.token.kind === 'op' && comparisons.includes(this.token.text)) {
      const op = this.next().text;
      return { kind: 'binary', op, left, right: this.additive() };
    }
    if (this.isWord('like')) {
      this.i++;
      return { kind: 'binary', op: 'like', left, right: this.additive() };
    }
    if (this.isWord('not') && (this.tokens[this.i + 1] as Token).text.toLowerCase() === 'like') {
      this.i += 2;
      return { kind: 'not', expr: { kind: 'binary', op: 'like', left, right: this.additive() } };
    }
    return left;
  }

  private additive(): Expr {
    let left = this.multiplicative();
    while (this.token.kind === 'op' && (this.token.text === '+' || this.token.text === '-')) {
      const op = this.next().text;
      left = { kind: 'binary', op, left, right: this.multiplicative() };
    }
    return left;
  }

  private multiplicative(): Expr {
    let left = this.unary();
    while ((this.token.kind === 'op' && (this.token.text === '/' || this.token.text === '%')) || this.isPunct('*')) {
      const op = this.next().text;
      left = { kind: 'binary', op, left, right: this.unary() };
    }
    return left;
  }

  private unary(): Expr {
    if (this.token.kind === 'op' && this.token.text === '-') {
      this.i++;
      return { kind: 'negate', expr: this.unary() };
    }
    return this.primary();
  }

  private primary(): Expr {
    const token = this.token;
    if (this.isPunct('(')) {
      this.i++;
      const inner = this.expr();
      this.expectPunct(')');
      return inner;
    }
    if (token.kind === 'number') {
      this.i++;
      return { kind: 'literal', value: Number(token.text) };
    }
    if (token.kind === 'string') {
      this.i++;
      return { kind: 'literal', value: token.text };
    }
    if (token.kind === 'regex') {
      this.i++;
      return { kind: 'regex', regex: regexOf(token) };
    }
    if (token.kind === 'ident') {
      this.i++;
      const lower = token.text.toLowerCase();
      if (this.isPunct('(')) {
        if (!functions.includes(lower)) this.fail(`unknown function '${token.text}'`, token);
        this.i++;
        const args: Expr[] = [];
        if (!this.isPunct(')')) {
          if (lower === 'bin') {
            const duration = this.token;
            if (duration.kind !== 'ident' || durationMs(duration.text) === undefined) this.fail('bin takes a period such as 5m, 1h or 30s');
            this.i++;
            args.push({ kind: 'literal', value: durationMs(duration.text) as number });
          } else {
            args.push(this.expr());
            while (this.isPunct(',')) {
              this.i++;
              args.push(this.expr());
            }
          }
        }
        this.expectPunct(')');
        return { kind: 'call', name: lower, args };
      }
      if (lower === 'true' || lower === 'false') return { kind: 'literal', value: lower === 'true' };
      if (lower === 'null') return { kind: 'literal', value: null };
      return { kind: 'field', name: token.text };
    }
    return this.fail(token.kind === 'end' ? 'unexpected end of query' : `unexpected '${token.text}'`);
  }
}

/** A query's `/regex/`, on the linear-time engine: a query is the caller's, and runs over every event scanned. */
function regexOf(token: Token): LinearPattern {
  const slash = token.text.lastIndexOf('/');
  try {
    return compilePattern(token.text.slice(0, slash), token.text.slice(slash + 1));
  } catch (error) {
    throw new QuerySyntaxError(token.start, token.end, error instanceof PatternError ? `invalid regular expression: ${error.problem}` : 'invalid regular expression');
  }
}

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

export function durationMs(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d|w)$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]) * (units[match[2] as string] as number);
  return value > 0 ? value : undefined;
}

/** Throws QuerySyntaxError with the offsets of the problem. */
export function parseQuery(text: string): Query {
  return new Parser(text, tokenize(text)).query();
}
