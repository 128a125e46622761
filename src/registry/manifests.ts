/**
 * Manifests and tags of a repository. A manifest is accepted only when every blob and child manifest
 * it references is already in the repository, and it is written with its tag in one transaction.
 */
import type { ManifestRecord, RepositoryRecord } from '../store/registry.js';
import type { Store, RegistryTables } from '../store/types.js';
import { digestOf, parseDigest } from './digest.js';
import { RegistryError } from './errors.js';
import { maxManifestBytes, mediaTypes, parseManifest } from './manifest-format.js';
import type { UploadLimits } from './limits.js';
import { isValidTag } from './names.js';
import { immutableTagMessage, isTagImmutable } from './tag-mutability.js';

/** ECR refreshes lastRecordedPullTime at most this often per image, so pulls stay reads. */
export const pullRecordIntervalSeconds = 60 * 60;

export interface ManifestsDeps {
  store: Store;
  /** A manifest new to its repository counts against its account's quota. */
  limits: UploadLimits;
  now(): number;
}

export interface PushedManifest {
  record: ManifestRecord;
  /** False when the repository already held this exact manifest. */
  created: boolean;
}

/** A reference is a digest or a tag; anything else is no reference. */
export function parseReference(reference: string): { digest: string } | { tag: string } {
  if (reference.includes(':')) {
    if (!parseDigest(reference)) throw new RegistryError('DIGEST_INVALID', `'${reference}' is not a sha256 or sha512 digest`, { digest: reference });
    return { digest: reference };
  }
  if (!isValidTag(reference)) {
    throw new RegistryError('TAG_INVALID', `invalid tag '${reference}': up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'`, { tag: reference });
  }
  return { tag: reference };
}

/**
 * The digest a GET or HEAD names. A reference that is neither a digest nor a valid tag names no
 * manifest, so it is unknown (404), as the OCI conformance suite expects; only a push of one is
 * TAG_INVALID.
 */
async function resolve(tx: RegistryTables, repository: RepositoryRecord, reference: string): Promise<string> {
  const parsed = reference.includes(':') || isValidTag(reference) ? parseReference(reference) : undefined;
  if (!parsed) throw new RegistryError('MANIFEST_UNKNOWN', `manifest unknown: '${reference}' is not a tag or a digest`, { reference });
  const digest = 'digest' in parsed ? parsed.digest : await tx.registry.getTag(repository.arn, parsed.tag);
  if (!digest) throw new RegistryError('MANIFEST_UNKNOWN', `manifest unknown: no tag '${reference}' in ${repository.name}`, { tag: reference });
  return digest;
}

export class Manifests {
  constructor(private readonly deps: ManifestsDeps) {}

