/**
 * ImageIdentifier members (imageDigest, imageTag or both) resolved to an image of a repository, or
 * to the failure ECR reports for them in its batch operations.
 */
import type { ImageFailure, ImageIdentifier } from '@aws-sdk/client-ecr';
import type { Wire } from '../core/wire.js';
import { isValidTag } from '../registry/names.js';
import type { RepositoryRecord } from '../store/registry.js';
import type { RegistryTables } from '../store/types.js';
import { isDigest } from './validate.js';

export type ImageId = Wire<ImageIdentifier>;

export type FailureCode =
  | 'MissingDigestAndTag'
  | 'InvalidImageDigest'
  | 'InvalidImageTag'
  | 'ImageNotFound'
  | 'ImageTagDoesNotMatchDigest'
  | 'ImageReferencedByManifestList'
  // Not in the SDK's ImageFailureCode enum, but what BatchGetImage reports for a manifest of a type the caller does not accept.
  | 'UnsupportedImageType';

export interface ImageIdFailure {
  failureCode: FailureCode;
  failureReason: string;
}

export type Resolved = { digest: string } | ImageIdFailure;

export const failure = (failureCode: FailureCode, failureReason: string): ImageIdFailure => ({ failureCode, failureReason });

export const notFound = () => failure('ImageNotFound', 'Requested image not found');

/** Problems with the identifier itself, before looking anything up. */
export function imageIdProblem(id: ImageId): ImageIdFailure | undefined {
  if (id.imageDigest === undefined && id.imageTag === undefined) {
    return failure('MissingDigestAndTag', 'Invalid request parameters: both tag and digest cannot be null; give imageDigest, imageTag or both');
  }
  if (id.imageDigest !== undefined && !isDigest(id.imageDigest)) {
    return failure('InvalidImageDigest', `Invalid request parameters: image digest '${id.imageDigest}' is not a sha256 or sha512 digest ('sha256:' and 64 hex digits)`);
  }
  if (id.imageTag !== undefined && !isValidTag(id.imageTag)) {
    return failure(
      'InvalidImageTag',
      `Invalid request parameters: image tag '${id.imageTag}' must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'`,
    );
  }
  return undefined;
}

export async function resolveImageId(tx: RegistryTables, repository: RepositoryRecord, id: ImageId): Promise<Resolved> {
  const problem = imageIdProblem(id);
  if (problem) return problem;
  const tagged = id.imageTag === undefined ? undefined : await tx.registry.getTag(repository.arn, id.imageTag);
  if (id.imageTag !== undefined && tagged === undefined) return notFound();
  if (id.imageDigest === undefined) return { digest: tagged as string };
  if (!(await tx.registry.getManifestRecord(repository.arn, id.imageDigest))) return notFound();
  if (tagged !== undefined && tagged !== id.imageDigest) {
    return failure('ImageTagDoesNotMatchDigest', `Invalid request parameters: the tag '${id.imageTag}' points at ${tagged}, not at the given digest`);
  }
  return { digest: id.imageDigest };
}

export function isFailure(resolved: Resolved): resolved is ImageIdFailure {
  return 'failureCode' in resolved;
}

/** A failure as the batch operations list it, naming the identifier as the caller gave it. */
export function presentFailure(id: ImageId, failed: ImageIdFailure): Wire<ImageFailure> {
  const imageId = { ...(id.imageDigest !== undefined ? { imageDigest: id.imageDigest } : {}), ...(id.imageTag !== undefined ? { imageTag: id.imageTag } : {}) };
  return { imageId, failureCode: failed.failureCode as ImageFailure['failureCode'], failureReason: failed.failureReason };
}
