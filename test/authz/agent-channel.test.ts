/**
 * The agent channel authorized like every call: an agent runs with the credentials of an IAM user
 * holding AmazonEC2ContainerServiceforEC2Role's permissions (no root credentials) and runs a task;
 * a principal without ecs:Poll is refused the channel in AWS's words; and each message is checked
 * when it arrives, so a state change sent after ecs:Submit* was taken away is refused, and
 * container stats count only from a principal allowed ecs:StartTelemetrySession.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, DetachUserPolicyCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { WebSocket } from 'ws';
import { agentChannelPath } from '../../src/agent-channel-protocol/messages.js';
import { eventually, simulatedAgent, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { registerInstance } from '../helpers/instances.js';

type Keys = { accessKeyId: string; secretAccessKey: string };
const account = '000000000000';
const ec2Role = 'arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role';

/** The channel's presigned URL for `credentials`, as the agent builds it. */
async function channelUrl(berth: TestBerth, credentials: Keys, containerInstance: string): Promise<string> {
  const endpoint = new URL(berth.url);
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 'ecs', sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.presign(
    new HttpRequest({ method: 'GET', protocol: endpoint.protocol, hostname: endpoint.hostname, port: Number(endpoint.port), path: agentChannelPath, query: { containerInstance, cluster: 'default' }, headers: { host: endpoint.host } }),
    { expiresIn: 60 },
  );
  return `ws://${endpoint.host}${agentChannelPath}?${new URLSearchParams(signed.query as Record<string, string>).toString()}`;
}

/** Opens the channel: the socket, or the refusal's status and body. */
function open(url: string): Promise<{ socket?: WebSocket; status?: number; body?: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.once('error', (error) => reject(error));
  });
}

