/**
 * IAM wildcard patterns compiled once: `*` any run of characters, `?` exactly one. Actions are
 * compared without regard to case, resources and ARN condition values exactly. Most patterns are
 * a literal, `*` or `prefix*`; those compile to one string comparison. The rest go through the
 * linear two-pointer match in core/wildcard.ts (never a RegExp: a caller's pattern must not be
 * able to make evaluation backtrack).
 *
 * ARNs are matched segment by segment (partition, service, region, account, resource), so a `*`
 * in the region cannot swallow the account: `arn:aws:ecs:*:111122223333:*` does not match a
 * resource of account 444455556666.
 */
import { matchesWildcard } from '../../core/wildcard.js';

export type Matcher = (text: string) => boolean;

const always: Matcher = () => true;

/** A matcher for one pattern; with `ignoreCase` the text must already be lower-cased by the caller. */
export function compileWildcard(pattern: string, ignoreCase: boolean): Matcher {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  if (p === '*') return always;
  const star = p.indexOf('*');
  const hasQuestion = p.includes('?');
  if (star === -1 && !hasQuestion) return (text) => text === p;
  if (!hasQuestion && star === p.length - 1) {
    const prefix = p.slice(0, -1);
    return (text) => text.startsWith(prefix);
  }
  return (text) => matchesWildcard(p, text, { questionMark: true });
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

/**
 * A matcher for an ARN pattern, segment by segment, case-sensitive. A pattern that is not an ARN
 * (`*`, or text with fewer segments) is matched against the whole text.
 */
export function compileArnPattern(pattern: string): Matcher {
  const segments = arnSegments(pattern);
  if (!segments) return compileWildcard(pattern, false);
  if (!pattern.includes('*') && !pattern.includes('?')) return (text) => text === pattern;
  const matchers = segments.map((segment) => compileWildcard(segment, false));
  return (text) => {
    const parts = arnSegments(text);
    if (!parts) return false;
    for (let i = 0; i < 5; i++) if (!matchers[i]!(parts[i]!)) return false;
    return true;
  };
}
