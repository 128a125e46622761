/**
 * The control plane's side of the agent channel (protocol in agent-channel-protocol/messages.ts).
 *
 * One connection per agent key (a container instance ARN, or a Fargate capacity host). On connect,
 * and again every `resyncMs`, the agent gets the full list of its tasks that are not STOPPED; in
 * between, the store's change feed says which tasks changed (a change's `agent` label names the
 * agent), and the hub re-reads each one and pushes it. The feed carries every commit to the
 * store, this process's and any other control plane's sharing it, so a task another process
 * launched reaches this process's agents within the feed's poll. An agent's own reports are not
 * echoed back to it. The agent converges on what it is sent, so a lost push only delays it until
 * the next full list: delivery is level-triggered.
 *
 * An instance's agentConnected is true exactly while its channel is open.
 *
 * Liveness. A partition closes nothing, so every `pingMs` the hub pings each agent and ends the
 * channel of one it has heard nothing from (no pong, no message) since the previous ping: an agent
 * cut off shows disconnected within two intervals. The agent watches the control plane the same way
 * (agent/channel-client.ts) and reconnects.
 */
import type { WebSocket } from 'ws';
import type { FastifyBaseLogger as Logger } from 'fastify';
import { resetCloseCode, type AgentMessage, type AssignedTask, type ControlMessage, type TaskReport, type TaskStats } from '../../agent-channel-protocol/messages.js';
import { Arn } from '../../core/arn.js';
import type { Authorizer } from '../../core/authorize.js';
import type { Principal } from '../../core/principal.js';
import type { Clock } from '../../core/clock.js';
import type { Store, TaskDefinitionRecord, TaskRecord } from '../../store/types.js';
import { agentKeyOf, StoreConflict } from '../../store/types.js';
import type { ChangeBatch, Subscription } from '../../store/changes.js';
import { applyTaskReport } from '../tasks/state-changes.js';
import { assignmentOf } from './assignment.js';
import type { TaskPullAuth } from '../../registry/task-pull-auth.js';
import { containersAsking, containersPulling, registryCredentialsFor } from './registry-credentials.js';
import { containersWithSecrets, secretsFor } from './container-secrets.js';
import { checkAgentMessage } from './message-checks.js';
import { executionRoleCheck } from '../task-roles/execution-role.js';
import { TaskRoleCredentials, taskRoleArnOf } from '../task-roles/task-role-credentials.js';

const maxReportsPerTransaction = 500;

export interface AgentIdentity {
  key: string;
  /** Set for agents of container instances, with its cluster. */
  containerInstanceArn?: string;
  clusterArn?: string;
  /** Whose credentials the agent connected with: each message it sends is authorized for them. */
  principal?: Principal;
  /** Set for Fargate capacity hosts: what they offer. */
  fargate?: FargateHost;
}

interface Connection extends AgentIdentity {
  socket: WebSocket;
  alive: boolean;
  /** Sends to one agent happen in order: a full list read later is never overtaken by an older push. */
  queue: Promise<void>;
}

export interface AgentHubDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  resyncMs?: number;
  /** Default 10 s. */
  pingMs?: number;
  /** Decides whether an agent's principal may send each kind of message; all are allowed without it. */
  authorize?: Authorizer;
  /** How long a registered instance may go without its agent connecting before it shows disconnected. */
  connectGraceMs?: number;
  /** Issues credentials for pulls from Berth's own registry. */
  pullAuth?: TaskPullAuth;
  /** Where the usage samples agents send (`stats`) are kept for the ECS metrics; dropped without it. */
  usage?: { record(agentKey: string, stats: readonly TaskStats[], receivedAt: number): Promise<void> };
  /** Issues task role credentials; by default one on this hub's store and clock. */
  taskRoles?: TaskRoleCredentials;
}

/** A FARGATE capacity host as it introduced itself: its id, size, and the zone its tasks are in. */
export interface FargateHost {
  hostId: string;
  cpu: number;
  memory: number;
  availabilityZone?: string;
}

export class AgentHub {
  private readonly connections = new Map<string, Connection>();
  private readonly definitions = new Map<string, TaskDefinitionRecord>();
  /** How many resets this hub has seen: a definition read across one is not cached. */
  private resets = 0;
  /** Reports waiting to be applied, each with its authorization decision (AWS's words when denied). */
  private readonly reports: { connection: Connection; id: number; report: TaskReport; denial: Promise<string | undefined> }[] = [];
  private flushing: Promise<void> | undefined;

