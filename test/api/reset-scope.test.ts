/**
 * A reset stays within its account: the root of one account deletes that account's resources, in
 * every region, and nothing of another account's (their resources, agents, tasks on a shared
 * FARGATE host, registry tokens). Only the root credentials of the installation's own account may
 * reset the whole installation (`?scope=installation`, `berth reset --all`).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { CreateRepositoryCommand, DescribeImagesCommand, DescribeRepositoriesCommand, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, DescribeContainerInstancesCommand, ListClustersCommand, ListTaskDefinitionsCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { CreateSecretCommand, GetSecretValueCommand, ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { signedFetch } from '../../src/cli/signed-fetch.js';
import { eventually, simulatedAgent, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { pushImage } from '../helpers/ecr.js';
import { TaskDriver } from '../helpers/tasks.js';

const run = promisify(execFile);
const accountA = '000000000000';
const accountB = '222222222222';
const rootB = { accessKeyId: 'AKIATESTRESETOTHER02', secretAccessKey: 'other-account-secret-key-for-berth-reset-tests' };
const userB = { accessKeyId: 'AKIATESTRESETUSER003', secretAccessKey: 'other-account-user-key-for-berth-reset-tests' };
const definition = {
  family: 'web',
  requiresCompatibilities: ['EC2', 'FARGATE'] as ('EC2' | 'FARGATE')[],
  networkMode: 'awsvpc' as const,
  cpu: '256',
  memory: '512',
  containerDefinitions: [{ name: 'web', image: 'busybox', essential: true }],
};
const network = { awsvpcConfiguration: { subnets: ['subnet-local'] } };

/** What one account holds: a cluster with an instance and two tasks, a definition, a secret, a repository with an image. */
interface Holdings {
  ecs: ECSClient;
  instance: TestAgent;
  ec2Task: string;
  fargateTask: string;
}

async function reset(berth: TestBerth, credentials: { accessKeyId: string; secretAccessKey: string }, query = ''): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await signedFetch(berth.url, `/_berth/reset${query}`, { credentials, region: 'eu-west-1', service: 'berth' });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** How the registry answers a request carrying `token`. */
async function registryStatus(berth: TestBerth, token: string): Promise<number> {
  return (await fetch(`${berth.url}/v2/_catalog`, { headers: { authorization: `Basic ${token}` } })).status;
}

