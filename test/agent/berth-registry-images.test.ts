/** The loop closes: an image pushed to Berth's registry with docker runs as a task, with no login on the host. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { CreateRepositoryCommand, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, StopTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { TaskPullAuth } from '../../src/registry/task-pull-auth.js';
import { dockerCli } from '../helpers/commands.js';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { TaskDriver } from '../helpers/tasks.js';

const dockerUp = await dockerAvailable();
const run = promisify(execFile);

describe('images from Berth’s own registry', { skip: dockerUp ? false : 'no Docker engine reachable' }, () => {
  let berth: TestBerth;
  let agent: TestAgent;
  let fargate: TestAgent;
  let ecs: ECSClient;
  let tasks: TaskDriver;
  let dockerConfig: string;
  const pushed: string[] = [];
  const docker = (args: string[], input?: string) => dockerCli(dockerConfig)(args, input);

  before(async () => {
    dockerConfig = mkdtempSync(join(tmpdir(), 'berth-docker-config-'));
    berth = await startBerth();
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = await startTestAgent(berth);
    fargate = await startTestAgent(berth, { mode: 'fargate' });
    tasks = new TaskDriver(ecs);
  });
  after(async () => {
    await fargate?.close();
    await agent?.close();
    if (pushed.length > 0) await run('docker', ['rmi', '--force', ...pushed]).catch(() => undefined);
    await berth?.close();
    rmSync(dockerConfig, { recursive: true, force: true });
  });

  test('docker push, then RunTask on EC2 and FARGATE: the agent pulls from Berth with a token of the task’s account', async () => {
    // An image of its own (a new config over busybox's layer), so nothing of it stays local once untagged.
    const local = `berth-test/from-registry:${process.pid}`;
    await docker(['build', '--quiet', '--tag', local, '-'], `FROM ${await buildBusyboxImage()}\nLABEL berth.test.unique="${Date.now()}-${process.pid}"\n`);
    pushed.push(local);
    const ecr = berth.ecr();
    const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/app' }));
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    const [user, password] = Buffer.from(authorizationData![0]!.authorizationToken!, 'base64').toString().split(':') as [string, string];
    const registryHost = new URL(authorizationData![0]!.proxyEndpoint!).host;
    assert.equal(repository?.repositoryUri, `${registryHost}/team/app`, 'repositoryUri is what docker push needs');

    const reference = `${repository!.repositoryUri!}:1`;
    await docker(['login', registryHost, '--username', user, '--password-stdin'], password);
    await docker(['tag', local, reference]);
    pushed.push(reference);
    const push = await docker(['push', reference]);
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(push.stdout)?.[1];
    assert.ok(digest, `docker push reports the digest: ${push.stdout}`);
    // Nothing of the image stays on the host: the task's pull must reach the registry.
    await run('docker', ['rmi', reference, local]);
    pushed.length = 0;

    for (const launchType of ['EC2', 'FARGATE'] as const) {
      const definition = await tasks.register({
        family: `from-berth-${launchType.toLowerCase()}`,
        ...(launchType === 'FARGATE' ? { requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '512' } : {}),
        containerDefinitions: [{ name: 'main', image: reference, memory: 32, command: ['sleep', '300'], stopTimeout: 2 }],
      });
      const arn = await tasks.run(definition, launchType === 'FARGATE' ? { launchType: 'FARGATE', networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-berth'] } } } : {});
      const running = await tasks.until(arn, 'RUNNING');
      assert.equal(running.containers?.[0]?.imageDigest, digest, `${launchType}: the task runs the pushed image`);
      await ecs.send(new StopTaskCommand({ cluster: 'default', task: arn }));
      await tasks.until(arn, 'STOPPED');
      pushed.push(reference);
      await run('docker', ['rmi', '--force', reference]).catch(() => undefined);
    }
    const manifest = await berth.server.store.read(async (tx) => {
      const stored = await tx.registry.findRepository('000000000000', 'us-east-1', 'team/app');
      return tx.registry.getManifestRecord(stored!.arn, digest);
    });
    assert.ok(manifest?.lastPulledAt, 'the pull was recorded');
  });

  test('a pull token is bound to the task’s account: another account’s task cannot read the image', async () => {
    const pullAuth = new TaskPullAuth(berth.server.registry);
    const image = `${berth.server.registry.host}/team/app:1`;
    const now = Date.now() / 1000;
    const manifestStatus = async (taskArn: string) => {
      const { main } = await pullAuth.credentialsFor(taskArn, undefined, [{ name: 'main', image }], now);
      assert.ok(main, 'an image hosted by Berth gets credentials');
      const response = await fetch(`${berth.url}/v2/team/app/manifests/1`, {
        method: 'HEAD',
        headers: { authorization: `Basic ${Buffer.from(`${main.username}:${main.password}`).toString('base64')}`, accept: 'application/vnd.docker.distribution.manifest.v2+json' },
      });
      return response.status;
    };
    assert.equal(await manifestStatus('arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef0123456789abcdef'), 200);
    assert.equal(await manifestStatus('arn:aws:ecs:us-east-1:111111111111:task/default/0123456789abcdef0123456789abcdef'), 404);
    assert.equal(await manifestStatus('arn:aws:ecs:eu-west-1:000000000000:task/default/0123456789abcdef0123456789abcdef'), 404, 'registries are per region too');
    const elsewhere = await pullAuth.credentialsFor('arn:aws:ecs:us-east-1:000000000000:task/default/0123', undefined, [{ name: 'main', image: 'registry.example.com/team/app:1' }], now);
    assert.deepEqual(elsewhere, {}, 'images of other registries get no Berth token');
  });
});
