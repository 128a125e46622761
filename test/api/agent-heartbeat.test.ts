/**
 * The control plane's side of the agent channel heartbeat, on loopback: an agent that falls silent
 * (answers no ping, sends nothing, as one behind a partition) is disconnected within two ping
 * intervals; one that answers, or that is heard from otherwise, is kept. Ping interval 1 s, set
 * through the server's configuration (`--agent-ping-interval`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateClusterCommand, DescribeContainerInstancesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { WebSocket } from 'ws';
import { agentChannelPath } from '../../src/agent-channel-protocol/messages.js';
import { eventually } from '../helpers/agent.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { registerInstance } from '../helpers/instances.js';

const pingIntervalSeconds = 1;

/** Opens the agent channel of `containerInstance` as an agent would, but without answering pings by itself. */
async function openChannel(berth: TestBerth, containerInstance: string): Promise<WebSocket> {
  const endpoint = new URL(berth.url);
  const signer = new SignatureV4({ credentials: testCredentials, region: 'us-east-1', service: 'ecs', sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.presign(
    new HttpRequest({
      method: 'GET',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: Number(endpoint.port),
      path: agentChannelPath,
      query: { containerInstance, cluster: 'default' },
      headers: { host: endpoint.host },
    }),
    { expiresIn: 60 },
  );
  const query = new URLSearchParams(signed.query as Record<string, string>).toString();
  const socket = new WebSocket(`ws://${endpoint.host}${agentChannelPath}?${query}`, { autoPong: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return socket;
}

describe('agent channel heartbeat, control plane side', () => {
  let berth: TestBerth;
  let ecs: ECSClient;

  before(async () => {
    berth = await startBerth({ agentPingIntervalSeconds: pingIntervalSeconds });
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
  });
  after(async () => {
    await berth?.close();
  });

  const connected = async (arn: string) => {
    const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'default', containerInstances: [arn] }));
    return containerInstances![0]!.agentConnected;
  };

  it('disconnects an agent that has gone silent, within two ping intervals', async () => {
    const arn = (await registerInstance(ecs, { cluster: 'default' })).containerInstanceArn!;
    const socket = await openChannel(berth, arn);
    try {
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      const opened = Date.now();
      await closed;
      const after = Date.now() - opened;
      assert.ok(after <= 2 * pingIntervalSeconds * 1000 + 1_000, `closed after ${after} ms`);
      await eventually(async () => ((await connected(arn)) === false ? true : undefined), 5_000, 'agentConnected false');
    } finally {
      socket.terminate();
    }
  });

  it('keeps an agent that answers pings, or is heard from by its own pings', async () => {
    const answering = (await registerInstance(ecs, { cluster: 'default' })).containerInstanceArn!;
    const pinging = (await registerInstance(ecs, { cluster: 'default' })).containerInstanceArn!;
    const answeringSocket = await openChannel(berth, answering);
    answeringSocket.on('ping', (data) => answeringSocket.pong(data));
    const pingingSocket = await openChannel(berth, pinging);
    const pings = setInterval(() => pingingSocket.ping(), 300);
    try {
      await new Promise((resolve) => setTimeout(resolve, 4 * pingIntervalSeconds * 1000));
      assert.equal(answeringSocket.readyState, WebSocket.OPEN);
      assert.equal(pingingSocket.readyState, WebSocket.OPEN);
      assert.equal(await connected(answering), true);
      assert.equal(await connected(pinging), true);
    } finally {
      clearInterval(pings);
      answeringSocket.terminate();
      pingingSocket.terminate();
    }
  });
});
