/**
 * BatchDeleteImage. By tag, the tag goes, and the image with it when it was the image's last tag; by
 * digest, the image goes with every tag. An image an index of the repository still lists stays.
 */
import type { BatchDeleteImageRequest, BatchDeleteImageResponse, ImageFailure, ImageIdentifier } from '@aws-sdk/client-ecr';
import type { Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import { RegistryError } from '../registry/errors.js';
import { deleteManifestIn } from '../registry/manifests.js';
import type { RepositoryRecord } from '../store/registry.js';
import type { RegistryTables } from '../store/types.js';
import { existingRepository, repositoryTarget } from './access.js';
import type { EcrDeps } from './deps.js';
import { failure, isFailure, notFound, presentFailure, resolveImageId, type ImageId } from './image-ids.js';
import { imageIdOf } from './present.js';
import { checkListSize } from './validate.js';

type Outcome = { deleted: Wire<ImageIdentifier>[] } | { failure: Wire<ImageFailure> };

/** Deletes the image with all its tags; answers the ids it had, one per tag in tag order. */
async function deleteImage(tx: RegistryTables, repository: RepositoryRecord, digest: string): Promise<Wire<ImageIdentifier>[]> {
  const tags = [...((await tx.registry.tagsByDigest(repository.arn)).get(digest) ?? [])].sort();
  await deleteManifestIn(tx, repository, digest);
  return tags.length === 0 ? [imageIdOf(digest, undefined)] : tags.map((tag) => imageIdOf(digest, tag));
}

async function deleteOne(tx: RegistryTables, repository: RepositoryRecord, id: ImageId): Promise<Outcome> {
  const resolved = await resolveImageId(tx, repository, id);
  if (isFailure(resolved)) return { failure: presentFailure(id, resolved) };
  const tag = id.imageTag;
  if (tag !== undefined && id.imageDigest === undefined) {
    const tags = (await tx.registry.tagsByDigest(repository.arn)).get(resolved.digest) ?? [];
    if (tags.some((other) => other !== tag)) {
      await tx.registry.deleteTag(repository.arn, tag);
      return { deleted: [imageIdOf(resolved.digest, tag)] };
    }
    await deleteManifestIn(tx, repository, resolved.digest);
    return { deleted: [imageIdOf(resolved.digest, tag)] };
  }
  return { deleted: await deleteImage(tx, repository, resolved.digest) };
}

/** deleteManifestIn's refusals as ECR's failures. */
function refusal(id: ImageId, error: unknown): Wire<ImageFailure> {
  if (!(error instanceof RegistryError)) throw error;
  if (error.code === 'MANIFEST_UNKNOWN') return presentFailure(id, notFound());
  if (error.code === 'DENIED') {
    const parents = (error.detail as { parents?: string[] } | undefined)?.parents ?? [];
    const reason = `Requested image referenced by manifest list: [${parents.join(', ')}]; delete the manifest list first`;
    return presentFailure(id, failure('ImageReferencedByManifestList', reason));
  }
  throw error;
}

export function batchDeleteImageOperations(deps: EcrDeps) {
  return {
    async BatchDeleteImage(input: Wire<BatchDeleteImageRequest>, ctx: RequestContext): Promise<Wire<BatchDeleteImageResponse>> {
      const name = repositoryTarget(input, ctx);
      const ids = checkListSize(input.imageIds, 'imageIds', 1, 100);
      return deps.store.write(async (tx) => {
        const repository = await existingRepository(tx, ctx, name);
        const imageIds: Wire<ImageIdentifier>[] = [];
        const failures: Wire<ImageFailure>[] = [];
        for (const id of ids) {
          const outcome = await deleteOne(tx, repository, id).catch((error: unknown): Outcome => ({ failure: refusal(id, error) }));
          if ('deleted' in outcome) imageIds.push(...outcome.deleted);
          else failures.push(outcome.failure);
        }
        return { imageIds, failures };
      });
    },
  };
}