  /**
   * Per task, how many of the changes still to come from the feed are the hub's own writes of an
   * agent's reports: those are not pushed back to the agent that sent them.
   */
  private readonly ownWrites = new Map<string, number>();

  private timers: NodeJS.Timeout[] = [];
  private subscription: Subscription | undefined;

  private readonly taskRoles: TaskRoleCredentials;
  /** Sessions of execution roles for tasks whose containers log with awslogs. */
  private readonly executionRoles: TaskRoleCredentials;

  constructor(private readonly deps: AgentHubDeps) {
    this.taskRoles = deps.taskRoles ?? new TaskRoleCredentials({ store: deps.store, clock: deps.clock });
    this.executionRoles = new TaskRoleCredentials({ store: deps.store, clock: deps.clock });
  }

  get pingMs(): number {
    return this.deps.pingMs ?? 10_000;
  }

  start(): void {
    this.subscription = this.deps.store.changes.watch({ kinds: ['task'] }, (batch) => void this.taskChanges(batch));
    this.timers.push(setInterval(() => void this.resyncAll(), this.deps.resyncMs ?? 60_000).unref());
    this.timers.push(setInterval(() => this.heartbeat(), this.pingMs).unref());
    this.timers.push(setInterval(() => void this.expireSilentInstances(), Math.min(this.deps.connectGraceMs ?? 30_000, 10_000)).unref());
  }

  /**
   * RegisterContainerInstance marks an instance connected because its agent connects right after;
   * an instance whose agent never does (or whose connection ended while this process was away)
   * shows disconnected once the grace period has passed.
   */
  private async expireSilentInstances(): Promise<void> {
    const grace = (this.deps.connectGraceMs ?? 30_000) / 1000;
    const now = this.deps.clock.now().getTime() / 1000;
    try {
      const connected = await this.deps.store.read((tx) => tx.containerInstances.listConnected());
      for (const instance of connected) {
        if (this.connections.has(instance.containerInstanceArn)) continue;
        if (now - (instance.registeredAt ?? 0) > grace) await this.setConnected(instance.containerInstanceArn, false);
      }
    } catch (error) {
      this.deps.log.error({ err: error }, 'could not check agent connections');
    }
  }

  async stop(): Promise<void> {
    this.subscription?.close();
    this.subscription = undefined;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    for (const connection of this.connections.values()) connection.socket.close(1001, 'control plane shutting down');
    this.connections.clear();
  }

  /**
   * After the store was reset: forget every cached definition (revision numbers start again at 1,
   * so an ARN may soon name a different definition) and every report not yet applied, and end every
   * channel with `resetCloseCode` so each agent registers again and converges on its new, empty
   * list of tasks.
   */
  reset(): void {
    this.resets++;
    this.definitions.clear();
    this.taskRoles.clear();
    this.executionRoles.clear();
    this.reports.length = 0;
    this.ownWrites.clear();
    for (const connection of this.connections.values()) connection.socket.close(resetCloseCode, 'Berth was reset; register again');
    this.connections.clear();
  }

  /**
   * After one account's resources were deleted: forget that account's cached definitions and
   * pending reports, end the channels of its container instances with `resetCloseCode` (they
   * register again), and send FARGATE hosts, which serve every account, their full lists again, so
   * they stop the account's tasks and keep every other.
   */
  resetAccount(accountId: string): void {
    const ofAccount = (arn: string | undefined) => arn !== undefined && Arn.parse(arn)?.accountId === accountId;
    this.resets++;
    // The account's sessions are gone: its running tasks get new ones with their next list.
    this.taskRoles.clear();
    this.executionRoles.clear();
    for (const arn of [...this.definitions.keys()]) if (ofAccount(arn)) this.definitions.delete(arn);
    const kept = this.reports.filter((entry) => !ofAccount(entry.report.taskArn));
    this.reports.splice(0, this.reports.length, ...kept);
    for (const connection of [...this.connections.values()]) {
      if (ofAccount(connection.containerInstanceArn)) {
        this.connections.delete(connection.key);
        connection.socket.close(resetCloseCode, 'the account was reset; register again');
      } else if (connection.fargate) void this.sendFull(connection);
    }
  }

