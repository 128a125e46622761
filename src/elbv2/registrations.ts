/**
 * Writing target registrations: what RegisterTargets and DeregisterTargets do to the store, shared
 * with the ECS service scheduler so a service's tasks are registered exactly as the API would.
 *
 *   register    new → registered (registeredAt); draining → registered again (its health reset)
 *   deregister  registered → draining until now + deregistration delay; with no delay, or with no
 *               listener sending the group traffic, the registration and its health go at once
 *   purge       a registration whose drain is over goes, with its health
 */
import type { TargetGroupRecord, TargetRecord } from '../store/contract/elbv2.js';
import type { StoreTx } from '../store/types.js';
import { loadBalancersUsing } from './lookup.js';
import { drainEnded } from './draining.js';

export interface TargetKey {
  id: string;
  port: number;
}

export const targetKeyOf = (target: TargetKey) => `${target.id}:${target.port}`;

/** The group's deregistration delay in seconds (ELB's default is 300). */
export function deregistrationDelayOf(group: TargetGroupRecord): number {
  return Number(group.attributes['deregistration_delay.timeout_seconds'] ?? '300');
}

/** Registrations whose deregistration delay is over are dropped, with their health; the rest are returned. */
export async function purgeDrained(tx: StoreTx, groupArn: string, now: number): Promise<TargetRecord[]> {
  const live: TargetRecord[] = [];
  for (const target of await tx.targets.forTargetGroup(groupArn)) {
    if (drainEnded(target, now)) {
      await tx.targets.delete(groupArn, target.id, target.port);
      await tx.targetHealth.delete(groupArn, target.id, target.port);
    } else {
      live.push(target);
    }
  }
  return live;
}

/**
 * Registers `target` given the group's live registrations: a target already registered is left
 * alone; one that drains is taken back (its health starts over). Says whether it wrote.
 */
export async function registerTarget(
  tx: StoreTx,
  groupArn: string,
  target: TargetKey & { availabilityZone?: string },
  existing: TargetRecord | undefined,
  now: number,
): Promise<boolean> {
  if (existing && existing.drainUntil === undefined) return false;
  if (existing) await tx.targetHealth.delete(groupArn, target.id, target.port);
  await tx.targets.put({ targetGroupArn: groupArn, ...target, registeredAt: now });
  return true;
}

/**
 * Deregisters a registered target: it drains for the group's deregistration delay, or goes at once
 * when there is no delay or nothing sends the group traffic. Returns when its drain ends (epoch
 * seconds; `now` when it went at once), or undefined if it was already draining.
 */
export async function deregisterTarget(tx: StoreTx, group: TargetGroupRecord, record: TargetRecord, now: number, inUse?: boolean): Promise<number | undefined> {
  if (record.drainUntil !== undefined) return undefined;
  const used = inUse ?? (await loadBalancersUsing(tx, group.arn)).length > 0;
  const delay = deregistrationDelayOf(group);
  // Nothing sends traffic to a group no listener uses: there is nothing to drain.
  if (!used || delay === 0) {
    await tx.targets.delete(group.arn, record.id, record.port);
    await tx.targetHealth.delete(group.arn, record.id, record.port);
    return now;
  }
  await tx.targets.put({ ...record, deregisteredAt: now, drainUntil: now + delay });
  return now + delay;
}
