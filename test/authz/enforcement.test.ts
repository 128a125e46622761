/**
 * Policies enforced on real calls: the issue's ECS example through the aws CLI (a read-only user
 * may list but not delete a cluster), a changed policy taking effect on the next call, an explicit
 * deny winning, iam:PassRole for the roles RunTask hands to ECS, and the registry's /v2/ checked
 * with the ECR actions a pull and a push need, through skopeo.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateClusterCommand, CreateServiceCommand, DeleteClusterCommand, DescribeClustersCommand, DescribeServicesCommand, ECSClient, ListClustersCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { AttachRolePolicyCommand, AttachUserPolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, DeleteRoleCommand, DetachRolePolicyCommand, CreateUserCommand, DeleteUserPolicyCommand, DetachUserPolicyCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { IamRole } from '../../src/store/contract/iam.js';
import { issueRoleSession } from '../../src/sts/session-credentials.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { cliEnvironment, hasAwsCli, run } from '../helpers/aws-cli.js';
import { runCommand } from '../helpers/commands.js';
import { createRepository, makeImage, RegistryHttp, registryLogin, sha256, writeOciLayout } from '../helpers/registry.js';
import { addOtherAccount, otherAccount } from '../iam/iam-client.js';

type Keys = { accessKeyId: string; secretAccessKey: string };

/** A request with a Host of the test's choosing (fetch sets its own): how a client reaches a registry by name. */
function getWithHost(url: string, path: string, host: string, authorization: string, method = 'GET'): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const endpoint = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { hostname: endpoint.hostname, port: endpoint.port, path, method, headers: { host: `${host}:${endpoint.port}`, authorization, accept: 'application/vnd.oci.image.manifest.v1+json' } },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('latin1')));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
      },
    );
    request.on('error', reject);
    request.end();
  });
}
const account = '000000000000';
const skopeoBinary = '/usr/bin/skopeo';