  async put(repository: RepositoryRecord, reference: string, content: Buffer, contentType: string | undefined): Promise<PushedManifest> {
    if (content.length > maxManifestBytes) {
      throw new RegistryError('MANIFEST_INVALID', `manifest invalid: ${content.length} bytes is more than the ${maxManifestBytes} a manifest may have`, undefined, 413);
    }
    const target = parseReference(reference);
    const algorithm = 'digest' in target ? parseDigest(target.digest)!.algorithm : 'sha256';
    const digest = digestOf(content, algorithm);
    if ('digest' in target && target.digest !== digest) {
      throw new RegistryError('DIGEST_INVALID', `the manifest's content has digest ${digest}, not ${target.digest}`, { digest: target.digest, actual: digest });
    }
    const parsed = parseManifest(content, contentType);
    if (!(await this.deps.store.read((tx) => tx.registry.getManifestRecord(repository.arn, digest)))) {
      await this.deps.limits.checkAddition(repository.accountId, content.length);
    }
    const now = this.deps.now();
    return this.deps.store.write(async (tx) => {
      let imageSize = parsed.layerBytes;
      for (const reference of parsed.references) {
        if (reference.kind === 'blob') {
          if (!(await tx.registry.linkedBlob(repository.arn, reference.digest))) {
            throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `the manifest references blob ${reference.digest}, which is not in ${repository.name}; push it first`, {
              digest: reference.digest,
            });
          }
        } else {
          const child = await tx.registry.getManifestRecord(repository.arn, reference.digest);
          if (!child) {
            throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `the index references manifest ${reference.digest}, which is not in ${repository.name}; push it first`, {
              digest: reference.digest,
            });
          }
          imageSize += child.imageSize;
        }
      }
      if ('tag' in target) {
        const current = await tx.registry.getTag(repository.arn, target.tag);
        // ECR refuses even the same manifest again: an immutable tag is never pushed twice.
        if (current !== undefined && isTagImmutable(repository, target.tag)) {
          throw new RegistryError('TAG_INVALID', immutableTagMessage(repository, target.tag), { tag: target.tag });
        }
      }
      const existing = await tx.registry.getManifestRecord(repository.arn, digest);
      const record: ManifestRecord = existing ?? {
        repositoryArn: repository.arn,
        digest,
        mediaType: parsed.mediaType,
        ...(parsed.artifactType ? { artifactType: parsed.artifactType } : {}),
        ...(parsed.subject ? { subject: parsed.subject } : {}),
        ...(parsed.annotations ? { annotations: parsed.annotations } : {}),
        size: content.length,
        imageSize,
        pushedAt: now,
        references: parsed.references,
      };
      if (!existing) await tx.registry.putManifest(record, content);
      if ('tag' in target) await tx.registry.putTag(repository.arn, target.tag, digest, now);
      return { record, created: !existing };
    });
  }

  /** The manifest a tag or digest names. A GET (not a HEAD) counts as a pull. */
  async get(repository: RepositoryRecord, reference: string, pull: boolean): Promise<{ record: ManifestRecord; content: Buffer }> {
    const found = await this.deps.store.read(async (tx) => {
      const digest = await resolve(tx, repository, reference);
      return tx.registry.getManifest(repository.arn, digest);
    });
    if (!found) throw new RegistryError('MANIFEST_UNKNOWN', `manifest unknown: ${reference} is not in ${repository.name}`, { reference });
    const now = this.deps.now();
    if (pull && (found.record.lastPulledAt ?? 0) < now - pullRecordIntervalSeconds) {
      await this.deps.store.write((tx) => tx.registry.recordPull(repository.arn, found.record.digest, now));
    }
    return found;
  }

  /** Deletes a tag, or a manifest with every tag pointing at it. */
  async delete(repository: RepositoryRecord, reference: string): Promise<void> {
    const target = parseReference(reference);
    await this.deps.store.write(async (tx) => {
      if ('tag' in target) {
        if (!(await tx.registry.getTag(repository.arn, target.tag))) {
          throw new RegistryError('MANIFEST_UNKNOWN', `manifest unknown: no tag '${target.tag}' in ${repository.name}`, { tag: target.tag });
        }
        await tx.registry.deleteTag(repository.arn, target.tag);
        return;
      }
      await deleteManifestIn(tx, repository, target.digest);
    });
  }

  async tags(repository: RepositoryRecord, last: string | undefined, limit: number | undefined): Promise<string[]> {
    return this.deps.store.read((tx) => tx.registry.listTags(repository.arn, last, limit));
  }

  /** The referrers API's answer: an OCI index of the manifests whose subject is `digest`. */
  async referrers(repository: RepositoryRecord, digest: string, artifactType: string | undefined): Promise<object> {
    if (!parseDigest(digest)) throw new RegistryError('DIGEST_INVALID', `'${digest}' is not a sha256 or sha512 digest`, { digest });
    const referrers = await this.deps.store.read((tx) => tx.registry.referrers(repository.arn, digest));
    return {
      schemaVersion: 2,
      mediaType: mediaTypes.ociIndex,
      manifests: referrers
        .filter((referrer) => artifactType === undefined || referrer.artifactType === artifactType)
        .map((referrer) => ({
          mediaType: referrer.mediaType,
          digest: referrer.digest,
          size: referrer.size,
          ...(referrer.artifactType ? { artifactType: referrer.artifactType } : {}),
          ...(referrer.annotations ? { annotations: referrer.annotations } : {}),
        })),
    };
  }
}

/** Deletes a manifest unless an index in the repository still lists it, as ECR refuses to. */
export async function deleteManifestIn(tx: RegistryTables, repository: RepositoryRecord, digest: string): Promise<void> {
  if (!(await tx.registry.getManifestRecord(repository.arn, digest))) {
    throw new RegistryError('MANIFEST_UNKNOWN', `manifest unknown: ${digest} is not in ${repository.name}`, { digest });
  }
  const parents = await tx.registry.parentsOf(repository.arn, digest);
  if (parents.length > 0) {
    throw new RegistryError('DENIED', `manifest ${digest} is listed by the index ${parents.join(', ')}; delete the index first`, { digest, parents });
  }
  await tx.registry.deleteManifest(repository.arn, digest);
}
