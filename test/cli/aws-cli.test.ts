/** The README's walk-through, with the real AWS CLI (skipped where the machine has none). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliEnvironment, hasAwsCli, run } from '../helpers/aws-cli.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { dockerCli } from '../helpers/commands.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { eventually, startTestAgent } from '../helpers/agent.js';
import { SimulatedRuntime } from '../../src/agent/simulated/simulated-runtime.js';

const dockerUp = await dockerAvailable();

describe('the AWS CLI against Berth', { skip: hasAwsCli ? false : 'the aws command is not installed on this machine' }, () => {
  let berth: TestBerth;
  const aws = async (...args: string[]) => {
    const { stdout } = await run('aws', ['--endpoint-url', berth.url, '--output', 'json', ...args], { env: cliEnvironment });
    return JSON.parse(stdout || '{}') as Record<string, any>;
  };
  const awsText = async (...args: string[]) => {
    const { stdout } = await run('aws', ['--endpoint-url', berth.url, ...args], { env: cliEnvironment });
    return stdout.trim();
  };
  before(async () => {
    berth = await startBerth();
  });
  after(async () => berth.close());

  it('runs the README walk-through', async () => {
    const created = await aws('ecs', 'create-cluster', '--cluster-name', 'dev');
    assert.equal(created.cluster.clusterArn, 'arn:aws:ecs:us-east-1:000000000000:cluster/dev');
    const dir = mkdtempSync(join(tmpdir(), 'berth-cli-'));
    const file = join(dir, 'web.json');
    writeFileSync(
      file,
      JSON.stringify({
        family: 'web',
        containerDefinitions: [{ name: 'web', image: 'busybox', memory: 128, portMappings: [{ containerPort: 8080 }] }],
      }),
    );
    const registered = await aws('ecs', 'register-task-definition', '--cli-input-json', `file://${file}`);
    assert.equal(registered.taskDefinition.taskDefinitionArn, 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1');
    await aws(
      'ecs', 'register-container-instance', '--cluster', 'dev',
      '--instance-identity-document', '{"instanceId":"i-0123456789abcdef0","availabilityZone":"us-east-1a"}',
      '--total-resources', 'name=CPU,type=INTEGER,integerValue=2048', 'name=MEMORY,type=INTEGER,integerValue=4096',
    );
    const ran = await aws('ecs', 'run-task', '--cluster', 'dev', '--task-definition', 'web:1', '--count', '3');
    assert.equal(ran.tasks.length, 3);
    assert.deepEqual(ran.failures, []);
    const listed = await aws('ecs', 'list-tasks', '--cluster', 'dev');
    assert.equal(listed.taskArns.length, 3);
    const described = await aws('ecs', 'describe-tasks', '--cluster', 'dev', '--tasks', ...listed.taskArns);
    assert.equal(described.tasks.length, 3);
    for (const task of described.tasks) {
      assert.equal(task.lastStatus, 'PENDING');
      assert.equal(task.desiredStatus, 'RUNNING');
      // CLI v1 prints the wire's epoch seconds; v2 renders them as ISO 8601 dates.
      const createdAt = typeof task.createdAt === 'number' ? task.createdAt * 1000 : Date.parse(task.createdAt);
      assert.ok(Math.abs(createdAt - Date.now()) < 60_000, `createdAt ${task.createdAt} is now`);
    }
  });

  it('walks the service example: create-service, wait services-stable, update-service rolls out the new revision', async () => {
    await aws('ecs', 'create-cluster', '--cluster-name', 'svc');
    const agent = await startTestAgent(berth, {
      cluster: 'svc',
      runtime: new SimulatedRuntime({ cpus: 4, memoryBytes: 8 * 1024 ** 3 }),
      metadata: false,
      simulated: true,
      pullBehavior: 'prefer-cached',
      reservedMemoryMiB: 0,
    });
    try {
      for (const tag of ['1', '2']) {
        await aws('ecs', 'register-task-definition', '--family', 'svc-web', '--container-definitions', JSON.stringify([{ name: 'web', image: `simulated/web:${tag}`, memory: 64 }]));
      }
      const created = await aws(
        'ecs', 'create-service', '--cluster', 'svc', '--service-name', 'web', '--task-definition', 'svc-web:1', '--desired-count', '3',
        '--launch-type', 'EC2',
        '--deployment-configuration', 'minimumHealthyPercent=50,maximumPercent=200,deploymentCircuitBreaker={enable=true,rollback=true}',
      );
      assert.equal(created.service.serviceArn, 'arn:aws:ecs:us-east-1:000000000000:service/svc/web');
      assert.deepEqual(created.service.deploymentConfiguration.deploymentCircuitBreaker, { enable: true, rollback: true });
      await awsText('ecs', 'wait', 'services-stable', '--cluster', 'svc', '--services', 'web');
      // The waiter asks only for the desired count running; the deployment completes once its
      // tasks have proven themselves (10 s healthy). Updating before then would supersede it.
      await eventually(
        async () => ((await aws('ecs', 'describe-services', '--cluster', 'svc', '--services', 'web')).services[0].deployments[0].rolloutState === 'COMPLETED' ? true : undefined),
        30_000,
        'the first deployment COMPLETED',
      );
      await aws('ecs', 'update-service', '--cluster', 'svc', '--service', 'web', '--task-definition', 'svc-web:2');
      await awsText('ecs', 'wait', 'services-stable', '--cluster', 'svc', '--services', 'web');
      const { services } = await aws('ecs', 'describe-services', '--cluster', 'svc', '--services', 'web');
      const [service] = services;
      assert.equal(service.runningCount, 3);
      assert.equal(service.deployments.length, 1);
      assert.equal(service.deployments[0].taskDefinition, 'arn:aws:ecs:us-east-1:000000000000:task-definition/svc-web:2');
      assert.equal(service.deployments[0].rolloutState, 'COMPLETED');
      assert.equal(service.events[0].message, '(service web) has reached a steady state.');
      const { serviceDeployments } = await aws('ecs', 'list-service-deployments', '--cluster', 'svc', '--service', 'web');
      assert.deepEqual(serviceDeployments.map((deployment: { status: string }) => deployment.status), ['SUCCESSFUL', 'SUCCESSFUL']);
    } finally {
      await agent.close();
    }
  });

  it('stores and reads a registry credential with aws secretsmanager', async () => {
    const created = await aws('secretsmanager', 'create-secret', '--name', 'cli/registry', '--secret-string', '{"username":"u","password":"p"}', '--description', 'registry login');
    assert.match(created.ARN, /^arn:aws:secretsmanager:us-east-1:000000000000:secret:cli\/registry-[A-Za-z0-9]{6}$/);
    const value = await aws('secretsmanager', 'get-secret-value', '--secret-id', 'cli/registry');
    assert.equal(value.SecretString, '{"username":"u","password":"p"}');
    assert.deepEqual(value.VersionStages, ['AWSCURRENT']);
    const put = await aws('secretsmanager', 'put-secret-value', '--secret-id', created.ARN, '--secret-string', 'rotated');
    assert.deepEqual(put.VersionStages, ['AWSCURRENT']);
    const listed = await aws('secretsmanager', 'list-secrets', '--filters', 'Key=name,Values=cli/');
    assert.deepEqual(listed.SecretList.map((entry: { Name: string }) => entry.Name), ['cli/registry']);
    const described = await aws('secretsmanager', 'describe-secret', '--secret-id', created.ARN);
    assert.equal(described.Description, 'registry login');
    assert.deepEqual(Object.values(described.VersionIdsToStages).sort(), [['AWSCURRENT'], ['AWSPREVIOUS']]);
    await aws('secretsmanager', 'delete-secret', '--secret-id', 'cli/registry', '--recovery-window-in-days', '7');
    await assert.rejects(aws('secretsmanager', 'get-secret-value', '--secret-id', 'cli/registry'), (error: Error & { stderr: string }) => {
      assert.match(error.stderr, /InvalidRequestException/);
      assert.match(error.stderr, /marked for deletion/);
      return true;
    });
  });

  it('shows AWS error codes to CLI users', async () => {
    await assert.rejects(aws('ecs', 'delete-cluster', '--cluster', 'ghost'), (error: Error & { stderr: string }) => {
      assert.match(error.stderr, /ClusterNotFoundException/);
      return true;
    });
  });

  it('walks the registry example: create-repository, get-login-password | docker login, docker push, describe-images', { skip: dockerUp ? false : 'no Docker engine reachable' }, async () => {
    const created = await aws('ecr', 'create-repository', '--repository-name', 'cli/web', '--image-tag-mutability', 'IMMUTABLE');
    const uri = created.repository.repositoryUri as string;
    assert.equal(uri, `${new URL(berth.url).host}/cli/web`);
    const password = await awsText('ecr', 'get-login-password');
    const dockerConfig = mkdtempSync(join(tmpdir(), 'berth-cli-docker-'));
    const docker = dockerCli(dockerConfig);
    try {
      await docker(['login', '--username', 'AWS', '--password-stdin', uri.split('/')[0]!], password);
      await docker(['tag', await buildBusyboxImage(), `${uri}:1`]);
      const { stdout } = await docker(['push', `${uri}:1`]);
      const digest = /digest: (sha256:[0-9a-f]{64})/.exec(stdout)?.[1];
      const described = await aws('ecr', 'describe-images', '--repository-name', 'cli/web');
      assert.equal(described.imageDetails.length, 1);
      assert.equal(described.imageDetails[0].imageDigest, digest);
      assert.deepEqual(described.imageDetails[0].imageTags, ['1']);
      assert.equal(described.imageDetails[0].imageManifestMediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    } finally {
      await run('docker', ['rmi', `${uri}:1`]).catch(() => undefined);
      rmSync(dockerConfig, { recursive: true, force: true });
    }
  });
});