describe('policy enforcement', () => {
  let berth: TestBerth;
  let iam: IAMClient;
  let dir: string;

  before(async () => {
    berth = await startBerth();
    iam = new IAMClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    dir = mkdtempSync(join(tmpdir(), 'berth-enforcement-'));
  });
  after(async () => {
    iam.destroy();
    await berth.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const userWithKey = async (name: string): Promise<Keys> => {
    await iam.send(new CreateUserCommand({ UserName: name }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    return { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
  };
  const putPolicy = (user: string, statements: Record<string, unknown>[]) =>
    iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: 'inline', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
  /** The call got past authorization: it succeeded, or failed for another reason (no capacity, no such cluster). */
  const notDenied = async (call: Promise<unknown>) => {
    const error = await call.then(() => undefined, (thrown: unknown) => thrown as Error);
    if (error?.name === 'AccessDeniedException') assert.fail(`denied: ${error.message}`);
  };
  const deniedWith = (pattern: RegExp) => (error: unknown) => {
    const { name, message } = error as Error;
    assert.equal(name, 'AccessDeniedException', message);
    assert.match(message, pattern);
    return true;
  };

  it('lets a ReadOnlyAccess user list clusters and answers delete-cluster AccessDenied in AWS words (aws CLI)', { skip: hasAwsCli ? false : 'no aws CLI' }, async () => {
    await berth.ecs().send(new CreateClusterCommand({ clusterName: 'prod' }));
    const keys = await userWithKey('reader');
    await iam.send(new AttachUserPolicyCommand({ UserName: 'reader', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    const env = { ...cliEnvironment, AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey };
    const listed = await run('aws', ['--endpoint-url', berth.url, 'ecs', 'list-clusters'], { env });
    assert.match(listed.stdout, /cluster\/prod/);
    const failed = await run('aws', ['--endpoint-url', berth.url, 'ecs', 'delete-cluster', '--cluster', 'prod'], { env }).then(
      () => assert.fail('delete-cluster succeeded for a read-only user'),
      (error: { stderr: string }) => error.stderr,
    );
    assert.match(
      failed,
      new RegExp(
        `An error occurred \\(AccessDeniedException\\) when calling the DeleteCluster operation: User: arn:aws:iam::${account}:user/reader is not authorized to perform: ecs:DeleteCluster on resource: arn:aws:ecs:us-east-1:${account}:cluster/prod because no identity-based policy allows the ecs:DeleteCluster action`,
      ),
    );
  });

  it('applies a changed policy on the next call, and an explicit deny wins over an allow', async () => {
    const keys = await userWithKey('changing');
    const ecs = berth.ecs('us-east-1', keys);
    await assert.rejects(ecs.send(new ListClustersCommand({})), deniedWith(/because no identity-based policy allows the ecs:ListClusters action$/));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'changing', PolicyArn: 'arn:aws:iam::aws:policy/AmazonECS_FullAccess' }));
    await ecs.send(new ListClustersCommand({}));
    await putPolicy('changing', [{ Sid: 'NoListing', Effect: 'Deny', Action: 'ecs:List*', Resource: '*' }]);
    await assert.rejects(ecs.send(new ListClustersCommand({})), deniedWith(/on resource: \* with an explicit deny in an identity-based policy$/));
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'changing', PolicyName: 'inline' }));
    await ecs.send(new ListClustersCommand({}));
    await iam.send(new DetachUserPolicyCommand({ UserName: 'changing', PolicyArn: 'arn:aws:iam::aws:policy/AmazonECS_FullAccess' }));
    await assert.rejects(ecs.send(new ListClustersCommand({})), deniedWith(/ecs:ListClusters/));
  });

  it('checks iam:PassRole, passed to ecs-tasks.amazonaws.com, for the roles of the task definition RunTask starts', async () => {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    const role = await iam.send(new CreateRoleCommand({ RoleName: 'app', Path: '/tasks/', AssumeRolePolicyDocument: trust }));
    const roleArn = role.Role!.Arn!;
    const keys = await userWithKey('deployer');
    const ecs = berth.ecs('us-east-1', keys);
    await putPolicy('deployer', [{ Effect: 'Allow', Action: 'ecs:*', Resource: '*' }]);
    // Registering names the role without passing it: ECS checks iam:PassRole when a task or service gets it.
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'web', taskRoleArn: roleArn, containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64 }] }));
    await assert.rejects(
      ecs.send(new RunTaskCommand({ taskDefinition: 'web' })),
      deniedWith(new RegExp(`^User: arn:aws:iam::${account}:user/deployer is not authorized to perform: iam:PassRole on resource: ${roleArn} because no identity-based policy allows the iam:PassRole action$`)),
    );
    await putPolicy('deployer', [
      { Effect: 'Allow', Action: 'ecs:*', Resource: '*' },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: roleArn, Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } },
    ]);
    await assert.rejects(ecs.send(new RunTaskCommand({ taskDefinition: 'web' })), deniedWith(/iam:PassRole/));
    await putPolicy('deployer', [
      { Effect: 'Allow', Action: 'ecs:*', Resource: '*' },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: `arn:aws:iam::${account}:role/tasks/*`, Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } },
    ]);
    // Authorized now: the call fails for want of a cluster, not for want of a permission.
    await notDenied(ecs.send(new RunTaskCommand({ taskDefinition: 'web' })));
  });

  it('checks RunTask on the task definition with ecs:cluster', async () => {
    const keys = await userWithKey('scoped');
    const ecs = berth.ecs('us-east-1', keys);
    await berth.ecs().send(new RegisterTaskDefinitionCommand({ family: 'job', containerDefinitions: [{ name: 'job', image: 'busybox', memory: 64 }] }));
    await berth.ecs().send(new CreateClusterCommand({ clusterName: 'batch' }));
    await putPolicy('scoped', [
      { Effect: 'Allow', Action: 'ecs:RunTask', Resource: `arn:aws:ecs:us-east-1:${account}:task-definition/job:*`, Condition: { ArnEquals: { 'ecs:cluster': `arn:aws:ecs:us-east-1:${account}:cluster/batch` } } },
    ]);
    await notDenied(ecs.send(new RunTaskCommand({ cluster: 'batch', taskDefinition: 'job' })));
    await assert.rejects(
      ecs.send(new RunTaskCommand({ cluster: 'prod', taskDefinition: 'job' })),
      deniedWith(new RegExp(`perform: ecs:RunTask on resource: arn:aws:ecs:us-east-1:${account}:task-definition/job:1 because`)),
    );
  });

  it("decides on a cluster's tags (aws:ResourceTag) as ECS does", async () => {
    await berth.ecs().send(new CreateClusterCommand({ clusterName: 'tagged-dev', tags: [{ key: 'env', value: 'dev' }] }));
    await berth.ecs().send(new CreateClusterCommand({ clusterName: 'tagged-prod', tags: [{ key: 'env', value: 'prod' }] }));
    const keys = await userWithKey('dev-admin');
    await putPolicy('dev-admin', [{ Effect: 'Allow', Action: 'ecs:DeleteCluster', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/env': 'dev' } } }]);
    const ecs = berth.ecs('us-east-1', keys);
    await assert.rejects(ecs.send(new DeleteClusterCommand({ cluster: 'tagged-prod' })), deniedWith(/ecs:DeleteCluster on resource: .*cluster\/tagged-prod because/));
    await ecs.send(new DeleteClusterCommand({ cluster: 'tagged-dev' }));
  });

  it("checks each service of a call against its own tags", async () => {
    const root = berth.ecs();
    await root.send(new CreateClusterCommand({ clusterName: 'abac' }));
    await root.send(new RegisterTaskDefinitionCommand({ family: 'abac', containerDefinitions: [{ name: 'main', image: 'busybox', memory: 64 }] }));
    for (const [name, env] of [['web', 'dev'], ['db', 'prod']] as const) {
      await root.send(new CreateServiceCommand({ cluster: 'abac', serviceName: name, taskDefinition: 'abac', desiredCount: 0, tags: [{ key: 'env', value: env }] }));
    }
    const keys = await userWithKey('dev-reader');
    await putPolicy('dev-reader', [{ Effect: 'Allow', Action: 'ecs:DescribeServices', Resource: '*', Condition: { StringEquals: { 'ecs:ResourceTag/env': 'dev' } } }]);
    const ecs = berth.ecs('us-east-1', keys);
    const described = await ecs.send(new DescribeServicesCommand({ cluster: 'abac', services: ['web'] }));
    assert.equal(described.services?.[0]?.serviceName, 'web');
    await assert.rejects(
      ecs.send(new DescribeServicesCommand({ cluster: 'abac', services: ['web', 'db'] })),
      deniedWith(new RegExp(`ecs:DescribeServices on resource: arn:aws:ecs:us-east-1:${account}:service/abac/db because`)),
    );
  });

  it('allows nothing, without failing the call, while a policy of the principal cannot be read', async () => {
    const keys = await userWithKey('broken');
    await iam.send(new AttachUserPolicyCommand({ UserName: 'broken', PolicyArn: 'arn:aws:iam::aws:policy/AmazonECS_FullAccess' }));
    await berth.ecs('us-east-1', keys).send(new ListClustersCommand({}));
    // A document IAM would refuse today, as a store written under older rules might hold.
    await berth.server.store.write(async (tx) => {
      const user = (await tx.iamEntities.get(account, 'user', 'broken'))!;
      await tx.iamEntities.put({ ...user, inlinePolicies: { legacy: '{"Statement": [' } });
    });
    const error = await berth.ecs('us-east-1', keys).send(new ListClustersCommand({})).then(
      () => assert.fail('allowed with an unreadable policy'),
      (thrown: { name: string; berthHelp?: { hint?: string }; $metadata: { httpStatusCode?: number } }) => thrown,
    );
    assert.equal(error.name, 'AccessDeniedException');
    assert.equal(error.$metadata.httpStatusCode, 403);
    assert.match(error.berthHelp?.hint ?? '', /cannot be read/);
  });

  it("evaluates a role session with the role's policies narrowed by its session policy, and allows nothing once the role is deleted", async () => {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    await iam.send(new CreateRoleCommand({ RoleName: 'reader-role', AssumeRolePolicyDocument: trust }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'reader-role', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    const sessionPolicy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecs:ListClusters', Resource: '*' }] });
    const issued = await berth.server.store.write(async (tx) => {
      const role = (await tx.iamEntities.get(account, 'role', 'reader-role')) as IamRole;
      return issueRoleSession(tx, role, { sessionName: 'task-1', durationSeconds: 3600, issuedTo: 'ecs-tasks.amazonaws.com', sessionPolicy }, new Date());
    });
    const ecs = new ECSClient({ endpoint: berth.url, region: 'us-east-1', credentials: issued, maxAttempts: 1 });
    try {
      await ecs.send(new ListClustersCommand({}));
      // The role allows DescribeClusters; the session policy does not.
      await assert.rejects(
        ecs.send(new DescribeClustersCommand({ clusters: ['prod'] })),
        deniedWith(new RegExp(`^User: arn:aws:sts::${account}:assumed-role/reader-role/task-1 is not authorized to perform: ecs:DescribeClusters on resource: arn:aws:ecs:us-east-1:${account}:cluster/prod because no session policy allows the ecs:DescribeClusters action$`)),
      );
      await iam.send(new DetachRolePolicyCommand({ RoleName: 'reader-role', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
      await iam.send(new DeleteRoleCommand({ RoleName: 'reader-role' }));
      const denied = await ecs.send(new ListClustersCommand({})).then(
        () => assert.fail('a session of a deleted role was allowed'),
        (error: { name: string; berthHelp?: { hint?: string } }) => error,
      );
      assert.equal(denied.name, 'AccessDeniedException');
      assert.match(denied.berthHelp?.hint ?? '', new RegExp(`role arn:aws:iam::${account}:role/reader-role no longer exists`));
    } finally {
      ecs.destroy();
    }
  });

  it('narrows a role session by its managed session policies, a deleted one allowing nothing', async () => {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    await iam.send(new CreateRoleCommand({ RoleName: 'admin-role', AssumeRolePolicyDocument: trust }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'admin-role', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    const session = (sessionPolicyArns: string[], sessionName: string) =>
      berth.server.store.write(async (tx) => {
        const role = (await tx.iamEntities.get(account, 'role', 'admin-role')) as IamRole;
        return issueRoleSession(tx, role, { sessionName, durationSeconds: 3600, issuedTo: 'ecs-tasks.amazonaws.com', sessionPolicyArns }, new Date());
      });
    const ecsOnly = new ECSClient({ endpoint: berth.url, region: 'us-east-1', credentials: await session(['arn:aws:iam::aws:policy/AmazonECS_FullAccess'], 'ecs-only'), maxAttempts: 1 });
    const gone = new ECSClient({ endpoint: berth.url, region: 'us-east-1', credentials: await session([`arn:aws:iam::${account}:policy/never-created`], 'gone'), maxAttempts: 1 });
    const ecrOnly = berth.ecr('us-east-1', await session(['arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly'], 'ecr-only'));
    try {
      await ecsOnly.send(new ListClustersCommand({}));
      await ecrOnly.send(new DescribeRepositoriesCommand({}));
      await assert.rejects(gone.send(new ListClustersCommand({})), deniedWith(/because no session policy allows the ecs:ListClusters action$/));
      await assert.rejects(ecrOnly.send(new CreateRepositoryCommand({ repositoryName: 'not-allowed' })), deniedWith(/because no session policy allows the ecr:CreateRepository action$/));
    } finally {
      ecsOnly.destroy();
      gone.destroy();
    }
  });

  describe('the registry', { skip: existsSync(skopeoBinary) ? false : 'skopeo is not installed' }, () => {
    const skopeo = (args: string[]) => runCommand(skopeoBinary, ['--insecure-policy', ...args]);

    it('lets a user with AmazonEC2ContainerRegistryReadOnly pull but not push, and one with PowerUser push', async () => {
      await createRepository(berth, 'team/app');
      const layout = join(dir, 'layout');
      writeOciLayout(layout, 'v1', [makeImage('enforced')]);
      const root = await registryLogin(berth);
      await skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `${root.username}:${root.password}`, `oci:${layout}:v1`, `docker://${root.host}/team/app:v1`]);

      const readerKeys = await userWithKey('puller');
      await iam.send(new AttachUserPolicyCommand({ UserName: 'puller', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly' }));
      const reader = await registryLogin(berth, readerKeys);
      await skopeo(['copy', '--src-tls-verify=false', '--src-creds', `${reader.username}:${reader.password}`, `docker://${reader.host}/team/app:v1`, `oci:${join(dir, 'pulled')}:v1`]);
      const push = await skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `${reader.username}:${reader.password}`, `oci:${layout}:v1`, `docker://${reader.host}/team/app:v2`]).then(
        () => assert.fail('a read-only user pushed'),
        (error: Error) => error.message,
      );
      assert.match(push, /denied|403/i);

      // The same refusal over the wire: the registry's DENIED, in AWS's words.
      const head = await fetch(`${berth.url}/v2/team/app/blobs/uploads/`, { method: 'POST', headers: { authorization: reader.authHeader } });
      assert.equal(head.status, 403);
      const body = (await head.json()) as { errors: { code: string; message: string }[] };
      assert.equal(body.errors[0]?.code, 'DENIED');
      assert.equal(
        body.errors[0]?.message,
        `User: arn:aws:iam::${account}:user/puller is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:${account}:repository/team/app because no identity-based policy allows the ecr:InitiateLayerUpload action`,
      );

      const pusherKeys = await userWithKey('pusher');
      await iam.send(new AttachUserPolicyCommand({ UserName: 'pusher', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser' }));
      const pusher = await registryLogin(berth, pusherKeys);
      await skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `${pusher.username}:${pusher.password}`, `oci:${layout}:v1`, `docker://${pusher.host}/team/app:v2`]);
    });

    it("pulls another account's image only through its repository policy, at that account's registry host", async () => {
      await createRepository(berth, 'shared/base');
      const owner = await RegistryHttp.login(berth);
      const image = await owner.pushImage('shared/base', 'v1', 'cross-account');
      await addOtherAccount(berth);
      const other = await registryLogin(berth, otherAccount);
      // The owner's registry, as ECR names it: <account>.dkr.ecr.<region>.<domain>.
      const get = (path: string) => getWithHost(berth.url, path, `${account}.dkr.ecr.us-east-1.localhost`, other.authHeader);

      const refused = await get('/v2/shared/base/manifests/v1');
      assert.equal(refused.status, 403);
      assert.deepEqual(JSON.parse(refused.body).errors[0].code, 'DENIED');
      assert.equal(
        JSON.parse(refused.body).errors[0].message,
        `User: arn:aws:iam::${otherAccount.accountId}:root is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:${account}:repository/shared/base because no resource-based policy allows the ecr:BatchGetImage action`,
      );
      // At its own registry the other account has no such repository.
      assert.equal((await getWithHost(berth.url, '/v2/shared/base/manifests/v1', 'registry.localhost', other.authHeader)).status, 404);

      await berth.ecr().send(
        new SetRepositoryPolicyCommand({
          repositoryName: 'shared/base',
          policyText: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Sid: 'pull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${otherAccount.accountId}:root` }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }],
          }),
        }),
      );
      const manifest = await get('/v2/shared/base/manifests/v1');
      assert.equal(manifest.status, 200, manifest.body);
      assert.equal(manifest.headers['docker-content-digest'], image.digest);
      const layer = await get(`/v2/shared/base/blobs/${sha256(image.layers[0]!)}`);
      assert.equal(layer.status, 200, layer.body);
      // Pulling is all the policy grants: a push is still refused.
      const push = await getWithHost(berth.url, '/v2/shared/base/blobs/uploads/', `${account}.dkr.ecr.us-east-1.localhost`, other.authHeader, 'POST');
      assert.equal(push.status, 403);
      assert.match(JSON.parse(push.body).errors[0].message, /ecr:InitiateLayerUpload .* because no resource-based policy allows/);
    });

    it('lets a repository policy grant a user the pull its identity policies do not', async () => {
      const keys = await userWithKey('granted');
      await putPolicy('granted', [{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }]);
      const login = await registryLogin(berth, keys);
      const manifest = () => fetch(`${berth.url}/v2/team/app/manifests/v1`, { headers: { authorization: login.authHeader, accept: 'application/vnd.oci.image.manifest.v1+json' } });
      assert.equal((await manifest()).status, 403);
      await berth.ecr().send(
        new SetRepositoryPolicyCommand({
          repositoryName: 'team/app',
          policyText: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Sid: 'pull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:user/granted` }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }],
          }),
        }),
      );
      assert.equal((await manifest()).status, 200);
    });
  });
});
