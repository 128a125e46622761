import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRng } from '../../../src/core/rng.js';
import { pickBySource, pickTarget, slowStartWeight, type Candidate } from '../../../src/elbv2/data-plane/embedded/balancer.js';

const candidates = (weights: number[], outstanding: number[] = []): Candidate[] => weights.map((weight, i) => ({ key: `t${i}`, weight, outstanding: outstanding[i] ?? 0 }));

function picks(list: Candidate[], algorithm: 'round_robin' | 'least_outstanding_requests' | 'weighted_random', count: number): string[] {
  const credit = new Map<string, number>();
  const rng = seededRng(7);
  return Array.from({ length: count }, () => pickTarget(list, algorithm, credit, rng.next)?.key ?? '-');
}

describe('target selection', () => {
  it('round_robin rotates over equal weights', () => {
    assert.deepEqual(picks(candidates([1, 1, 1]), 'round_robin', 6), ['t0', 't1', 't2', 't0', 't1', 't2']);
  });

  it('round_robin gives a slow-starting target its share, spread out', () => {
    const chosen = picks(candidates([1, 1, 0.25]), 'round_robin', 90);
    assert.equal(chosen.filter((key) => key === 't2').length, 10);
    assert.equal(chosen.filter((key) => key === 't0').length, 40);
  });

  it('least_outstanding_requests takes the least busy, rotating on ties', () => {
    assert.deepEqual(picks(candidates([1, 1, 1], [3, 0, 5]), 'least_outstanding_requests', 3), ['t1', 't1', 't1']);
    assert.deepEqual(new Set(picks(candidates([1, 1, 1], [2, 0, 0]), 'least_outstanding_requests', 4)), new Set(['t1', 't2']));
  });

  it('weighted_random draws every candidate, by weight', () => {
    const chosen = picks(candidates([1, 3]), 'weighted_random', 4000);
    const share = chosen.filter((key) => key === 't1').length / chosen.length;
    assert.ok(share > 0.7 && share < 0.8, `share ${share}`);
  });

  it('slow start ramps linearly from a twentieth to full weight', () => {
    assert.equal(slowStartWeight(0, 30, 6000), 0.2);
    assert.equal(slowStartWeight(0, 30, 0), 0.05);
    assert.equal(slowStartWeight(0, 30, 31_000), 1);
    assert.equal(slowStartWeight(0, 0, 0), 1);
  });

  it('source-ip stickiness sends one client to one target', () => {
    const list = candidates([1, 1, 1]);
    const first = pickBySource(list, '10.0.0.9');
    assert.equal(pickBySource([...list].reverse(), '10.0.0.9'), first);
  });
});
