/**
 * Tags by ARN: TagResource, UntagResource, ListTagsForResource.
 *
 * Each taggable resource type maps to the store table holding its records (`taggable` below); a
 * new type is one line there. Only long-format ARNs of the caller's account and Region name a
 * resource: ECS refuses tagging through short ARNs, and a resource of another account or Region
 * is simply not found.
 *
 * Not-found answers follow the operations' error models: a cluster that does not exist (or is
 * INACTIVE) is ClusterNotFoundException; any other missing resource is ResourceNotFoundException
 * for TagResource and UntagResource, and InvalidParameterException for ListTagsForResource, whose
 * model does not declare ResourceNotFoundException.
 */
import {
  ResourceNotFoundException,
  type ListTagsForResourceRequest,
  type ListTagsForResourceResponse,
  type Tag,
  type TagResourceRequest,
  type TagResourceResponse,
  type UntagResourceRequest,
  type UntagResourceResponse,
} from '@aws-sdk/client-ecs';
import type { ServiceException } from '@smithy/core/client';
import { Arn } from '../core/arn.js';
import { modelled } from '../core/errors.js';
import type { Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import type { StoreTx } from '../store/types.js';
import { clusterNotFound } from './clusters.js';
import type { EcsDeps } from './deps.js';
import { ownEcsArn } from './names.js';
import { checkTags, mergeTags } from './tags.js';
import { checkMaxItems, invalidParameter, requireList, requireString } from './validate.js';

type Taggable = { tags?: Wire<Tag>[] };

interface TaggableKind<R extends Taggable> {
  /** The resource path of a long ARN: what follows "<type>/". */
  path: RegExp;
  /** Set when ECS also has a short ARN form for the type, which it refuses for tagging. */
  shortPath?: RegExp;
  table(tx: StoreTx): { get(arn: string): Promise<R | undefined>; put(record: R): Promise<void> };
  /** Whether a stored record still counts as existing (clusters turn INACTIVE when deleted). */
  exists?(record: R): boolean;
  /** The error for a missing resource, when the type has its own. */
  notFound?(given: string, ownArn: string | undefined, record: R | undefined): Error;
}

const kind = <R extends Taggable>(spec: TaggableKind<R>) => spec as unknown as TaggableKind<Taggable>;

/** A cluster name, family, task or container instance ID: letters, numbers, hyphens and underscores. */
const part = '[a-zA-Z0-9_-]{1,255}';

/** ARN resource type → where its records live. */
const taggable: Record<string, TaggableKind<Taggable>> = {
  cluster: kind({
    path: new RegExp(`^${part}$`),
    table: (tx) => tx.clusters,
    exists: (record) => record.status === 'ACTIVE',
    notFound: (given, ownArn, record) => clusterNotFound(given, ownArn, record),
  }),
  'task-definition': kind({ path: new RegExp(`^${part}:[1-9][0-9]{0,9}$`), table: (tx) => tx.taskDefinitions }),
  'container-instance': kind({ path: new RegExp(`^${part}/${part}$`), shortPath: new RegExp(`^${part}$`), table: (tx) => tx.containerInstances }),
  task: kind({ path: new RegExp(`^${part}/${part}$`), shortPath: new RegExp(`^${part}$`), table: (tx) => tx.tasks }),
  // A deleted service's tags go with it, though the INACTIVE service stays describable for a while.
  service: kind({
    path: new RegExp(`^${part}/${part}$`),
    shortPath: new RegExp(`^${part}$`),
    table: (tx) => tx.services,
    exists: (record) => record.status !== 'INACTIVE',
  }),
};

interface Target {
  arn: string;
  kind: TaggableKind<Taggable>;
  /** Whether the ARN is of the caller's account and Region; others are never found. */
  own: boolean;
}

/** Checks the ARN's form (before any store access) and says which table holds it. */
function parseTarget(ctx: RequestContext, given: string | undefined): Target {
  const text = requireString(given, 'resourceArn');
  const arn = Arn.parse(text);
  if (!arn || arn.service !== 'ecs') throw invalidParameter(`resourceArn '${text}' is not an Amazon ECS resource ARN.`);
  const type = taggable[arn.resourceType];
  if (!type) {
    throw invalidParameter(
      `resourceArn '${text}' names a resource type Berth cannot tag ('${arn.resourceType}'); taggable types are ${Object.keys(taggable).join(', ')}.`,
    );
  }
  const path = arn.resource.slice(arn.resourceType.length + 1);
  if (!type.path.test(path)) {
    if (type.shortPath?.test(path)) throw invalidParameter(`Long arn format must be used for tagging operations: '${text}'.`);
    throw invalidParameter(`resourceArn '${text}' is not a valid ${arn.resourceType} ARN.`);
  }
  // Another account's or Region's resource is not found, like anything else that is not there.
  return { arn: text, kind: type, own: ownEcsArn(ctx.scope, text, arn.resourceType) !== undefined };
}

async function load(tx: StoreTx, target: Target, missing: () => ServiceException): Promise<Taggable> {
  const record = target.own ? await target.kind.table(tx).get(target.arn) : undefined;
  if (!record || (target.kind.exists && !target.kind.exists(record))) {
    throw target.kind.notFound ? target.kind.notFound(target.arn, target.own ? target.arn : undefined, record) : missing();
  }
  return record;
}

const resourceNotFound = (arn: string) => () => modelled(ResourceNotFoundException, `The specified resource wasn't found: '${arn}'.`);

function checkTagKeys(keys: string[] | undefined): string[] {
  const list = requireList(keys, 'tagKeys');
  checkMaxItems(list, 'tagKeys', 50);
  list.forEach((key, index) => {
    if (typeof key !== 'string' || key.length < 1 || key.length > 128) throw invalidParameter(`tagKeys[${index}] must be 1 to 128 characters long.`);
    if (/^aws:/i.test(key)) throw invalidParameter(`tagKeys[${index}] '${key}' uses the reserved prefix aws:; such tags cannot be removed.`);
  });
  return list;
}

export function taggingOperations(deps: EcsDeps) {
  const { store } = deps;
  return {
    async TagResource(input: Wire<TagResourceRequest>, ctx: RequestContext): Promise<Wire<TagResourceResponse>> {
      const target = parseTarget(ctx, input.resourceArn);
      const added = checkTags(requireList(input.tags, 'tags'));
      return store.write(async (tx) => {
        const record = await load(tx, target, resourceNotFound(target.arn));
        const tags = mergeTags(record.tags ?? [], added);
        if (tags.length > 50) {
          throw invalidParameter(
            `tags: a resource can have at most 50 tags; '${target.arn}' has ${(record.tags ?? []).length} and this request would bring it to ${tags.length}.`,
          );
        }
        await target.kind.table(tx).put({ ...record, tags });
        return {};
      });
    },

    async UntagResource(input: Wire<UntagResourceRequest>, ctx: RequestContext): Promise<Wire<UntagResourceResponse>> {
      const target = parseTarget(ctx, input.resourceArn);
      const keys = new Set(checkTagKeys(input.tagKeys));
      return store.write(async (tx) => {
        const record = await load(tx, target, resourceNotFound(target.arn));
        const tags = (record.tags ?? []).filter((tag) => !keys.has(tag.key as string));
        if (tags.length !== (record.tags ?? []).length) await target.kind.table(tx).put({ ...record, tags });
        return {};
      });
    },

    async ListTagsForResource(input: Wire<ListTagsForResourceRequest>, ctx: RequestContext): Promise<Wire<ListTagsForResourceResponse>> {
      const target = parseTarget(ctx, input.resourceArn);
      return store.read(async (tx) => {
        const record = await load(tx, target, () => invalidParameter(`The specified resource wasn't found: '${target.arn}'.`));
        return { tags: record.tags ?? [] };
      });
    },
  };
}
