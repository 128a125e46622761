/** Running tasks through the ECS API and waiting for what the agent reports. */
import assert from 'node:assert/strict';
import {
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput,
  type RunTaskCommandInput,
  type Task,
} from '@aws-sdk/client-ecs';
import { eventually } from './agent.js';

export class TaskDriver {
  constructor(
    readonly ecs: ECSClient,
    readonly cluster = 'default',
  ) {}

  async register(input: RegisterTaskDefinitionCommandInput): Promise<string> {
    const { taskDefinition } = await this.ecs.send(new RegisterTaskDefinitionCommand(input));
    return taskDefinition!.taskDefinitionArn!;
  }

  async run(taskDefinition: string, extra: Partial<RunTaskCommandInput> = {}): Promise<string> {
    const { tasks, failures } = await this.ecs.send(new RunTaskCommand({ cluster: this.cluster, taskDefinition, launchType: 'EC2', ...extra }));
    assert.deepEqual(failures, [], 'RunTask placed the task');
    return tasks![0]!.taskArn!;
  }

  async describe(arn: string): Promise<Task> {
    const { tasks } = await this.ecs.send(new DescribeTasksCommand({ cluster: this.cluster, tasks: [arn] }));
    assert.ok(tasks?.[0], `task ${arn} exists`);
    return tasks[0];
  }

  /** Waits until the task's lastStatus is `status` (or, for RUNNING, until it is past it and fails fast). */
  until(arn: string, status: string, timeoutMs = 30_000, extra?: (task: Task) => boolean): Promise<Task> {
    return eventually(
      async () => {
        const task = await this.describe(arn);
        if (status === 'RUNNING' && task.lastStatus === 'STOPPED') throw new Error(`task stopped instead: ${task.stoppedReason} ${JSON.stringify(task.containers?.map((c) => c.reason))}`);
        return task.lastStatus === status && (extra ? extra(task) : true) ? task : undefined;
      },
      timeoutMs,
      `task ${status}`,
    );
  }
}