describe('the agent channel under IAM policies', () => {
  let berth: TestBerth;
  let iam: IAMClient;
  let agent: TestAgent | undefined;

  before(async () => {
    berth = await startBerth();
    iam = new IAMClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    await berth.ecs().send(new CreateClusterCommand({ clusterName: 'default' }));
  });
  after(async () => {
    await agent?.close();
    iam.destroy();
    await berth.close();
  });

  const userWithKey = async (name: string): Promise<Keys> => {
    await iam.send(new CreateUserCommand({ UserName: name }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    return { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
  };

  it('runs a task with an agent holding only AmazonEC2ContainerServiceforEC2Role', async () => {
    const keys = await userWithKey('instance');
    await iam.send(new AttachUserPolicyCommand({ UserName: 'instance', PolicyArn: ec2Role }));
    agent = await startTestAgent(berth, simulatedAgent({ credentials: keys }));
    const ecs = berth.ecs();
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'sleeper', containerDefinitions: [{ name: 'main', image: 'busybox', memory: 64 }] }));
    const run = await ecs.send(new RunTaskCommand({ taskDefinition: 'sleeper' }));
    const taskArn = run.tasks?.[0]?.taskArn;
    assert.ok(taskArn, JSON.stringify(run.failures));
    await eventually(async () => {
      const { tasks } = await ecs.send(new DescribeTasksCommand({ tasks: [taskArn] }));
      return tasks?.[0]?.lastStatus === 'RUNNING' ? true : undefined;
    }, 20_000, 'the task RUNNING');
  });

  it('refuses the channel to a principal without ecs:Poll, and a state change once ecs:Submit* is taken away', async () => {
    const keys = await userWithKey('registrar');
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'registrar',
        PolicyName: 'register-only',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecs:RegisterContainerInstance', Resource: '*' }] }),
      }),
    );
    const instance = (await registerInstance(berth.ecs('us-east-1', keys), { cluster: 'default' })).containerInstanceArn!;
    const refused = await open(await channelUrl(berth, keys, instance));
    assert.equal(refused.status, 403);
    assert.deepEqual(JSON.parse(refused.body!).__type, 'AccessDeniedException');
    assert.equal(
      JSON.parse(refused.body!).message,
      `User: arn:aws:iam::${account}:user/registrar is not authorized to perform: ecs:Poll on resource: ${instance} because no identity-based policy allows the ecs:Poll action`,
    );

    await iam.send(new AttachUserPolicyCommand({ UserName: 'registrar', PolicyArn: ec2Role }));
    const { socket } = await open(await channelUrl(berth, keys, instance));
    assert.ok(socket, 'the channel opens with the EC2 role policy');
    try {
      const acks: { id: number; error?: string }[] = [];
      socket.on('message', (data) => {
        const message = JSON.parse(data.toString()) as { type: string; id: number; error?: string };
        if (message.type === 'ack') acks.push(message);
      });
      const report = (id: number) => socket.send(JSON.stringify({ type: 'report', id, report: { taskArn: `arn:aws:ecs:us-east-1:${account}:task/default/0123456789abcdef0123456789abcdef`, status: 'RUNNING' } }));
      report(1);
      const first = await eventually(async () => acks.find((ack) => ack.id === 1), 10_000, 'the first ack');
      // Authorized, and refused on its merits: the task is not this agent's.
      assert.match(first.error ?? '', /not assigned to this agent/);

      await iam.send(new DetachUserPolicyCommand({ UserName: 'registrar', PolicyArn: ec2Role }));
      report(2);
      const second = await eventually(async () => acks.find((ack) => ack.id === 2), 10_000, 'the second ack');
      assert.equal(
        second.error,
        `User: arn:aws:iam::${account}:user/registrar is not authorized to perform: ecs:SubmitTaskStateChange on resource: arn:aws:ecs:us-east-1:${account}:cluster/default because no identity-based policy allows the ecs:SubmitTaskStateChange action`,
      );
    } finally {
      socket.terminate();
    }
  });

  it('keeps container stats only from a principal allowed ecs:StartTelemetrySession', async () => {
    const keys = await userWithKey('telemetry');
    const allow = (actions: string[]) =>
      iam.send(
        new PutUserPolicyCommand({
          UserName: 'telemetry',
          PolicyName: 'agent',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }),
        }),
      );
    await allow(['ecs:RegisterContainerInstance', 'ecs:Poll', 'ecs:SubmitTaskStateChange']);
    const instance = (await registerInstance(berth.ecs('us-east-1', keys), { cluster: 'default' })).containerInstanceArn!;
    const { socket } = await open(await channelUrl(berth, keys, instance));
    assert.ok(socket);
    try {
      const acks: number[] = [];
      socket.on('message', (data) => {
        const message = JSON.parse(data.toString()) as { type: string; id: number };
        if (message.type === 'ack') acks.push(message.id);
      });
      const storedUsage = async () => (await berth.server.store.read((tx) => tx.taskUsage.list())).map((record) => record.taskArn);
      const taskArn = (id: string) => `arn:aws:ecs:us-east-1:${account}:task/default/${id.repeat(32)}`;
      const stats = (id: string) =>
        socket.send(JSON.stringify({ type: 'stats', tasks: [{ taskArn: taskArn(id), containers: [{ name: 'main', sampledAt: 1, cpuNanoseconds: 1, memoryBytes: 1 }] }] }));
      stats('a');
      // A report sent after it, acknowledged: the channel has read the stats message by then.
      socket.send(JSON.stringify({ type: 'report', id: 1, report: { taskArn: taskArn('c'), status: 'RUNNING' } }));
      await eventually(async () => (acks.includes(1) ? true : undefined), 10_000, 'the ack');
      assert.ok(!(await storedUsage()).includes(taskArn('a')), 'stats without ecs:StartTelemetrySession are dropped');

      await allow(['ecs:RegisterContainerInstance', 'ecs:Poll', 'ecs:SubmitTaskStateChange', 'ecs:StartTelemetrySession']);
      stats('b');
      await eventually(async () => ((await storedUsage()).includes(taskArn('b')) ? true : undefined), 10_000, 'the stats kept');
      assert.ok(!(await storedUsage()).includes(taskArn('a')));
    } finally {
      socket.terminate();
    }
  });
});
