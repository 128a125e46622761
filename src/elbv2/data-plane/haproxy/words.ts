/**
 * Writing values into haproxy.cfg words safely. haproxy's parser splits a line on spaces and
 * joins adjacent quoted parts into one word, as a shell does:
 *   - inside single quotes nothing is interpreted (no escapes, no `${ENV}`), so a single quote
 *     is written by closing the quotes, an escaped quote, and reopening: `'a'\''b'` is `a'b`;
 *   - inside double quotes `\`, `"` and `$` must be escaped.
 * Log-format strings (`%[...]` expressions, used for headers, redirects) additionally treat `%` as
 * the start of an expression, so literal text doubles it.
 */

/** One config word holding `value` literally (regexes, header names, cookie values). */
export function literalWord(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/**
 * One double-quoted config word whose content haproxy reads back as `value`. Line breaks and tabs
 * are written as haproxy's `\r`, `\n`, `\t` escapes: a raw one would end the line.
 */
export function quotedWord(value: string): string {
  const escaped = value.replace(/[\\"$]/g, (c) => `\\${c}`).replaceAll('\r', '\\r').replaceAll('\n', '\\n').replaceAll('\t', '\\t');
  return `"${escaped}"`;
}

/** Literal text inside a log-format string (before it is quoted as a word). */
export function logFormatLiteral(text: string): string {
  return text.replaceAll('%', '%%');
}

/**
 * A regular expression (PCRE2) matching `text` literally. Every character that is not a letter,
 * a digit or one of a few safe marks goes through `\x{…}`, so no character of the user's value
 * can change the expression's meaning, whatever it is.
 */
export function regexLiteral(text: string): string {
  let out = '';
  for (const ch of text) {
    out += /[A-Za-z0-9_\-/ ]/.test(ch) ? ch : `\\x{${ch.codePointAt(0)!.toString(16)}}`;
  }
  return out;
}

/**
 * ELB's wildcards (`*` any run of characters, `?` exactly one) as an anchored PCRE2 expression;
 * every other character is literal. `any` is what `*` may take (`.*`, or `[^&]*` inside a query).
 */
export function wildcardRegex(pattern: string, any = '.*', one = '.'): string {
  let out = '';
  let literal = '';
  const flush = () => {
    out += regexLiteral(literal);
    literal = '';
  };
  for (const ch of pattern) {
    if (ch === '*') {
      flush();
      out += any;
    } else if (ch === '?') {
      flush();
      out += one;
    } else {
      literal += ch;
    }
  }
  flush();
  return out;
}
