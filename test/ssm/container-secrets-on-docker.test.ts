/**
 * Container `secrets` naming SSM parameters, on the real Docker engine: by name and by ARN, a
 * SecureString decrypted, a label selector, each reaching the container as an environment variable
 * and never the task's description; a parameter that does not exist, or that the task's execution
 * role may not read (ssm:GetParameters), stops the task with ECS's ResourceInitializationError.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { CreateClusterCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, StopTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { LabelParameterVersionCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { TaskDriver } from '../helpers/tasks.js';

const dockerUp = await dockerAvailable();
const run = promisify(execFile);
const envOf = async (containerId: string, name: string) =>
  (await run('docker', ['exec', containerId, 'sh', '-c', `echo "$${name}"`], { encoding: 'utf8', timeout: 20_000 })).stdout.trim();

describe('container secrets from SSM Parameter Store on Docker', { skip: dockerUp ? false : 'no Docker engine reachable' }, () => {
  let berth: TestBerth;
  let agent: TestAgent;
  let ecs: ECSClient;
  let ssm: SSMClient;
  let tasks: TaskDriver;
  let image: string;
  const started: string[] = [];

  before(async () => {
    image = await buildBusyboxImage();
    berth = await startBerth();
    ecs = berth.ecs();
    ssm = new SSMClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = await startTestAgent(berth);
    tasks = new TaskDriver(ecs);
  });
  after(async () => {
    for (const arn of started) await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn })).catch(() => undefined);
    for (const arn of started) await tasks.until(arn, 'STOPPED').catch(() => undefined);
    ssm?.destroy();
    await agent?.close();
    await berth?.close();
  });

  const runSleeper = async (family: string, secrets: { name: string; valueFrom: string }[], executionRoleArn?: string) => {
    const definition = await tasks.register({
      family,
      ...(executionRoleArn ? { executionRoleArn } : {}),
      containerDefinitions: [{ name: 'app', image, memory: 32, command: ['sleep', '300'], stopTimeout: 1, secrets }],
    });
    const arn = await tasks.run(definition);
    started.push(arn);
    return arn;
  };

  test('parameters by name and ARN, SecureString decrypted, a label selector, reach the container and nothing else', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/app/db/password', Value: 'ssm-secure-pw-4417', Type: 'SecureString' }));
    await ssm.send(new PutParameterCommand({ Name: 'app-mode', Value: 'blue', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: 'app-mode', Value: 'green', Type: 'String', Overwrite: true }));
    await ssm.send(new LabelParameterVersionCommand({ Name: 'app-mode', ParameterVersion: 1, Labels: ['previous'] }));
    await ssm.send(new PutParameterCommand({ Name: '/app/hosts', Value: 'a,b', Type: 'StringList' }));
    const arn = await runSleeper('with-parameters', [
      { name: 'DB_PASSWORD', valueFrom: '/app/db/password' },
      { name: 'MODE', valueFrom: 'arn:aws:ssm:us-east-1:000000000000:parameter/app-mode' },
      { name: 'PREVIOUS_MODE', valueFrom: 'app-mode:previous' },
      { name: 'HOSTS', valueFrom: 'arn:aws:ssm:us-east-1:000000000000:parameter/app/hosts' },
    ]);
    const running = await tasks.until(arn, 'RUNNING');
    const id = running.containers![0]!.runtimeId!;
    assert.equal(await envOf(id, 'DB_PASSWORD'), 'ssm-secure-pw-4417');
    assert.equal(await envOf(id, 'MODE'), 'green');
    assert.equal(await envOf(id, 'PREVIOUS_MODE'), 'blue');
    assert.equal(await envOf(id, 'HOSTS'), 'a,b');
    const described = JSON.stringify([
      await ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: [arn] })),
      await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'with-parameters' })),
    ]);
    assert.ok(!described.includes('ssm-secure-pw-4417'), 'the value is not in the task or its definition');
  });

  test('a parameter that does not exist stops the task with ResourceInitializationError', async () => {
    const missing = await tasks.until(await runSleeper('missing-parameter', [{ name: 'X', valueFrom: '/app/never-created' }]), 'STOPPED');
    assert.equal(missing.stopCode, 'TaskFailedToStart');
    assert.equal(
      missing.stoppedReason,
      'ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secrets from ssm: fetching secret data from SSM Parameter Store in us-east-1: invalid parameters: /app/never-created',
    );
    assert.equal(missing.containers?.[0]?.runtimeId, undefined, 'no container is created without its secrets');
  });

  test("an execution role reads a parameter only where its policies allow ssm:GetParameters", async () => {
    const iam = new IAMClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    try {
      const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
      await iam.send(new CreateRoleCommand({ RoleName: 'exec-ssm', AssumeRolePolicyDocument: trust }));
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'exec-ssm',
          PolicyName: 'config-only',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameters', Resource: 'arn:aws:ssm:us-east-1:000000000000:parameter/config/*' }] }),
        }),
      );
      await ssm.send(new PutParameterCommand({ Name: '/config/colour', Value: 'teal', Type: 'String' }));
      await ssm.send(new PutParameterCommand({ Name: '/private/token', Value: 'never-read-9931', Type: 'SecureString' }));
      const role = 'arn:aws:iam::000000000000:role/exec-ssm';
      const allowed = await tasks.until(await runSleeper('ssm-allowed', [{ name: 'COLOUR', valueFrom: '/config/colour' }], role), 'RUNNING');
      assert.equal(await envOf(allowed.containers![0]!.runtimeId!, 'COLOUR'), 'teal');
      const denied = await tasks.until(await runSleeper('ssm-denied', [{ name: 'TOKEN', valueFrom: '/private/token' }], role), 'STOPPED');
      assert.equal(denied.stopCode, 'TaskFailedToStart');
      assert.match(
        denied.stoppedReason ?? '',
        /^ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secrets from ssm: fetching secret data from SSM Parameter Store in us-east-1: AccessDeniedException: User: arn:aws:sts::000000000000:assumed-role\/exec-ssm\/[0-9a-f]{32} is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:us-east-1:000000000000:parameter\/private\/token/,
      );
    } finally {
      iam.destroy();
    }
  });
});
