/** Tokens of the Logs Insights query language, each with its offsets for MalformedQueryException. */

export type TokenKind = 'ident' | 'number' | 'string' | 'regex' | 'op' | 'punct' | 'end';

export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

export class QuerySyntaxError extends Error {
  constructor(
    readonly start: number,
    readonly end: number,
    message: string,
  ) {
    super(message);
    this.name = 'QuerySyntaxError';
  }
}

/**
 * MalformedQueryException's message, in Logs Insights' words: `unexpected symbol found ( at line 1
 * and position 34` (the line counted from 1, the position from 0 within that line, `<EOF>` at the
 * end of the query). What Berth expected there goes in berthHelp.
 */
export function malformedQueryMessage(text: string, start: number, end: number): string {
  const before = text.slice(0, start).split('\n');
  const symbol = start >= text.length ? '<EOF>' : text.slice(start, Math.max(end, start + 1));
  return `unexpected symbol found ${symbol} at line ${before.length} and position ${before.at(-1)!.length}`;
}

const operators = ['!=', '<=', '>=', '=~', '=', '<', '>', '+', '-', '/', '%'];

/** A `/` starts a regular expression where an operand is expected; elsewhere it divides. */
function regexMayStart(tokens: readonly Token[]): boolean {
  const previous = tokens.at(-1);
  if (!previous || previous.kind === 'op' || previous.kind === 'punct') return true;
  if (/^(like|filter|parse|and|or|not)$/i.test(previous.text)) return true;
  // parse @message /…/
  return previous.kind === 'ident' && /^parse$/i.test(tokens.at(-2)?.text ?? '');
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i] as string;
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    const start = i;
    if (char === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (char === '"' || char === "'") {
      let value = '';
      i++;
      while (i < text.length && text[i] !== char) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i++];
      }
      if (i >= text.length) throw new QuerySyntaxError(start, text.length, 'unterminated string');
      i++;
      tokens.push({ kind: 'string', text: value, start, end: i });
      continue;
    }
    if (char === '`') {
      const close = text.indexOf('`', i + 1);
      if (close < 0) throw new QuerySyntaxError(start, text.length, 'unterminated quoted field name');
      tokens.push({ kind: 'ident', text: text.slice(i + 1, close), start, end: close + 1 });
      i = close + 1;
      continue;
    }
    if (char === '/' && regexMayStart(tokens)) {
      let source = '';
      i++;
      while (i < text.length && text[i] !== '/') {
        if (text[i] === '\\' && i + 1 < text.length) source += text[i++];
        source += text[i++];
      }
      if (i >= text.length) throw new QuerySyntaxError(start, text.length, 'unterminated regular expression');
      i++;
      let flags = '';
      while (i < text.length && /[a-z]/.test(text[i] as string)) flags += text[i++];
      tokens.push({ kind: 'regex', text: `${source}/${flags}`, start, end: i });
      continue;
    }
    const number = /^\d+(\.\d+)?/.exec(text.slice(i));
    if (number) {
      i += number[0].length;
      // A duration such as 5m reads as one identifier-like token.
      const unit = /^(ms|s|m|h|d|w|mo|q|y)\b/.exec(text.slice(i));
      if (unit) {
        i += unit[0].length;
        tokens.push({ kind: 'ident', text: number[0] + unit[0], start, end: i });
      } else tokens.push({ kind: 'number', text: number[0], start, end: i });
      continue;
    }
    if (/[@A-Za-z_]/.test(char)) {
      while (i < text.length && /[@A-Za-z0-9_.$]/.test(text[i] as string)) i++;
      tokens.push({ kind: 'ident', text: text.slice(start, i), start, end: i });
      continue;
    }
    const operator = operators.find((candidate) => text.startsWith(candidate, i));
    if (operator) {
      i += operator.length;
      tokens.push({ kind: 'op', text: operator, start, end: i });
      continue;
    }
    if ('(),|*'.includes(char)) {
      i++;
      tokens.push({ kind: 'punct', text: char, start, end: i });
      continue;
    }
    throw new QuerySyntaxError(start, start + 1, `unexpected character '${char}'`);
  }
  tokens.push({ kind: 'end', text: '', start: text.length, end: text.length });
  return tokens;
}
