import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { createRepository, registryLogin } from '../helpers/registry.js';
import { ecsTarget, signedHead } from '../helpers/wire.js';

interface Connection {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves with the milliseconds from opening to the server closing the connection. */
  closed: Promise<number>;
}

function open(url: string, localAddress = '127.0.0.1'): Promise<Connection> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect({ host: hostname, port: Number(port), localAddress });
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    // A refused connection may be reset; the close still comes.
    socket.on('error', () => undefined);
    const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now() - started)));
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
    socket.once('error', reject);
  });
}

/** GET /_berth/health from a given local address, on a connection of its own. */
function health(url: string, localAddress: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port: Number(port), path: '/_berth/health', localAddress, agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the edge against slow and idle clients', () => {
  let berth: TestBerth;
  before(async () => {
    berth = await startBerth({ headersTimeoutSeconds: 0.5, idleTimeoutSeconds: 1 });
  });
  after(async () => berth.close());

  it('cuts a client that stops in the middle of its headers, with a 408 in the AWS JSON shape', async () => {
    const connection = await open(berth.url);
    connection.socket.write(`POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: ${ecsTarget('ListClusters')}\r\n`);
    const ms = await connection.closed;
    assert.ok(ms < 3000, `closed after ${ms} ms`);
    assert.match(connection.received(), /^HTTP\/1\.1 408 /);
    assert.match(connection.received(), /"__type":"RequestTimeoutException"/);
  });

  it('cuts a connection that never sends a byte', async () => {
    const connection = await open(berth.url);
    const ms = await connection.closed;
    assert.ok(ms < 3000, `closed after ${ms} ms`);
  });

  it('cuts a request whose body stops arriving after the idle timeout, with a 408 in the AWS JSON shape', async () => {
    const connection = await open(berth.url);
    // Signed, so that it passes the checks made before the body: only the body's silence cuts it.
    connection.socket.write(`${await signedHead(berth.url, ecsTarget('ListClusters'), '{"maxResults": 1}', 1000)}{"max`);
    const ms = await connection.closed;
    assert.ok(ms >= 900 && ms < 4000, `closed after ${ms} ms`);
    assert.match(connection.received(), /^HTTP\/1\.1 408 /);
    assert.match(connection.received(), /"__type":"RequestTimeoutException"/);
  });

  it('holds a request that cannot be authenticated no longer than the idle timeout, answering it first', async () => {
    const connection = await open(berth.url);
    connection.socket.write(
      `POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: ${ecsTarget('ListClusters')}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 1000\r\n\r\n`,
    );
    const ms = await connection.closed;
    assert.ok(ms < 4000, `closed after ${ms} ms`);
    assert.match(connection.received(), /"__type":"MissingAuthenticationTokenException"/);
    assert.equal(connection.received().split('HTTP/1.1 ').length - 1, 1, 'one answer to one request');
  });

  it('answers a request that cannot be authenticated before its body arrives, and closes at once if the body announced is large', async () => {
    const head = (length: number) =>
      `POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: ${ecsTarget('ListClusters')}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: ${length}\r\n\r\n`;
    const small = await open(berth.url);
    small.socket.write(head(1000));
    while (!small.received().includes('MissingAuthenticationTokenException')) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.match(small.received(), /^HTTP\/1\.1 400 /);
    small.socket.destroy();
    const large = await open(berth.url);
    large.socket.write(head(100 * 1024 * 1024));
    const ms = await large.closed;
    assert.ok(ms < 900, `closed after ${ms} ms, before the idle timeout`);
    assert.match(large.received(), /"__type":"MissingAuthenticationTokenException"/);
  });

  it('cuts a layer upload that stops sending after the idle timeout, with a 408 in the OCI error shape', async () => {
    await createRepository(berth, 'stalled');
    const login = await registryLogin(berth);
    const started = await fetch(`${berth.url}/v2/stalled/blobs/uploads/`, { method: 'POST', headers: { authorization: login.authHeader } });
    assert.equal(started.status, 202);
    const location = new URL(started.headers.get('location')!, berth.url);
    const connection = await open(berth.url);
    connection.socket.write(
      `PATCH ${location.pathname}${location.search} HTTP/1.1\r\nHost: x\r\nAuthorization: ${login.authHeader}\r\n` +
        `Content-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n${'x'.repeat(100)}`,
    );
    const ms = await connection.closed;
    assert.ok(ms >= 900 && ms < 4000, `closed after ${ms} ms`);
    assert.match(connection.received(), /^HTTP\/1\.1 408 /);
    assert.match(connection.received(), /"errors":\[\{"code":"BLOB_UPLOAD_INVALID"/);
  });

  it('lets a slow but steady upload take far longer than the timeouts, and answers it', async () => {
    const body = `{"maxResults": 10${' '.repeat(30)}}`;
    const connection = await open(berth.url);
    connection.socket.write(await signedHead(berth.url, ecsTarget('ListClusters'), body));
    const started = Date.now();
    for (const byte of body) {
      await new Promise((resolve) => setTimeout(resolve, 80));
      connection.socket.write(byte);
    }
    await connection.closed;
    assert.ok(Date.now() - started > 2000, 'the upload took longer than twice the idle timeout');
    assert.match(connection.received(), /^HTTP\/1\.1 200 /);
    assert.match(connection.received(), /"clusterArns":\[\]/);
  });
});

describe('the edge bounds the connections it holds', () => {
  let berth: TestBerth;
  before(async () => {
    berth = await startBerth({ maxConnectionsPerClient: 5, maxConnections: 8 });
  });
  after(async () => berth.close());

  it('closes connections from one address beyond its bound, while another client still gets answers', async () => {
    const idle: Connection[] = [];
    for (let index = 0; index < 5; index++) {
      const connection = await open(berth.url);
      // A kept-alive request makes sure the server has counted the connection before the next opens.
      connection.socket.write('GET /_berth/health HTTP/1.1\r\nHost: x\r\n\r\n');
      while (!connection.received().includes('"status":"ok"')) await new Promise((resolve) => setTimeout(resolve, 10));
      idle.push(connection);
    }
    const beyond = await open(berth.url);
    beyond.socket.write('GET /_berth/health HTTP/1.1\r\nHost: x\r\n\r\n');
    await beyond.closed;
    assert.equal(beyond.received(), '', 'the connection beyond the bound got no answer');
    assert.equal(await health(berth.url, '127.0.0.2'), 200);
    // The bound is on connections held: once one closes, the address may open another.
    idle.pop()!.socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await health(berth.url, '127.0.0.1'), 200);
    for (const connection of idle) connection.socket.destroy();
  });

  it('closes connections beyond the bound on all of them, whatever their address', async () => {
    const held: Connection[] = [];
    for (let index = 0; index < 8; index++) {
      const connection = await open(berth.url, `127.0.0.${10 + index}`);
      connection.socket.write('GET /_berth/health HTTP/1.1\r\nHost: x\r\n\r\n');
      while (!connection.received().includes('"status":"ok"')) await new Promise((resolve) => setTimeout(resolve, 10));
      held.push(connection);
    }
    await assert.rejects(health(berth.url, '127.0.0.30'));
    for (const connection of held) connection.socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await health(berth.url, '127.0.0.30'), 200);
  });
});
