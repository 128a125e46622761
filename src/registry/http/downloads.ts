/**
 * Layer downloads for ECR's GetDownloadUrlForLayer: a URL that serves one blob of one repository
 * without further credentials until it expires, as ECR's pre-signed URLs do.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/types.js';
import type { Registry } from '../registry.js';

export const downloadPathPrefix = '/_berth/registry/layers';
export const downloadUrlLifetimeSeconds = 60 * 60;

/** A download URL for a blob of a repository, valid for an hour. */
export async function downloadUrl(registry: Registry, repositoryArn: string, digest: string, nowSeconds: number): Promise<string> {
  const expires = Math.floor(nowSeconds) + downloadUrlLifetimeSeconds;
  const signature = await registry.tokens.signDownload(repositoryArn, digest, expires);
  const query = new URLSearchParams({ repository: repositoryArn, expires: String(expires), signature });
  return `${registry.endpoint}${downloadPathPrefix}/${digest}?${query}`;
}

export function downloadRoutes(app: FastifyInstance, deps: { registry: Registry; store: Store; now(): number }): void {
  app.get<{ Params: { digest: string }; Querystring: Record<string, string | undefined> }>(`${downloadPathPrefix}/:digest`, async (request, reply) => {
    const { repository: repositoryArn, expires, signature } = request.query;
    const expiresAt = Number(expires);
    const valid =
      repositoryArn !== undefined &&
      signature !== undefined &&
      Number.isInteger(expiresAt) &&
      expiresAt > deps.now() &&
      (await deps.registry.tokens.downloadSignatureMatches(repositoryArn, request.params.digest, expiresAt, signature));
    if (!valid) return reply.code(403).header('content-type', 'text/plain').send('This download URL is not valid or has expired; ask GetDownloadUrlForLayer for a new one.\n');
    const repository = await deps.store.read((tx) => tx.registry.getRepository(repositoryArn));
    const blob = repository && (await deps.store.read((tx) => tx.registry.linkedBlob(repository.arn, request.params.digest)));
    if (!repository || !blob) return reply.code(404).header('content-type', 'text/plain').send('The layer is no longer in the repository.\n');
    const content = await deps.registry.storage.read(blob.digest);
    return reply.code(200).header('content-type', 'application/octet-stream').header('content-length', String(blob.size)).send(content);
  });
}
