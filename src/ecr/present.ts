/** Records as ECR's API shapes. */
import type { ImageDetail, ImageIdentifier, Repository } from '@aws-sdk/client-ecr';
import type { Wire } from '../core/wire.js';
import type { Registry } from '../registry/registry.js';
import type { ManifestRecord, RepositoryRecord } from '../store/registry.js';

export function presentRepository(registry: Registry, record: RepositoryRecord): Wire<Repository> {
  return {
    repositoryArn: record.arn,
    registryId: record.registryId,
    repositoryName: record.name,
    repositoryUri: registry.repositoryUri(record.name),
    createdAt: record.createdAt,
    imageTagMutability: record.imageTagMutability,
    ...(record.imageTagMutabilityExclusionFilters ? { imageTagMutabilityExclusionFilters: record.imageTagMutabilityExclusionFilters } : {}),
    imageScanningConfiguration: { scanOnPush: record.scanOnPush },
    encryptionConfiguration: record.encryptionConfiguration as Wire<Repository>['encryptionConfiguration'],
  };
}

/** An image of a repository: its manifest record and the tags pointing at it. */
export interface StoredImage {
  record: ManifestRecord;
  tags: string[];
}

export function presentImageDetail(repository: RepositoryRecord, image: StoredImage): Wire<ImageDetail> {
  const { record, tags } = image;
  return {
    registryId: repository.registryId,
    repositoryName: repository.name,
    imageDigest: record.digest,
    ...(tags.length > 0 ? { imageTags: tags } : {}),
    imageSizeInBytes: record.imageSize,
    imagePushedAt: record.pushedAt,
    imageManifestMediaType: record.mediaType,
    ...(record.artifactType ? { artifactMediaType: record.artifactType } : {}),
    ...(record.lastPulledAt !== undefined ? { lastRecordedPullTime: record.lastPulledAt } : {}),
    ...(record.subject ? { subjectManifestDigest: record.subject } : {}),
    imageStatus: 'ACTIVE',
  };
}

export function imageIdOf(digest: string, tag: string | undefined): Wire<ImageIdentifier> {
  return { imageDigest: digest, ...(tag !== undefined ? { imageTag: tag } : {}) };
}
