/** Whether a tag may be moved to another image, per the repository's imageTagMutability setting. */
import { matchesWildcard } from '../core/wildcard.js';
import type { RepositoryRecord } from '../store/registry.js';


export function isTagImmutable(repository: Pick<RepositoryRecord, 'imageTagMutability' | 'imageTagMutabilityExclusionFilters'>, tag: string): boolean {
  const excluded = () => (repository.imageTagMutabilityExclusionFilters ?? []).some((filter) => matchesWildcard(filter.filter, tag));
  switch (repository.imageTagMutability) {
    case 'MUTABLE':
      return false;
    case 'IMMUTABLE':
      return true;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !excluded();
    case 'MUTABLE_WITH_EXCLUSION':
      return excluded();
  }
}

/** ECR's words when a push would move an immutable tag. */
export function immutableTagMessage(repository: Pick<RepositoryRecord, 'name'>, tag: string): string {
  return `The image tag '${tag}' already exists in the '${repository.name}' repository and cannot be overwritten because the tag is immutable.`;
}
