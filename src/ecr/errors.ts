/** ECR's errors, worded as ECR words them, as the SDK's own exception classes. */
import {
  EmptyUploadException,
  ImageAlreadyExistsException,
  ImageDigestDoesNotMatchException,
  ImageNotFoundException,
  ImageTagAlreadyExistsException,
  InvalidLayerException,
  InvalidLayerPartException,
  InvalidParameterException,
  InvalidTagParameterException,
  LayerAlreadyExistsException,
  LayerInaccessibleException,
  LayersNotFoundException,
  LimitExceededException,
  RepositoryAlreadyExistsException,
  RepositoryNotEmptyException,
  RepositoryNotFoundException,
  RepositoryPolicyNotFoundException,
  TooManyTagsException,
  UploadNotFoundException,
} from '@aws-sdk/client-ecr';
import { modelled, withHelp } from '../core/errors.js';
import type { RegistryScope } from '../registry/repositories.js';

export const invalidParameter = (message: string) => modelled(InvalidParameterException, message);

/** ECR's wording when a member fails a constraint: names the member, then says what it must be. */
export const constraintFailed = (field: string, constraint: string) =>
  invalidParameter(`Invalid parameter at '${field}' failed to satisfy constraint: '${constraint}'`);

export const requiredMember = (field: string) => constraintFailed(field, 'Member must not be null');

/** ECR's message names the repository already; Berth's help says how to make it. */
export const repositoryNotFound = (name: string, registryId: string) =>
  withHelp(modelled(RepositoryNotFoundException, `The repository with name '${name}' does not exist in the registry with id '${registryId}'`), {
    resource: name,
    hint: `Create it: aws ecr create-repository --repository-name ${name}. Repositories are per account and Region; list this Region's: aws ecr describe-repositories`,
  });

export const repositoryExists = (name: string, scope: RegistryScope) =>
  modelled(RepositoryAlreadyExistsException, `The repository with name '${name}' already exists in the registry with id '${scope.accountId}'`);

export const repositoryNotEmpty = (name: string, scope: RegistryScope) =>
  withHelp(
    modelled(
      RepositoryNotEmptyException,
      `The repository with name '${name}' in registry with id '${scope.accountId}' cannot be deleted because it still contains images`,
    ),
    { resource: name, hint: `Delete its images first (aws ecr batch-delete-image), or pass --force to delete them with it.` },
  );

export const repositoryPolicyNotFound = (name: string, scope: RegistryScope) =>
  modelled(
    RepositoryPolicyNotFoundException,
    `Repository policy does not exist for the repository with name '${name}' in the registry with id '${scope.accountId}'`,
  );

/** An image id as ECR's messages show it: `{imageDigest:'…', imageTag:'…'}`, with null for what was not given. */
export function imageIdText(imageId: { imageDigest?: string; imageTag?: string }): string {
  return `{imageDigest:'${imageId.imageDigest ?? 'null'}', imageTag:'${imageId.imageTag ?? 'null'}'}`;
}

export const imageNotFound = (imageId: { imageDigest?: string; imageTag?: string }, name: string, scope: RegistryScope) =>
  modelled(
    ImageNotFoundException,
    `The image with imageId ${imageIdText(imageId)} does not exist within the repository with name '${name}' in the registry with id '${scope.accountId}'`,
  );

export const imageAlreadyExists = (digest: string, tag: string | undefined, name: string, scope: RegistryScope) =>
  modelled(
    ImageAlreadyExistsException,
    `Image with digest '${digest}' and tag '${tag ?? 'null'}' already exists in the repository with name '${name}' ` +
      `in registry with id '${scope.accountId}'`,
  );

export const imageTagAlreadyExists = (message: string) => modelled(ImageTagAlreadyExistsException, message);

export const imageDigestDoesNotMatch = (given: string, actual: string) =>
  modelled(
    ImageDigestDoesNotMatchException,
    `Provided image digest '${given}' does not match the digest '${actual}' calculated for the image manifest; pass the sha256 digest of the manifest's exact bytes, or leave imageDigest out`,
  );

export const layersNotFound = (message: string) => modelled(LayersNotFoundException, message);

export const layerInaccessible = (digest: string, name: string) =>
  modelled(
    LayerInaccessibleException,
    `The layer '${digest}' in the repository with name '${name}' is not referenced by any image; push an image that references it (PutImage) before downloading it`,
  );

export const layerAlreadyExists = (digest: string, name: string, scope: RegistryScope) =>
  modelled(
    LayerAlreadyExistsException,
    `Layer with digest '${digest}' already exists in the repository with name '${name}' in registry with id '${scope.accountId}'`,
  );

export const invalidLayer = (message: string) => modelled(InvalidLayerException, message);

export const emptyUpload = (uploadId: string) =>
  modelled(EmptyUploadException, `The layer upload with id '${uploadId}' has no layer parts; upload at least one part (UploadLayerPart) before completing it`);

export const uploadNotFound = (uploadId: string, name: string, scope: RegistryScope) =>
  modelled(
    UploadNotFoundException,
    `The upload with id '${uploadId}' does not exist in the repository with name '${name}' in the registry with id '${scope.accountId}'; start one with InitiateLayerUpload`,
  );

export interface LayerPartPosition {
  registryId: string;
  repositoryName: string;
  uploadId: string;
  lastValidByteReceived: number;
}

export const invalidLayerPart = (message: string, position: LayerPartPosition) => modelled(InvalidLayerPartException, message, { ...position });

export const invalidTagParameter = (message: string) => modelled(InvalidTagParameterException, message);

export const tooManyTags = (name: string, count: number) =>
  modelled(
    TooManyTagsException,
    `The repository with name '${name}' would have ${count} tags; the maximum number of tags that can be applied to a repository is 50. Remove some with UntagResource first`,
  );

/** ECR's description of the exception; what limit was reached, and by how much, goes in the help. */
export const limitExceeded = (hint: string, field?: string) =>
  withHelp(modelled(LimitExceededException, 'The operation did not succeed because it would have exceeded a service limit for your account.'), {
    ...(field ? { field } : {}),
    hint,
  });
