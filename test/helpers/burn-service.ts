/** The CPU-bound service the ECS metrics tests measure: one task of cpu 256 (a quarter of a vCPU) busy looping on Docker. */
import { CreateServiceCommand, DescribeTasksCommand, ListTasksCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import { eventually } from './agent.js';
import { TaskDriver } from './tasks.js';

/** Registers the `burn` family and creates service `burn` of one EC2 task in cluster `default`. */
export async function createBurnService(ecs: ECSClient, image: string): Promise<void> {
  const taskDefinition = await new TaskDriver(ecs).register({
    family: 'burn',
    cpu: '256',
    memory: '128',
    containerDefinitions: [{ name: 'burn', image, command: ['sh', '-c', 'while :; do :; done'], stopTimeout: 1 }],
  });
  await ecs.send(new CreateServiceCommand({ cluster: 'default', serviceName: 'burn', taskDefinition, desiredCount: 1, launchType: 'EC2' }));
}

/** The service's task, once its agent reports it RUNNING. */
export function runningBurnTask(ecs: ECSClient): Promise<Task> {
  return eventually(async () => {
    const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster: 'default', serviceName: 'burn' }));
    if (taskArns.length === 0) return undefined;
    const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: taskArns }));
    return tasks[0]?.lastStatus === 'RUNNING' ? tasks[0] : undefined;
  }, 60_000, 'the burn task RUNNING');
}
