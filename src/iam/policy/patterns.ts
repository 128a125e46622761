/**
 * IAM wildcard patterns compiled once: `*` any run of characters, `?` exactly one. Actions are
 * compared without regard to case, resources and ARN condition values exactly. Most patterns are
 * a literal, `*` or `prefix*`; those compile to one string comparison. The rest are split at their
 * stars into pieces that each match a fixed length (`?` takes one character): the first piece is
 * anchored at the start, the last at the end, and each middle piece is found at its leftmost
 * place after the previous one. Leftmost is always safe: a later piece can only gain from an
 * earlier one ending sooner. So matching is linear in practice and never backtracks (a caller's
 * pattern must not be able to make evaluation slow), and allocates nothing.
 *
 * `?` counts UTF-16 code units here; text outside the Basic Multilingual Plane falls back to the
 * code-point matcher in core/wildcard.ts.
 *
 * ARNs are matched segment by segment (partition, service, region, account, resource), so a `*`
 * in the region cannot swallow the account: `arn:aws:ecs:*:111122223333:*` does not match a
 * resource of account 444455556666. A pattern with fewer segments (`arn:aws:ecs:*`) is matched
 * as a whole, its last `*` spanning the segments it leaves out.
 */
import { matchesWildcard } from '../../core/wildcard.js';

export type Matcher = (text: string) => boolean;

const always: Matcher = () => true;
const question = 63; // '?'

/** Whether `piece` (with `?` for any one character) matches `text` at `at`. */
function pieceAt(piece: string, text: string, at: number): boolean {
  if (at + piece.length > text.length) return false;
  for (let i = 0; i < piece.length; i++) {
    const c = piece.charCodeAt(i);
    if (c !== question && c !== text.charCodeAt(at + i)) return false;
  }
  return true;
}

function pieceFrom(piece: string, text: string, from: number, hasQuestion: boolean): number {
  if (!hasQuestion) return text.indexOf(piece, from);
  for (let at = from; at + piece.length <= text.length; at++) if (pieceAt(piece, text, at)) return at;
  return -1;
}

const surrogates = /[\uD800-\uDFFF]/;

function compilePieces(pattern: string): Matcher {
  const pieces = pattern.split('*');
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  const middle = pieces.slice(1, -1).filter((piece) => piece.length > 0);
  const hasQuestion = pattern.includes('?');
  const minimum = pieces.reduce((sum, piece) => sum + piece.length, 0);
  const singlePiece = pieces.length === 1;
  return (text) => {
    if (hasQuestion && surrogates.test(text)) return matchesWildcard(pattern, text, { questionMark: true });
    if (singlePiece) return text.length === first.length && pieceAt(first, text, 0);
    if (text.length < minimum || !pieceAt(first, text, 0)) return false;
    const end = text.length - last.length;
    if (!pieceAt(last, text, end)) return false;
    let at = first.length;
    for (const piece of middle) {
      const found = pieceFrom(piece, text, at, hasQuestion);
      if (found === -1 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return at <= end;
  };
}

/** A matcher for one pattern; with `ignoreCase` the text must already be lower-cased by the caller. */
export function compileWildcard(pattern: string, ignoreCase: boolean): Matcher {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  if (p === '*') return always;
  const star = p.indexOf('*');
  const hasQuestion = p.includes('?');
  if (star === -1 && !hasQuestion) return (text) => text === p;
  if (!hasQuestion && star === p.length - 1 && p.indexOf('*') === star) {
    const prefix = p.slice(0, -1);
    return (text) => text.startsWith(prefix);
  }
  return compilePieces(p);
}

/** Any of the patterns (OR). */
export function compileAny(patterns: string[], ignoreCase: boolean): Matcher {
  const matchers = patterns.map((pattern) => compileWildcard(pattern, ignoreCase));
  if (matchers.some((m) => m === always)) return always;
  if (matchers.length === 1) return matchers[0]!;
  return (text) => {
    for (const match of matchers) if (match(text)) return true;
    return false;
  };
}

/** The five colon-separated ARN parts after `arn:`, the resource keeping its own colons. */
export function arnSegments(arn: string): string[] | undefined {
  if (!arn.startsWith('arn:')) return undefined;
  const parts: string[] = [];
  let from = 4;
  for (let i = 0; i < 4; i++) {
    const colon = arn.indexOf(':', from);
    if (colon === -1) return undefined;
    parts.push(arn.slice(from, colon));
    from = colon + 1;
  }
  parts.push(arn.slice(from));
  return parts;
}

/** A resource named by a request: its text and, when it is an ARN, its segments (split once per request). */
export interface ResourceName {
  text: string;
  segments: string[] | undefined;
}

export const resourceName = (text: string): ResourceName => ({ text, segments: arnSegments(text) });

export type ResourceMatcher = (resource: ResourceName) => boolean;

/**
 * A matcher for an ARN pattern, segment by segment, case-sensitive. A pattern that is not an ARN
 * (`*`, or text with fewer segments) is matched against the whole text.
 */
export function compileArnPattern(pattern: string): ResourceMatcher {
  const segments = arnSegments(pattern);
  if (!segments) {
    const whole = compileWildcard(pattern, false);
    return (resource) => whole(resource.text);
  }
  if (!pattern.includes('*') && !pattern.includes('?')) return (resource) => resource.text === pattern;
  const matchers = segments.map((segment) => compileWildcard(segment, false));
  return (resource) => {
    const parts = resource.segments;
    if (!parts) return false;
    for (let i = 0; i < 5; i++) if (!matchers[i]!(parts[i]!)) return false;
    return true;
  };
}
