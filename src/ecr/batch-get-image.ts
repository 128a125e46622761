/** BatchGetImage: manifests by tag or digest, as a pull reads them, in the media types the caller accepts. */
import type { BatchGetImageRequest, BatchGetImageResponse, Image, ImageFailure } from '@aws-sdk/client-ecr';
import type { Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import { pullRecordIntervalSeconds } from '../registry/manifests.js';
import type { ManifestRecord, RepositoryRecord } from '../store/registry.js';
import type { RegistryTables } from '../store/types.js';
import { existingRepository, repositoryTarget } from './access.js';
import type { EcrDeps } from './deps.js';
import { failure, isFailure, notFound, presentFailure, resolveImageId, type ImageId } from './image-ids.js';
import { checkListSize } from './validate.js';

interface Fetched {
  images: { image: Wire<Image>; record: ManifestRecord }[];
  failures: Wire<ImageFailure>[];
}

/** ECR answers a manifest of a type the caller does not accept as a failure of that image. */
function unsupported(id: ImageId, mediaType: string): Wire<ImageFailure> {
  return presentFailure(
    id,
    failure('UnsupportedImageType', `The image's manifest media type '${mediaType}' is not in acceptedMediaTypes; add it there to get this image`),
  );
}

async function fetchImages(tx: RegistryTables, repository: RepositoryRecord, ids: ImageId[], accepted: string[] | undefined): Promise<Fetched> {
  const fetched: Fetched = { images: [], failures: [] };
  for (const id of ids) {
    const resolved = await resolveImageId(tx, repository, id);
    if (isFailure(resolved)) {
      fetched.failures.push(presentFailure(id, resolved));
      continue;
    }
    const manifest = await tx.registry.getManifest(repository.arn, resolved.digest);
    if (!manifest) {
      fetched.failures.push(presentFailure(id, notFound()));
    } else if (accepted !== undefined && !accepted.includes(manifest.record.mediaType)) {
      fetched.failures.push(unsupported(id, manifest.record.mediaType));
    } else {
      const image: Wire<Image> = {
        registryId: repository.registryId,
        repositoryName: repository.name,
        imageId: { imageDigest: resolved.digest, ...(id.imageTag !== undefined ? { imageTag: id.imageTag } : {}) },
        imageManifest: manifest.content.toString('utf8'),
        imageManifestMediaType: manifest.record.mediaType,
      };
      fetched.images.push({ image, record: manifest.record });
    }
  }
  return fetched;
}

export function batchGetImageOperations(deps: EcrDeps) {
  return {
    async BatchGetImage(input: Wire<BatchGetImageRequest>, ctx: RequestContext): Promise<Wire<BatchGetImageResponse>> {
      const name = repositoryTarget(input, ctx);
      const ids = checkListSize(input.imageIds, 'imageIds', 1, 100);
      const accepted = input.acceptedMediaTypes === undefined ? undefined : checkListSize(input.acceptedMediaTypes, 'acceptedMediaTypes', 1, 100);
      const { repository, fetched } = await deps.store.read(async (tx) => {
        const repository = await existingRepository(tx, ctx, name);
        return { repository, fetched: await fetchImages(tx, repository, ids, accepted) };
      });
      // A manifest read through the API is a pull: lastRecordedPullTime moves, at most once an hour per image.
      const now = ctx.now.getTime() / 1000;
      const pulled = new Set(fetched.images.filter(({ record }) => (record.lastPulledAt ?? 0) < now - pullRecordIntervalSeconds).map(({ record }) => record.digest));
      if (pulled.size > 0) await deps.store.write(async (tx) => Promise.all([...pulled].map((digest) => tx.registry.recordPull(repository.arn, digest, now))));
      return { images: fetched.images.map(({ image }) => image), failures: fetched.failures };
    },
  };
}
