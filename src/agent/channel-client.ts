/**
 * The agent's end of the agent channel (see agent-channel-protocol/messages.ts): keeps one WebSocket open to
 * the control plane, reconnecting with jittered exponential back-off, and keeps every report until
 * the control plane acknowledges it, resending the unacknowledged ones after each reconnect.
 *
 * Liveness. A network partition closes nothing: neither end hears a close, and an idle agent would
 * keep its dead socket for good. So the agent pings the control plane every third of
 * `heartbeatTimeoutMs`, counts anything it hears (a message, a ping, a pong) as a sign of life, and
 * ends the socket once it has heard nothing for `heartbeatTimeoutMs`; the control plane does the
 * same from its side (hub.ts). Back-off never exceeds the heartbeat timeout, so once the link is
 * back the agent is connected again within about one timeout. TCP keepalive is on as well, for the
 * kernel to notice a peer that is gone while the socket is idle between pings.
 *
 * Until `stop()`, a started client always holds a timer or a socket: a process whose only work is
 * the agent (`berth agent --simulate`) keeps running, and reconnecting, through an outage.
 */
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Clock } from '../core/clock.js';
import type { AwsCredentialIdentity, Provider } from '@smithy/types';
import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import { agentChannelPath, resetCloseCode, type AgentMessage, type ControlMessage, type RuntimeHealth, type TaskReport, type TaskStats } from '../agent-channel-protocol/messages.js';

export interface ChannelClientOptions {
  endpoint: string;
  region: string;
  credentials: Provider<AwsCredentialIdentity>;
  /** Query parameters naming this agent (containerInstance and cluster, or fargateHost). */
  identity: Record<string, string>;
  log: Logger;
  /** Signs the channel's URL at this clock's time; the system clock's when absent. */
  clock?: Clock;
  onTasks(message: Extract<ControlMessage, { type: 'tasks' }>): void;
  /** Called when the control plane refuses the agent outright (its instance was deregistered, say). */
  onRefused?(status: number, body: string): void;
  /**
   * Called when the control plane closed the channel because Berth was reset. The agent registers
   * again and calls `rejoin`; without this callback the channel simply reconnects.
   */
  onReset?(): void;
  minBackoffMs?: number;
  /** At most the heartbeat timeout. */
  maxBackoffMs?: number;
  /** How long the control plane may stay silent before the agent ends the socket and reconnects. */
  heartbeatTimeoutMs?: number;
}

export const defaultHeartbeatTimeoutMs = 30_000;
/** A connection attempt that has not completed its handshake by then is abandoned (at most the heartbeat timeout). */
const handshakeTimeoutMs = 10_000;

const Sha256 = Hash.bind(null, 'sha256');

