/**
 * ECS deployment alarms (deploymentConfiguration.alarms): the CloudWatch alarms a service's
 * deployments are watched by, and which of them are in ALARM now. The service controller reads
 * them each pass; an alarm's state change wakes the services that watch it (by the key the change
 * feed gives alarms, `<account>/<region>/<name>`). Alarms are the service's own account's and
 * region's, as in ECS. A rollback is not failed by them: it is where their failure goes back to,
 * and the alarms that caused it are likely still in ALARM.
 */
import { Arn } from '../../core/arn.js';
import { primaryOf } from '../../ecs/services/model.js';
import type { ServiceRecord, StoreTx } from '../../store/types.js';

export interface DeploymentAlarmView {
  /** Change keys of the alarms the service watches (empty when alarms are not enabled). */
  watched: string[];
  /** Names of the watched alarms in ALARM now (none while the service rolls back). */
  firing: string[];
  /**
   * How long a settled deployment is still watched before it completes (ECS's bake time, which ECS
   * computes from the alarms): the longest time one of the alarms takes to see its evaluation
   * range, Period × EvaluationPeriods. None for a rollback, which the alarms do not fail.
   */
  bakeSeconds: number;
}

export async function deploymentAlarms(tx: StoreTx, service: ServiceRecord): Promise<DeploymentAlarmView> {
  const config = service.deploymentConfiguration?.alarms;
  const arn = Arn.parse(service.serviceArn);
  if (!config?.enable || !arn) return { watched: [], firing: [], bakeSeconds: 0 };
  const names = config.alarmNames ?? [];
  const watched = names.map((name) => `${arn.accountId}/${arn.region}/${name}`);
  const primary = primaryOf(service);
  const current = primary ? await tx.serviceDeployments.get(primary.serviceDeploymentArn) : undefined;
  if (current?.status?.startsWith('ROLLBACK')) return { watched, firing: [], bakeSeconds: 0 };
  const firing: string[] = [];
  let bakeSeconds = 0;
  for (const name of names) {
    const alarm = await tx.metricAlarms.get(arn.accountId, arn.region, name);
    if (!alarm) continue;
    if (alarm.state.value === 'ALARM') firing.push(name);
    bakeSeconds = Math.max(bakeSeconds, alarm.periodSeconds * alarm.evaluationPeriods);
  }
  return { watched, firing, bakeSeconds };
}
