/**
 * Task roles as ECS delivers them, on the real Docker engine: a task's containers fetch their role's
 * credentials from 169.254.170.2 (bridge, awsvpc), the unmodified AWS SDK inside a container picks
 * them up, another task's credentials id is refused, and roles ECS cannot use stop the task with
 * ECS's reasons. Needs root (the agent adds 169.254.170.2 to the host and listens on port 80).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { CreateClusterCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CredentialsEndpoint } from '../../src/agent/credentials/endpoint.js';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { TaskDriver } from '../helpers/tasks.js';

const dockerUp = await dockerAvailable();
const isRoot = process.getuid?.() === 0;
const run = promisify(execFile);
const dockerExec = async (containerId: string, script: string) =>
  (await run('docker', ['exec', containerId, 'sh', '-c', script], { encoding: 'utf8', timeout: 20_000 })).stdout;

/** GET on the credentials endpoint from inside a container, with busybox's nc: the status and the JSON body. */
async function fetchInside(containerId: string, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  // busybox's nc hangs up when its input ends: keep it open until the answer is in.
  const raw = await dockerExec(containerId, `{ printf 'GET %s HTTP/1.0\\r\\nHost: 169.254.170.2\\r\\n\\r\\n' "${path}"; sleep 1; } | nc -w 5 169.254.170.2 80`);
  const [head, ...rest] = raw.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head ?? '')?.[1]);
  try {
    return { status, body: JSON.parse(rest.join('\r\n\r\n')) as Record<string, unknown> };
  } catch {
    throw new Error(`not an HTTP answer with a JSON body from ${path}: ${JSON.stringify(raw)}`);
  }
}

const trust = (service: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });
const taskIdOf = (arn: string) => arn.split('/').at(-1)!;