export class ChannelClient {
  private socket: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, TaskReport>();
  private health: RuntimeHealth | undefined;
  private attempt = 0;
  private stopped = false;
  /** Whether the channel has been open before: the first opening is routine, a later one ends an outage. */
  private everConnected = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Pings the control plane while connected. */
  private pingTimer: NodeJS.Timeout | undefined;
  /** Fires when the control plane has been silent for the heartbeat timeout; refreshed by every frame. */
  private silenceTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ChannelClientOptions) {}

  private get heartbeatTimeoutMs(): number {
    return this.options.heartbeatTimeoutMs ?? defaultHeartbeatTimeoutMs;
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  get unacknowledged(): number {
    return this.pending.size;
  }

  start(): void {
    void this.connect();
  }

  /**
   * Connects again now under a new identity (after the agent registered again), dropping reports
   * the control plane can no longer apply: they were about tasks that no longer exist.
   */
  rejoin(identity: Record<string, string>): void {
    if (this.stopped) return;
    this.options.identity = identity;
    this.pending.clear();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.attempt = 0;
    const previous = this.socket;
    this.socket = undefined;
    this.stopHeartbeat();
    previous?.terminate();
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.stopHeartbeat();
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close(1000, 'agent stopping');
      setTimeout(() => {
        socket.terminate();
        resolve();
      }, 1000).unref();
    });
  }

  /** Queues a report; it is sent now if connected, else after the next reconnect. */
  report(report: TaskReport): void {
    const id = this.nextId++;
    this.pending.set(id, report);
    this.send({ type: 'report', id, report });
  }

  /** Usage samples: sent only while connected, never queued or resent (a lost sample is a missing point). */
  sendStats(tasks: TaskStats[]): void {
    this.send({ type: 'stats', tasks });
  }

  setHealth(health: RuntimeHealth): void {
    if (this.health?.status === health.status && this.health.reason === health.reason) return;
    this.health = health;
    this.send({ type: 'health', runtime: health });
  }

  private send(message: AgentMessage): void {
    if (this.connected) this.socket?.send(JSON.stringify(message));
  }

  private async signedUrl(): Promise<string> {
    const endpoint = new URL(this.options.endpoint);
    const signer = new SignatureV4({ credentials: this.options.credentials, region: this.options.region, service: 'ecs', sha256: Sha256 });
    const port = endpoint.port ? Number(endpoint.port) : endpoint.protocol === 'https:' ? 443 : 80;
    const request = new HttpRequest({
      method: 'GET',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port,
      path: agentChannelPath,
      query: { ...this.options.identity },
      headers: { host: endpoint.host },
    });
    const signed = await signer.presign(request, { expiresIn: 60, ...(this.options.clock ? { signingDate: this.options.clock.now() } : {}) });
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(signed.query ?? {})) {
      if (typeof value === 'string') query.set(name, value);
    }
    const scheme = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${endpoint.host}${agentChannelPath}?${query.toString()}`;
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const min = this.options.minBackoffMs ?? 250;
    const max = Math.min(this.options.maxBackoffMs ?? 30_000, this.heartbeatTimeoutMs);
    const delay = Math.min(max, min * 2 ** Math.min(this.attempt, 16)) * (0.5 + Math.random() / 2);
    this.attempt++;
    // Not unref()ed: while the control plane is away this timer is all that keeps an agent process alive.
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  /** Starts the heartbeat of a socket that just opened. */
  private startHeartbeat(socket: WebSocket): void {
    this.stopHeartbeat();
    const timeout = this.heartbeatTimeoutMs;
    this.silenceTimer = setTimeout(() => {
      if (this.socket !== socket) return;
      this.options.log.warn({ endpoint: this.options.endpoint, timeoutMs: timeout }, 'the control plane has been silent past the heartbeat timeout; reconnecting');
      socket.terminate();
    }, timeout).unref();
    this.pingTimer = setInterval(() => {
      if (socket.readyState === WebSocket.OPEN) socket.ping();
    }, Math.max(1, Math.floor(timeout / 3))).unref();
  }

  private heard(socket: WebSocket): void {
    if (this.socket === socket) this.silenceTimer?.refresh();
  }

  private stopHeartbeat(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.pingTimer = undefined;
    this.silenceTimer = undefined;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let url: string;
    try {
      url = await this.signedUrl();
    } catch (error) {
      this.options.log.error({ err: error }, 'could not sign the agent channel request; check the credentials');
      this.scheduleReconnect();
      return;
    }
    // Stopped or rejoined while the request was being signed: that call owns the channel now.
    if (this.stopped || this.socket !== undefined) return;
    const socket = new WebSocket(url, { handshakeTimeout: Math.min(handshakeTimeoutMs, this.heartbeatTimeoutMs) });
    this.socket = socket;
    socket.on('upgrade', (response) => response.socket.setKeepAlive(true, this.heartbeatTimeoutMs));
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => {
        this.options.log.warn({ status: response.statusCode, body }, 'the control plane refused the agent channel');
        if (response.statusCode !== undefined && response.statusCode >= 400 && response.statusCode < 500) this.options.onRefused?.(response.statusCode, body);
      });
      socket.terminate();
    });
    socket.on('open', () => {
      this.attempt = 0;
      this.startHeartbeat(socket);
      this.options.log[this.everConnected ? 'info' : 'debug']({ endpoint: this.options.endpoint }, this.everConnected ? 'agent channel connected again' : 'agent channel connected');
      this.everConnected = true;
      if (this.health) this.send({ type: 'health', runtime: this.health });
      for (const [id, report] of this.pending) this.send({ type: 'report', id, report });
    });
    socket.on('message', (data) => {
      this.heard(socket);
      this.receive(data.toString());
    });
    socket.on('ping', () => this.heard(socket));
    socket.on('pong', () => this.heard(socket));
    socket.on('error', (error) => this.options.log.debug({ err: error }, 'agent channel error'));
    socket.on('close', (code, reason) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.stopHeartbeat();
      if (code === resetCloseCode && this.options.onReset && !this.stopped) {
        this.options.log.info('Berth was reset: registering again');
        this.options.onReset();
        return;
      }
      if (!this.stopped) this.options.log.warn({ code, reason: reason.toString() }, 'agent channel closed; reconnecting');
      this.scheduleReconnect();
    });
  }

  private receive(text: string): void {
    let message: ControlMessage;
    try {
      message = JSON.parse(text) as ControlMessage;
    } catch {
      this.options.log.warn('malformed message from the control plane');
      return;
    }
    if (message.type === 'ack') {
      const report = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) this.options.log.warn({ task: report?.taskArn, error: message.error }, 'the control plane did not apply a report');
      return;
    }
    if (message.type === 'tasks') this.options.onTasks(message);
  }
}
