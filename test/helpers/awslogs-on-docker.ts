/**
 * The set-up of the awslogs tests on Docker, as hooks of the calling suite: a Berth with the
 * `default` cluster, an agent on the Docker engine, the busybox test image, a task execution role,
 * and a CloudWatch Logs client. The fields are filled in `before`, so tests read them, not the suite body.
 * Also what those tests read and register: a stream's events, and an awslogs log configuration.
 */
import { after, before } from 'node:test';
import { CloudWatchLogsClient, GetLogEventsCommand, type CloudWatchLogsClientConfig, type OutputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import type { AgentOptions } from '../../src/agent/agent.js';
import { CreateClusterCommand, type ContainerDefinition, type ECSClient } from '@aws-sdk/client-ecs';
import { startTestAgent, type TestAgent } from './agent.js';
import { startBerth, testCredentials, type TestBerth } from './berth.js';
import { executionRoleFor } from './execution-role.js';
import { buildBusyboxImage } from './images.js';
import { TaskDriver } from './tasks.js';

export interface AwslogsOnDocker {
  berth: TestBerth;
  agent: TestAgent;
  ecs: ECSClient;
  logs: CloudWatchLogsClient;
  tasks: TaskDriver;
  image: string;
  executionRole: string;
}

/** `agentOptions` go to the agent (a clock the test moves, say); `logsConfig` to the CloudWatch Logs client. */
export function awslogsOnDocker(logsConfig: Partial<CloudWatchLogsClientConfig> = {}, agentOptions: Partial<AgentOptions> = {}): AwslogsOnDocker {
  const env = {} as AwslogsOnDocker;
  before(async () => {
    env.berth = await startBerth();
    env.ecs = env.berth.ecs();
    await env.ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    env.agent = await startTestAgent(env.berth, agentOptions);
    env.tasks = new TaskDriver(env.ecs);
    env.image = await buildBusyboxImage();
    env.executionRole = await executionRoleFor(env.berth);
    env.logs = new CloudWatchLogsClient({ endpoint: env.berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1, ...logsConfig });
  });
  after(async () => {
    env.logs?.destroy();
    await env.agent?.close();
    await env.berth?.close();
  });
  return env;
}

/** Every event of a stream, oldest first, following forward tokens to the end. */
export async function allEvents(logs: CloudWatchLogsClient, group: string, stream: string): Promise<OutputLogEvent[]> {
  const events: OutputLogEvent[] = [];
  let token: string | undefined;
  for (;;) {
    const page = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, ...(token ? { nextToken: token } : {}) }));
    events.push(...(page.events ?? []));
    if (!page.nextForwardToken || page.nextForwardToken === token) return events;
    token = page.nextForwardToken;
  }
}

/** A container's awslogs log configuration: to `group` in us-east-1, streams `web/<container>/<task-id>`. */
export const awslogs = (group: string, extra: Record<string, string> = {}) => ({
  logDriver: 'awslogs' as const,
  options: { 'awslogs-group': group, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'web', ...extra },
});

/**
 * Runs a task `family` of one container `app` (the busybox image, 32 MiB) with `container`'s
 * command and the rest, shipping to `group`; as the test execution role unless `role` is given.
 */
export async function runShipping(
  env: Pick<AwslogsOnDocker, 'tasks' | 'image' | 'executionRole'>,
  family: string,
  group: string,
  container: Partial<ContainerDefinition>,
  options: { role?: string; extra?: Record<string, string> } = {},
): Promise<string> {
  return env.tasks.run(
    await env.tasks.register({
      family,
      executionRoleArn: options.role ?? env.executionRole,
      containerDefinitions: [{ name: 'app', image: env.image, memory: 32, ...container, logConfiguration: awslogs(group, options.extra) }],
    }),
  );
}
