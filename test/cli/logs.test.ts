/**
 * `berth logs` reads a task's or a service's awslogs streams through the ECS and CloudWatch Logs
 * APIs, prefixes each line with its container (and task, for a service), follows with -f, and
 * says where the output of a container without awslogs is. The tasks here run on a registered
 * instance without an agent: their log events are written with PutLogEvents, as an agent would.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, CreateServiceCommand, ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { eventually } from '../helpers/agent.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { registerInstance } from '../helpers/instances.js';

const run = promisify(execFile);
const env = { ...process.env, AWS_ACCESS_KEY_ID: testCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey };

describe('berth logs', () => {
  let berth: TestBerth;
  let logs: CloudWatchLogsClient;
  let taskId: string;
  const berthLogs = (...args: string[]) => run(process.execPath, ['bin/berth.js', 'logs', '--endpoint', berth.url, '--cluster', 'cli', ...args], { env });
  const put = async (stream: string, events: { timestamp: number; message: string }[]) => {
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/ecs/cli', logStreamName: stream })).catch(() => undefined);
    await logs.send(new PutLogEventsCommand({ logGroupName: '/ecs/cli', logStreamName: stream, logEvents: events }));
  };

  before(async () => {
    berth = await startBerth();
    const ecs = berth.ecs();
    logs = new CloudWatchLogsClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    await ecs.send(new CreateClusterCommand({ clusterName: 'cli' }));
    await registerInstance(ecs, {
      cluster: 'cli',
      attributes: ['logging-driver.awslogs', 'logging-driver.json-file', 'docker-remote-api.1.18', 'docker-remote-api.1.19'].map((name) => ({ name: `com.amazonaws.ecs.capability.${name}` })),
    });
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        containerDefinitions: [
          { name: 'app', image: 'busybox', memory: 32, logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/cli', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'web' } } },
          { name: 'side', image: 'busybox', memory: 32, logConfiguration: { logDriver: 'json-file' } },
        ],
      }),
    );
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/cli' }));
    const { tasks } = await ecs.send(new RunTaskCommand({ cluster: 'cli', taskDefinition: 'web' }));
    taskId = tasks![0]!.taskArn!.split('/').at(-1)!;
    const now = Date.now();
    await put(`web/app/${taskId}`, [
      { timestamp: now - 2 * 3600_000, message: 'long ago' },
      { timestamp: now - 2000, message: 'first' },
      { timestamp: now - 1000, message: 'second' },
    ]);
  });
  after(async () => {
    logs?.destroy();
    await berth?.close();
  });

  it("prints a task's awslogs lines prefixed with the container, and says where the other container's output is", async () => {
    const { stdout, stderr } = await berthLogs('--task', taskId);
    assert.equal(stdout, 'app | long ago\napp | first\napp | second\n');
    assert.match(stderr, new RegExp(`container 'side' of task ${taskId}: it has no awslogs configuration: it logs with the json-file log driver; see its output with docker logs`));
  });

  it('--since leaves out older lines; --container picks one', async () => {
    const { stdout } = await berthLogs('--task', taskId, '--since', '1h', '--container', 'app');
    assert.equal(stdout, 'app | first\napp | second\n');
  });

  it('refuses what it cannot do, saying what would work', async () => {
    await assert.rejects(berthLogs(), (error: Error & { stderr: string }) => /give either --task <id> or --service <name>/.test(error.stderr));
    await assert.rejects(berthLogs('--task', taskId, '--container', 'nope'), (error: Error & { stderr: string }) => /has no container 'nope'; its containers: app, side/.test(error.stderr));
    await assert.rejects(berthLogs('--task', taskId, '--since', 'yesterday'), (error: Error & { stderr: string }) => /a duration such as 10m/.test(error.stderr));
    await assert.rejects(berthLogs('--task', '0123456789abcdef0123456789abcdef'), (error: Error & { stderr: string }) => /no task 0123456789abcdef0123456789abcdef in cluster cli/.test(error.stderr));
  });

  it("prints a service's lines prefixed with task and container", async () => {
    const ecs = berth.ecs();
    await ecs.send(new CreateServiceCommand({ cluster: 'cli', serviceName: 'web-svc', taskDefinition: 'web', desiredCount: 1 }));
    const arn = await eventually(async () => (await ecs.send(new ListTasksCommand({ cluster: 'cli', serviceName: 'web-svc' }))).taskArns?.[0], 20_000, 'the service task');
    const id = arn.split('/').at(-1)!;
    await put(`web/app/${id}`, [{ timestamp: Date.now(), message: 'from the service' }]);
    const { stdout } = await berthLogs('--service', 'web-svc', '--container', 'app');
    assert.equal(stdout, `${id}/app | from the service\n`);
  });

  it('-f prints new lines as they are written', async () => {
    const child = spawn(process.execPath, ['bin/berth.js', 'logs', '--endpoint', berth.url, '--cluster', 'cli', '--task', taskId, '--container', 'app', '-f', '--since', '1h'], { env });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      await eventually(async () => (out.includes('app | second\n') ? true : undefined), 10_000, 'the first lines');
      await put(`web/app/${taskId}`, [{ timestamp: Date.now(), message: 'third' }]);
      await eventually(async () => (out.includes('app | third\n') ? true : undefined), 15_000, 'the new line');
      assert.equal(out, 'app | first\napp | second\napp | third\n');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