describe('reset scope', () => {
  let berth: TestBerth;
  let fargate: TestAgent;
  const held = new Map<string, Holdings>();

  async function fill(account: string, credentials: { accessKeyId: string; secretAccessKey: string }): Promise<Holdings> {
    const ecs = berth.ecs('us-east-1', credentials);
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    // Another region of the same account: a reset takes every region.
    await berth.ecs('eu-west-1', credentials).send(new CreateClusterCommand({ clusterName: 'elsewhere' }));
    const instance = await startTestAgent(berth, simulatedAgent({ credentials, cluster: 'default' }));
    const tasks = new TaskDriver(ecs);
    await tasks.register(definition);
    const ec2Task = await tasks.run('web', { networkConfiguration: network });
    const fargateTask = await tasks.run('web', { networkConfiguration: network, launchType: 'FARGATE' });
    await tasks.until(ec2Task, 'RUNNING');
    await tasks.until(fargateTask, 'RUNNING');
    await berth.secretsManager('us-east-1', credentials).send(new CreateSecretCommand({ Name: 'db', SecretString: `password of ${account}` }));
    const ecr = berth.ecr('us-east-1', credentials);
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'app' }));
    await pushImage(ecr, 'app', `image of ${account}`, 'v1');
    return { ecs, instance, ec2Task, fargateTask };
  }

  async function token(credentials: { accessKeyId: string; secretAccessKey: string }): Promise<string> {
    const { authorizationData } = await berth.ecr('us-east-1', credentials).send(new GetAuthorizationTokenCommand({}));
    return authorizationData![0]!.authorizationToken!;
  }

  async function holdsEverything(account: string, credentials: { accessKeyId: string; secretAccessKey: string }): Promise<void> {
    const { ecs, instance, ec2Task, fargateTask } = held.get(account)!;
    assert.deepEqual((await ecs.send(new ListClustersCommand({}))).clusterArns, [`arn:aws:ecs:us-east-1:${account}:cluster/default`]);
    assert.deepEqual((await berth.ecs('eu-west-1', credentials).send(new ListClustersCommand({}))).clusterArns, [`arn:aws:ecs:eu-west-1:${account}:cluster/elsewhere`]);
    assert.deepEqual((await ecs.send(new ListTaskDefinitionsCommand({}))).taskDefinitionArns, [`arn:aws:ecs:us-east-1:${account}:task-definition/web:1`]);
    const tasks = new TaskDriver(ecs);
    assert.equal((await tasks.describe(ec2Task)).lastStatus, 'RUNNING');
    assert.equal((await tasks.describe(fargateTask)).lastStatus, 'RUNNING');
    const { containerInstances } = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster: 'default', containerInstances: [instance.agent.registration.containerInstanceArn!] }),
    );
    assert.equal(containerInstances?.[0]?.agentConnected, true, 'its agent stays connected');
    assert.ok(berth.server.hub.isConnected(instance.agent.registration.containerInstanceArn!), 'its channel stayed open');
    const sm = berth.secretsManager('us-east-1', credentials);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'db' }))).SecretString, `password of ${account}`);
    const images = await berth.ecr('us-east-1', credentials).send(new DescribeImagesCommand({ repositoryName: 'app' }));
    assert.deepEqual(images.imageDetails?.map((image) => image.imageTags), [['v1']]);
  }

  async function holdsNothing(credentials: { accessKeyId: string; secretAccessKey: string }): Promise<void> {
    for (const region of ['us-east-1', 'eu-west-1']) {
      const ecs = berth.ecs(region, credentials);
      const clusters = (await ecs.send(new ListClustersCommand({}))).clusterArns ?? [];
      // The account's own agent may already have registered again, recreating nothing but what it needs.
      assert.deepEqual(clusters, [], `no cluster left in ${region}`);
      assert.deepEqual((await ecs.send(new ListTaskDefinitionsCommand({}))).taskDefinitionArns, []);
      assert.deepEqual((await berth.secretsManager(region, credentials).send(new ListSecretsCommand({ IncludePlannedDeletion: true }))).SecretList, []);
      assert.deepEqual((await berth.ecr(region, credentials).send(new DescribeRepositoriesCommand({}))).repositories, []);
    }
  }

  before(async () => {
    berth = await startBerth();
    await berth.server.store.write(async (tx) => {
      await tx.credentials.put({ ...rootB, accountId: accountB, principalArn: `arn:aws:iam::${accountB}:root`, isRoot: true, createdAt: 0 });
      await tx.credentials.put({ ...userB, accountId: accountB, principalArn: `arn:aws:iam::${accountB}:user/tester`, isRoot: false, createdAt: 0 });
    });
    // One FARGATE host serves both accounts.
    fargate = await startTestAgent(berth, simulatedAgent({ mode: 'fargate' }));
    held.set(accountA, await fill(accountA, testCredentials));
    held.set(accountB, await fill(accountB, rootB));
  });
  after(async () => {
    for (const holdings of held.values()) await holdings.instance.close();
    await fargate?.close();
    await berth?.close();
  });

  it('refuses what a caller may not ask for, before deleting anything', async () => {
    const notRoot = await reset(berth, userB);
    assert.equal(notRoot.status, 403);
    assert.equal(notRoot.body.__type, 'AccessDeniedException');
    const notAdministrator = await reset(berth, rootB, '?scope=installation');
    assert.equal(notAdministrator.status, 403);
    assert.equal(notAdministrator.body.message, `Only the root credentials of the installation's account ${accountA} may reset the whole installation.`);
    assert.deepEqual(notAdministrator.body.berthHelp, { field: 'scope', hint: `Without scope=installation, a reset deletes the resources of your own account ${accountB}.` });
    const unknownScope = await reset(berth, rootB, '?scope=region');
    assert.equal(unknownScope.status, 400);
    assert.equal(unknownScope.body.message, "scope must be one of account, installation; got 'region'.");
    const unknownParameter = await reset(berth, rootB, '?everything=yes');
    assert.equal(unknownParameter.status, 400);
    assert.equal(unknownParameter.body.message, "Unknown parameter 'everything'.");
    await holdsEverything(accountA, testCredentials);
    await holdsEverything(accountB, rootB);
  });

  it("deletes the caller's account in every region, and leaves another account's resources, agents, tasks and tokens alone", async () => {
    const tokenA = await token(testCredentials);
    const tokenB = await token(rootB);
    assert.equal(await registryStatus(berth, tokenA), 200);
    assert.equal(await registryStatus(berth, tokenB), 200);
    const b = held.get(accountB)!;
    const bInstance = b.instance.agent.registration.containerInstanceArn!;
    const fargateOwner = fargate.agent.registration.owner;
    const runtimeOf = (agent: TestAgent) => agent.options.runtime;
    const fargateKey = berth.server.hub.fargateHosts()[0]!.key;

    const answer = await reset(berth, rootB);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { reset: true, scope: 'account', accountId: accountB });

    await holdsNothing(rootB);
    await holdsEverything(accountA, testCredentials);
    assert.ok(berth.server.hub.isConnected(fargateKey), 'the shared FARGATE host is still connected');
    // The FARGATE host stops the reset account's task, and only that one.
    await eventually(async () => ((await runtimeOf(fargate).listManaged(fargateOwner, b.fargateTask)).length === 0 ? true : undefined), 10_000, "B's FARGATE task to stop");
    assert.ok((await runtimeOf(fargate).listManaged(fargateOwner, held.get(accountA)!.fargateTask)).length > 0, "A's FARGATE task still runs");
    // B's instance was told to register again; as after any reset, it does once its cluster exists again.
    assert.equal(berth.server.hub.isConnected(bInstance), false, "B's instance channel was closed");

    assert.equal(await registryStatus(berth, tokenB), 401, "B's token from before the reset is revoked");
    assert.equal(await registryStatus(berth, tokenA), 200, "A's token still works");
    assert.equal(await registryStatus(berth, await token(rootB)), 200, 'a token issued after the reset works');
  });

  it('berth reset deletes the signing account; --all is for the installation administrator alone', async () => {
    await berth.ecs('us-east-1', rootB).send(new CreateClusterCommand({ clusterName: 'again' }));
    const cli = (args: string[], credentials: { accessKeyId: string; secretAccessKey: string }) =>
      run(process.execPath, ['bin/berth.js', 'reset', '--endpoint', berth.url, ...args], {
        env: { ...process.env, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey },
      });
    assert.equal((await cli([], rootB)).stdout, `berth: every resource of account ${accountB} was deleted.\n`);
    assert.deepEqual((await berth.ecs('us-east-1', rootB).send(new ListClustersCommand({}))).clusterArns, []);
    await assert.rejects(cli(['--all'], rootB), (error: Error & { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /reset refused \(403\).*may reset the whole installation/);
      return true;
    });
    await holdsEverything(accountA, testCredentials);

    await berth.ecs('us-east-1', rootB).send(new CreateClusterCommand({ clusterName: 'again' }));
    assert.equal((await cli(['--all'], testCredentials)).stdout, 'berth: every resource of every account was deleted.\n');
    assert.deepEqual((await berth.ecs('us-east-1', rootB).send(new ListClustersCommand({}))).clusterArns, []);
    assert.deepEqual((await held.get(accountA)!.ecs.send(new ListTaskDefinitionsCommand({}))).taskDefinitionArns, []);
    assert.equal(await berth.server.store.read((tx) => tx.registry.getSetting('token-signing-key')), undefined, 'the signing key goes with the installation');
  });
});
