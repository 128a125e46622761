/** AddTagsToCertificate, RemoveTagsFromCertificate and ListTagsForCertificate: at most 50 tags, a key's new value replacing its old. */
import type { AddTagsToCertificateRequest, ListTagsForCertificateRequest, ListTagsForCertificateResponse, RemoveTagsFromCertificateRequest } from '@aws-sdk/client-acm';
import type { RequestContext } from '../core/request-context.js';
import type { Wire } from '../core/wire.js';
import { certificateOf } from './certificates.js';
import type { AcmDeps } from './deps.js';
import { tooManyTags } from './errors.js';
import { checkCertificateArn, checkTags, maxTags } from './validate.js';

export function taggingOperations({ store }: AcmDeps) {
  return {
    async AddTagsToCertificate(input: Wire<AddTagsToCertificateRequest>, ctx: RequestContext): Promise<Record<string, never>> {
      const arn = checkCertificateArn(input.CertificateArn);
      const added = checkTags(input.Tags);
      await store.write(async (tx) => {
        const record = await certificateOf(tx, ctx, arn);
        const byKey = new Map(record.tags.map((tag) => [tag.Key, tag]));
        for (const tag of added) byKey.set(tag.Key, tag);
        if (byKey.size > maxTags) throw tooManyTags(`the TagSet: ${JSON.stringify(record.tags)} contains too many Tags`);
        await tx.certificates.put({ ...record, tags: [...byKey.values()] });
      });
      return {};
    },

    async RemoveTagsFromCertificate(input: Wire<RemoveTagsFromCertificateRequest>, ctx: RequestContext): Promise<Record<string, never>> {
      const arn = checkCertificateArn(input.CertificateArn);
      const removed = checkTags(input.Tags);
      await store.write(async (tx) => {
        const record = await certificateOf(tx, ctx, arn);
        // A tag given with a value goes only when its value matches; one given by key alone goes whatever its value.
        const goes = (tag: { Key: string; Value?: string }) => removed.some((r) => r.Key === tag.Key && (r.Value === undefined || r.Value === (tag.Value ?? '')));
        const tags = record.tags.filter((tag) => !goes(tag));
        if (tags.length !== record.tags.length) await tx.certificates.put({ ...record, tags });
      });
      return {};
    },

    async ListTagsForCertificate(input: Wire<ListTagsForCertificateRequest>, ctx: RequestContext): Promise<Wire<ListTagsForCertificateResponse>> {
      const arn = checkCertificateArn(input.CertificateArn);
      return store.read(async (tx) => ({ Tags: (await certificateOf(tx, ctx, arn)).tags }));
    },
  };
}
