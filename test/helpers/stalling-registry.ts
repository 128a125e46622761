/**
 * A registry that never finishes a pull: it answers the API version check, then holds every
 * manifest request open. Stands in for a slow remote registry, so tests can act while a pull runs.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface StallingRegistry {
  /** host:port, as used in an image reference. */
  host: string;
  /** Manifest requests received and still held open. */
  held(): number;
  close(): Promise<void>;
}

export async function startStallingRegistry(): Promise<StallingRegistry> {
  const sockets = new Set<Socket>();
  const holding = new Set<ServerResponse>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.url === '/v2/' || request.url === '/v2') {
      response.writeHead(200, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0' }).end('{}');
      return;
    }
    holding.add(response);
    response.on('close', () => holding.delete(response));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the stalling registry has no port');
  return {
    host: `127.0.0.1:${address.port}`,
    held: () => holding.size,
    async close() {
      holding.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