  fargateHosts(): (FargateHost & { key: string })[] {
    return [...this.connections.values()].flatMap((connection) =>
      connection.fargate ? [{ key: connection.key, ...connection.fargate }] : [],
    );
  }

  /** The agents connected to this process. */
  agentKeys(): string[] {
    return [...this.connections.keys()];
  }

  /** Sends a task to its agent now (its task role's credentials were replaced, say). */
  pushTask(task: TaskRecord): void {
    this.push([task]);
  }

  isConnected(key: string): boolean {
    return this.connections.has(key);
  }

  async attach(socket: WebSocket, identity: AgentIdentity): Promise<void> {
    const connection: Connection = { ...identity, socket, alive: true, queue: Promise.resolve() };
    const previous = this.connections.get(identity.key);
    this.connections.set(identity.key, connection);
    if (previous) previous.socket.close(4000, 'replaced by a newer connection of the same agent');
    // Anything heard from the agent shows the link works: its answers, its own pings, its messages.
    socket.on('pong', () => {
      connection.alive = true;
    });
    socket.on('ping', () => {
      connection.alive = true;
    });
    socket.on('message', (data) => {
      connection.alive = true;
      void this.receive(connection, data.toString());
    });
    socket.on('close', () => void this.detach(connection));
    socket.on('error', (error) => this.deps.log.warn({ err: error, agent: identity.key }, 'agent channel error'));
    this.deps.log.info({ agent: identity.key }, 'agent connected');
    if (identity.containerInstanceArn) await this.setConnected(identity.containerInstanceArn, true);
    await this.sendFull(connection);
  }

  private async detach(connection: Connection): Promise<void> {
    if (this.connections.get(connection.key) !== connection) return;
    this.connections.delete(connection.key);
    this.deps.log.info({ agent: connection.key }, 'agent disconnected');
    if (connection.containerInstanceArn) await this.setConnected(connection.containerInstanceArn, false);
  }

  private async setConnected(arn: string, connected: boolean): Promise<void> {
    try {
      await this.deps.store.write(async (tx) => {
        const instance = await tx.containerInstances.get(arn);
        if (!instance || instance.agentConnected === connected) return;
        const { agentDisconnectedAt: _since, ...rest } = instance;
        const now = this.deps.clock.now().getTime() / 1000;
        await tx.containerInstances.put({ ...rest, agentConnected: connected, ...(connected ? {} : { agentDisconnectedAt: now }), version: (instance.version ?? 0) + 1 });
      });
    } catch (error) {
      this.deps.log.error({ err: error, containerInstance: arn }, 'could not record the agent connection state');
    }
  }

