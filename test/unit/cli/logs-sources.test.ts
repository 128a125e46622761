import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerDefinition, Task } from '@aws-sdk/client-ecs';
import { sourcesOf } from '../../../src/cli/logs/sources.js';

const taskArn = 'arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef0123456789abcdef';
const app: ContainerDefinition = {
  name: 'app',
  logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'web' } },
};

describe("berth logs' sources", () => {
  it('says a missing stream may still come while the task runs, and never will once it stopped, with why it stopped', () => {
    const [running] = sourcesOf({ taskArn, lastStatus: 'RUNNING' } as Task, [app]);
    assert.equal(running?.kind === 'awslogs' && running.noStreamWords, 'no log stream web/app/0123456789abcdef0123456789abcdef in /ecs/web (us-east-1) yet');
    const stoppedReason = 'CannotStartContainerError: Error response from daemon: failed to initialize logging driver';
    const [stopped] = sourcesOf({ taskArn, lastStatus: 'STOPPED', stoppedReason } as Task, [app]);
    assert.equal(
      stopped?.kind === 'awslogs' && stopped.noStreamWords,
      `no log stream web/app/0123456789abcdef0123456789abcdef in /ecs/web (us-east-1): the task stopped (${stoppedReason}) before any of its output was shipped`,
    );
  });
});
