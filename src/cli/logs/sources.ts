/**
 * Where `berth logs` finds a container's output: pure, from DescribeTasks' task and its task
 * definition. An awslogs container's output is in its log group, stream `prefix/container/task-id`
 * (the container's Docker id without a prefix); any other container's output is where its log
 * driver put it, and the words say so, with how to see it.
 */
import type { ContainerDefinition, Task } from '@aws-sdk/client-ecs';
import { awslogsStreamName, isAwslogsProblem, parseAwslogsOptions } from '../../agent-channel-protocol/awslogs.js';

export type Source =
  | {
      kind: 'awslogs';
      task: string;
      container: string;
      group: string;
      region: string;
      stream: string;
      /** What to say while the stream does not exist: it may come, or, the task having stopped, it never will. */
      noStreamWords: string;
    }
  | { kind: 'elsewhere'; task: string; container: string; words: string };

export const taskIdOf = (arn: string) => arn.split('/').at(-1) ?? arn;

/** The sources of a task's containers (only `container`'s when given). */
export function sourcesOf(task: Task, definitions: readonly ContainerDefinition[], container?: string): Source[] {
  const taskId = taskIdOf(task.taskArn ?? '');
  return definitions
    .filter((definition) => container === undefined || definition.name === container)
    .map((definition): Source => {
      const name = definition.name ?? '';
      const runtimeId = task.containers?.find((item) => item.name === name)?.runtimeId;
      const log = definition.logConfiguration;
      const host = task.containerInstanceArn ? ` on the host of ${taskIdOf(task.containerInstanceArn)}` : '';
      const dockerLogs = runtimeId ? `docker logs ${runtimeId.slice(0, 12)}${host}` : `docker logs on its host once the container is created`;
      if (log?.logDriver === 'awslogs') {
        const settings = parseAwslogsOptions(log.options);
        if (isAwslogsProblem(settings)) return { kind: 'elsewhere', task: taskId, container: name, words: `its awslogs options are not usable (${settings.problem}), so nothing was shipped` };
        if (settings.streamPrefix === undefined && !runtimeId) {
          return { kind: 'elsewhere', task: taskId, container: name, words: `its log stream is named by its Docker container id, and the container has not been created yet` };
        }
        const stream = awslogsStreamName(settings, name, task.taskArn ?? '', runtimeId ?? '');
        const noStreamWords =
          task.lastStatus === 'STOPPED'
            ? `no log stream ${stream} in ${settings.group} (${settings.region}): the task stopped${task.stoppedReason ? ` (${task.stoppedReason})` : ''} before any of its output was shipped`
            : `no log stream ${stream} in ${settings.group} (${settings.region}) yet`;
        return { kind: 'awslogs', task: taskId, container: name, group: settings.group, region: settings.region, stream, noStreamWords };
      }
      const driver = log?.logDriver ? `the ${log.logDriver} log driver` : "Docker's default log driver (json-file unless the engine says otherwise)";
      const see = log?.logDriver === undefined || log.logDriver === 'json-file' ? `see its output with ${dockerLogs}` : `its output went where ${log.logDriver} sends it`;
      return { kind: 'elsewhere', task: taskId, container: name, words: `it has no awslogs configuration: it logs with ${driver}; ${see}` };
    });
}

/**
 * `--since` as an epoch-millisecond start: a duration back from `now` (`30s`, `10m`, `2h`, `1d`,
 * or combined, `1h30m`) or an ISO 8601 time. Undefined when it is neither.
 */
export function sinceMillis(value: string, now: number): number | undefined {
  const units: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
  if (/^(\d+[smhdw])+$/.test(value)) {
    let total = 0;
    for (const [, amount, unit] of value.matchAll(/(\d+)([smhdw])/g)) total += Number(amount) * units[unit!]!;
    return now - total;
  }
  if (/^\d{4}-\d\d-\d\d/.test(value)) {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

/** The words before each line: the container, and the task when several tasks are shown. */
export function prefixOf(source: Pick<Source, 'task' | 'container'>, withTask: boolean): string {
  return withTask ? `${source.task}/${source.container} | ` : `${source.container} | `;
}
