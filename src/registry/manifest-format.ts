/**
 * Manifest parsing: which kind a manifest is, what it references, and the fields the referrers API
 * and ECR's DescribeImages report. Docker schema 2 and OCI image manifests reference blobs (config
 * and layers); Docker manifest lists and OCI indexes reference other manifests.
 */
import { parseDigest } from './digest.js';
import { RegistryError } from './errors.js';
import type { ManifestReference } from '../store/registry.js';

export const mediaTypes = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

const imageManifestTypes = new Set<string>([mediaTypes.dockerManifest, mediaTypes.ociManifest]);
const indexTypes = new Set<string>([mediaTypes.dockerManifestList, mediaTypes.ociIndex]);
export const manifestMediaTypes: readonly string[] = [...imageManifestTypes, ...indexTypes];

/** Manifests larger than this are refused, as distribution does; the spec asks registries to take at least 4 MiB. */
export const maxManifestBytes = 4 * 1024 * 1024;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: Record<string, unknown>;
}

export interface ParsedManifest {
  mediaType: string;
  kind: 'image' | 'index';
  references: ManifestReference[];
  /** Size of the layers an image manifest lists (children of an index are added by the caller). */
  layerBytes: number;
  /** Child manifests of an index. */
  children: Descriptor[];
  subject?: string;
  artifactType?: string;
  annotations?: Record<string, string>;
}

const invalid = (message: string) => new RegistryError('MANIFEST_INVALID', `manifest invalid: ${message}`);

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function stringMap(value: unknown, field: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const map = record(value);
  if (!map || Object.values(map).some((entry) => typeof entry !== 'string')) throw invalid(`${field} must be a map of strings`);
  return map as Record<string, string>;
}

function descriptor(value: unknown, field: string): Descriptor {
  const fields = record(value);
  if (!fields) throw invalid(`${field} must be a descriptor object`);
  const { mediaType, digest, size, urls, artifactType } = fields;
  if (typeof mediaType !== 'string' || mediaType === '') throw invalid(`${field}.mediaType is required`);
  if (typeof digest !== 'string' || !parseDigest(digest)) throw invalid(`${field}.digest '${String(digest)}' is not a sha256 or sha512 digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalid(`${field}.size must be a non-negative integer`);
  if (urls !== undefined && (!Array.isArray(urls) || urls.some((url) => typeof url !== 'string'))) throw invalid(`${field}.urls must be strings`);
  const annotations = stringMap(fields.annotations, `${field}.annotations`);
  return {
    mediaType,
    digest,
    size,
    ...(Array.isArray(urls) ? { urls: urls as string[] } : {}),
    ...(typeof artifactType === 'string' ? { artifactType } : {}),
    ...(annotations ? { annotations } : {}),
    ...(record(fields.platform) ? { platform: record(fields.platform) } : {}),
  };
}

function descriptors(value: unknown, field: string): Descriptor[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid(`${field} must be an array`);
  return value.map((entry, index) => descriptor(entry, `${field}[${index}]`));
}

/**
 * Parses a manifest pushed with `contentType`. The body's own mediaType wins when present and must
 * agree with the header when both name a manifest type.
 */
export function parseManifest(content: Buffer, contentType: string | undefined): ParsedManifest {
  let body: Record<string, unknown> | undefined;
  try {
    body = record(JSON.parse(content.toString('utf8')));
  } catch (cause) {
    throw invalid(`not valid JSON (${(cause as Error).message})`);
  }
  if (!body) throw invalid('a manifest is a JSON object');
  const declared = typeof body.mediaType === 'string' ? body.mediaType : undefined;
  const header = contentType?.split(';')[0]?.trim();
  const headerType = header && manifestMediaTypes.includes(header) ? header : undefined;
  if (declared && headerType && declared !== headerType) {
    throw invalid(`the body's mediaType '${declared}' differs from the Content-Type '${headerType}'`);
  }
  const mediaType = declared ?? headerType ?? (body.manifests !== undefined ? mediaTypes.ociIndex : body.config !== undefined ? mediaTypes.ociManifest : undefined);
  if (body.schemaVersion !== 2) throw invalid('schemaVersion must be 2 (schema 1 manifests are not supported)');
  if (!mediaType || !manifestMediaTypes.includes(mediaType)) {
    throw invalid(`unsupported manifest media type '${mediaType ?? header ?? '(none)'}'; push ${manifestMediaTypes.join(', ')}`);
  }
  const subject = body.subject === undefined ? undefined : descriptor(body.subject, 'subject').digest;
  const annotations = stringMap(body.annotations, 'annotations');
  const artifactType = typeof body.artifactType === 'string' ? body.artifactType : undefined;
  const common = { mediaType, ...(subject ? { subject } : {}), ...(annotations ? { annotations } : {}) };

  if (indexTypes.has(mediaType)) {
    if (!Array.isArray(body.manifests)) throw invalid('an index must list its manifests');
    const children = descriptors(body.manifests, 'manifests');
    return {
      ...common,
      kind: 'index',
      children,
      layerBytes: 0,
      references: children.map((child) => ({ digest: child.digest, kind: 'manifest' })),
      ...(artifactType ? { artifactType } : {}),
    };
  }
  const config = descriptor(body.config, 'config');
  const layers = descriptors(body.layers, 'layers');
  // Foreign layers (with urls) live outside the registry and need not have been pushed.
  const hosted = [config, ...layers.filter((layer) => !layer.urls || layer.urls.length === 0)];
  const references = [...new Map(hosted.map((blob) => [blob.digest, { digest: blob.digest, kind: 'blob' as const }])).values()];
  return {
    ...common,
    kind: 'image',
    children: [],
    layerBytes: layers.reduce((sum, layer) => sum + layer.size, 0),
    references,
    // The referrers API reports an image manifest's config media type when it declares no artifactType.
    artifactType: artifactType ?? config.mediaType,
  };
}
