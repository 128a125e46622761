import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eventText, failureOf } from '../../../../src/controllers/services/events.js';

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

  test('an unhealthy target is worded as ECS words it: the instance of an instance target, only the port of an ip target', () => {
    const group = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/0123456789abcdef';
    assert.equal(
      eventText.unhealthyTarget('web', { id: 'i-0abc', port: 32768, ip: false }, group, 'Health checks failed with these codes: [404]'),
      `(service web) (instance i-0abc) (port 32768) is unhealthy in (target-group ${group}) due to (reason Health checks failed with these codes: [404]).`,
    );
    assert.equal(
      eventText.unhealthyTarget('web', { id: '10.221.0.7', port: 80, ip: true }, group, 'Request timed out'),
      `(service web) (port 80) is unhealthy in (target-group ${group}) due to (reason Request timed out).`,
    );
  });
});
