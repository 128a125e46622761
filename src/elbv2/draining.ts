/**
 * When a deregistered target's draining is over, in one place: the API (which drops such
 * registrations when it touches a target group, and no longer describes them) and the load
 * balancer controller (which forgets them once the delay passed or the data plane reports them
 * drained early) decide it alike.
 */
import type { TargetRecord } from '../store/contract/elbv2.js';

/** Whether the registration's deregistration delay is over at `nowSeconds` (epoch seconds). */
export function drainEnded(target: Pick<TargetRecord, 'drainUntil'>, nowSeconds: number): boolean {
  return target.drainUntil !== undefined && target.drainUntil <= nowSeconds;
}