describe('task roles on Docker', { skip: !dockerUp ? 'no Docker engine reachable' : !isRoot ? 'needs root for 169.254.170.2:80' : false }, () => {
  let berth: TestBerth;
  let agent: TestAgent;
  let ecs: ECSClient;
  let iam: IAMClient;
  let tasks: TaskDriver;
  let image: string;
  const account = '000000000000';
  const appRole = `arn:aws:iam::${account}:role/app`;

  before(async () => {
    image = await buildBusyboxImage();
    berth = await startBerth();
    ecs = berth.ecs();
    iam = new IAMClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials });
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    // Host network mode containers reach Berth on the host's loopback.
    agent = await startTestAgent(berth, { taskEndpointUrl: berth.url });
    tasks = new TaskDriver(ecs);
    await iam.send(new CreateRoleCommand({ RoleName: 'app', AssumeRolePolicyDocument: trust('ecs-tasks.amazonaws.com') }));
  });
  after(async () => {
    await agent?.close();
    await berth?.close();
    iam?.destroy();
  });

  const sleeper = (family: string, extra: object = {}) =>
    tasks.register({ family, taskRoleArn: appRole, containerDefinitions: [{ name: 'app', image, memory: 64, command: ['sleep', '600'] }], ...extra });

  test('bridge: the container fetches its task role credentials, which are a session of the role named after the task', async () => {
    const definition = await sleeper('role-bridge');
    const [first, second] = [await tasks.run(definition), await tasks.run(definition)];
    const running = await tasks.until(first, 'RUNNING');
    const otherRunning = await tasks.until(second, 'RUNNING');
    const id = running.containers![0]!.runtimeId!;
    const uri = (await dockerExec(id, 'echo $AWS_CONTAINER_CREDENTIALS_RELATIVE_URI')).trim();
    assert.match(uri, /^\/v2\/credentials\/[0-9a-f]{32}$/);
    assert.equal((await dockerExec(id, 'echo $AWS_REGION $AWS_DEFAULT_REGION')).trim(), 'us-east-1 us-east-1');

    const { status, body } = await fetchInside(id, uri);
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body), ['RoleArn', 'AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration']);
    assert.equal(body.RoleArn, appRole);
    assert.match(String(body.AccessKeyId), /^ASIA/);
    assert.match(String(body.Expiration), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Date.parse(String(body.Expiration)) > Date.now() + 30 * 60_000, 'at least half an hour left');

    // The credentials work: STS says who they are.
    const sts = new STSClient({
      endpoint: berth.url,
      region: 'us-east-1',
      credentials: { accessKeyId: String(body.AccessKeyId), secretAccessKey: String(body.SecretAccessKey), sessionToken: String(body.Token) },
    });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
    assert.equal(identity.Arn, `arn:aws:sts::${account}:assumed-role/app/${taskIdOf(first)}`);

    // Another task's id from this container, an unknown id, and no id: the ECS agent's 400s.
    const otherUri = (await dockerExec(otherRunning.containers![0]!.runtimeId!, 'echo $AWS_CONTAINER_CREDENTIALS_RELATIVE_URI')).trim();
    assert.notEqual(otherUri, uri);
    const notFound = { code: 'InvalidIdInRequest', message: 'CredentialsV2Request: Credentials not found', HTTPErrorCode: 400 };
    assert.deepEqual(await fetchInside(id, otherUri), { status: 400, body: notFound });
    assert.deepEqual(await fetchInside(id, '/v2/credentials/0123456789abcdef0123456789abcdef'), { status: 400, body: notFound });
    assert.deepEqual(await fetchInside(id, '/v2/credentials/'), {
      status: 400,
      body: { code: 'NoIdInRequest', message: 'CredentialsV2Request: No ID in the request', HTTPErrorCode: 400 },
    });
    // The other task's own container gets its own credentials.
    assert.equal((await fetchInside(otherRunning.containers![0]!.runtimeId!, otherUri)).status, 200);
  });

  test('awsvpc: the container reaches the endpoint through its network namespace', async () => {
    const definition = await sleeper('role-awsvpc', { networkMode: 'awsvpc' });
    const arn = await tasks.run(definition, { networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-local'] } } });
    const running = await tasks.until(arn, 'RUNNING');
    const id = running.containers![0]!.runtimeId!;
    const { status, body } = await fetchInside(id, (await dockerExec(id, 'echo $AWS_CONTAINER_CREDENTIALS_RELATIVE_URI')).trim());
    assert.equal(status, 200);
    assert.equal(body.RoleArn, appRole);
  });

  test('host: the unmodified AWS SDK inside the container picks the credentials up and calls Berth', async () => {
    // The host's Node.js (with its libraries) and this project's node_modules, bind-mounted read-only.
    const node = realpathSync(process.execPath);
    const modules = resolve(dirname(new URL(import.meta.url).pathname), '../../../node_modules');
    const scriptDir = mkdtempSync(join(tmpdir(), 'berth-task-role-probe-'));
    writeFileSync(
      join(scriptDir, 'probe.mjs'),
      "import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';\n" +
        "import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';\n" +
        "import { ECSClient, DeleteClusterCommand } from '@aws-sdk/client-ecs';\n" +
        'const identity = await new STSClient({}).send(new GetCallerIdentityCommand({}));\n' +
        'console.log(identity.Arn);\n' +
        "const secret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: 'app-config' }));\n" +
        'console.log(secret.SecretString);\n' +
        "const denied = await new ECSClient({}).send(new DeleteClusterCommand({ cluster: 'default' })).then(() => 'allowed', (error) => `${error.name}: ${error.message}`);\n" +
        'console.log(denied);\n',
    );
    // The role may read its configuration, and nothing else.
    const secretArn = (await berth.secretsManager().send(new CreateSecretCommand({ Name: 'app-config', SecretString: 'colour=teal' }))).ARN!;
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'app',
        PolicyName: 'read-config',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn }] }),
      }),
    );
    const hostPath = (name: string, sourcePath: string) => ({ name, host: { sourcePath } });
    const mount = (sourceVolume: string, containerPath: string) => ({ sourceVolume, containerPath, readOnly: true });
    try {
      const definition = await tasks.register({
        family: 'role-sdk',
        taskRoleArn: appRole,
        networkMode: 'host',
        volumes: [hostPath('node', node), hostPath('lib', '/lib'), hostPath('lib64', '/lib64'), hostPath('usrlib', '/usr/lib'), hostPath('modules', modules), hostPath('probe', scriptDir)],
        containerDefinitions: [
          {
            name: 'sdk',
            image,
            memory: 256,
            essential: true,
            command: ['sh', '-c', '/opt/node /app/probe/probe.mjs > /tmp/out 2>/tmp/err; echo done >> /tmp/out; sleep 600'],
            mountPoints: [mount('node', '/opt/node'), mount('lib', '/lib'), mount('lib64', '/lib64'), mount('usrlib', '/usr/lib'), mount('modules', '/app/node_modules'), mount('probe', '/app/probe')],
          },
        ],
      });
      const arn = await tasks.run(definition);
      const running = await tasks.until(arn, 'RUNNING');
      const id = running.containers![0]!.runtimeId!;
      let out = '';
      for (let attempt = 0; attempt < 150 && !out.includes('done'); attempt++) {
        out = await dockerExec(id, 'cat /tmp/out 2>/dev/null || true');
        if (!out.includes('done')) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const errors = await dockerExec(id, 'cat /tmp/err 2>/dev/null || true');
      const [callerArn, secretValue, deleteCluster] = out.trim().split('\n');
      assert.equal(callerArn, `arn:aws:sts::${account}:assumed-role/app/${taskIdOf(arn)}`, `${out}\n${errors}`);
      assert.equal(secretValue, 'colour=teal', `${out}\n${errors}`);
      assert.equal(
        deleteCluster,
        `AccessDeniedException: User: arn:aws:sts::${account}:assumed-role/app/${taskIdOf(arn)} is not authorized to perform: ecs:DeleteCluster on resource: arn:aws:ecs:us-east-1:${account}:cluster/default because no identity-based policy allows the ecs:DeleteCluster action`,
        `${out}\n${errors}`,
      );
    } finally {
      rmSync(scriptDir, { recursive: true, force: true });
    }
  });

  test('a task role whose trust policy does not allow ecs-tasks.amazonaws.com stops the task with ECS\'s reason', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'ec2-only', AssumeRolePolicyDocument: trust('ec2.amazonaws.com') }));
    const roleArn = `arn:aws:iam::${account}:role/ec2-only`;
    const definition = await sleeper('role-untrusted', { taskRoleArn: roleArn });
    const stopped = await tasks.until(await tasks.run(definition), 'STOPPED');
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.equal(
      stopped.stoppedReason,
      `ECS was unable to assume the role '${roleArn}' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.`,
    );
    // A RunTask override names the role too: the definition's trusted role is replaced by it.
    const overridden = await tasks.until(await tasks.run(await sleeper('role-override'), { overrides: { taskRoleArn: roleArn } }), 'STOPPED');
    assert.match(overridden.stoppedReason ?? '', /^ECS was unable to assume the role 'arn:aws:iam::000000000000:role\/ec2-only'/);
  });

  test('an agent that cannot serve the credentials endpoint stops a task with a role, saying why, rather than run it without', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    await ecs.send(new CreateClusterCommand({ clusterName: 'no-endpoint' }));
    const port = (blocker.address() as AddressInfo).port;
    const other = await startTestAgent(berth, { cluster: 'no-endpoint', credentialsEndpoint: new CredentialsEndpoint('127.0.0.1', port) });
    try {
      const there = new TaskDriver(ecs, 'no-endpoint');
      const stopped = await there.until(await there.run(await sleeper('role-no-endpoint')), 'STOPPED');
      assert.equal(stopped.stopCode, 'TaskFailedToStart');
      assert.equal(
        stopped.stoppedReason,
        `ResourceInitializationError: the task role's credentials cannot be served: the ECS credentials endpoint cannot listen on 127.0.0.1:${port}: another process on this host serves it already (one agent process per host can)`,
      );
    } finally {
      await other.close();
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  test('an execution role without secretsmanager:GetSecretValue stops a task with secrets; with it, the secret arrives', async () => {
    const secrets = berth.secretsManager();
    const { ARN: secretArn } = await secrets.send(new CreateSecretCommand({ Name: 'db-password', SecretString: 's3cret' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'exec-bare', AssumeRolePolicyDocument: trust('ecs-tasks.amazonaws.com') }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'exec-bare', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'exec-secrets', AssumeRolePolicyDocument: trust('ecs-tasks.amazonaws.com') }));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'exec-secrets',
        PolicyName: 'read-db',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn }] }),
      }),
    );
    const withSecret = (family: string, role: string) =>
      tasks.register({
        family,
        executionRoleArn: `arn:aws:iam::${account}:role/${role}`,
        containerDefinitions: [{ name: 'app', image, memory: 64, command: ['sleep', '600'], secrets: [{ name: 'DB_PASSWORD', valueFrom: secretArn! }] }],
      });

    const denied = await tasks.until(await tasks.run(await withSecret('exec-denied', 'exec-bare')), 'STOPPED');
    const taskId = taskIdOf(denied.taskArn!);
    assert.equal(denied.stopCode, 'TaskFailedToStart');
    assert.equal(
      denied.stoppedReason,
      `ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secret from asm: failed to fetch secret ${secretArn} from secrets manager: ` +
        `AccessDeniedException: User: arn:aws:sts::${account}:assumed-role/exec-bare/${taskId} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${secretArn} ` +
        'because no identity-based policy allows the secretsmanager:GetSecretValue action',
    );

    const allowed = await tasks.until(await tasks.run(await withSecret('exec-allowed', 'exec-secrets')), 'RUNNING');
    assert.equal((await dockerExec(allowed.containers![0]!.runtimeId!, 'echo $DB_PASSWORD')).trim(), 's3cret');
  });
});
