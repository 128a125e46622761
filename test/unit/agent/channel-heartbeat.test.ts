/**
 * The agent's side of the channel heartbeat, against a WebSocket server on loopback that can fall
 * silent: it neither answers pings nor sends anything, as a control plane behind a partition.
 * Short timeouts, given as options.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { ChannelClient } from '../../../src/agent/channel-client.js';
import { eventually } from '../../helpers/agent.js';

const heartbeatTimeoutMs = 600;

describe('agent channel heartbeat', () => {
  let server: WebSocketServer;
  let url: string;
  const connections: { socket: WebSocket; pings: number }[] = [];
  /** Whether the server answers the agent's pings, per new connection. */
  let answering = false;

  before(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    server.on('connection', (socket) => {
      const connection = { socket, pings: 0 };
      connections.push(connection);
      const answers = answering;
      socket.on('ping', (data) => {
        connection.pings++;
        if (answers) socket.pong(data);
      });
    });
  });
  after(async () => {
    for (const { socket } of connections) socket.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  function client(): ChannelClient {
    return new ChannelClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: async () => ({ accessKeyId: 'AKIAHEARTBEAT0000001', secretAccessKey: 'heartbeat-test-secret' }),
      identity: { containerInstance: 'test' },
      log: pino({ level: 'silent' }),
      onTasks: () => undefined,
      heartbeatTimeoutMs,
    });
  }

  it('drops a connection whose control plane has gone silent and connects again', async () => {
    answering = false;
    connections.length = 0;
    const channel = client();
    channel.start();
    try {
      await eventually(async () => (connections.length >= 1 ? true : undefined), 5_000, 'the first connection');
      const first = connections[0]!;
      const closed = new Promise((resolve) => first.socket.once('close', resolve));
      // Silence past the timeout ends it; back-off is at most the timeout, so the next one follows.
      await eventually(async () => (connections.length >= 2 ? true : undefined), 4 * heartbeatTimeoutMs, 'a new connection after the silence');
      await closed;
      assert.ok(first.pings >= 1, 'the agent pinged the silent control plane before giving up');
    } finally {
      await channel.stop();
    }
  });

  it('keeps a connection whose control plane answers', async () => {
    answering = true;
    connections.length = 0;
    const channel = client();
    channel.start();
    try {
      await eventually(async () => (channel.connected ? true : undefined), 5_000, 'the connection');
      await new Promise((resolve) => setTimeout(resolve, 4 * heartbeatTimeoutMs));
      assert.equal(connections.length, 1, 'no reconnection');
      assert.ok(channel.connected);
      assert.ok(connections[0]!.pings >= 3, `the agent pings every third of the timeout (${connections[0]!.pings} pings)`);
    } finally {
      await channel.stop();
    }
  });
});
