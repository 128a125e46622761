/** Pushing images through the ECR API itself (layer uploads and PutImage), as the ECR tests need them. */
import { createHash } from 'node:crypto';
import {
  CompleteLayerUploadCommand,
  InitiateLayerUploadCommand,
  PutImageCommand,
  UploadLayerPartCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';

export const dockerManifestType = 'application/vnd.docker.distribution.manifest.v2+json';
export const ociManifestType = 'application/vnd.oci.image.manifest.v1+json';
export const ociIndexType = 'application/vnd.oci.image.index.v1+json';
export const dockerConfigType = 'application/vnd.docker.container.image.v1+json';
export const dockerLayerType = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

export const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Uploads bytes as one layer, in parts of `partBytes`; answers its digest. */
export async function pushLayer(ecr: ECRClient, repositoryName: string, bytes: Buffer, partBytes = bytes.length): Promise<string> {
  const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
  for (let first = 0; first < bytes.length; first += partBytes) {
    const part = bytes.subarray(first, first + partBytes);
    await ecr.send(new UploadLayerPartCommand({ repositoryName, uploadId, partFirstByte: first, partLastByte: first + part.length - 1, layerPartBlob: part }));
  }
  const digest = sha256(bytes);
  await ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [digest] }));
  return digest;
}

export interface BuiltImage {
  manifest: string;
  digest: string;
  configDigest: string;
  layerDigests: string[];
  layerSizes: number[];
}

/** Uploads a config and layers and builds (but does not put) an image manifest over them. */
export async function buildImage(ecr: ECRClient, repositoryName: string, seed: string, mediaType = dockerManifestType): Promise<BuiltImage> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Env: [`SEED=${seed}`] }, rootfs: { type: 'layers', diff_ids: [] } }));
  const layers = [Buffer.from(`layer one of ${seed}`), Buffer.from(`layer two of ${seed}, a little longer`)];
  const configDigest = await pushLayer(ecr, repositoryName, config);
  const layerDigests: string[] = [];
  for (const layer of layers) layerDigests.push(await pushLayer(ecr, repositoryName, layer));
  const oci = mediaType === ociManifestType;
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType,
    config: { mediaType: oci ? 'application/vnd.oci.image.config.v1+json' : dockerConfigType, digest: configDigest, size: config.length },
    layers: layers.map((layer, index) => ({ mediaType: oci ? 'application/vnd.oci.image.layer.v1.tar+gzip' : dockerLayerType, digest: layerDigests[index], size: layer.length })),
  });
  return { manifest, digest: sha256(manifest), configDigest, layerDigests, layerSizes: layers.map((layer) => layer.length) };
}

/** Builds and puts an image, tagged when a tag is given. */
export async function pushImage(ecr: ECRClient, repositoryName: string, seed: string, imageTag?: string, mediaType = dockerManifestType): Promise<BuiltImage> {
  const image = await buildImage(ecr, repositoryName, seed, mediaType);
  await ecr.send(new PutImageCommand({ repositoryName, imageManifest: image.manifest, ...(imageTag ? { imageTag } : {}) }));
  return image;
}

/** An OCI index over manifests already in the repository. */
export function indexOf(children: BuiltImage[]): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: ociIndexType,
    manifests: children.map((child, index) => ({
      mediaType: JSON.parse(child.manifest).mediaType,
      digest: child.digest,
      size: Buffer.byteLength(child.manifest),
      platform: { architecture: index === 0 ? 'amd64' : 'arm64', os: 'linux' },
    })),
  });
}
