/**
 * What the service operations answer with. Stored records carry internal bookkeeping (circuit
 * breaker failure times, revision links, steady-state flags) that never leaves Berth, and no task
 * counts: running and pending counts are counted from the tasks each deployment started, at read time.
 */
import type { Deployment, Service, ServiceDeployment, ServiceDeploymentBrief, ServiceRevisionSummary } from '@aws-sdk/client-ecs';
import type { Wire } from '../../core/wire.js';
import { serviceDeploymentStatusIsLive } from './deployments.js';
import { serviceGroup } from './model.js';
import type { DeploymentRecord, ServiceDeploymentRecord, ServiceRecord, StoreTx } from '../../store/types.js';

/** Running and pending tasks per deployment id (the tasks' startedBy). */
export type DeploymentCounts = Map<string, { running: number; pending: number }>;

export function countsOf(tx: StoreTx, service: ServiceRecord): Promise<DeploymentCounts> {
  return tx.tasks.deploymentCounts(service.clusterArn, serviceGroup(service.serviceName));
}

const countOf = (counts: DeploymentCounts, deploymentId: string) => counts.get(deploymentId) ?? { running: 0, pending: 0 };

export function presentDeployment(record: DeploymentRecord, counts: DeploymentCounts): Wire<Deployment> {
  const { breakerFailures: _failures, startFailures: _startFailures, bakeUntil: _bakeUntil, serviceDeploymentArn: _deployment, serviceRevisionArn: _revision, ...deployment } = record;
  const { running, pending } = countOf(counts, record.id);
  return { ...deployment, runningCount: running, pendingCount: pending };
}

export function presentService(record: ServiceRecord, counts: DeploymentCounts, withTags: boolean): Wire<Service> {
  const {
    lastCompletedRevisionArn: _lastRevision,
    lastCompletedDeploymentId: _lastDeployment,
    steadyState: _steady,
    deletedAt: _deleted,
    rebalancing: _rebalancing,
    version: _version,
    tags,
    deployments,
    ...service
  } = record;
  const totals = deployments.map((deployment) => countOf(counts, deployment.id));
  return {
    ...service,
    runningCount: totals.reduce((sum, count) => sum + count.running, 0),
    pendingCount: totals.reduce((sum, count) => sum + count.pending, 0),
    deployments: deployments.map((deployment) => presentDeployment(deployment, counts)),
    currentServiceRevisions: deployments.map((deployment, index) => ({
      arn: deployment.serviceRevisionArn,
      requestedTaskCount: deployment.desiredCount,
      runningTaskCount: totals[index]!.running,
      pendingTaskCount: totals[index]!.pending,
    })),
    ...(withTags ? { tags } : {}),
  };
}

export async function describeService(tx: StoreTx, record: ServiceRecord, withTags: boolean): Promise<Wire<Service>> {
  return presentService(record, await countsOf(tx, record), withTags);
}

/**
 * A service deployment as DescribeServiceDeployments shows it. While it is still under way its
 * revisions' task counts come from the service's deployments now; once finished, the counts it
 * recorded stand.
 */
export function presentServiceDeployment(
  record: ServiceDeploymentRecord,
  live?: { service: ServiceRecord; counts: DeploymentCounts },
): Wire<ServiceDeployment> {
  if (!live || !serviceDeploymentStatusIsLive(record.status)) return record;
  const current = (summary: Wire<ServiceRevisionSummary>): Wire<ServiceRevisionSummary> => {
    const deployment = live.service.deployments.find((candidate) => candidate.serviceRevisionArn === summary.arn);
    if (!deployment) return summary;
    const { running, pending } = countOf(live.counts, deployment.id);
    return { ...summary, requestedTaskCount: deployment.desiredCount, runningTaskCount: running, pendingTaskCount: pending };
  };
  return {
    ...record,
    ...(record.targetServiceRevision ? { targetServiceRevision: current(record.targetServiceRevision) } : {}),
    ...(record.sourceServiceRevisions ? { sourceServiceRevisions: record.sourceServiceRevisions.map(current) } : {}),
  };
}

export function briefOf(record: ServiceDeploymentRecord): Wire<ServiceDeploymentBrief> {
  return {
    serviceDeploymentArn: record.serviceDeploymentArn,
    serviceArn: record.serviceArn,
    clusterArn: record.clusterArn,
    createdAt: record.createdAt,
    ...(record.startedAt !== undefined ? { startedAt: record.startedAt } : {}),
    ...(record.finishedAt !== undefined ? { finishedAt: record.finishedAt } : {}),
    ...(record.targetServiceRevision?.arn !== undefined ? { targetServiceRevisionArn: record.targetServiceRevision.arn } : {}),
    status: record.status as ServiceDeploymentBrief['status'],
    ...(record.statusReason !== undefined ? { statusReason: record.statusReason } : {}),
  };
}
