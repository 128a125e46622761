/**
 * The ECS credentials endpoint, as containers reach it: `http://169.254.170.2/v2/credentials/<id>`,
 * where the id is the task's (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI). The AWS SDKs and CLIs fix
 * the host and port, so the agent serves on 169.254.170.2:80 itself: it adds 169.254.170.2/32 to
 * the host's loopback interface (`ip addr add`, which needs root or CAP_NET_ADMIN; port 80 needs
 * root or CAP_NET_BIND_SERVICE) and listens there. Containers reach it through their default
 * route: bridge and awsvpc containers via their network's gateway (the host routes to its own
 * address), host network mode containers directly. (ECS's agent instead DNATs 169.254.170.2:80 to
 * 127.0.0.1:51679; an address of the host's own needs no iptables rule and no route_localnet.)
 *
 * One server per host: agents in one process share it (`berth up` gives its two agents one), each
 * registering a source, and a request is answered by the source that knows the id. It is set up on
 * first need, when a task with a task role is about to start, so agents that never run one need
 * no privilege.
 *
 *   GET /v2/credentials/<id>    {"RoleArn","AccessKeyId","SecretAccessKey","Token","Expiration"}
 *   GET /v1/credentials?id=<id> the same (ECS's older form)
 *
 * Errors are the ECS agent's: 400 `{"code":"NoIdInRequest",…}` without an id, 400
 * `{"code":"InvalidIdInRequest","message":"CredentialsV2Request: Credentials not found",…}` for an
 * id no task of this host has. Beyond ECS, a request from a bridge or awsvpc container that is not
 * one of the task's own gets that same answer: knowing another task's id is not enough.
 */
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { networkInterfaces } from 'node:os';
import { promisify } from 'node:util';
import type { HeldCredentials } from './task-credentials.js';

export const credentialsEndpointAddress = '169.254.170.2';

export interface CredentialsSource {
  lookup(id: string): HeldCredentials | undefined;
  /** The addresses the task's containers send from; undefined when any may (host network mode, or not known yet). */
  sourcesOf(taskArn: string): Promise<readonly string[] | undefined>;
}

const run = promisify(execFile);

/** The ECS agent's error body. */
function sendError(res: ServerResponse, version: 1 | 2, code: string, message: string): void {
  send(res, 400, { code, message: `CredentialsV${version}Request: ${message}`, HTTPErrorCode: 400 });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** `::ffff:172.17.0.2` → `172.17.0.2`. */
function plainAddress(address: string | undefined): string {
  return address?.startsWith('::ffff:') ? address.slice(7) : (address ?? '');
}

/** The credentials as ECS's agent serves them (its JSON members, in its order). */
export function credentialsBody(held: HeldCredentials): Record<string, string> {
  const { credentials } = held;
  return {
    RoleArn: credentials.roleArn,
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    Token: credentials.sessionToken,
    Expiration: new Date(credentials.expiresAt * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

export class CredentialsEndpoint {
  private readonly sources = new Set<CredentialsSource>();
  private server: Server | undefined;
  private starting: Promise<string | undefined> | undefined;

  constructor(
    readonly address = credentialsEndpointAddress,
    readonly port = 80,
  ) {}

  /** Adds a source; the returned function removes it, and the last one removed closes the server. */
  register(source: CredentialsSource): () => Promise<void> {
    this.sources.add(source);
    return async () => {
      this.sources.delete(source);
      if (this.sources.size === 0) await this.close();
    };
  }

  /** Sets the endpoint up if it is not yet; answers why it cannot serve, or undefined once it does. */
  ensure(): Promise<string | undefined> {
    if (this.server?.listening) return Promise.resolve(undefined);
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async start(): Promise<string | undefined> {
    const problem = await this.ensureAddress();
    if (problem) return problem;
    const server = createServer((req, res) => this.handle(req, res));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: this.address, port: this.port, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'EADDRINUSE'
          ? 'another process on this host serves it already (one agent process per host can)'
          : code === 'EACCES'
            ? 'port 80 needs root or CAP_NET_BIND_SERVICE'
            : (error as Error).message;
      return `the ECS credentials endpoint cannot listen on ${this.address}:${this.port}: ${why}`;
    }
    this.server = server;
    return undefined;
  }

  /** Adds the endpoint's address to the loopback interface unless the host has it already. */
  private async ensureAddress(): Promise<string | undefined> {
    const present = Object.values(networkInterfaces()).some((entries) => entries?.some((entry) => entry.address === this.address));
    if (present) return undefined;
    try {
      await run('ip', ['addr', 'add', `${this.address}/32`, 'dev', 'lo'], { timeout: 10_000 });
      return undefined;
    } catch (error) {
      const detail = ((error as { stderr?: string }).stderr ?? (error as Error).message).trim();
      return `the ECS credentials endpoint needs ${this.address} on this host, and \`ip addr add ${this.address}/32 dev lo\` failed (${detail}); run the agent as root or with CAP_NET_ADMIN, or add the address first`;
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.answer(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else send(res, 500, { code: 'InternalServerError', message: `CredentialsV2Request: ${error instanceof Error ? error.message : String(error)}`, HTTPErrorCode: 500 });
    });
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://endpoint');
    let version: 1 | 2;
    let id: string | null;
    if (url.pathname === '/v1/credentials') {
      version = 1;
      id = url.searchParams.get('id');
    } else if (url.pathname === '/v2/credentials' || url.pathname.startsWith('/v2/credentials/')) {
      version = 2;
      id = url.pathname.slice('/v2/credentials/'.length) || null;
    } else {
      send(res, 404, '404 page not found');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'method not allowed');
      return;
    }
    if (!id) {
      sendError(res, version, 'NoIdInRequest', 'No ID in the request');
      return;
    }
    const remote = plainAddress(req.socket.remoteAddress);
    for (const source of this.sources) {
      const held = source.lookup(id);
      if (!held) continue;
      const allowed = await source.sourcesOf(held.taskArn);
      if (allowed && !allowed.includes(remote)) break;
      send(res, 200, credentialsBody(held));
      return;
    }
    sendError(res, version, 'InvalidIdInRequest', 'Credentials not found');
  }

  private async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
