/**
 * The characters CloudWatch Logs lets a filter pattern hold outside double quotes, and its refusal
 * of any other: `InvalidParameterException` `Invalid character(s) in term ':'`, naming the first
 * character it does not allow.
 *
 * Unquoted terms: letters, digits and `_` ("terms that include characters other than alphanumeric
 * or underscore must be placed inside double quotes", the filter pattern syntax documentation).
 * AWS answers the message above for `:`, `,`, `(`, `[`, `*`, `\`, `@` and a backtick in reports of
 * real calls; the quoted text there is the character, not the whole term.
 *
 * `%regex%` terms ("Supported regular expressions (regex) syntax"): letters and digits, the
 * symbols `:` `_` `#` `=` `@` `/` `;` `,` `-`, the operators `^` `$` `?` `[` `]` `{` `}` `|` `\`
 * `*` `+` `.`; not `(` and `)` (no subpatterns; `\x28` and `\x29` match the parentheses
 * themselves), and no multi-byte characters. A parenthesis there gets the same `Invalid
 * character(s) in term` answer. The list leaves out the space, yet AWS accepts it: a metric filter
 * `%Task timed out after|^REPORT\s.+\sStatus: timeout%` ran for months (aws/aws-cdk#36901).
 */
import { FilterPatternError } from './syntax-error.js';

const termCharacter = /^[A-Za-z0-9_]$/;
const regexCharacter = /^[A-Za-z0-9 :_#=@/;,\-^$?[\]{}|\\*+.]$/;

export const invalidCharacterMessage = (character: string) => `Invalid character(s) in term '${character}'`;

/** The first character of `text` that `allowed` refuses, and its offset in `text`. */
function firstRefused(text: string, allowed: RegExp): { character: string; offset: number } | undefined {
  let offset = 0;
  for (const character of text) {
    if (!allowed.test(character)) return { character, offset };
    offset += character.length;
  }
  return undefined;
}

/** `term` is an unquoted term that starts at `position` of the pattern. */
export function checkTermCharacters(term: string, position: number): void {
  const refused = firstRefused(term, termCharacter);
  if (!refused) return;
  throw new FilterPatternError(
    position + refused.offset,
    `the unquoted term '${term}' holds '${refused.character}', and a term outside double quotes may hold only letters, digits and '_'; put the term in double quotes to match it as written`,
    invalidCharacterMessage(refused.character),
  );
}

/** `source` is the text between the `%` signs; the opening `%` is at `position` of the pattern. */
export function checkRegexCharacters(source: string, position: number): void {
  const refused = firstRefused(source, regexCharacter);
  if (!refused) return;
  const why =
    refused.character === '(' || refused.character === ')'
      ? 'CloudWatch Logs regular expressions have no ( ) subpatterns; write \\x28 and \\x29 to match a parenthesis'
      : refused.character.length > 1 || refused.character.charCodeAt(0) > 0x7f
        ? 'CloudWatch Logs regular expressions may not hold multi-byte characters'
        : 'CloudWatch Logs regular expressions may hold only letters, digits, spaces, the symbols : _ # = @ / ; , - and the operators ^ $ ? [ ] { } | \\ * + .';
  throw new FilterPatternError(position + 1 + refused.offset, `the regular expression %${source}% holds '${refused.character}': ${why}`, invalidCharacterMessage(refused.character));
}
