/**
 * `%regex%` terms: checked against the characters CloudWatch Logs allows in them (characters.ts),
 * then run on RE2's automata (src/core/linear-regex.ts), so a pattern over a million events costs
 * time linear in each message whatever the expression. A term matches when the expression is found
 * anywhere in the text, as CloudWatch Logs' `%AUTHORIZED%` matches `UNAUTHORIZED REQUEST`.
 */
import { compilePattern, PatternError } from '../../core/linear-regex.js';
import { checkRegexCharacters } from './characters.js';
import { FilterPatternError } from './syntax-error.js';

export interface RegexTerm {
  readonly source: string;
  test(text: string): boolean;
}

/**
 * "There is a limit of 2 regex for each filter pattern when creating a delimited or JSON filter
 * pattern for metric filters and subscription filters or when filtering log events or Live Tail"
 * (the filter pattern syntax documentation): FilterLogEvents is filtering log events, so the limit
 * holds for every pattern form there.
 */
export const maxRegexes = 2;
export const tooManyRegexesMessage = `There is a limit of ${maxRegexes} regex for each filter pattern.`;

/** `source` is the text between the `%` signs; the opening `%` is at `position` of the pattern. */
export function compileRegexTerm(source: string, position: number): RegexTerm {
  checkRegexCharacters(source, position);
  try {
    const pattern = compilePattern(source);
    return { source, test: (text) => pattern.found(text) };
  } catch (error) {
    if (!(error instanceof PatternError)) throw error;
    throw new FilterPatternError(position, `the regular expression %${source}% does not compile: ${error.problem}`);
  }
}
