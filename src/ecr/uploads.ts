/**
 * InitiateLayerUpload, UploadLayerPart and CompleteLayerUpload: a layer pushed through the API in
 * parts that continue one another, stored as a /v2/ upload is and visible only once its digest is verified.
 */
import { Readable } from 'node:stream';
import type {
  CompleteLayerUploadRequest,
  CompleteLayerUploadResponse,
  InitiateLayerUploadRequest,
  InitiateLayerUploadResponse,
  UploadLayerPartRequest,
  UploadLayerPartResponse,
} from '@aws-sdk/client-ecr';
import type { Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import { RegistryError } from '../registry/errors.js';
import { isLimitRefusal } from '../registry/limits.js';
import type { RepositoryRecord } from '../store/registry.js';
import { existingRepository, repositoryTarget } from './access.js';
import type { EcrDeps } from './deps.js';
import { constraintFailed, emptyUpload, invalidLayer, invalidLayerPart, layerAlreadyExists, limitExceeded, uploadNotFound } from './errors.js';
import { isDigest, requireMember } from './validate.js';

/** What InitiateLayerUpload suggests parts be: 10 MiB, which stays under the edge's 16 MiB body limit once base64-encoded. */
export const layerPartSize = 10 * 1024 * 1024;
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

interface Upload {
  repository: RepositoryRecord;
  uploadId: string;
}

/** The registry's refusals of an upload as ECR's exceptions. */
function ecrError(error: unknown, upload: Upload, ctx: RequestContext): unknown {
  if (!(error instanceof RegistryError)) return error;
  if (isLimitRefusal(error)) return limitExceeded(error.message, 'layerPartBlob');
  if (error.code === 'BLOB_UPLOAD_UNKNOWN') return uploadNotFound(upload.uploadId, upload.repository.name, ctx.scope);
  if (error.code === 'RANGE_INVALID') {
    const size = (error.detail as { size: number }).size;
    return partOutOfPlace(upload, size, `The part does not continue the upload, which holds ${size} bytes; send the part that starts at byte ${size}`);
  }
  return error;
}

function partOutOfPlace(upload: Upload, size: number, message: string): unknown {
  return invalidLayerPart(message, {
    registryId: upload.repository.registryId,
    repositoryName: upload.repository.name,
    uploadId: upload.uploadId,
    lastValidByteReceived: size - 1,
  });
}

function checkBytePosition(value: number | undefined, field: string): number {
  const position = requireMember(value, field);
  if (!Number.isSafeInteger(position) || position < 0) throw constraintFailed(field, 'Member must have value greater than or equal to 0');
  return position;
}

function decodePart(blob: string | undefined): Buffer {
  const encoded = requireMember(blob, 'layerPartBlob');
  if (!base64Pattern.test(encoded)) throw constraintFailed('layerPartBlob', 'Member must be base64-encoded bytes');
  return Buffer.from(encoded, 'base64');
}

async function openUpload(deps: EcrDeps, ctx: RequestContext, input: { registryId?: string; repositoryName?: string; uploadId?: string }): Promise<Upload> {
  const name = repositoryTarget(input, ctx);
  const uploadId = requireMember(input.uploadId, 'uploadId');
  return { repository: await deps.store.read((tx) => existingRepository(tx, ctx, name)), uploadId };
}

export function uploadOperations(deps: EcrDeps) {
  const { blobs } = deps.registry;
  return {
    async InitiateLayerUpload(input: Wire<InitiateLayerUploadRequest>, ctx: RequestContext): Promise<Wire<InitiateLayerUploadResponse>> {
      const name = repositoryTarget(input, ctx);
      const repository = await deps.store.read((tx) => existingRepository(tx, ctx, name));
      return { uploadId: await blobs.startUpload(repository), partSize: layerPartSize };
    },

    async UploadLayerPart(input: Wire<UploadLayerPartRequest>, ctx: RequestContext): Promise<Wire<UploadLayerPartResponse>> {
      const first = checkBytePosition(input.partFirstByte, 'partFirstByte');
      const last = checkBytePosition(input.partLastByte, 'partLastByte');
      const part = decodePart(input.layerPartBlob as string | undefined);
      const upload = await openUpload(deps, ctx, input);
      const fail = (error: unknown) => {
        throw ecrError(error, upload, ctx);
      };
      if (last - first + 1 !== part.length) {
        const size = await blobs.uploadSize(upload.repository, upload.uploadId).catch(fail);
        throw partOutOfPlace(upload, size, `partFirstByte ${first} and partLastByte ${last} span ${last - first + 1} bytes, but layerPartBlob holds ${part.length}`);
      }
      const size = await blobs.append(upload.repository, upload.uploadId, Readable.from([part]), first, part.length).catch(fail);
      return { registryId: upload.repository.registryId, repositoryName: upload.repository.name, uploadId: upload.uploadId, lastByteReceived: size - 1 };
    },

    async CompleteLayerUpload(input: Wire<CompleteLayerUploadRequest>, ctx: RequestContext): Promise<Wire<CompleteLayerUploadResponse>> {
      const digests = requireMember(input.layerDigests, 'layerDigests');
      if (digests.length !== 1) throw constraintFailed('layerDigests', `Member must hold exactly one digest, that of the whole layer; it holds ${digests.length}`);
      const digest = digests[0] as string;
      if (!isDigest(digest)) throw constraintFailed('layerDigests[0]', `Member must be a sha256 digest ('sha256:' and 64 hex digits), not '${digest}'`);
      const upload = await openUpload(deps, ctx, input);
      const fail = (error: unknown) => {
        throw ecrError(error, upload, ctx);
      };
      if ((await blobs.uploadSize(upload.repository, upload.uploadId).catch(fail)) === 0) throw emptyUpload(upload.uploadId);
      const existed = await deps.store.read((tx) => tx.registry.linkedBlob(upload.repository.arn, digest));
      await blobs.complete(upload.repository, upload.uploadId, digest).catch((error: unknown) => {
        if (error instanceof RegistryError && error.code === 'DIGEST_INVALID') {
          const actual = (error.detail as { actual?: string } | undefined)?.actual;
          throw invalidLayer(`The uploaded layer has digest '${actual}', not '${digest}'; the upload was discarded: start a new one and upload the layer again`);
        }
        fail(error);
      });
      if (existed) throw layerAlreadyExists(digest, upload.repository.name, ctx.scope);
      return { registryId: upload.repository.registryId, repositoryName: upload.repository.name, uploadId: upload.uploadId, layerDigest: digest };
    },
  };
}
