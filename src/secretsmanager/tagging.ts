/** TagResource and UntagResource: tags by SecretId, at most 50 per secret, a key's new value replacing its old. */
import type { TagResourceRequest, UntagResourceRequest } from '@aws-sdk/client-secrets-manager';
import { epochSeconds, type Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import { usableSecret, writeSecrets } from './access.js';
import type { SecretsManagerDeps } from './deps.js';
import { invalidParameter } from './errors.js';
import { checkSecretId, checkTagKeys, checkTags, maxTags, requireMember } from './validate.js';

export function taggingOperations(deps: SecretsManagerDeps) {
  return {
    async TagResource(input: Wire<TagResourceRequest>, ctx: RequestContext): Promise<Record<string, never>> {
      const secretId = checkSecretId(input.SecretId);
      const added = checkTags(requireMember(input.Tags, 'tags'));
      return writeSecrets(deps, ctx, async (tx) => {
        const record = await usableSecret(tx, ctx, secretId);
        const byKey = new Map(record.tags.map((tag) => [tag.Key, tag]));
        for (const tag of added) byKey.set(tag.Key, tag);
        if (byKey.size > maxTags) {
          throw invalidParameter(`A secret can have at most ${maxTags} tags; ${record.name} has ${record.tags.length} and this request would bring it to ${byKey.size}.`);
        }
        await tx.secrets.put({ ...record, tags: [...byKey.values()], lastChangedDate: epochSeconds(ctx.now) });
        return {};
      });
    },

    async UntagResource(input: Wire<UntagResourceRequest>, ctx: RequestContext): Promise<Record<string, never>> {
      const secretId = checkSecretId(input.SecretId);
      const keys = new Set(checkTagKeys(input.TagKeys));
      return writeSecrets(deps, ctx, async (tx) => {
        const record = await usableSecret(tx, ctx, secretId);
        const tags = record.tags.filter((tag) => !keys.has(tag.Key));
        if (tags.length !== record.tags.length) await tx.secrets.put({ ...record, tags, lastChangedDate: epochSeconds(ctx.now) });
        return {};
      });
    },
  };
}
