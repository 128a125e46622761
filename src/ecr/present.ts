/** Records as ECR's API shapes. */
import type { Repository } from '@aws-sdk/client-ecr';
import type { Wire } from '../core/wire.js';
import type { Registry } from '../registry/registry.js';
import type { RepositoryRecord } from '../store/registry.js';

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
