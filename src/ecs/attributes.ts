/**
 * Attributes of container instances: PutAttributes, DeleteAttributes, ListAttributes.
 *
 * Attributes live in the container instance's own `attributes` list (name and optional value),
 * the list DescribeContainerInstances shows and placement reads; a name is set at most once per
 * instance. The target type is always `container-instance`, the only one ECS has.
 *
 * Names beginning `ecs.` or `com.amazonaws.ecs.` are the attributes ECS itself reports for an
 * instance (ecs.os-type, ecs.capability.*, …). They are listed but cannot be put or deleted here,
 * and do not count toward the 10 custom attributes an instance may have.
 */
import {
  AttributeLimitExceededException,
  TargetNotFoundException,
  TargetType,
  type Attribute,
  type DeleteAttributesRequest,
  type DeleteAttributesResponse,
  type ListAttributesRequest,
  type ListAttributesResponse,
  type PutAttributesRequest,
  type PutAttributesResponse,
} from '@aws-sdk/client-ecs';
import { Arn } from '../core/arn.js';
import { modelled } from '../core/errors.js';
import type { Scope } from '../core/principal.js';
import type { Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import type { ClusterRecord, ContainerInstanceRecord, StoreTx } from '../store/types.js';
import { activeCluster } from './clusters.js';
import type { EcsDeps } from './deps.js';
import { resolveChildArn } from './names.js';
import { nextTokenOf, pageRequest } from './pagination.js';
import { checkEnum, checkMaxItems, invalidParameter, requireList, requireString } from './validate.js';

export const maxCustomAttributes = 10;
const reservedPrefixes = ['ecs.', 'com.amazonaws.ecs.'];

const isReserved = (name: string) => reservedPrefixes.some((prefix) => name.startsWith(prefix));

interface StoredAttribute {
  name: string;
  value?: string;
}

interface AttributeChange {
  name: string;
  value?: string;
  targetId: string;
  targetType?: string;
  index: number;
}

/** Attribute names: 1–128 letters, numbers, hyphens, underscores, forward or back slashes, and periods. */
export function checkAttributeName(name: string | undefined, field: string): string {
  const given = requireString(name, field);
  if (!/^[a-zA-Z0-9_.\-/\\]{1,128}$/.test(given)) {
    throw invalidParameter(
      `${field} '${given}' is invalid: it must be 1 to 128 letters, numbers, hyphens, underscores, forward slashes, back slashes or periods.`,
    );
  }
  return given;
}

/** Attribute values: 1–128 letters, numbers, hyphens, underscores, periods, at signs, slashes, colons or spaces, not starting or ending with a space. */
export function checkAttributeValue(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[a-zA-Z0-9_.\-@/\\: ]{1,128}$/.test(value) || value.startsWith(' ') || value.endsWith(' ')) {
    throw invalidParameter(
      `${field} '${value}' is invalid: it must be 1 to 128 letters, numbers, hyphens, underscores, periods, at signs, forward slashes, back slashes, colons or spaces, and can't start or end with a space.`,
    );
  }
  return value;
}

function checkChanges(attributes: Wire<Attribute>[] | undefined, withValues: boolean): AttributeChange[] {
  const list = requireList(attributes, 'attributes');
  if (list.length === 0) throw invalidParameter('attributes must have at least one attribute.');
  checkMaxItems(list, 'attributes', 10);
  return list.map((attribute, index) => {
    const field = `attributes[${index}]`;
    const name = checkAttributeName(attribute.name, `${field}.name`);
    if (isReserved(name)) {
      throw invalidParameter(`${field}.name '${name}' is reserved: names beginning ${reservedPrefixes.join(' or ')} are attributes that Amazon ECS sets.`);
    }
    const value = withValues ? checkAttributeValue(attribute.value, `${field}.value`) : undefined;
    const targetType = checkEnum(attribute.targetType, `${field}.targetType`, TargetType);
    const targetId = requireString(attribute.targetId, `${field}.targetId`);
    if (!targetId.startsWith('arn:') && targetType === undefined) {
      throw invalidParameter(`${field}.targetType is required when ${field}.targetId is a short ID rather than an ARN.`);
    }
    if (targetId.startsWith('arn:') && Arn.parse(targetId)?.resourceType !== 'container-instance') {
      throw invalidParameter(`${field}.targetId '${targetId}' is not a container instance ARN.`);
    }
    return { name, targetId, index, ...(value !== undefined ? { value } : {}), ...(targetType ? { targetType } : {}) };
  });
}

const targetNotFound = (cluster: ClusterRecord, targetId: string) =>
  modelled(
    TargetNotFoundException,
    `The specified target wasn't found: container instance '${targetId}' is not registered in cluster '${cluster.clusterName}'. Container instances are cluster-specific and Region-specific.`,
  );

/** Loads every instance a batch of changes targets, keyed by ARN; a missing or deregistered one fails the whole call. */
async function loadTargets(tx: StoreTx, scope: Scope, cluster: ClusterRecord, changes: AttributeChange[]): Promise<Map<string, ContainerInstanceRecord>> {
  const instances = new Map<string, ContainerInstanceRecord>();
  for (const change of changes) {
    const arn = resolveChildArn(scope, cluster.clusterArn, change.targetId, 'container-instance');
    const record = arn === undefined ? undefined : (instances.get(arn) ?? (await tx.containerInstances.get(arn)));
    if (!record || record.status === 'INACTIVE') throw targetNotFound(cluster, change.targetId);
    instances.set(record.containerInstanceArn, record);
  }
  return instances;
}

