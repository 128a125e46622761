import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { failureOf } from '../../../../src/controllers/services/events.js';

describe('service events', () => {
  test('a failed task is told by its stoppedReason and the containers that add to it', () => {
    assert.equal(
      failureOf({ stoppedReason: 'Essential container in task exited', containers: [{ name: 'app', exitCode: 1 }, { name: 'sidecar', exitCode: 0 }] }),
      'Essential container in task exited (app: exit code 1)',
    );
    const pull = 'CannotPullContainerError: pull example/app:1: not found';
    assert.equal(failureOf({ stoppedReason: pull, containers: [{ name: 'app', reason: pull }, { name: 'log', exitCode: 0 }] }), `${pull} (app)`);
    assert.equal(
      failureOf({ stoppedReason: 'Essential container in task exited', containers: [{ name: 'app', reason: 'OutOfMemoryError: Container killed due to memory usage', exitCode: 137 }] }),
      'Essential container in task exited (app: OutOfMemoryError: Container killed due to memory usage)',
    );
    assert.equal(failureOf({ stoppedReason: 'Task failed container health checks.' }), 'Task failed container health checks.');
    assert.equal(failureOf({}), 'stopped');
  });
});
