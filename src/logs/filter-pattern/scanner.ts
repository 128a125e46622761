/** Reads a filter pattern character by character: the shared lexing of the three pattern forms. */
import { compileRegexTerm, maxRegexes, tooManyRegexesMessage, type RegexTerm } from './regex.js';
import { FilterPatternError } from './syntax-error.js';

export class Scanner {
  pos = 0;
  /** `%regex%` terms read so far. */
  private regexes = 0;
  constructor(
    readonly text: string,
    /** Where `text` starts in the whole pattern, for positions in errors. */
    private readonly offset = 0,
  ) {}

  fail(reason: string, at = this.pos, awsMessage?: string): never {
    throw new FilterPatternError(this.offset + at, reason, awsMessage);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  peek(length = 1): string {
    this.skipSpace();
    return this.text.slice(this.pos, this.pos + length);
  }

  eat(token: string): boolean {
    if (this.peek(token.length) !== token) return false;
    this.pos += token.length;
    return true;
  }

  expect(token: string): void {
    if (!this.eat(token)) this.fail(`expected '${token}'`);
  }

  /** A double-quoted string with backslash escapes; the scanner is at its opening quote. */
  quoted(): string {
    const start = this.pos;
    this.pos++;
    let value = '';
    while (this.pos < this.text.length) {
      const char = this.text[this.pos++] as string;
      if (char === '"') return value;
      if (char === '\\' && this.pos < this.text.length) value += this.text[this.pos++];
      else value += char;
    }
    return this.fail('unterminated quoted string', start);
  }

  /** `%regex%`; the scanner is at the first `%`. */
  regex(): RegexTerm {
    const start = this.pos;
    const end = this.text.indexOf('%', this.pos + 1);
    if (end < 0) this.fail('unterminated regular expression', start);
    this.regexes++;
    if (this.regexes > maxRegexes) {
      this.fail(`this is regular expression ${this.regexes} of the pattern, and CloudWatch Logs allows at most ${maxRegexes}; join alternatives into one with |`, start, tooManyRegexesMessage);
    }
    const source = this.text.slice(this.pos + 1, end);
    this.pos = end + 1;
    return compileRegexTerm(source, this.offset + start);
  }

  /** Characters up to whitespace or one of `stops`. */
  word(stops: string): string {
    this.skipSpace();
    const start = this.pos;
    while (this.pos < this.text.length) {
      const char = this.text[this.pos] as string;
      if (/\s/.test(char) || stops.includes(char)) break;
      this.pos++;
    }
    return this.text.slice(start, this.pos);
  }
}
