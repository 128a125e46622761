/**
 * Where each statement sits in a policy's text, as SimulatePrincipalPolicy's MatchedStatements
 * report it (StartPosition and EndPosition: the statement's `{` and `}`, lines and columns from 1).
 * A small scanner over text JSON.parse has already accepted: it only skips values and reads the
 * top-level keys.
 */

export interface TextPosition {
  line: number;
  column: number;
}

export interface TextRange {
  start: TextPosition;
  end: TextPosition;
}

class Scanner {
  at = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at]!)) this.at++;
  }

  /** Skips a string starting at its quote; returns its decoded value. */
  string(): string {
    const from = this.at;
    this.at++;
    while (this.text[this.at] !== '"') this.at += this.text[this.at] === '\\' ? 2 : 1;
    this.at++;
    return JSON.parse(this.text.slice(from, this.at)) as string;
  }

  /** Skips any value; returns where it started and the index of its last character. */
  value(): [number, number] {
    this.skipSpace();
    const from = this.at;
    const c = this.text[this.at];
    if (c === '"') this.string();
    else if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      this.at++;
      this.skipSpace();
      while (this.text[this.at] !== close) {
        if (c === '{') {
          this.skipSpace();
          this.string();
          this.skipSpace();
          this.at++; // ':'
        }
        this.value();
        this.skipSpace();
        if (this.text[this.at] === ',') this.at++;
        this.skipSpace();
      }
      this.at++;
    } else {
      while (this.at < this.text.length && !/[\s,}\]]/.test(this.text[this.at]!)) this.at++;
    }
    return [from, this.at - 1];
  }
}

function position(text: string, index: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
}

/** The range of each statement, in document order; empty when the text has no Statement. */
export function statementRanges(text: string): TextRange[] {
  const scanner = new Scanner(text);
  scanner.skipSpace();
  if (text[scanner.at] !== '{') return [];
  scanner.at++;
  for (;;) {
    scanner.skipSpace();
    if (text[scanner.at] !== '"') return [];
    const key = scanner.string();
    scanner.skipSpace();
    scanner.at++; // ':'
    scanner.skipSpace();
    if (key !== 'Statement') {
      scanner.value();
      scanner.skipSpace();
      if (text[scanner.at] === ',') scanner.at++;
      continue;
    }
    const ranges: [number, number][] = [];
    if (text[scanner.at] === '[') {
      scanner.at++;
      scanner.skipSpace();
      while (text[scanner.at] !== ']') {
        ranges.push(scanner.value());
        scanner.skipSpace();
        if (text[scanner.at] === ',') scanner.at++;
        scanner.skipSpace();
      }
    } else ranges.push(scanner.value());
    return ranges.map(([from, to]) => ({ start: position(text, from), end: position(text, to) }));
  }
}
