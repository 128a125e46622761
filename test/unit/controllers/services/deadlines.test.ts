/** When a service's decision next changes with time alone (deadlines.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nextDeadline, type DeadlineInput } from '../../../../src/controllers/services/deadlines.js';
import { defaultSchedulerTiming } from '../../../../src/controllers/services/timing.js';
import type { ContainerInstanceRecord, DeploymentRecord, ServiceRecord, TaskRecord } from '../../../../src/store/types.js';

const service = (deployments: Partial<DeploymentRecord>[] = [], extra: Partial<ServiceRecord> = {}) =>
  ({ serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/default/web', deployments, ...extra }) as unknown as ServiceRecord;
const task = (fields: Partial<TaskRecord>) => ({ taskArn: `task-${Math.random()}`, ...fields }) as TaskRecord;
const instance = (fields: Partial<ContainerInstanceRecord>) => ({ containerInstanceArn: 'ci', status: 'ACTIVE', agentConnected: true, ...fields }) as ContainerInstanceRecord;
const input = (fields: Partial<DeadlineInput>): DeadlineInput => ({
  service: service(),
  tasks: [],
  records: [],
  now: 100,
  timing: defaultSchedulerTiming,
  agentLostAfterSeconds: 60,
  startedAt: 0,
  ...fields,
});

describe('service deadlines', () => {
  test('the worked example: proving window 105, back-off 108, lost agent 150 → 105', () => {
    const deadline = nextDeadline(
      input({
        tasks: [task({ lastStatus: 'RUNNING', startedAt: 95 })],
        service: service([{ startFailures: [90, 92, 95, 98] }]),
        records: [instance({ agentConnected: false, agentDisconnectedAt: 90 })],
      }),
    );
    assert.equal(deadline, 105);
  });

  test('each rule alone', () => {
    assert.equal(nextDeadline(input({ tasks: [task({ lastStatus: 'RUNNING', startedAt: 95 })] })), 105, 'proving window');
    assert.equal(
      nextDeadline(input({ service: service([], { healthCheckGracePeriodSeconds: 30 }), tasks: [task({ lastStatus: 'RUNNING', startedAt: 80, healthStatus: 'UNHEALTHY' })] })),
      110,
      'health check grace (the proving window at 90 has passed)',
    );
    assert.equal(nextDeadline(input({ service: service([{ startFailures: [90, 92, 95, 98] }]) })), 108, 'back-off after 4 failures: 5 × 2');
    assert.equal(nextDeadline(input({ records: [instance({ agentConnected: false, agentDisconnectedAt: 90 })] })), 150.001, 'strictly past the grace');
    assert.equal(nextDeadline(input({ records: [instance({ agentConnected: false, agentDisconnectedAt: 10 })], startedAt: 70 })), 130.001, 'counted from the start');
  });

  test('nothing timed: no deadline; what has already passed is not one', () => {
    assert.equal(nextDeadline(input({})), undefined);
    assert.equal(nextDeadline(input({ tasks: [task({ lastStatus: 'RUNNING', startedAt: 50 }), task({ lastStatus: 'PENDING' })] })), undefined);
    assert.equal(nextDeadline(input({ service: service([{ startFailures: [90, 92] }]) })), undefined, 'two failures: no back-off');
    assert.equal(nextDeadline(input({ records: [instance({ agentConnected: false, agentDisconnectedAt: 10 })] })), undefined, 'already lost');
    assert.equal(nextDeadline(input({ records: [instance({ agentConnected: false, status: 'INACTIVE' })] })), undefined);
  });
});
