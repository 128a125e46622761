/**
 * Pulls from Berth's registry are made as the task execution role's session, as in ECS: a role
 * whose policies allow ecr:BatchGetImage and ecr:GetDownloadUrlForLayer (AmazonECSTaskExecutionRolePolicy)
 * pulls, and a role without them fails the task with ECS's CannotPullContainerError naming the
 * session and the action it lacks. The denial needs the registry's `/v2/` to enforce policies.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { CreateRepositoryCommand, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, StopTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { dockerCli } from '../helpers/commands.js';
import { eventually, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { TaskDriver } from '../helpers/tasks.js';

const dockerUp = await dockerAvailable();
const run = promisify(execFile);
const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

describe('the execution role pulls from Berth’s registry', { skip: dockerUp ? false : 'no Docker engine reachable' }, () => {
  let berth: TestBerth;
  let agent: TestAgent;
  let ecs: ECSClient;
  let iam: IAMClient;
  let tasks: TaskDriver;
  let dockerConfig: string;
  let reference: string;
  const local = `berth-test/execution-pull:${process.pid}`;
  const docker = (args: string[], input?: string) => dockerCli(dockerConfig)(args, input);
  /** Nothing of the image stays on the host, so that each task's pull must reach the registry. */
  const removeImage = () => run('docker', ['rmi', '--force', reference, local]).catch(() => undefined);

  before(async () => {
    dockerConfig = mkdtempSync(join(tmpdir(), 'berth-docker-config-'));
    berth = await startBerth();
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = await startTestAgent(berth);
    tasks = new TaskDriver(ecs);
    iam = new IAMClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    await iam.send(new CreateRoleCommand({ RoleName: 'exec-ecr', AssumeRolePolicyDocument: trust }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'exec-ecr', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'exec-no-ecr', AssumeRolePolicyDocument: trust }));

    // An image of its own (a new config over busybox's layer), pushed with docker.
    await docker(['build', '--quiet', '--tag', local, '-'], `FROM ${await buildBusyboxImage()}\nLABEL berth.test.unique="${Date.now()}-${process.pid}"\n`);
    const ecr = berth.ecr();
    const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'exec/app' }));
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    const [user, password] = Buffer.from(authorizationData![0]!.authorizationToken!, 'base64').toString().split(':') as [string, string];
    await docker(['login', new URL(authorizationData![0]!.proxyEndpoint!).host, '--username', user, '--password-stdin'], password);
    reference = `${repository!.repositoryUri!}:1`;
    await docker(['tag', local, reference]);
    await docker(['push', reference]);
    await removeImage();
  });
  after(async () => {
    iam?.destroy();
    await agent?.close();
    await removeImage();
    await berth?.close();
    rmSync(dockerConfig, { recursive: true, force: true });
  });

  const runAs = async (role: string) =>
    tasks.run(
      await tasks.register({
        family: `pull-as-${role}`,
        executionRoleArn: `arn:aws:iam::000000000000:role/${role}`,
        containerDefinitions: [{ name: 'main', image: reference, memory: 32, command: ['sleep', '300'], stopTimeout: 1 }],
      }),
    );

  test('an execution role allowed ecr:BatchGetImage and ecr:GetDownloadUrlForLayer pulls the image', async () => {
    const arn = await runAs('exec-ecr');
    const running = await tasks.until(arn, 'RUNNING');
    assert.match(running.containers?.[0]?.imageDigest ?? '', /^sha256:[0-9a-f]{64}$/);
    await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn }));
    await tasks.until(arn, 'STOPPED');
    await removeImage();
  });

  test('an execution role without ECR permissions cannot pull: CannotPullContainerError names its session and ecr:BatchGetImage', async () => {
    const arn = await runAs('exec-no-ecr');
    // RUNNING means the registry let the session pull: it does not enforce the role's policies.
    const stopped = await eventually(async () => {
      const task = await tasks.describe(arn);
      return task.lastStatus === 'RUNNING' || task.lastStatus === 'STOPPED' ? task : undefined;
    }, 30_000, 'the task to start or stop');
    assert.equal(stopped.lastStatus, 'STOPPED', 'the pull was allowed to a session without ecr:BatchGetImage');
    const session = `arn:aws:sts::000000000000:assumed-role/exec-no-ecr/${arn.split('/').at(-1)}`;
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    // Docker's words around the registry's denial, as ECS's agent reports them on EC2.
    assert.match(
      stopped.stoppedReason ?? '',
      new RegExp(
        `^CannotPullContainerError: .*denied: User: ${session} is not authorized to perform: ecr:BatchGetImage ` +
          'on resource: arn:aws:ecr:us-east-1:000000000000:repository/exec/app because no identity-based policy allows the ecr:BatchGetImage action',
      ),
    );
    assert.equal(stopped.containers?.[0]?.runtimeId, undefined, 'no container is created without its image');
  });
});
