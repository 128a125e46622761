/**
 * A task role's credentials, as the control plane hands them to the agent: ECS assumes the role as
 * ecs-tasks.amazonaws.com with the task id as session name (`assumed-role/<role>/<task id>`), and
 * the agent serves the result on the ECS credentials endpoint.
 *
 * Level-triggered: every list of tasks sent to an agent (on connect, on each task change, and the
 * hub's periodic full list) asks for each running task's credentials; what was issued is answered
 * again until less than `refreshBeforeSeconds` of it is left (on the injected clock), then a new
 * session is issued. The task-role-credentials controller (controllers/task-role-credentials.ts)
 * asks again when that time comes and pushes the new credentials to the agent.
 *
 * A role that can no longer be assumed (deleted, trust changed) stops the refresh, not the task: a
 * task that has credentials keeps them until they expire, as in ECS. Only a task that never had
 * any answers ECS's reason, and its agent stops it before it starts.
 */
import type { RoleCredentials } from '../../agent-channel-protocol/messages.js';
import type { Clock } from '../../core/clock.js';
import { issueRoleSession } from '../../sts/session-credentials.js';
import type { Store, TaskRecord } from '../../store/types.js';
import { assumableByEcsTasks, ecsTasksPrincipal } from './assume.js';

export interface TaskRoleCredentialsOptions {
  store: Store;
  clock: Clock;
  /** How long each session lasts; default one hour. */
  durationSeconds?: number;
  /** A session with less than this left is replaced; default 30 minutes. */
  refreshBeforeSeconds?: number;
}

/** The id at the end of a task ARN: the session name ECS gives the task's role session. */
export function taskIdOf(taskArn: string): string {
  return taskArn.split('/').at(-1) ?? taskArn;
}

/** The task role a task runs with: RunTask's override wins over the definition's. */
export function taskRoleArnOf(task: Pick<TaskRecord, 'overrides'>, definition: { taskRoleArn?: string }): string | undefined {
  return task.overrides?.taskRoleArn || definition.taskRoleArn || undefined;
}

export class TaskRoleCredentials {
  /** The credentials last issued per task, with the role they are for. Kept only in memory: a restarted control plane issues anew. */
  private readonly issued = new Map<string, RoleCredentials>();
  /**
   * Sessions replaced or of stopped tasks: valid until they expire (as in AWS), then their records
   * are deleted by the next issue, so a long-running task does not leave one record per refresh.
   */
  private retired: RoleCredentials[] = [];
  /** Issues in flight per task: two lists built at once share one session. */
  private readonly pending = new Map<string, Promise<{ credentials: RoleCredentials } | { error: string }>>();

  constructor(private readonly options: TaskRoleCredentialsOptions) {}

  private get durationSeconds(): number {
    return this.options.durationSeconds ?? 3600;
  }

  private get refreshBeforeSeconds(): number {
    return this.options.refreshBeforeSeconds ?? 1800;
  }

  /** The credentials last issued for a task, if any. */
  held(taskArn: string): RoleCredentials | undefined {
    return this.issued.get(taskArn);
  }

  /** When (epoch seconds) credentials are due to be replaced. */
  refreshDueAt(credentials: RoleCredentials): number {
    return credentials.expiresAt - this.refreshBeforeSeconds;
  }

  /** Forgets a task's credentials (it stopped). They stay valid until they expire, as in ECS. */
  forget(taskArn: string): void {
    const held = this.issued.get(taskArn);
    if (held) this.retire(held);
    this.issued.delete(taskArn);
  }

  private retire(credentials: RoleCredentials): void {
    // Bounded: beyond this, records are left for the store's own clean-up of expired sessions.
    if (this.retired.length < 100_000) this.retired.push(credentials);
  }

  /** Forgets every task's credentials (after a reset: the sessions are gone with their account). */
  clear(): void {
    this.issued.clear();
  }

  /** The task's current credentials for `roleArn`, issuing a session when there is none fresh enough; else ECS's reason. */
  credentialsFor(taskArn: string, roleArn: string): Promise<{ credentials: RoleCredentials } | { error: string }> {
    const nowSeconds = this.options.clock.now().getTime() / 1000;
    const held = this.issued.get(taskArn);
    if (held && held.roleArn === roleArn && held.expiresAt - nowSeconds > this.refreshBeforeSeconds) return Promise.resolve({ credentials: held });
    const inFlight = this.pending.get(taskArn);
    if (inFlight) return inFlight;
    const issuing = this.issue(taskArn, roleArn, held).finally(() => this.pending.delete(taskArn));
    this.pending.set(taskArn, issuing);
    return issuing;
  }

  private async issue(taskArn: string, roleArn: string, held: RoleCredentials | undefined): Promise<{ credentials: RoleCredentials } | { error: string }> {
    const now = this.options.clock.now();
    const nowSeconds = now.getTime() / 1000;
    const expired = this.retired.filter((credentials) => credentials.expiresAt <= nowSeconds).slice(0, 100);
    const outcome = await this.options.store.write(async (tx) => {
      for (const credentials of expired) await tx.credentials.delete(credentials.accessKeyId);
      const assumable = await assumableByEcsTasks(tx, roleArn, now);
      if ('error' in assumable) return assumable;
      const session = await issueRoleSession(tx, assumable.role, { sessionName: taskIdOf(taskArn), durationSeconds: this.durationSeconds, issuedTo: ecsTasksPrincipal }, now);
      return { session };
    });
    if (expired.length > 0) {
      const deleted = new Set(expired);
      this.retired = this.retired.filter((credentials) => !deleted.has(credentials));
    }
    if ('error' in outcome) {
      // The task keeps what it has until it expires; only a task without credentials fails.
      if (held && held.roleArn === roleArn && held.expiresAt > now.getTime() / 1000) return { credentials: held };
      return outcome;
    }
    const credentials: RoleCredentials = {
      roleArn,
      accessKeyId: outcome.session.accessKeyId,
      secretAccessKey: outcome.session.secretAccessKey,
      sessionToken: outcome.session.sessionToken,
      expiresAt: outcome.session.expiresAt,
    };
    if (this.issued.size > 100_000) this.issued.clear();
    if (held) this.retire(held);
    this.issued.set(taskArn, credentials);
    return { credentials };
  }
}
