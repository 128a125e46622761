/**
 * ECR's permissions (Service Authorization Reference, "Amazon Elastic Container Registry"): every
 * repository operation on the repository's ARN, in the registry `registryId` names (the caller's
 * account by default); GetAuthorizationToken and DescribeRegistry on `*`. The registry's /v2/
 * routes check the same actions (src/registry/http/actions.ts). A repository's tags come with
 * calls on it as aws:ResourceTag/ecr:ResourceTag keys.
 */
import { Arn } from '../../core/arn.js';
import type { Scope } from '../../core/principal.js';
import { on, onAny, requestTagKeys, resourceTagKeys, tagKeysOf, text, texts, type PermissionOf, type PermissionTable } from './types.js';

export function repositoryArn(region: string, accountId: string, name: string): string {
  return new Arn('ecr', region, accountId, `repository/${name}`).toString();
}

const registryOf = (input: Record<string, unknown>, scope: Scope) => text(input.registryId) ?? scope.accountId;

/** A permission on the repository, with its tags as aws:ResourceTag/ecr:ResourceTag keys. */
const onRepository: PermissionOf = (input, scope) => {
  const arn = repositoryArn(scope.region, registryOf(input, scope), text(input.repositoryName) ?? '');
  return {
    ...on([arn]),
    resolve: async (tx) => {
      const repository = await tx.registry.getRepository(arn);
      return repository ? { keys: resourceTagKeys('ecr', repository.tags, 'Key', 'Value') } : {};
    },
  };
};

export const ecrPermissions: PermissionTable = {
  CreateRepository: (input, scope) => on([repositoryArn(scope.region, registryOf(input, scope), text(input.repositoryName) ?? '')], requestTagKeys(input.tags, 'Key', 'Value')),
  DescribeRepositories: (input, scope) => {
    const names = texts(input.repositoryNames);
    return on((names.length > 0 ? names : ['*']).map((name) => repositoryArn(scope.region, registryOf(input, scope), name)));
  },
  DeleteRepository: onRepository,
  PutImageTagMutability: onRepository,
  PutImageScanningConfiguration: onRepository,
  SetRepositoryPolicy: onRepository,
  GetRepositoryPolicy: onRepository,
  DeleteRepositoryPolicy: onRepository,
  TagResource: (input) => on([text(input.resourceArn)], requestTagKeys(input.tags, 'Key', 'Value')),
  UntagResource: (input) => on([text(input.resourceArn)], tagKeysOf(input.tagKeys)),
  ListTagsForResource: (input) => on([text(input.resourceArn)]),
  DescribeRegistry: onAny,
  GetAuthorizationToken: onAny,
  DescribeImages: onRepository,
  ListImages: onRepository,
  BatchGetImage: onRepository,
  BatchDeleteImage: onRepository,
  PutImage: onRepository,
  BatchCheckLayerAvailability: onRepository,
  GetDownloadUrlForLayer: onRepository,
  InitiateLayerUpload: onRepository,
  UploadLayerPart: onRepository,
  CompleteLayerUpload: onRepository,
  PutLifecyclePolicy: onRepository,
  GetLifecyclePolicy: onRepository,
  DeleteLifecyclePolicy: onRepository,
  StartLifecyclePolicyPreview: onRepository,
  GetLifecyclePolicyPreview: onRepository,
};
