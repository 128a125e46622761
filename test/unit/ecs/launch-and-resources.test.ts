import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { release, reserve, resourcesOf, totalsOf } from '../../../src/ecs/resources.js';
import { launchTargets, splitByStrategy } from '../../../src/ecs/tasks/launch.js';

describe('splitByStrategy', () => {
  const table: { strategy: { capacityProvider: string; base?: number; weight?: number }[]; count: number; expected: Record<string, number> }[] = [
    { strategy: [{ capacityProvider: 'FARGATE', weight: 1 }], count: 4, expected: { FARGATE: 4 } },
    { strategy: [{ capacityProvider: 'FARGATE', base: 2, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', weight: 3 }], count: 6, expected: { FARGATE: 3, FARGATE_SPOT: 3 } },
    { strategy: [{ capacityProvider: 'FARGATE', base: 5 }, { capacityProvider: 'FARGATE_SPOT', weight: 1 }], count: 3, expected: { FARGATE: 3 } },
    { strategy: [{ capacityProvider: 'FARGATE', weight: 1 }, { capacityProvider: 'FARGATE_SPOT', weight: 1 }], count: 10, expected: { FARGATE: 5, FARGATE_SPOT: 5 } },
    { strategy: [{ capacityProvider: 'FARGATE', weight: 1 }, { capacityProvider: 'FARGATE_SPOT', weight: 4 }], count: 10, expected: { FARGATE: 2, FARGATE_SPOT: 8 } },
  ];
  for (const { strategy, count, expected } of table) {
    it(`${JSON.stringify(strategy)} × ${count}`, () => {
      const split = splitByStrategy(count, strategy);
      assert.equal(split.length, count);
      const counts: Record<string, number> = {};
      for (const name of split) counts[name] = (counts[name] ?? 0) + 1;
      assert.deepEqual(counts, expected);
    });
  }

  it('puts the base first', () => {
    assert.deepEqual(splitByStrategy(3, [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }, { capacityProvider: 'FARGATE', base: 2 }]).slice(0, 2), ['FARGATE', 'FARGATE']);
  });

  it('refuses a strategy that cannot place beyond its base', () => {
    assert.throws(() => splitByStrategy(3, [{ capacityProvider: 'FARGATE', base: 1 }]), /weight greater than 0/);
  });
});

describe('launchTargets', () => {
  it('defaults to EC2, then to the cluster default strategy', () => {
    assert.deepEqual(launchTargets(1, undefined, undefined, [], []), [{ launchType: 'EC2' }]);
    assert.deepEqual(launchTargets(1, undefined, undefined, [{ capacityProvider: 'FARGATE', weight: 1 }], ['FARGATE']), [
      { launchType: 'FARGATE', capacityProviderName: 'FARGATE' },
    ]);
  });
  it('refuses providers not on the cluster and both forms at once', () => {
    assert.throws(() => launchTargets(1, undefined, [{ capacityProvider: 'FARGATE', weight: 1 }], [], []), /not associated/);
    assert.throws(() => launchTargets(1, 'EC2', [{ capacityProvider: 'FARGATE', weight: 1 }], [], ['FARGATE']), /both/);
  });
});

describe('reserve and release', () => {
  it('are inverse and keep resources exact', () => {
    const totals = { cpu: 2048, memory: 4096, tcpPorts: [22], udpPorts: [], gpuIds: ['g0', 'g1'] };
    const reservation = { cpu: 512, memory: 1000, tcpPorts: [8080], udpPorts: [53], gpuIds: ['g1'] };
    const held = reserve(totals, reservation);
    assert.deepEqual(held, { cpu: 1536, memory: 3096, tcpPorts: [22, 8080], udpPorts: [53], gpuIds: ['g0'] });
    const back = release(held, reservation);
    assert.equal(back.cpu, 2048);
    assert.equal(back.memory, 4096);
    assert.deepEqual(back.tcpPorts, [22]);
    assert.deepEqual(back.udpPorts, []);
    assert.deepEqual([...back.gpuIds].sort(), ['g0', 'g1']);
    assert.deepEqual(totalsOf(resourcesOf(held)), held);
  });
});
