/**
 * Which images a lifecycle rule picks by their tags. `untagged` picks images without tags, `any` picks
 * every image, and `tagged` picks a tagged image when every listed prefix (or pattern) matches at
 * least one of its tags; the image's other tags play no part.
 */
import { matchesWildcard } from '../../core/wildcard.js';
import type { LifecycleRule } from './types.js';

/** ECR allows at most this many `*` in one tagPatternList entry. */
export const maxWildcardsPerPattern = 4;

export function wildcardsIn(pattern: string): number {
  return pattern.split('*').length - 1;
}

export function selectsTags(selection: LifecycleRule['selection'], tags: readonly string[]): boolean {
  switch (selection.tagStatus) {
    case 'any':
      return true;
    case 'untagged':
      return tags.length === 0;
    case 'tagged': {
      if (tags.length === 0) return false;
      if (selection.tagPatternList !== undefined) {
        return selection.tagPatternList.every((pattern) => tags.some((tag) => matchesWildcard(pattern, tag)));
      }
      return (selection.tagPrefixList ?? []).every((prefix) => tags.some((tag) => tag.startsWith(prefix)));
    }
  }
}
