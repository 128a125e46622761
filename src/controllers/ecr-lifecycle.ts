/**
 * Applies lifecycle policies on a schedule. Level-triggered: each pass evaluates every repository
 * that has a policy against its images as they are now, so a restart simply carries on. ECR applies
 * policies within 24 hours of a change; Berth runs every ten minutes by default.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../core/clock.js';
import { PeriodicPass } from '../core/periodic.js';
import { epochSeconds } from '../core/wire.js';
import type { LeaderLease } from '../store/leader-lease.js';
import type { Store } from '../store/types.js';
import { parseLifecyclePolicy } from '../ecr/lifecycle/policy.js';
import { expireImages, expiringImages } from '../ecr/lifecycle/repository-images.js';

export const defaultLifecycleIntervalMs = 10 * 60 * 1000;

export class LifecycleScheduler {
  private readonly periodic = new PeriodicPass(() => this.pass());

  constructor(private readonly deps: { store: Store; clock: Clock; log: FastifyBaseLogger; intervalMs?: number; lease?: LeaderLease }) {}

  /** Timed passes run only while the lease (if given) is held: one process applies policies. */
  start(): void {
    const lease = this.deps.lease;
    this.periodic.start(
      this.deps.intervalMs ?? defaultLifecycleIntervalMs,
      (outcome) => {
        if ('error' in outcome) this.deps.log.error({ err: outcome.error }, 'applying lifecycle policies failed; it runs again later');
      },
      undefined,
      lease ? () => lease.acquire() : undefined,
    );
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** One pass over every repository with a policy; answers how many images expired. */
  runOnce(): Promise<number> {
    return this.periodic.run();
  }

  private async pass(): Promise<number> {
    let total = 0;
    for (const arn of await this.deps.store.read((tx) => tx.registry.repositoriesWithLifecyclePolicy())) {
      // One transaction per repository: what is evaluated is what is deleted.
      total += await this.deps.store.write(async (tx) => {
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
    return total;
  }
}
