/** BatchCheckLayerAvailability and GetDownloadUrlForLayer: layers of a repository, by digest. */
import type {
  BatchCheckLayerAvailabilityRequest,
  BatchCheckLayerAvailabilityResponse,
  GetDownloadUrlForLayerRequest,
  GetDownloadUrlForLayerResponse,
  Layer,
  LayerFailure,
} from '@aws-sdk/client-ecr';
import { epochSeconds, type Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import { downloadUrl } from '../registry/http/downloads.js';
import type { BlobRecord, RepositoryRecord } from '../store/registry.js';
import type { RegistryTables } from '../store/types.js';
import { existingRepository, repositoryTarget } from './access.js';
import type { EcrDeps } from './deps.js';
import { constraintFailed, layerInaccessible, layersNotFound } from './errors.js';
import { checkListSize, isDigest, requireMember } from './validate.js';

type Checked = { layer: Wire<Layer> } | { failure: Wire<LayerFailure> };

/** The media types the repository's manifests give the wanted blobs (layers and configs). */
async function layerMediaTypes(tx: RegistryTables, repository: RepositoryRecord, wanted: Set<string>): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (wanted.size === 0) return found;
  for (const record of await tx.registry.listManifests(repository.arn)) {
    if (!record.references.some((reference) => reference.kind === 'blob' && wanted.has(reference.digest) && !found.has(reference.digest))) continue;
    const manifest = await tx.registry.getManifest(repository.arn, record.digest);
    const body = manifest ? (JSON.parse(manifest.content.toString('utf8')) as { config?: unknown; layers?: unknown[] }) : {};
    for (const descriptor of [body.config, ...(body.layers ?? [])] as { digest?: unknown; mediaType?: unknown }[]) {
      if (typeof descriptor?.digest === 'string' && typeof descriptor.mediaType === 'string' && wanted.has(descriptor.digest)) found.set(descriptor.digest, descriptor.mediaType);
    }
  }
  return found;
}

function checkDigest(digest: string, blob: BlobRecord | undefined): Checked {
  if (!isDigest(digest)) {
    return { failure: { layerDigest: digest, failureCode: 'InvalidLayerDigest', failureReason: `Invalid layer digest '${digest}': expected 'sha256:' and 64 hex digits` } };
  }
  if (!blob) return { failure: { layerDigest: digest, failureCode: 'MissingLayerDigest', failureReason: `Could not find layer '${digest}' in the repository` } };
  return { layer: { layerDigest: digest, layerAvailability: 'AVAILABLE', layerSize: blob.size } };
}

/** Layers as the repository's records show them, each with the media type a manifest gives it. */
async function recordedLayers(tx: RegistryTables, repository: RepositoryRecord, digests: string[]): Promise<Checked[]> {
  const checked: Checked[] = [];
  for (const digest of digests) checked.push(checkDigest(digest, isDigest(digest) ? await tx.registry.linkedBlob(repository.arn, digest) : undefined));
  const available = new Set(checked.flatMap((entry) => ('layer' in entry ? [entry.layer.layerDigest as string] : [])));
  const mediaTypes = await layerMediaTypes(tx, repository, available);
  return checked.map((entry) => {
    const mediaType = 'layer' in entry ? mediaTypes.get(entry.layer.layerDigest as string) : undefined;
    return mediaType && 'layer' in entry ? { layer: { ...entry.layer, mediaType } } : entry;
  });
}

export function layerOperations(deps: EcrDeps) {
  return {
    async BatchCheckLayerAvailability(input: Wire<BatchCheckLayerAvailabilityRequest>, ctx: RequestContext): Promise<Wire<BatchCheckLayerAvailabilityResponse>> {
      const name = repositoryTarget(input, ctx);
      const digests = checkListSize(input.layerDigests, 'layerDigests', 1, 100);
      const checked = await deps.store.read(async (tx) => recordedLayers(tx, await existingRepository(tx, ctx, name), digests));
      const layers = checked.flatMap((entry) => ('layer' in entry ? [entry.layer] : []));
      for (const layer of layers) {
        // A blob whose record outlived its content (storage lost or cleaned by hand) cannot be served.
        if ((await deps.registry.storage.stat(layer.layerDigest as string)) === undefined) layer.layerAvailability = 'UNAVAILABLE';
      }
      // A push asks before it references a layer: the answer keeps the layer from garbage collection a while.
      const now = epochSeconds(ctx.now);
      if (layers.length > 0) await deps.store.write(async (tx) => Promise.all(layers.map((layer) => tx.registry.touchBlob(layer.layerDigest as string, now))));
      return { layers, failures: checked.flatMap((entry) => ('failure' in entry ? [entry.failure] : [])) };
    },

    async GetDownloadUrlForLayer(input: Wire<GetDownloadUrlForLayerRequest>, ctx: RequestContext): Promise<Wire<GetDownloadUrlForLayerResponse>> {
      const name = repositoryTarget(input, ctx);
      const digest = requireMember(input.layerDigest, 'layerDigest');
      if (!isDigest(digest)) throw constraintFailed('layerDigest', `Member must be a sha256 digest ('sha256:' and 64 hex digits), not '${digest}'`);
      const repository = await deps.store.read(async (tx) => {
        const repository = await existingRepository(tx, ctx, name);
        if (!(await tx.registry.linkedBlob(repository.arn, digest))) {
          throw layersNotFound(`The layer with digest '${digest}' does not exist in the repository with name '${name}' in the registry with id '${ctx.scope.accountId}'`);
        }
        const manifests = await tx.registry.listManifests(repository.arn);
        if (!manifests.some((record) => record.references.some((reference) => reference.digest === digest))) throw layerInaccessible(digest, name);
        return repository;
      });
      return { downloadUrl: await downloadUrl(deps.registry, repository.arn, digest, epochSeconds(ctx.now)), layerDigest: digest };
    },
  };
}
