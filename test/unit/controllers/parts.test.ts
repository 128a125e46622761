/** The server's parts start in dependency order and stop in reverse; a reset's stop and start leave the others running. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PartSet, startOrder, type Part } from '../../../src/composition/parts.js';

function recorder() {
  const events: string[] = [];
  const part = (name: string, kind: Part['kind'], after?: string[], failStop = false): Part => ({
    name,
    kind,
    ...(after ? { after } : {}),
    start: () => void events.push(`start ${name}`),
    stop: async () => {
      events.push(`stop ${name}`);
      if (failStop) throw new Error(`${name} would not stop`);
    },
  });
  return { events, part };
}

describe('server parts', () => {
  test('the worked example: each part starts after those it needs, the list order otherwise; stops reverse it', async () => {
    const { events, part } = recorder();
    const parts = new PartSet([
      part('gc', 'controller'),
      part('services', 'controller', ['hub']),
      part('fargate', 'controller', ['hub']),
      part('hub', 'service'),
      part('lifecycle', 'controller'),
    ]);
    assert.deepEqual(parts.names, ['gc', 'hub', 'services', 'fargate', 'lifecycle']);
    parts.start();
    await parts.stop();
    assert.deepEqual(events, [
      'start gc',
      'start hub',
      'start services',
      'start fargate',
      'start lifecycle',
      'stop lifecycle',
      'stop fargate',
      'stop services',
      'stop hub',
      'stop gc',
    ]);
  });

  test('a reset stops and starts the controllers only', async () => {
    const { events, part } = recorder();
    const parts = new PartSet([part('hub', 'service'), part('services', 'controller', ['hub'])]);
    parts.start();
    events.length = 0;
    await parts.stop('controller');
    parts.start('controller');
    assert.deepEqual(events, ['stop services', 'start services']);
  });

  test('every part is stopped even when one fails, and the failure is reported', async () => {
    const { events, part } = recorder();
    const parts = new PartSet([part('hub', 'service'), part('services', 'controller', ['hub'], true)]);
    await assert.rejects(parts.stop(), /services would not stop/);
    assert.deepEqual(events, ['stop services', 'stop hub']);
  });

  test('a part that needs a missing one, or parts that need each other, are refused', () => {
    const { part } = recorder();
    assert.throws(() => startOrder([part('services', 'controller', ['hub'])]), /needs hub, which no module provides/);
    assert.throws(() => startOrder([part('a', 'service', ['b']), part('b', 'service', ['a'])]), /need each other: a → b → a/);
    assert.throws(() => startOrder([part('a', 'service'), part('a', 'controller')]), /share a name/);
  });
});
