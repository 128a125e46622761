/**
 * The ECR actions a /v2/ request needs, as ECR checks them for docker, skopeo and containerd: a
 * pull reads manifests (ecr:BatchGetImage) and layers (ecr:GetDownloadUrlForLayer); a push first
 * asks whether layers exist (ecr:BatchCheckLayerAvailability), uploads them
 * (ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload) and puts the manifest
 * (ecr:PutImage); tag lists and referrers are ecr:ListImages, the catalog is
 * ecr:DescribeRepositories, deletions ecr:BatchDeleteImage. All on the repository's ARN (the
 * catalog on every repository of the registry); `/v2/` itself needs a valid token only.
 */
import { assertNever } from '../../core/assert-never.js';
import type { RegistryRoute } from './paths.js';

export function registryActionOf(route: RegistryRoute, method: string): string | undefined {
  switch (route.kind) {
    case 'base':
      return undefined;
    case 'catalog':
      return 'ecr:DescribeRepositories';
    case 'tags':
    case 'referrers':
      return 'ecr:ListImages';
    case 'manifest':
      return method === 'PUT' ? 'ecr:PutImage' : method === 'DELETE' ? 'ecr:BatchDeleteImage' : 'ecr:BatchGetImage';
    case 'blob':
      return method === 'HEAD' ? 'ecr:BatchCheckLayerAvailability' : method === 'DELETE' ? 'ecr:BatchDeleteImage' : 'ecr:GetDownloadUrlForLayer';
    case 'uploads':
      return 'ecr:InitiateLayerUpload';
    case 'upload':
      return method === 'PUT' ? 'ecr:CompleteLayerUpload' : 'ecr:UploadLayerPart';
    default:
      return assertNever(route);
  }
}
