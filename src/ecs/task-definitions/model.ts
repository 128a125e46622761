/** Shapes shared by the task definition checks, and input clean-up before any check runs. */
import { type ContainerDefinition, type RegisterTaskDefinitionRequest, type Volume } from '@aws-sdk/client-ecs';
import type { Wire } from '../../core/wire.js';

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

/** registry/repository images served by Amazon ECR private registries (all partitions). */
export const ecrImage = /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

export const nonEmpty = <T>(list: T[] | undefined): list is T[] => list !== undefined && list.length > 0;
