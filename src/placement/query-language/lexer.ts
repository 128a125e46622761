import { QueryLanguageError } from './errors.js';

export type TokenKind =
  | 'lparen'
  | 'rparen'
  | 'lbracket'
  | 'rbracket'
  | 'comma'
  | 'andand'
  | 'oror'
  | 'bang'
  /** ==, !=, >, >=, <, <=, =~, !~ */
  | 'symbol'
  | 'word'
  | 'string'
  | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  /** 0-based offset of the first character. */
  start: number;
  /** Offset just past the last character. */
  end: number;
}

const WHITESPACE = /\s/;
/** Characters that end a word in structure mode. */
const WORD_STOP = new Set([...'()[],\'"=!<>~&|']);
/** Characters that end a bare value (argument) in value mode. */
const VALUE_STOP = new Set([...'()[],\'"']);

/**
 * Splits an expression into tokens on demand. The parser reads operators and subjects in
 * "structure" mode (`next`, `peek`), and arguments in "value" mode (`readValue`), where a bare
 * value may contain characters that are operators elsewhere (a regex like `t2.*|m5.*`, a date
 * like `2018-06-18T22:28:28+00:00`, a group like `service:production`).
 */
export class Lexer {
  private pos = 0;
  private peeked: Token | undefined;

  constructor(readonly text: string) {}

  peek(): Token {
    this.peeked ??= this.scan();
    return this.peeked;
  }

  next(): Token {
    const token = this.peek();
    this.peeked = undefined;
    return token;
  }

  /**
   * Reads one argument: a quoted string, or a bare value running to the next whitespace, bracket,
   * parenthesis, comma, quote, `&&` or `||`. Returns undefined (consuming nothing) when the next
   * character cannot start a value.
   */
  readValue(): Token | undefined {
    if (this.peeked) {
      this.pos = this.peeked.start;
      this.peeked = undefined;
    }
    this.skipWhitespace();
    const start = this.pos;
    const ch = this.text[start];
    if (ch === undefined) return undefined;
    if (ch === "'" || ch === '"') return this.scanString(ch);
    let end = start;
    while (end < this.text.length) {
      const c = this.text[end]!;
      if (WHITESPACE.test(c) || VALUE_STOP.has(c)) break;
      const pair = this.text.slice(end, end + 2);
      if (pair === '&&' || pair === '||') break;
      end++;
    }
    if (end === start) return undefined;
    this.pos = end;
    return { kind: 'word', text: this.text.slice(start, end), start, end };
  }

  private skipWhitespace(): void {
    while (this.pos < this.text.length && WHITESPACE.test(this.text[this.pos]!)) this.pos++;
  }

  private scan(): Token {
    this.skipWhitespace();
    const start = this.pos;
    const text = this.text;
    const ch = text[start];
    if (ch === undefined) return { kind: 'eof', text: '', start, end: start };
    const two = text.slice(start, start + 2);
    const make = (kind: TokenKind, length: number): Token => {
      this.pos = start + length;
      return { kind, text: text.slice(start, start + length), start, end: start + length };
    };
    switch (ch) {
      case '(':
        return make('lparen', 1);
      case ')':
        return make('rparen', 1);
      case '[':
        return make('lbracket', 1);
      case ']':
        return make('rbracket', 1);
      case ',':
        return make('comma', 1);
      case "'":
      case '"':
        return this.scanString(ch);
      case '&':
        if (two === '&&') return make('andand', 2);
        throw new QueryLanguageError("unexpected '&'; use '&&' or 'and'", start);
      case '|':
        if (two === '||') return make('oror', 2);
        throw new QueryLanguageError("unexpected '|'; use '||' or 'or'", start);
      case '=':
        if (two === '==' || two === '=~') return make('symbol', 2);
        throw new QueryLanguageError("unexpected '='; use '==' for equality", start);
      case '!':
        if (two === '!=' || two === '!~') return make('symbol', 2);
        return make('bang', 1);
      case '<':
      case '>':
        return make('symbol', text[start + 1] === '=' ? 2 : 1);
      case '~':
        throw new QueryLanguageError("unexpected '~'; use '=~' or '!~'", start);
    }
    let end = start;
    while (end < text.length && !WHITESPACE.test(text[end]!) && !WORD_STOP.has(text[end]!)) end++;
    this.pos = end;
    return { kind: 'word', text: text.slice(start, end), start, end };
  }

  private scanString(quote: string): Token {
    const start = this.pos;
    const close = this.text.indexOf(quote, start + 1);
    if (close < 0) throw new QueryLanguageError(`unterminated string: missing closing ${quote}`, start);
    this.pos = close + 1;
    return { kind: 'string', text: this.text.slice(start + 1, close), start, end: close + 1 };
  }
}
