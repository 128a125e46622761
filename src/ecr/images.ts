/** The images of a repository as ECR lists them: every manifest, with its tags, oldest push first. */
import type { RepositoryRecord } from '../store/registry.js';
import type { RegistryTables } from '../store/types.js';
import { checkEnum } from './validate.js';
import type { StoredImage } from './present.js';
import type { SortKey } from './pagination.js';

export type TagStatus = 'TAGGED' | 'UNTAGGED' | 'ANY';
const tagStatuses: readonly TagStatus[] = ['TAGGED', 'UNTAGGED', 'ANY'];
const imageStatuses = ['ACTIVE', 'ARCHIVED', 'ACTIVATING', 'ANY'] as const;

export async function repositoryImages(tx: RegistryTables, repository: RepositoryRecord): Promise<StoredImage[]> {
  const [records, tags] = await Promise.all([tx.registry.listManifests(repository.arn), tx.registry.tagsByDigest(repository.arn)]);
  return records
    .map((record) => ({ record, tags: tags.get(record.digest) ?? [] }))
    .sort((a, b) => a.record.pushedAt - b.record.pushedAt || (a.record.digest < b.record.digest ? -1 : 1));
}

export const imageKey = (image: StoredImage): SortKey => [image.record.pushedAt, image.record.digest];

/**
 * The filter of DescribeImages and ListImages as a predicate. Every Berth image is ACTIVE: Berth
 * has no archive storage class, so ARCHIVED and ACTIVATING match nothing.
 */
export function imageFilter(filter: { tagStatus?: string | undefined; imageStatus?: string | undefined } | undefined): (image: StoredImage) => boolean {
  const tagStatus = checkEnum(filter?.tagStatus, 'filter.tagStatus', tagStatuses) ?? 'ANY';
  const imageStatus = checkEnum(filter?.imageStatus, 'filter.imageStatus', imageStatuses) ?? 'ACTIVE';
  const statusMatches = imageStatus === 'ACTIVE' || imageStatus === 'ANY';
  return (image) => statusMatches && (tagStatus === 'ANY' || (tagStatus === 'TAGGED') === image.tags.length > 0);
}
