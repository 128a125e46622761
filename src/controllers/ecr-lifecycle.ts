/**
 * Applies lifecycle policies on a schedule. A controller keyed by repository ARN, without a watch:
 * every `intervalMs` it lists the repositories that have a policy and evaluates each against its
 * images as they are now, so a restart simply carries on. ECR applies policies within 24 hours of
 * a change; Berth runs every ten minutes by default. One process among those sharing the store
 * applies them (the lease).
 *
 * It has no watch on purpose: ECR promises expiry within 24 hours, not on push, and a watch on
 * repositories would wake it on its own writes (each evaluation records lastEvaluatedAt).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../core/clock.js';
import { epochSeconds } from '../core/wire.js';
import { parseLifecyclePolicy } from '../ecr/lifecycle/policy.js';
import { expireImages, expiringImages } from '../ecr/lifecycle/repository-images.js';
import type { LeaderLease } from '../store/leader-lease.js';
import type { Store, StoreTx } from '../store/types.js';
import { done, type Reconciled } from './controller.js';
import { RunnableController } from './runnable.js';
import type { ControllerTelemetry } from '../telemetry/telemetry.js';

export const defaultLifecycleIntervalMs = 10 * 60 * 1000;

export interface LifecycleDeps {
  /** Where the runner reports reconcile times and queue depths. */
  telemetry?: ControllerTelemetry;
  store: Store;
  clock: Clock;
  log: FastifyBaseLogger;
  intervalMs?: number;
  lease?: LeaderLease;
}

export class EcrLifecycleController extends RunnableController {
  readonly resync: { everyMs: number };
  readonly lease?: LeaderLease;

  constructor(private readonly deps: LifecycleDeps) {
    super('ecr-lifecycle', deps);
    this.resync = { everyMs: deps.intervalMs ?? defaultLifecycleIntervalMs };
    if (deps.lease) this.lease = deps.lease;
  }

  /** Evaluates every repository with a policy now; answers how many images expired. */
  async runOnce(): Promise<number> {
    let total = 0;
    for (const arn of await this.deps.store.read((tx) => this.listKeys(tx))) total += await this.apply(arn);
    return total;
  }

  listKeys(tx: StoreTx): Promise<string[]> {
    return tx.registry.repositoriesWithLifecyclePolicy();
  }

  async reconcile(arn: string): Promise<Reconciled> {
    await this.apply(arn);
    return done;
  }

  /** One transaction per repository: what is evaluated is what is deleted. */
  private apply(arn: string): Promise<number> {
    return this.deps.store.write(async (tx) => {
      const repository = await tx.registry.getRepository(arn);
      const policy = repository?.lifecyclePolicyText === undefined ? undefined : parseLifecyclePolicy(repository.lifecyclePolicyText);
      if (!repository || !policy || 'error' in policy) return 0;
      const now = this.deps.clock.now();
      const expiring = await expiringImages(tx, repository, policy, now);
      const expired = await expireImages(tx, repository, expiring);
      await tx.registry.putRepository({ ...repository, lifecyclePolicyEvaluatedAt: epochSeconds(now) });
      if (expired > 0) {
        this.deps.log.info({ repository: repository.arn, expired, digests: expiring.map((image) => image.imageDigest) }, 'lifecycle policy expired images');
      }
      return expired;
    });
  }
}
