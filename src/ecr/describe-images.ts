/** DescribeImages and ListImages: the images of a repository, filtered and paged. */
import type { DescribeImagesRequest, DescribeImagesResponse, ListImagesRequest, ListImagesResponse } from '@aws-sdk/client-ecr';
import type { Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import type { RepositoryRecord } from '../store/registry.js';
import type { RegistryTables } from '../store/types.js';
import { existingRepository, repositoryTarget } from './access.js';
import type { EcrDeps } from './deps.js';
import { imageNotFound, invalidParameter } from './errors.js';
import { isFailure, resolveImageId, type ImageId } from './image-ids.js';
import { imageFilter, imageKey, repositoryImages } from './images.js';
import { pageOf, type SortKey } from './pagination.js';
import { imageIdOf, presentImageDetail, type StoredImage } from './present.js';
import { checkListSize, checkMaxResults, refuseTogether } from './validate.js';

const defaultPageSize = 100;

/** The images imageIds name, each once; the first that is not there fails the whole request, as ECR does. */
async function imagesById(tx: RegistryTables, ctx: RequestContext, repository: RepositoryRecord, ids: ImageId[]): Promise<StoredImage[]> {
  checkListSize(ids, 'imageIds', 1, 100);
  const images = new Map((await repositoryImages(tx, repository)).map((image) => [image.record.digest, image]));
  const found = new Map<string, StoredImage>();
  for (const id of ids) {
    const resolved = await resolveImageId(tx, repository, id);
    if (isFailure(resolved)) {
      if (resolved.failureCode === 'ImageNotFound' || resolved.failureCode === 'ImageTagDoesNotMatchDigest') {
        throw imageNotFound(id, repository.name, ctx.scope);
      }
      throw invalidParameter(resolved.failureReason);
    }
    const image = images.get(resolved.digest);
    if (image) found.set(image.record.digest, image);
  }
  return [...found.values()];
}

interface ListEntry {
  image: StoredImage;
  tag?: string;
}

/** ListImages' entries: one per tag, and one without a tag for an untagged image. */
function listEntries(images: StoredImage[]): ListEntry[] {
  return images.flatMap((image) => (image.tags.length === 0 ? [{ image }] : [...image.tags].sort().map((tag) => ({ image, tag }))));
}

const entryKey = (entry: ListEntry): SortKey => [...imageKey(entry.image), entry.tag ?? ''];

export function describeImageOperations(deps: EcrDeps) {
  return {
    async DescribeImages(input: Wire<DescribeImagesRequest>, ctx: RequestContext): Promise<Wire<DescribeImagesResponse>> {
      const name = repositoryTarget(input, ctx);
      const ids = input.imageIds;
      if (ids !== undefined) {
        if (input.maxResults !== undefined) refuseTogether('maxResults', 'imageIds');
        if (input.nextToken !== undefined) refuseTogether('nextToken', 'imageIds');
      }
      const maxResults = checkMaxResults(input.maxResults, defaultPageSize);
      const matches = imageFilter(input.filter);
      return deps.store.read(async (tx) => {
        const repository = await existingRepository(tx, ctx, name);
        if (ids !== undefined) return { imageDetails: (await imagesById(tx, ctx, repository, ids)).map((image) => presentImageDetail(repository, image)) };
        const images = (await repositoryImages(tx, repository)).filter(matches);
        const page = pageOf(images, imageKey, { maxResults, nextToken: input.nextToken });
        return { imageDetails: page.items.map((image) => presentImageDetail(repository, image)), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
      });
    },

    async ListImages(input: Wire<ListImagesRequest>, ctx: RequestContext): Promise<Wire<ListImagesResponse>> {
      const name = repositoryTarget(input, ctx);
      const maxResults = checkMaxResults(input.maxResults, defaultPageSize);
      const matches = imageFilter(input.filter);
      return deps.store.read(async (tx) => {
        const repository = await existingRepository(tx, ctx, name);
        const entries = listEntries((await repositoryImages(tx, repository)).filter(matches));
        const page = pageOf(entries, entryKey, { maxResults, nextToken: input.nextToken });
        return {
          imageIds: page.items.map((entry) => imageIdOf(entry.image.record.digest, entry.tag)),
          ...(page.nextToken ? { nextToken: page.nextToken } : {}),
        };
      });
    },
  };
}
