/**
 * Regular expressions a caller writes (the cluster query language's `=~` and `!~`), evaluated in
 * time linear in the value's length, whatever the pattern.
 *
 * JavaScript's RegExp backtracks: `(a+)+` against 31 `a`s and a `!` takes seconds, and every extra
 * character doubles it, while the whole server waits. These patterns run on RE2's automata instead
 * (the `re2js` port of RE2/J), which never backtrack: matching costs at most the pattern's compiled
 * size times the value's length.
 *
 * RE2's syntax is Java's and Perl's, less what only a backtracking engine can do. Those constructs
 * are refused with a message naming them, rather than compiled to something that means another
 * thing: backreferences, lookahead and lookbehind, atomic groups, possessive quantifiers, and
 * Java's nested classes and class intersection `[a-z&&[^x]]` (which RE2 would read as a class
 * containing `&` and `[`).
 */
import { RE2JS, RE2JSException } from 're2js';

/** Longest pattern accepted: far more than any useful pattern over ECS's 128-character attribute values. */
export const MAX_PATTERN_LENGTH = 512;
/**
 * Most instructions a compiled pattern may have. Counted repetition is what makes a short pattern
 * big (`a{1000}` is 1000 instructions); matching costs up to this many steps per character.
 */
export const MAX_PATTERN_PROGRAM = 10_000;
/**
 * Distinct patterns kept compiled; the least recently used goes first. A compiled pattern grows a
 * lazily built automaton as it meets new values, up to a few MiB for a pattern made to need many
 * states, so this bounds memory too: only this cache holds compiled patterns.
 */
export const PATTERN_CACHE_SIZE = 64;

/** A pattern that was refused; `problem` says why, fit for an InvalidParameterException message. */
export class PatternError extends Error {
  override readonly name = 'PatternError';
  constructor(readonly problem: string) {
    super(problem);
  }
}

export interface LinearPattern {
  readonly source: string;
  /** Whether the WHOLE value matches, as Java's `Pattern.matches` (ECS's semantics) decides. */
  matches(value: string): boolean;
  /** Whether some part of the value matches, as a search (CloudWatch Logs' `%regex%` terms) decides. */
  found(value: string): boolean;
  /** The groups of the first match found, by number (0: the whole match); undefined when none is. */
  firstMatch(value: string): (string | undefined)[] | undefined;
  /** The numbers of the named groups, `(?<name>…)` or `(?P<name>…)`. */
  readonly namedGroups: Readonly<Record<string, number>>;
}

/** Flags as JavaScript writes them after a `/regex/`: i (case-insensitive), s (`.` takes line breaks), m (`^`/`$` at lines). */
const flagBits: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, s: RE2JS.DOTALL, m: RE2JS.MULTILINE };

const cache = new Map<string, RE2JS>();

/**
 * Checks and compiles a caller's pattern. Throws PatternError. The pattern returned holds its
 * source only: each evaluation takes the compiled form from the cache, compiling it again if it
 * was dropped, so a parsed expression kept anywhere never pins a compiled pattern in memory.
 */
export function compilePattern(source: string, flags = ''): LinearPattern {
  const namedGroups = { ...compiled(source, flags).namedGroups() } as Record<string, number>;
  return {
    source,
    namedGroups,
    matches: (value) => compiled(source, flags).matches(value),
    found: (value) => compiled(source, flags).test(value),
    firstMatch: (value) => {
      const matcher = compiled(source, flags).matcher(value);
      if (!matcher.find()) return undefined;
      return Array.from({ length: matcher.groupCount() + 1 }, (_, group) => matcher.group(group) ?? undefined);
    },
  };
}

/** The sources of the patterns compiled now, least recently used first. */
export function cachedPatterns(): string[] {
  return [...cache.keys()];
}

