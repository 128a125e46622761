/**
 * awslogs-datetime-format → the regular expression that starts a multi-line event, with Docker's
 * awslogs driver's conversion table (strftimeToRegex). As Docker does, only the `%x` sequences are
 * converted: the other characters are taken as regular expression syntax, unescaped. Docker turns
 * a sequence missing from its table into nothing, silently; here it is refused instead. Pure.
 */

const strftimeToRegex: Readonly<Record<string, string>> = {
  '%a': '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)',
  '%A': '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)',
  '%w': '[0-6]',
  '%d': '(?:0[1-9]|[1,2][0-9]|3[0,1])',
  '%b': '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)',
  '%B': '(?:January|February|March|April|May|June|July|August|September|October|November|December)',
  '%m': '(?:0[1-9]|1[0-2])',
  '%Y': '\\d{4}',
  '%y': '\\d{2}',
  '%H': '(?:[0,1][0-9]|2[0-4])',
  '%I': '(?:0[0-9]|1[0-2])',
  '%p': '[A,P]M',
  '%M': '[0-5][0-9]',
  '%S': '[0-5][0-9]',
  '%f': '\\d{6}',
  '%z': '[+-]\\d{4}',
  '%Z': '[A-Z]{1,4}T',
  '%j': '(?:0[0-9][1-9]|[1,2][0-9][0-9]|3[0-5][0-9]|36[0-6])',
  '%L': '\\.\\d{3}',
};

/** The regular expression's source, or the first sequence Docker's table does not have. */
export function datetimeFormatPattern(format: string): string | { unknown: string; known: string } {
  let unknown: string | undefined;
  // Go's regexp `%.` : a '%' and the character after it (any but a newline).
  const source = format.replace(/%./g, (sequence) => {
    const regex = strftimeToRegex[sequence];
    if (regex === undefined) unknown ??= sequence;
    return regex ?? '';
  });
  return unknown !== undefined ? { unknown, known: Object.keys(strftimeToRegex).join(' ') } : source;
}
