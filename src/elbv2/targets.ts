/**
 * RegisterTargets, DeregisterTargets and DescribeTargetHealth.
 *
 * A registration is a record of its own (the API writes it) and so is the target's health (the
 * controller that reads the data plane writes it). What DescribeTargetHealth answers:
 *
 *   deregistered, delay not over     draining     Target.DeregistrationInProgress
 *   deregistered, delay over         (gone)       asked for by id: unused / Target.NotRegistered
 *   group not used by a listener     unused       Target.NotInUse
 *   health recorded                  as recorded  (healthy, unhealthy with Target.Timeout, …)
 *   nothing recorded yet             initial      Elb.RegistrationInProgress
 *   never registered, asked by id    unused       Target.NotRegistered
 */
import {
  InvalidTargetException,
  TooManyTargetsException,
  type DeregisterTargetsInput,
  type DescribeTargetHealthInput,
  type DescribeTargetHealthOutput,
  type RegisterTargetsInput,
  type TargetDescription,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isIPv4 } from 'node:net';
import { modelled, withHelp } from '../core/errors.js';
import type { RequestContext } from '../core/request-context.js';
import type { TargetGroupRecord, TargetHealthRecord, TargetRecord } from '../store/contract/elbv2.js';
import type { Elbv2Deps } from './deps.js';
import { validationError } from './errors.js';
import { checkArn, loadBalancersUsing, targetGroupOf } from './lookup.js';
import { deregisterTarget, purgeDrained, registerTarget, targetKeyOf } from './registrations.js';
import { checkPort } from './validate.js';
import { drainEnded } from './draining.js';

export const targetQuota = 1000;

const keyOf = (id: string, port: number) => targetKeyOf({ id, port });

/** Each target's id checked against the group's target type, its port defaulted to the group's. */
function targetsOf(group: TargetGroupRecord, targets: readonly TargetDescription[]): { id: string; port: number; availabilityZone?: string }[] {
  return targets.map((target) => {
    const id = target.Id as string;
    if (group.targetType === 'instance' && !/^m?i-[0-9a-zA-Z]+$/.test(id)) throw validationError(`Instance ID '${id}' is not valid`, { field: 'Targets.Id' });
    if (group.targetType === 'ip' && !isIPv4(id)) throw validationError(`The IP address '${id}' is not a valid IPv4 address`, { field: 'Targets.Id' });
    const port = target.Port ?? group.port;
    if (port === undefined) throw validationError('A port must be specified for each target', { field: 'Targets.Port' });
    checkPort(port, 'Port');
    return { id, port, ...(target.AvailabilityZone ? { availabilityZone: target.AvailabilityZone } : {}) };
  });
}

const notRegistered = { State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' } as const;

function healthOf(target: TargetRecord, health: TargetHealthRecord | undefined, inUse: boolean, now: number): TargetHealthDescription['TargetHealth'] {
  if (target.drainUntil !== undefined) {
    return !drainEnded(target, now)
      ? { State: 'draining', Reason: 'Target.DeregistrationInProgress', Description: 'Target deregistration is in progress' }
      : notRegistered;
  }
  if (!inUse) return { State: 'unused', Reason: 'Target.NotInUse', Description: 'Target group is not configured to receive traffic from the load balancer' };
  if (health) {
    return { State: health.state, ...(health.reason ? { Reason: health.reason as never } : {}), ...(health.description ? { Description: health.description } : {}) };
  }
  return { State: 'initial', Reason: 'Elb.RegistrationInProgress', Description: 'Target registration is in progress' };
}

export function targetOperations({ store, clock }: Elbv2Deps) {
  const nowSeconds = () => clock.now().getTime() / 1000;
  return {
    async RegisterTargets(input: RegisterTargetsInput, ctx: RequestContext): Promise<Record<string, never>> {
      const arn = input.TargetGroupArn as string;
      checkArn(arn, 'targetgroup', 'TargetGroupArn');
      await store.write(async (tx) => {
        const group = await targetGroupOf(tx, ctx, arn);
        const wanted = targetsOf(group, input.Targets ?? []);
        const now = nowSeconds();
        const live = await purgeDrained(tx, arn, now);
        const existing = new Map(live.map((target) => [keyOf(target.id, target.port), target]));
        const added = wanted.filter((target) => !existing.has(keyOf(target.id, target.port)));
        if (live.length + added.length > targetQuota) {
          throw withHelp(modelled(TooManyTargetsException, 'You have reached the limit on the number of targets.'), { hint: `A target group holds at most ${targetQuota} targets.` });
        }
        // Registering a target again while it drains takes it back; otherwise nothing changes.
        for (const target of wanted) await registerTarget(tx, arn, target, existing.get(keyOf(target.id, target.port)), now);
      });
      return {};
    },

    async DeregisterTargets(input: DeregisterTargetsInput, ctx: RequestContext): Promise<Record<string, never>> {
      const arn = input.TargetGroupArn as string;
      checkArn(arn, 'targetgroup', 'TargetGroupArn');
      await store.write(async (tx) => {
        const group = await targetGroupOf(tx, ctx, arn);
        const given = targetsOf(group, input.Targets ?? []);
        const now = nowSeconds();
        const live = new Map((await purgeDrained(tx, arn, now)).map((target) => [keyOf(target.id, target.port), target]));
        const missing = given.filter((target) => !live.has(keyOf(target.id, target.port)));
        if (missing.length > 0) {
          throw modelled(InvalidTargetException, `The following targets are not registered in target group '${arn}': ${missing.map((target) => `'${target.id}'`).join(', ')}`);
        }
        const inUse = (await loadBalancersUsing(tx, arn)).length > 0;
        for (const target of given) await deregisterTarget(tx, group, live.get(keyOf(target.id, target.port)) as TargetRecord, now, inUse);
      });
      return {};
    },

    async DescribeTargetHealth(input: DescribeTargetHealthInput, ctx: RequestContext): Promise<DescribeTargetHealthOutput> {
      const arn = input.TargetGroupArn as string;
      checkArn(arn, 'targetgroup', 'TargetGroupArn');
      return store.read(async (tx) => {
        const group = await targetGroupOf(tx, ctx, arn);
        const asked = input.Targets ? targetsOf(group, input.Targets) : undefined;
        const now = nowSeconds();
        const registered = (await tx.targets.forTargetGroup(arn)).filter((target) => !drainEnded(target, now));
        const health = new Map((await tx.targetHealth.forTargetGroup(arn)).map((record) => [keyOf(record.id, record.port), record]));
        const inUse = (await loadBalancersUsing(tx, arn)).length > 0;
        const byKey = new Map(registered.map((target) => [keyOf(target.id, target.port), target]));
        const describe = (target: { id: string; port: number; availabilityZone?: string }, state: TargetHealthDescription['TargetHealth']): TargetHealthDescription => ({
          Target: { Id: target.id, Port: target.port, ...(target.availabilityZone ? { AvailabilityZone: target.availabilityZone } : {}) },
          HealthCheckPort: group.healthCheck.port === 'traffic-port' ? String(target.port) : group.healthCheck.port,
          TargetHealth: state,
          AdministrativeOverride: { State: 'no_override', Reason: 'AdministrativeOverride.NoOverride', Description: 'No override is currently active on target' },
        });
        const targets = asked ?? registered;
        return {
          TargetHealthDescriptions: targets.map((target) => {
            const record = byKey.get(keyOf(target.id, target.port));
            return record ? describe(record, healthOf(record, health.get(keyOf(record.id, record.port)), inUse, now)) : describe(target, notRegistered);
          }),
        };
      });
    },
  };
}