function compiled(source: string, flags = ''): RE2JS {
  const key = flags === '' ? source : `(?${flags})${source}`;
  const hit = cache.get(key);
  if (hit) {
    // Map keeps insertion order: moving a hit to the end makes the first key the least recently used.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const re = compileUncached(source, flags);
  cache.set(key, re);
  if (cache.size > PATTERN_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return re;
}

function compileUncached(source: string, flags: string): RE2JS {
  let bits = 0;
  for (const flag of flags) {
    const bit = flagBits[flag];
    if (bit === undefined) throw new PatternError(`the flag ${flag} is not supported; i, s and m are`);
    bits |= bit;
  }
  if (source.length > MAX_PATTERN_LENGTH) {
    throw new PatternError(`the pattern is ${source.length} characters long; at most ${MAX_PATTERN_LENGTH} are allowed`);
  }
  const unsupported = backtrackingOnly(source);
  if (unsupported) {
    throw new PatternError(
      `${unsupported} is not supported: patterns are evaluated with RE2 syntax, which runs in linear time and has no backreferences, lookaround, atomic groups or possessive quantifiers`,
    );
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, bits);
  } catch (error) {
    if (error instanceof RE2JSException) throw new PatternError(error.message.replace(/^error parsing regexp: /, ''));
    throw error;
  }
  const size = re.programSize();
  if (size > MAX_PATTERN_PROGRAM) {
    throw new PatternError(
      `the pattern is too complex: it compiles to ${size} instructions, more than ${MAX_PATTERN_PROGRAM}; use smaller counts in repetitions like {n}`,
    );
  }
  return re;
}

/**
 * Names the first construct in `source` that only a backtracking engine has, or undefined.
 * Reads escapes and character classes as the regex parser does, so `\(?=` and `[(?=]` are not
 * taken for a lookahead.
 */
export function backtrackingOnly(source: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    const next = source[i + 1];
    if (ch === '\\') {
      if (next === 'Q') {
        // \Q…\E quotes everything up to \E (or the end).
        const end = source.indexOf('\\E', i + 2);
        i = end < 0 ? source.length : end + 1;
        continue;
      }
      if (!inClass && next !== undefined && /[1-9]/.test(next)) return `the backreference \\${next}`;
      if (!inClass && next === 'k' && source[i + 2] === '<') return 'the named backreference \\k<…>';
      i++;
      continue;
    }
    if (inClass) {
      if (ch === '&' && next === '&') return "the character-class intersection '&&'";
      if (ch === '[' && source[i + 1] === ':') {
        // A POSIX class such as [:alpha:] inside a class.
        const end = source.indexOf(':]', i + 2);
        if (end >= 0) {
          i = end + 1;
          continue;
        }
      }
      // Java reads `[a[b]]` as a union of classes; RE2 as a class holding `[` followed by a literal `]`.
      if (ch === '[') return "a '[' inside a character class (write \\[ for the bracket itself)";
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      // A `]` (after an optional `^`) first in a class is a literal `]`.
      if (source[i + 1] === '^') i++;
      if (source[i + 1] === ']') i++;
      continue;
    }
    if (ch === '(' && next === '?') {
      const kind = source.slice(i + 2, i + 4);
      if (kind.startsWith('=') || kind.startsWith('!')) return `the lookahead (?${kind[0]}`;
      if (kind === '<=' || kind === '<!') return `the lookbehind (?${kind}`;
      if (kind.startsWith('>')) return 'the atomic group (?>';
      i++; // the `?` of `(?` is no quantifier
      continue;
    }
    if (next !== '+') continue;
    if (ch === '*' || ch === '+' || ch === '?') return `the possessive quantifier ${ch}+`;
    // `}` ends a counted repetition only after `{n}`, `{n,}` or `{n,m}`; elsewhere it is a literal.
    const counted = /\{\d+(?:,\d*)?\}$/.exec(source.slice(Math.max(0, i - 24), i + 1));
    if (ch === '}' && counted) return `the possessive quantifier ${counted[0]}+`;
  }
  return undefined;
}
