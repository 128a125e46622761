/** What wakes the registry's garbage collection besides its schedule. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { ManualClock } from '../../../src/core/clock.js';
import { RegistryGarbageCollection } from '../../../src/controllers/registry-gc.js';
import type { Change } from '../../../src/store/changes.js';
import type { GarbageCollector } from '../../../src/registry/gc.js';
import type { Store } from '../../../src/store/types.js';

const change = (kind: Change['kind'], op: Change['op']): Change => ({ seq: 1, kind, key: 'arn:aws:ecr:us-east-1:000000000000:repository/web', op, version: 1, labels: {} });

describe('registry garbage collection triggers', () => {
  const controller = new RegistryGarbageCollection({
    store: {} as Store,
    clock: new ManualClock(),
    log: pino({ level: 'silent' }),
    gc: {} as GarbageCollector,
    intervalMs: 600_000,
  });

  it('collects when a manifest or a repository is deleted, so an old image frees its space at once', () => {
    assert.deepEqual([...controller.watch.keysOf([change('manifest', 'deleted')])], ['registry-blobs']);
    assert.deepEqual([...controller.watch.keysOf([change('manifest', 'created'), change('repository', 'deleted')])], ['registry-blobs']);
  });

  it('is not woken by pushes: new blobs are within their grace period anyway', () => {
    assert.deepEqual([...controller.watch.keysOf([change('manifest', 'created'), change('repository', 'updated')])], []);
  });
});
