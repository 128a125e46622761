/**
 * CloudWatch Logs filter patterns, parsed once and matched against many messages: term patterns
 * (terms.ts), JSON patterns (json.ts) and space-delimited patterns (space-delimited.ts). An empty
 * pattern matches every event.
 */
import { parseJsonPattern } from './json.js';
import { parseSpaceDelimited } from './space-delimited.js';
import { parseTerms } from './terms.js';

export { FilterPatternError } from './syntax-error.js';

export type FilterPattern = (message: string) => boolean;

/** Throws FilterPatternError, with the position of the problem, for a pattern that does not parse. */
export function parseFilterPattern(pattern: string): FilterPattern {
  const trimmed = pattern.trim();
  if (trimmed === '' || trimmed === '""') return () => true;
  if (trimmed.startsWith('{')) return parseJsonPattern(pattern);
  if (trimmed.startsWith('[')) return parseSpaceDelimited(pattern);
  return parseTerms(pattern);
}
