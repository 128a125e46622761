/** A repository's images as lifecycle rules see them, and their expiry. */
import { epochSeconds } from '../../core/wire.js';
import { deleteManifestIn } from '../../registry/manifests.js';
import type { RepositoryRecord } from '../../store/registry.js';
import type { RegistryTables } from '../../store/types.js';
import { evaluateLifecyclePolicy, type ExpiringImage, type LifecycleImage } from './evaluate.js';
import type { LifecyclePolicy } from './types.js';

/**
 * Images a policy may expire: every manifest except those an index of the repository lists, which
 * go with their index, as in ECR.
 */
export async function lifecycleImages(tx: RegistryTables, repository: RepositoryRecord): Promise<LifecycleImage[]> {
  const manifests = await tx.registry.listManifests(repository.arn);
  const listed = new Set(manifests.flatMap((manifest) => manifest.references.filter((reference) => reference.kind === 'manifest').map((reference) => reference.digest)));
  const tags = await tx.registry.tagsByDigest(repository.arn);
  return manifests
    .filter((manifest) => !listed.has(manifest.digest))
    .map((manifest) => ({
      imageDigest: manifest.digest,
      imageTags: tags.get(manifest.digest) ?? [],
      imagePushedAt: manifest.pushedAt,
      ...(manifest.lastPulledAt !== undefined ? { lastRecordedPullTime: manifest.lastPulledAt } : {}),
    }));
}

export async function expiringImages(tx: RegistryTables, repository: RepositoryRecord, policy: LifecyclePolicy, now: Date): Promise<ExpiringImage[]> {
  return evaluateLifecyclePolicy(policy, await lifecycleImages(tx, repository), epochSeconds(now));
}

/** Deletes expired images; an index goes first so that the manifests it lists can follow. */
export async function expireImages(tx: RegistryTables, repository: RepositoryRecord, expiring: readonly ExpiringImage[]): Promise<number> {
  let expired = 0;
  for (const image of expiring) {
    const record = await tx.registry.getManifestRecord(repository.arn, image.imageDigest);
    if (!record) continue;
    const children = record.references.filter((reference) => reference.kind === 'manifest').map((reference) => reference.digest);
    await deleteManifestIn(tx, repository, image.imageDigest);
    for (const child of children) {
      if ((await tx.registry.parentsOf(repository.arn, child)).length === 0 && (await tx.registry.getManifestRecord(repository.arn, child))) {
        await tx.registry.deleteManifest(repository.arn, child);
      }
    }
    expired += 1;
  }
  return expired;
}