const arnOfTarget = (scope: Scope, cluster: ClusterRecord, targetId: string) =>
  resolveChildArn(scope, cluster.clusterArn, targetId, 'container-instance') as string;

const stored = (record: ContainerInstanceRecord): StoredAttribute[] =>
  (record.attributes ?? []).map((attribute) => ({ name: attribute.name as string, ...(attribute.value !== undefined && attribute.value !== null ? { value: attribute.value } : {}) }));

/** The attribute as the request named it, as ECS echoes it. */
const echo = (change: AttributeChange, value: string | undefined): Wire<Attribute> => ({
  name: change.name,
  ...(value !== undefined ? { value } : {}),
  ...(change.targetType ? { targetType: change.targetType as TargetType } : {}),
  targetId: change.targetId,
});

export function attributeOperations(deps: EcsDeps) {
  const { store } = deps;
  return {
    async PutAttributes(input: Wire<PutAttributesRequest>, ctx: RequestContext): Promise<Wire<PutAttributesResponse>> {
      const changes = checkChanges(input.attributes, true);
      return store.write(async (tx) => {
        const cluster = await activeCluster(tx, ctx.scope, input.cluster);
        const instances = await loadTargets(tx, ctx.scope, cluster, changes);
        for (const [arn, record] of instances) {
          const byName = new Map(stored(record).map((attribute) => [attribute.name, attribute]));
          const before = [...byName.keys()].filter((n) => !isReserved(n)).length;
          for (const change of changes.filter((c) => arnOfTarget(ctx.scope, cluster, c.targetId) === arn)) {
            byName.set(change.name, { name: change.name, ...(change.value !== undefined ? { value: change.value } : {}) });
          }
          const after = [...byName.keys()].filter((n) => !isReserved(n)).length;
          if (after > maxCustomAttributes && after > before) {
            throw modelled(
              AttributeLimitExceededException,
              `You can apply up to ${maxCustomAttributes} custom attributes for each resource: container instance '${arn}' would have ${after}. Remove attributes with DeleteAttributes first.`,
            );
          }
          await tx.containerInstances.put({ ...record, attributes: [...byName.values()] });
        }
        return { attributes: changes.map((change) => echo(change, change.value)) };
      });
    },

    async DeleteAttributes(input: Wire<DeleteAttributesRequest>, ctx: RequestContext): Promise<Wire<DeleteAttributesResponse>> {
      const changes = checkChanges(input.attributes, false);
      return store.write(async (tx) => {
        const cluster = await activeCluster(tx, ctx.scope, input.cluster);
        const instances = await loadTargets(tx, ctx.scope, cluster, changes);
        const deleted: Wire<Attribute>[] = [];
        for (const change of changes) {
          const arn = arnOfTarget(ctx.scope, cluster, change.targetId);
          const record = instances.get(arn) as ContainerInstanceRecord;
          const current = stored(record);
          const found = current.find((attribute) => attribute.name === change.name);
          deleted.push(echo(change, found?.value));
          // Deleting an attribute the instance does not have changes nothing and is not an error.
          if (found) instances.set(arn, { ...record, attributes: current.filter((attribute) => attribute.name !== change.name) });
        }
        for (const record of instances.values()) await tx.containerInstances.put(record);
        return { attributes: deleted };
      });
    },

    async ListAttributes(input: Wire<ListAttributesRequest>, ctx: RequestContext): Promise<Wire<ListAttributesResponse>> {
      const targetType = checkEnum(requireString(input.targetType, 'targetType'), 'targetType', TargetType);
      const attributeName = input.attributeName === undefined ? undefined : checkAttributeName(input.attributeName, 'attributeName');
      if (input.attributeValue !== undefined && attributeName === undefined) {
        throw invalidParameter('attributeValue can only be given together with attributeName.');
      }
      const page = pageRequest(input);
      return store.read(async (tx) => {
        const cluster = await activeCluster(tx, ctx.scope, input.cluster);
        const instances = (await tx.containerInstances.all(cluster.clusterArn)).filter((instance) => instance.status !== 'INACTIVE');
        // Ordered by instance ARN then name; the cursor is the last (ARN, name) pair, so paging is stable under changes.
        const rows = instances
          .flatMap((instance) =>
            stored(instance).map((attribute) => ({ key: `${instance.containerInstanceArn} ${attribute.name}`, arn: instance.containerInstanceArn, attribute })),
          )
          .filter(({ attribute }) => (attributeName === undefined || attribute.name === attributeName) && (input.attributeValue === undefined || attribute.value === input.attributeValue))
          .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        const after = page.after;
        const rest = after === undefined ? rows : rows.filter((row) => row.key > after);
        const slice = rest.slice(0, page.limit);
        const last = slice[slice.length - 1];
        return {
          attributes: slice.map(({ arn, attribute }) => ({
            name: attribute.name,
            ...(attribute.value !== undefined ? { value: attribute.value } : {}),
            targetType: targetType as TargetType,
            targetId: arn,
          })),
          ...nextTokenOf({ items: slice, ...(rest.length > page.limit && last ? { next: last.key } : {}) }),
        };
      });
    },
  };
}
