import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import { defaultConnectionLimits, guardConnections, releaseFromClientBound } from '../../../src/edge/connection-limits.js';

interface Warning {
  fields: Record<string, unknown>;
  message: string;
}

function recordingLog(warnings: Warning[]): FastifyBaseLogger {
  return { warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }) } as unknown as FastifyBaseLogger;
}

/** Opens a connection and resolves once the server has seen it (it answers a request on it). */
async function held(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  socket.on('error', () => undefined);
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await new Promise<void>((resolve, reject) => {
    socket.once('data', () => resolve());
    socket.once('close', () => reject(new Error('closed by the server')));
  });
  return socket;
}

function refused(port: number, localAddress = '127.0.0.1'): Promise<boolean> {
  return held(port, localAddress).then(
    (socket) => {
      socket.destroy();
      return false;
    },
    () => true,
  );
}

describe('connection limits', () => {
  it('default to the descriptor limit less a reserve, and half of that per client', () => {
    assert.deepEqual(defaultConnectionLimits(1024), { headersTimeoutMs: 10_000, idleTimeoutMs: 60_000, maxConnections: 768, maxConnectionsPerClient: 384 });
    assert.equal(defaultConnectionLimits(20_000).maxConnections, 17_500);
    assert.equal(defaultConnectionLimits(20_000).maxConnectionsPerClient, 8_750);
    assert.equal(defaultConnectionLimits(100).maxConnections, 64);
  });

  describe('on a server', () => {
    let server: Server;
    let port: number;
    const warnings: Warning[] = [];
    let now = 0;
    const sockets: Socket[] = [];
    before(async () => {
      server = createServer((_request, response) => response.end('ok'));
      server.on('connection', (socket: Socket) => sockets.push(socket));
      guardConnections(server, { headersTimeoutMs: 10_000, idleTimeoutMs: 60_000, maxConnections: 4, maxConnectionsPerClient: 2 }, recordingLog(warnings), () => now);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('refuses a client beyond its bound with one warning naming the flag, and counts the refusals until the next', async () => {
      const first = [await held(port), await held(port)];
      assert.equal(await refused(port), true);
      assert.equal(await refused(port), true);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!.message, /127\.0\.0\.1 has 2 open.*--max-connections-per-client/);
      now += 10_000;
      assert.equal(await refused(port), true);
      assert.equal(warnings.length, 2);
      assert.equal(warnings[1]!.fields.refused, 2);
      for (const socket of first) socket.destroy();
    });

    it('lets an upgraded connection leave its address bound, but not the overall one', async () => {
      warnings.length = 0;
      const client = [await held(port, '127.0.0.3'), await held(port, '127.0.0.3')];
      // The server's end of the first connection becomes a long-lived channel.
      releaseFromClientBound(sockets.at(-2)!);
      const third = await held(port, '127.0.0.3');
      const other = await held(port, '127.0.0.4');
      assert.equal(await refused(port, '127.0.0.5'), true, 'four are open: the overall bound');
      assert.match(warnings[0]!.message, /4 are open.*--max-connections\)/);
      for (const socket of [...client, third, other]) socket.destroy();
    });
  });
});
