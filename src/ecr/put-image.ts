/**
 * PutImage: a manifest pushed through the API, checked as a /v2/ push checks it (every layer and
 * child manifest already in the repository, tag immutability), with ECR's errors.
 */
import type { PutImageRequest, PutImageResponse } from '@aws-sdk/client-ecr';
import { withHelp } from '../core/errors.js';
import type { Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import { digestOf } from '../registry/digest.js';
import { RegistryError } from '../registry/errors.js';
import { isLimitRefusal } from '../registry/limits.js';
import { manifestMediaTypes, maxManifestBytes } from '../registry/manifest-format.js';
import { isValidTag } from '../registry/names.js';
import type { RepositoryRecord } from '../store/registry.js';
import { existingRepository, repositoryTarget } from './access.js';
import type { EcrDeps } from './deps.js';
import {
  constraintFailed,
  imageAlreadyExists,
  imageDigestDoesNotMatch,
  imageTagAlreadyExists,
  invalidParameter,
  layersNotFound,
  limitExceeded,
} from './errors.js';
import { imageIdOf } from './present.js';
import { checkLength, requireMember } from './validate.js';

function checkTag(tag: string | undefined): string | undefined {
  if (tag === undefined) return undefined;
  checkLength(tag, 'imageTag', 1, 300);
  if (!isValidTag(tag)) throw constraintFailed('imageTag', `Member must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'; not '${tag}'`);
  return tag;
}

/** The manifest's own mediaType, or ECR's demand for imageManifestMediaType when it has none. */
function checkMediaType(manifest: string, given: string | undefined): void {
  if (given !== undefined && !manifestMediaTypes.includes(given)) {
    throw constraintFailed('imageManifestMediaType', `Member must be one of ${manifestMediaTypes.join(', ')}, not '${given}'`);
  }
  let declared: unknown;
  try {
    declared = (JSON.parse(manifest) as { mediaType?: unknown } | null)?.mediaType;
  } catch {
    throw constraintFailed('imageManifest', 'Invalid JSON syntax');
  }
  if (declared === undefined && given === undefined) {
    throw withHelp(invalidParameter('image manifest mediatype not provided in manifest or parameter'), {
      field: 'imageManifestMediaType',
      hint: "Set the manifest's mediaType, or pass imageManifestMediaType.",
    });
  }
}

/** The registry's refusals of a manifest as ECR's exceptions. */
function ecrError(error: unknown, repository: RepositoryRecord, ctx: RequestContext): unknown {
  if (!(error instanceof RegistryError)) return error;
  const digest = (error.detail as { digest?: string } | undefined)?.digest ?? '';
  if (isLimitRefusal(error)) return limitExceeded(error.message, 'imageManifest');
  switch (error.code) {
    case 'MANIFEST_BLOB_UNKNOWN':
      return layersNotFound(
        `Layers with digests '[${digest}]' required for pushing image into repository with name '${repository.name}' ` +
          `in the registry with id '${ctx.scope.accountId}' do not exist; upload them first (InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload)`,
      );
    case 'MANIFEST_INVALID':
      return constraintFailed('imageManifest', error.message);
    case 'TAG_INVALID':
      return imageTagAlreadyExists(error.message);
    case 'DIGEST_INVALID':
      return imageDigestDoesNotMatch(digest, (error.detail as { actual?: string } | undefined)?.actual ?? 'unknown');
    default:
      return error;
  }
}

export function putImageOperations(deps: EcrDeps) {
  return {
    async PutImage(input: Wire<PutImageRequest>, ctx: RequestContext): Promise<Wire<PutImageResponse>> {
      const name = repositoryTarget(input, ctx);
      const manifest = requireMember(input.imageManifest, 'imageManifest');
      checkLength(manifest, 'imageManifest', 1, maxManifestBytes);
      const tag = checkTag(input.imageTag);
      checkMediaType(manifest, input.imageManifestMediaType);
      const content = Buffer.from(manifest, 'utf8');
      const digest = digestOf(content);
      if (input.imageDigest !== undefined && input.imageDigest !== digest) throw imageDigestDoesNotMatch(input.imageDigest, digest);
      const repository = await deps.store.read(async (tx) => {
        const repository = await existingRepository(tx, ctx, name);
        const unchanged = tag === undefined ? await tx.registry.getManifestRecord(repository.arn, digest) : (await tx.registry.getTag(repository.arn, tag)) === digest;
        if (unchanged) throw imageAlreadyExists(digest, tag, name, ctx.scope);
        return repository;
      });
      const pushed = await deps.registry.manifests.put(repository, tag ?? digest, content, input.imageManifestMediaType).catch((error: unknown) => {
        throw ecrError(error, repository, ctx);
      });
      return {
        image: {
          registryId: repository.registryId,
          repositoryName: repository.name,
          imageId: imageIdOf(digest, tag),
          imageManifest: manifest,
          imageManifestMediaType: pushed.record.mediaType,
        },
      };
    },
  };
}
