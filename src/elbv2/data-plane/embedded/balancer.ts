/**
 * Which target takes the next request, among those the target group may route to. Pure: the
 * candidates, their weights and outstanding counts, and the random draw come from the caller.
 *
 *  - round_robin: smooth weighted round robin (nginx's): every pick adds each candidate's weight to
 *    its credit, takes the candidate with the most credit and takes the sum of weights from it.
 *    With equal weights this is plain rotation; a target in slow start (weight below 1) gets its
 *    proportionally smaller share, evenly spread.
 *  - least_outstanding_requests: the fewest requests in flight; ties go to the one with the most
 *    round-robin credit, so equal loads still rotate.
 *  - weighted_random: a random draw weighted like round robin.
 *
 * Slow start: a target that turned healthy less than slowStartSeconds ago takes a share that grows
 * linearly with the time since (never below a twentieth), as ALB ramps it. Worked example with a
 * slow start of 30 s: 6 s after turning healthy a target's weight is 0.2, so beside two settled
 * targets it takes 0.2/2.2 ≈ 9 % of the requests.
 */

export type Algorithm = 'round_robin' | 'least_outstanding_requests' | 'weighted_random';

export interface Candidate {
  key: string;
  weight: number;
  outstanding: number;
}

/** Round-robin credit per candidate key; lives as long as the target group. */
export type RoundRobinCredit = Map<string, number>;

export function slowStartWeight(healthySince: number, slowStartSeconds: number, now: number): number {
  if (slowStartSeconds <= 0) return 1;
  const elapsed = (now - healthySince) / 1000;
  if (elapsed >= slowStartSeconds) return 1;
  return Math.max(0.05, elapsed / slowStartSeconds);
}

export function pickTarget<C extends Candidate>(candidates: readonly C[], algorithm: Algorithm, credit: RoundRobinCredit, random: () => number): C | undefined {
  if (candidates.length <= 1) return candidates[0];
  const total = candidates.reduce((sum, candidate) => sum + candidate.weight, 0);
  if (algorithm === 'weighted_random') {
    let draw = random() * total;
    for (const candidate of candidates) {
      draw -= candidate.weight;
      if (draw < 0) return candidate;
    }
    return candidates[candidates.length - 1];
  }
  let pool: readonly C[] = candidates;
  if (algorithm === 'least_outstanding_requests') {
    const fewest = Math.min(...candidates.map((candidate) => candidate.outstanding));
    pool = candidates.filter((candidate) => candidate.outstanding === fewest);
  }
  let best: C | undefined;
  let bestCredit = -Infinity;
  for (const candidate of candidates) {
    const next = (credit.get(candidate.key) ?? 0) + candidate.weight;
    credit.set(candidate.key, next);
    if (pool.includes(candidate) && next > bestCredit) {
      best = candidate;
      bestCredit = next;
    }
  }
  if (best !== undefined) credit.set(best.key, bestCredit - total);
  return best;
}

/** A stable choice for source-ip stickiness (NLB): the same client address, the same candidate while the set stays the same. */
export function pickBySource<C extends Candidate>(candidates: readonly C[], sourceIp: string): C | undefined {
  if (candidates.length === 0) return undefined;
  let hash = 2166136261;
  for (let i = 0; i < sourceIp.length; i++) hash = Math.imul(hash ^ sourceIp.charCodeAt(i), 16777619);
  const sorted = [...candidates].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return sorted[(hash >>> 0) % sorted.length];
}
