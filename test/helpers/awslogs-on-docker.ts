/**
 * The set-up of the awslogs tests on Docker, as hooks of the calling suite: a Berth with the
 * `default` cluster, an agent on the Docker engine, the busybox test image, a task execution role,
 * and a CloudWatch Logs client. The fields are filled in `before`, so tests read them, not the suite body.
 */
import { after, before } from 'node:test';
import { CloudWatchLogsClient, type CloudWatchLogsClientConfig } from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, type ECSClient } from '@aws-sdk/client-ecs';
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

export function awslogsOnDocker(logsConfig: Partial<CloudWatchLogsClientConfig> = {}): AwslogsOnDocker {
  const env = {} as AwslogsOnDocker;
  before(async () => {
    env.berth = await startBerth();
    env.ecs = env.berth.ecs();
    await env.ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    env.agent = await startTestAgent(env.berth);
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
