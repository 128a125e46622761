/**
 * Clusters: CreateCluster, DescribeClusters, ListClusters, DeleteCluster, UpdateCluster,
 * UpdateClusterSettings, PutClusterCapacityProviders.
 *
 * The counts a cluster reports (instances, running and pending tasks, services) are derived from the
 * store at read time, so they are always true rather than kept in step by hand.
 */
import {
  ClusterContainsContainerInstancesException,
  ClusterContainsServicesException,
  ClusterContainsTasksException,
  ClusterField,
  ClusterNotFoundException,
  ClusterSettingName,
  type CapacityProviderStrategyItem,
  type Cluster,
  type ClusterSetting,
  type CreateClusterRequest,
  type CreateClusterResponse,
  type DeleteClusterRequest,
  type DeleteClusterResponse,
  type DescribeClustersRequest,
  type DescribeClustersResponse,
  type ListClustersRequest,
  type ListClustersResponse,
  type PutClusterCapacityProvidersRequest,
  type PutClusterCapacityProvidersResponse,
  type UpdateClusterRequest,
  type UpdateClusterResponse,
  type UpdateClusterSettingsRequest,
  type UpdateClusterSettingsResponse,
} from '@aws-sdk/client-ecs';
import { modelled, withHelp } from '../core/errors.js';
import type { Scope } from '../core/principal.js';
import type { Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import { withVersionOf, type ClusterRecord, type StoreTx } from '../store/types.js';
import type { EcsDeps } from './deps.js';
import { clusterArnOf, clusterNameOfArn, defaultClusterName, resolveClusterArn } from './names.js';
import { nextTokenOf, pageRequest } from './pagination.js';
import { checkTags } from './tags.js';
import { checkEnum, checkMaxItems, checkRange, checkResourceName, invalidParameter, requireList } from './validate.js';

export const managedCapacityProviders = ['FARGATE', 'FARGATE_SPOT'];

/**
 * ClusterNotFoundException in ECS's words, with Berth's help: the cluster the caller gave (or
 * `default`, when it gave none) and how to get one. `arn` is the cluster's ARN in the request's
 * account and Region, undefined when the given ARN names another account or Region.
 */
export function clusterNotFound(given: string | undefined, arn: string | undefined, record?: ClusterRecord): Error {
  const resource = given ?? defaultClusterName;
  const name = arn === undefined ? undefined : clusterNameOfArn(arn);
  const hint =
    name === undefined
      ? `The ARN is not a cluster of this account and Region (clusters are Region-specific): sign for the Region in the ARN, or give a cluster name.`
      : given === undefined
        ? `No cluster was named, so ECS uses 'default', which does not exist. Create it (aws ecs create-cluster), or name a cluster (--cluster).`
        : record
          ? `The cluster was deleted (it is INACTIVE). Create it again: aws ecs create-cluster --cluster-name ${name}`
          : `Create it: aws ecs create-cluster --cluster-name ${name} (clusters are Region-specific; list this Region's with aws ecs list-clusters).`;
  return withHelp(modelled(ClusterNotFoundException, 'Cluster not found.'), { resource, hint });
}

/** The ACTIVE cluster a request names (or the default cluster), or ClusterNotFoundException. */
export async function activeCluster(tx: StoreTx, scope: Scope, cluster: string | undefined): Promise<ClusterRecord> {
  const arn = resolveClusterArn(scope, cluster);
  const record = arn === undefined ? undefined : await tx.clusters.get(arn);
  if (!record || record.status !== 'ACTIVE') throw clusterNotFound(cluster, arn, record);
  return record;
}

function checkSettings(settings: ClusterSetting[] | undefined, field: string): ClusterSetting[] | undefined {
  if (settings === undefined) return undefined;
  settings.forEach((setting, index) => {
    checkEnum(setting.name, `${field}[${index}].name`, ClusterSettingName);
    if (!['enabled', 'disabled', 'enhanced'].includes(setting.value ?? '')) {
      throw invalidParameter(`${field}[${index}].value must be enabled, disabled or enhanced; got '${setting.value ?? ''}'.`);
    }
  });
  return settings;
}

/** A capacity provider strategy over the cluster's providers, normalised to explicit base and weight. */
export function checkStrategy(strategy: CapacityProviderStrategyItem[] | undefined, providers: string[], field: string): CapacityProviderStrategyItem[] {
  if (strategy === undefined) return [];
  checkMaxItems(strategy, field, 20);
  let withBase = 0;
  strategy.forEach((item, index) => {
    if (!item.capacityProvider) throw invalidParameter(`${field}[${index}].capacityProvider can not be blank.`);
    if (!providers.includes(item.capacityProvider)) {
      throw invalidParameter(
        `The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again. (${field}[${index}]: '${item.capacityProvider}')`,
      );
    }
    checkRange(item.base, `${field}[${index}].base`, 0, 100000);
    checkRange(item.weight, `${field}[${index}].weight`, 0, 1000);
    if ((item.base ?? 0) > 0) withBase++;
  });
  if (withBase > 1) throw invalidParameter(`${field}: only one capacity provider in a strategy can have a base defined.`);
  return strategy.map((item) => ({ capacityProvider: item.capacityProvider, weight: item.weight ?? 0, base: item.base ?? 0 }));
}

function checkCapacityProviders(providers: string[] | undefined, field: string): string[] {
  const list = providers ?? [];
  for (const provider of list) {
    if (!managedCapacityProviders.includes(provider)) {
      throw invalidParameter(
        `${field}: the capacity provider '${provider}' does not exist. Berth provides FARGATE and FARGATE_SPOT; Auto Scaling group capacity providers are not available yet.`,
      );
    }
  }
  return [...new Set(list)];
}

type DescribeInclude = 'ATTACHMENTS' | 'CONFIGURATIONS' | 'SETTINGS' | 'STATISTICS' | 'TAGS';

async function present(tx: StoreTx, record: ClusterRecord, include: Set<DescribeInclude> | 'all'): Promise<Wire<Cluster>> {
  const wants = (field: DescribeInclude) => include === 'all' || include.has(field);
  const counts = await tx.clusters.counts(record.clusterArn);
  const { tags, settings, configuration, attachments, ...rest } = record;
  return {
    ...rest,
    ...counts,
    statistics: [],
    ...(wants('TAGS') ? { tags: tags ?? [] } : {}),
    ...(wants('SETTINGS') ? { settings: settings ?? [] } : {}),
    ...(wants('CONFIGURATIONS') && configuration ? { configuration } : {}),
    ...(wants('ATTACHMENTS') ? { attachments: attachments ?? [] } : {}),
  };
}

export function clusterOperations(deps: EcsDeps) {
  const { store } = deps;
  return {
    async CreateCluster(input: Wire<CreateClusterRequest>, ctx: RequestContext): Promise<Wire<CreateClusterResponse>> {
      const name = input.clusterName ?? defaultClusterName;
      checkResourceName(name, 'clusterName');
      const tags = checkTags(input.tags);
      const settings = checkSettings(input.settings, 'settings');
      const capacityProviders = checkCapacityProviders(input.capacityProviders, 'capacityProviders');
      const strategy = checkStrategy(input.defaultCapacityProviderStrategy, capacityProviders, 'defaultCapacityProviderStrategy');
      return store.write(async (tx) => {
        const arn = clusterArnOf(ctx.scope, name);
        const existing = await tx.clusters.get(arn);
        // ECS answers CreateCluster for an existing ACTIVE cluster with that cluster, unchanged.
        if (existing && existing.status === 'ACTIVE') return { cluster: await present(tx, existing, 'all') };
        const insights = (await tx.accountSettings.list(ctx.scope.accountId, ctx.scope.region)).filter((setting) => setting.name === 'containerInsights');
        // The caller's own setting wins over the account default.
        const insightsDefault =
          insights.find((setting) => !setting.isDefault && setting.principalArn === ctx.principal.arn) ?? insights.find((setting) => setting.isDefault);
        // An INACTIVE cluster of that name is replaced: the write compares the version read above.
        const record: ClusterRecord = withVersionOf({
          clusterArn: arn,
          clusterName: name,
          status: 'ACTIVE',
          tags,
          settings: settings ?? [{ name: 'containerInsights', value: insightsDefault?.value ?? 'disabled' }],
          capacityProviders,
          defaultCapacityProviderStrategy: strategy,
          attachments: [],
          ...(input.configuration ? { configuration: input.configuration } : {}),
          ...(input.serviceConnectDefaults ? { serviceConnectDefaults: { namespace: input.serviceConnectDefaults.namespace } } : {}),
        }, existing);
        await tx.clusters.put(record);
        return { cluster: await present(tx, record, 'all') };
      });
    },

    async DescribeClusters(input: Wire<DescribeClustersRequest>, ctx: RequestContext): Promise<Wire<DescribeClustersResponse>> {
      const include = new Set((input.include ?? []).map((field, index) => checkEnum(field, `include[${index}]`, ClusterField) as DescribeInclude));
      const names = input.clusters ?? [defaultClusterName];
      checkMaxItems(names, 'clusters', 100);
      return store.read(async (tx) => {
        const clusters: Wire<Cluster>[] = [];
        const failures: { arn: string; reason: string }[] = [];
        for (const given of names) {
          const arn = resolveClusterArn(ctx.scope, given);
          const record = arn === undefined ? undefined : await tx.clusters.get(arn);
          if (record) clusters.push(await present(tx, record, include));
          else failures.push({ arn: arn ?? given, reason: 'MISSING' });
        }
        return { clusters, failures };
      });
    },

    async ListClusters(input: Wire<ListClustersRequest>, ctx: RequestContext): Promise<Wire<ListClustersResponse>> {
      const page = pageRequest(input);
      const result = await store.read((tx) => tx.clusters.list(ctx.scope.accountId, ctx.scope.region, page, 'ACTIVE'));
      return { clusterArns: result.items.map((cluster) => cluster.clusterArn), ...nextTokenOf(result) };
    },

    async DeleteCluster(input: Wire<DeleteClusterRequest>, ctx: RequestContext): Promise<Wire<DeleteClusterResponse>> {
      if (!input.cluster) throw invalidParameter('cluster can not be blank.');
      return store.write(async (tx) => {
        const record = await activeCluster(tx, ctx.scope, input.cluster);
        const counts = await tx.clusters.counts(record.clusterArn);
        if (counts.registeredContainerInstancesCount > 0) {
          throw modelled(ClusterContainsContainerInstancesException, 'The Cluster cannot be deleted while Container Instances are active or draining.');
        }
        if (counts.activeServicesCount > 0) {
          throw modelled(ClusterContainsServicesException, 'The Cluster cannot be deleted while Services are active.');
        }
        if (counts.runningTasksCount + counts.pendingTasksCount > 0) {
          throw modelled(ClusterContainsTasksException, 'The Cluster cannot be deleted while Tasks are active.');
        }
        const deleted: ClusterRecord = { ...record, status: 'INACTIVE' };
        await tx.clusters.put(deleted);
        return { cluster: await present(tx, deleted, 'all') };
      });
    },

    async UpdateCluster(input: Wire<UpdateClusterRequest>, ctx: RequestContext): Promise<Wire<UpdateClusterResponse>> {
      if (!input.cluster) throw invalidParameter('cluster can not be blank.');
      const settings = checkSettings(input.settings, 'settings');
      return store.write(async (tx) => {
        const record = await activeCluster(tx, ctx.scope, input.cluster);
        const updated: ClusterRecord = {
          ...record,
          ...(settings ? { settings: mergeSettings(record.settings ?? [], settings) } : {}),
          ...(input.configuration ? { configuration: input.configuration } : {}),
          ...(input.serviceConnectDefaults ? { serviceConnectDefaults: { namespace: input.serviceConnectDefaults.namespace } } : {}),
        };
        await tx.clusters.put(updated);
        return { cluster: await present(tx, updated, 'all') };
      });
    },

    async UpdateClusterSettings(input: Wire<UpdateClusterSettingsRequest>, ctx: RequestContext): Promise<Wire<UpdateClusterSettingsResponse>> {
      if (!input.cluster) throw invalidParameter('cluster can not be blank.');
      const settings = checkSettings(requireList(input.settings, 'settings'), 'settings') ?? [];
      return store.write(async (tx) => {
        const record = await activeCluster(tx, ctx.scope, input.cluster);
        const updated: ClusterRecord = { ...record, settings: mergeSettings(record.settings ?? [], settings) };
        await tx.clusters.put(updated);
        return { cluster: await present(tx, updated, 'all') };
      });
    },

    async PutClusterCapacityProviders(
      input: Wire<PutClusterCapacityProvidersRequest>,
      ctx: RequestContext,
    ): Promise<Wire<PutClusterCapacityProvidersResponse>> {
      if (!input.cluster) throw invalidParameter('cluster can not be blank.');
      const providers = checkCapacityProviders(requireList(input.capacityProviders, 'capacityProviders'), 'capacityProviders');
      const strategy = checkStrategy(
        requireList(input.defaultCapacityProviderStrategy, 'defaultCapacityProviderStrategy'),
        providers,
        'defaultCapacityProviderStrategy',
      );
      return store.write(async (tx) => {
        const record = await activeCluster(tx, ctx.scope, input.cluster);
        const updated: ClusterRecord = { ...record, capacityProviders: providers, defaultCapacityProviderStrategy: strategy };
        await tx.clusters.put(updated);
        return { cluster: await present(tx, updated, 'all') };
      });
    },
  };
}

function mergeSettings(existing: ClusterSetting[], changes: ClusterSetting[]): ClusterSetting[] {
  const byName = new Map(existing.map((setting) => [setting.name, setting]));
  for (const setting of changes) byName.set(setting.name, { name: setting.name, value: setting.value });
  return [...byName.values()];
}
