/** Shapes shared by the task definition checks, and input clean-up before any check runs. */
import { type ContainerDefinition, type RegisterTaskDefinitionRequest, type Volume } from '@aws-sdk/client-ecs';
import { NormalizedSchema } from '@smithy/core/schema';
import type { Wire } from '../../core/wire.js';
import { invalidParameter } from '../validate.js';

export type Container = Wire<ContainerDefinition>;
export type VolumeDefinition = Wire<Volume>;
export type RegisterInput = Wire<RegisterTaskDefinitionRequest>;

/** A checked RegisterTaskDefinition request, with task-level cpu/memory converted and container defaults filled. */
export interface Draft {
  input: RegisterInput;
  family: string;
  /** As given; absent means Docker's default (bridge on Linux), which ECS leaves out of the description. */
  networkMode: string | undefined;
  cpu: number | undefined;
  memory: number | undefined;
  containers: Container[];
  volumes: VolumeDefinition[];
}

/** The network mode containers actually get: ECS's default is bridge when none is given. */
export const effectiveNetworkMode = (draft: Pick<Draft, 'networkMode'>): string => draft.networkMode ?? 'bridge';

/**
 * The request as the model defines it: JSON null means "absent" in the AWS JSON protocols, so null
 * members are dropped (`"hostname": null` is no hostname) and null list elements, which mean
 * nothing, are refused; members the model does not define are dropped, so they are neither stored
 * nor described. (The edge has already checked every defined member's type.)
 */
export function asModelled<T>(value: T, schema: NormalizedSchema, path: string): T {
  if (value === null || value === undefined || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (!schema.isListSchema()) return value;
    const element = schema.getValueSchema();
    return value.map((item: unknown, index) => {
      if (item === null || item === undefined) throw invalidParameter(`${path}[${index}] can not be null.`);
      return asModelled(item, element, `${path}[${index}]`);
    }) as T;
  }
  const source = value as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  if (schema.isStructSchema() || schema.isUnionSchema()) {
    for (const [name, member] of schema.structIterator()) {
      const item = source[name];
      if (item !== null && item !== undefined) kept[name] = asModelled(item, member, path ? `${path}.${name}` : name);
    }
    return kept as T;
  }
  if (schema.isMapSchema()) {
    const element = schema.getValueSchema();
    for (const [key, item] of Object.entries(source)) {
      if (item !== null && item !== undefined) kept[key] = asModelled(item, element, `${path}.${key}`);
    }
    return kept as T;
  }
  return value;
}

/** `asModelled` for a whole request, given the SDK's runtime schema of its input shape (e.g. `RegisterTaskDefinitionRequest$`). */
export function requestAsModelled<T>(input: T, shape: unknown): T {
  return asModelled(input, NormalizedSchema.of(shape as never), '');
}

/** registry/repository images served by Amazon ECR private registries (all partitions). */
export const ecrImage = /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

export const nonEmpty = <T>(list: T[] | undefined): list is T[] => list !== undefined && list.length > 0;