  private heartbeat(): void {
    for (const connection of this.connections.values()) {
      if (!connection.alive) {
        this.deps.log.warn({ agent: connection.key, pingMs: this.pingMs }, 'agent stopped answering pings; closing its channel');
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }

  private send(connection: Connection, message: ControlMessage): void {
    if (connection.socket.readyState === connection.socket.OPEN) connection.socket.send(JSON.stringify(message));
  }

  private async definitionOf(arn: string): Promise<TaskDefinitionRecord | undefined> {
    const cached = this.definitions.get(arn);
    if (cached) return cached;
    const generation = this.resets;
    const record = await this.deps.store.read((tx) => tx.taskDefinitions.get(arn));
    // A reset while this read was under way may have deleted the record read: it is not cached.
    if (record && generation === this.resets) {
      if (this.definitions.size > 10_000) this.definitions.clear();
      this.definitions.set(arn, record);
    }
    return record;
  }

  private async assignments(tasks: readonly TaskRecord[]): Promise<AssignedTask[]> {
    const result: AssignedTask[] = [];
    for (const task of tasks) {
      const definition = await this.definitionOf(task.taskDefinitionArn);
      if (definition) {
        const assignment = assignmentOf(task, definition);
        const executionRoleArn = task.overrides?.executionRoleArn || definition.executionRoleArn || undefined;
        const asking = containersAsking(task, definition);
        const withSecrets = containersWithSecrets(task, definition);
        const pulling = this.deps.pullAuth ? containersPulling(task, definition).filter((container) => this.deps.pullAuth!.isHostedHere(container.image)) : [];
        // The execution role does the agent's work: ECS assumes it for each task that needs it.
        let execution: Awaited<ReturnType<typeof executionRoleCheck>> | undefined;
        if (executionRoleArn && (asking.length > 0 || withSecrets.length > 0 || pulling.length > 0)) {
          execution = await this.deps.store.read((tx) => executionRoleCheck(tx, task.taskArn, executionRoleArn, this.deps.clock.now()));
        }
        if (execution && 'error' in execution) {
          // Nothing is read for a task whose execution role ECS cannot assume: it fails to start.
          assignment.roleError = execution.error;
        } else {
          const mayRead = execution?.check;
          if (asking.length > 0) Object.assign(assignment, await this.deps.store.read((tx) => registryCredentialsFor(tx, task, asking, mayRead)));
          if (withSecrets.length > 0) {
            const { secretEnvironment, registryAuthErrors } = await this.deps.store.read((tx) => secretsFor(tx, task, withSecrets, mayRead));
            if (secretEnvironment) assignment.secretEnvironment = secretEnvironment;
            if (registryAuthErrors) assignment.registryAuthErrors = { ...registryAuthErrors, ...assignment.registryAuthErrors };
          }
          if (pulling.length > 0) {
            const hosted = await this.deps.pullAuth!.credentialsFor(task.taskArn, execution?.sessionArn, pulling, this.deps.clock.now().getTime() / 1000);
            if (Object.keys(hosted).length > 0) assignment.registryAuth = { ...hosted, ...assignment.registryAuth };
          }
        }
        await this.withTaskRole(task, definition, assignment);
        if (executionRoleArn) await this.withAwslogsRole(task, definition, executionRoleArn, assignment);
        result.push(assignment);
      } else this.deps.log.error({ task: task.taskArn }, 'task definition of an assigned task is missing');
    }
    return result;
  }

  /** The task role's credentials (or ECS's reason there are none) while the task is meant to run. */
  private async withTaskRole(task: TaskRecord, definition: TaskDefinitionRecord, assignment: AssignedTask): Promise<void> {
    const roleArn = taskRoleArnOf(task, definition);
    if (!roleArn) return;
    if (assignment.desiredStatus === 'STOPPED') {
      this.taskRoles.forget(task.taskArn);
      return;
    }
    const outcome = await this.taskRoles.credentialsFor(task.taskArn, roleArn);
    if ('error' in outcome) assignment.roleError ??= outcome.error;
    else assignment.roleCredentials = outcome.credentials;
  }

  /**
   * ECS's agent writes awslogs output with the task's execution role: a session of it (the task id
   * as session name) goes with the task while it is listed, so the last lines of a stopped task
   * still ship. Once the task has stopped, the held session is dropped (it stays valid until it expires).
   */
  private async withAwslogsRole(task: TaskRecord, definition: TaskDefinitionRecord, roleArn: string, assignment: AssignedTask): Promise<void> {
    if (!(definition.containerDefinitions ?? []).some((container) => container.logConfiguration?.logDriver === 'awslogs')) return;
    if (task.lastStatus === 'STOPPED') {
      const held = this.executionRoles.held(task.taskArn);
      if (held) assignment.executionRoleCredentials = held;
      this.executionRoles.forget(task.taskArn);
      return;
    }
    const outcome = await this.executionRoles.credentialsFor(task.taskArn, roleArn);
    if ('error' in outcome) assignment.roleError ??= outcome.error;
    else assignment.executionRoleCredentials = outcome.credentials;
  }

  private enqueue(connection: Connection, work: () => Promise<void>): Promise<void> {
    connection.queue = connection.queue.then(work).catch((error: unknown) => {
      this.deps.log.error({ err: error, agent: connection.key }, 'could not send the agent its tasks');
    });
    return connection.queue;
  }

  private sendFull(connection: Connection): Promise<void> {
    return this.enqueue(connection, async () => {
      const tasks = await this.deps.store.read((tx) => tx.tasks.forAgent(connection.key));
      this.send(connection, { type: 'tasks', full: true, tasks: await this.assignments(tasks) });
    });
  }

  private async resyncAll(): Promise<void> {
    for (const connection of [...this.connections.values()]) await this.sendFull(connection);
  }

  /**
   * Committed task changes from the feed: the tasks of agents connected here are re-read and
   * pushed, except changes that are only the hub's own record of an agent's report. After a
   * `lost` batch every agent gets its full list again.
   */
  private async taskChanges(batch: ChangeBatch): Promise<void> {
    try {
      if (batch.lost) {
        this.ownWrites.clear();
        await this.resyncAll();
        return;
      }
      const changed = new Set<string>();
      for (const change of batch.changes) {
        const own = this.ownWrites.get(change.key);
        if (own !== undefined) {
          if (own > 1) this.ownWrites.set(change.key, own - 1);
          else this.ownWrites.delete(change.key);
          continue;
        }
        if (change.op !== 'deleted' && change.labels.agent !== undefined && this.connections.has(change.labels.agent)) changed.add(change.key);
      }
      if (changed.size === 0) return;
      const tasks = await this.deps.store.read(async (tx) => {
        const found: TaskRecord[] = [];
        for (const arn of changed) {
          const task = await tx.tasks.get(arn);
          if (task) found.push(task);
        }
        return found;
      });
      this.push(tasks);
    } catch (error) {
      this.deps.log.error({ err: error }, 'could not push task changes to agents; their next full list carries them');
    }
  }

  /** Pushes tasks to the agents they are assigned to. */
  private push(tasks: readonly TaskRecord[]): void {
    const byKey = new Map<string, TaskRecord[]>();
    for (const task of tasks) {
      const key = agentKeyOf(task);
      if (key === undefined || !this.connections.has(key)) continue;
      byKey.set(key, [...(byKey.get(key) ?? []), task]);
    }
    for (const [key, changed] of byKey) {
      const connection = this.connections.get(key);
      if (connection) {
        void this.enqueue(connection, async () => this.send(connection, { type: 'tasks', full: false, tasks: await this.assignments(changed) }));
      }
    }
  }

  private async receive(connection: Connection, text: string): Promise<void> {
    let message: AgentMessage;
    try {
      message = checkAgentMessage(JSON.parse(text));
    } catch (error) {
      this.deps.log.warn({ err: error, agent: connection.key }, 'malformed message from agent');
      return;
    }
    switch (message.type) {
      case 'report': {
        // Queued at once, so reports keep the order they were sent in; the decision is awaited when the batch is applied.
        const report = message.report;
        const denial = (async () =>
          (await this.denial(connection, 'ecs:SubmitTaskStateChange')) ??
          ((report.containers?.length ?? 0) > 0 ? await this.denial(connection, 'ecs:SubmitContainerStateChange') : undefined))();
        this.queueReport(connection, message.id, report, denial);
        return;
      }
      case 'stats':
        // ECS's agent sends its metrics in a telemetry session, which its instance role allows (ecs:StartTelemetrySession).
        if (!this.deps.usage || (await this.denial(connection, 'ecs:StartTelemetrySession')) !== undefined) return;
        // Which agent sent them goes with the samples: only the agent a task is assigned to is believed about it.
        try {
          await this.deps.usage.record(connection.key, message.tasks, this.deps.clock.now().getTime());
        } catch (error) {
          // A lost sample is only a missing point: the agent sends the next one an interval later.
          this.deps.log.warn({ err: error, agent: connection.key }, 'could not store usage samples');
        }
        return;
      case 'health':
        if (!connection.containerInstanceArn || (await this.denial(connection, 'ecs:Poll')) !== undefined) return;
        await this.recordHealth(connection.containerInstanceArn, message.runtime.status, message.runtime.reason);
        return;
    }
  }

  /**
   * Why the agent's principal may not send a message of this kind, in AWS's words, or undefined
   * when it may: state changes are ECS's SubmitTaskStateChange and SubmitContainerStateChange on
   * the cluster, runtime health is part of Poll on the container instance.
   */
  private async denial(connection: Connection, action: string): Promise<string | undefined> {
    const { authorize } = this.deps;
    const { principal, clusterArn, containerInstanceArn } = connection;
    if (!authorize || !principal || !clusterArn || !containerInstanceArn) return undefined;
    const resource = action === 'ecs:Poll' || action === 'ecs:StartTelemetrySession' ? containerInstanceArn : clusterArn;
    const region = Arn.parse(clusterArn)?.region ?? '';
    const decision = await authorize(principal, action, resource, { region, rootOnly: false, keys: { 'ecs:cluster': clusterArn } });
    if (decision.allowed) return undefined;
    this.deps.log.info({ agent: connection.key, principal: principal.arn, action, reason: decision.reason }, 'agent message denied');
    return decision.message ?? `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource}`;
  }

  /**
   * Reports from every agent are applied in batches, one transaction per batch: at thousands of
   * tasks a second, a transaction per report would make the store the bottleneck.
   */
  private queueReport(connection: Connection, id: number, report: TaskReport, denial: Promise<string | undefined>): void {
    // A failed decision is a denial, never an unhandled rejection.
    const decided = denial.catch((error: unknown) => `the report could not be authorized: ${error instanceof Error ? error.message : String(error)}`);
    this.reports.push({ connection, id, report, denial: decided });
    if (!this.flushing) {
      this.flushing = this.flushReports().finally(() => {
        this.flushing = undefined;
      });
    }
  }

  private async flushReports(): Promise<void> {
    while (this.reports.length > 0) {
      const batch = this.reports.splice(0, maxReportsPerTransaction);
      const denials = await Promise.all(batch.map((queued) => queued.denial));
      const now = this.deps.clock.now().getTime() / 1000;
      let outcomes: { error?: string; saved?: TaskRecord }[];
      try {
        outcomes = await this.deps.store.write(async (tx) => {
          const results: { error?: string; saved?: TaskRecord }[] = [];
          for (const [index, { connection, report }] of batch.entries()) {
            const denial = denials[index];
            if (denial !== undefined) {
              results.push({ error: denial });
              continue;
            }
            try {
              const task = await tx.tasks.get(report.taskArn);
              // An agent may only report on tasks given to it.
              if (!task || agentKeyOf(task) !== connection.key) throw new Error(`task ${report.taskArn} is not assigned to this agent`);
              const saved = await applyTaskReport(tx, task, report, now);
              results.push({ saved });
            } catch (error) {
              // A conflict is the batch's, not the report's: the store runs the whole batch again.
              if (error instanceof StoreConflict) throw error;
              results.push({ error: error instanceof Error ? error.message : String(error) });
            }
          }
          return results;
        });
      } catch (error) {
        // The store failed as a whole: keep the batch and try again shortly; nothing is acknowledged meanwhile.
        this.deps.log.error({ err: error }, 'could not record agent reports; retrying');
        this.reports.unshift(...batch);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        continue;
      }
      // Each saved report is one change the feed delivers after this turn: not to be pushed back.
      for (const outcome of outcomes) if (outcome.saved) this.ownWrites.set(outcome.saved.taskArn, (this.ownWrites.get(outcome.saved.taskArn) ?? 0) + 1);
      batch.forEach(({ connection, id }, index) => {
        const outcome = outcomes[index] ?? {};
        this.send(connection, { type: 'ack', id, ...(outcome.error !== undefined ? { error: outcome.error } : {}) });
      });
    }
  }

  private async recordHealth(arn: string, status: 'OK' | 'IMPAIRED', reason: string | undefined): Promise<void> {
    const now = this.deps.clock.now().getTime() / 1000;
    // Called from a socket's message handler: a failure here must be logged, never left unhandled.
    await this.deps.store.write(async (tx) => {
      const instance = await tx.containerInstances.get(arn);
      if (!instance) return;
      const detail = { type: 'CONTAINER_RUNTIME' as const, status, lastUpdated: now, lastStatusChange: now, ...(reason ? { statusReason: reason.slice(0, 255) } : {}) };
      const previous = instance.healthStatus?.details?.find((item) => item.type === 'CONTAINER_RUNTIME');
      if (previous?.status === status) return;
      await tx.containerInstances.put({
        ...instance,
        healthStatus: { overallStatus: status, details: [detail] },
        version: (instance.version ?? 0) + 1,
      });
      this.deps.log[status === 'OK' ? 'info' : 'warn']({ containerInstance: arn, reason }, `container runtime ${status}`);
    }).catch((error: unknown) => this.deps.log.error({ err: error, containerInstance: arn }, 'could not record the container runtime health'));
  }
}
