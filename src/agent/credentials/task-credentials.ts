/**
 * The task role credentials an agent holds, by credentials id, as ECS's agent keeps them.
 *
 * A task's credentials id is what its containers put after `/v2/credentials/`
 * (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI). It is an HMAC of the task ARN under a key kept in the
 * agent's data directory: unguessable without the key, one per task, and the same after the agent
 * restarts, so containers it re-adopts keep a working URI. The credentials themselves come with
 * every list of tasks from the control plane, which replaces them before they expire; a task no
 * longer listed (stopped) has none.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AssignedTask, RoleCredentials } from '../../agent-channel-protocol/messages.js';

const keyFile = 'credentials-id.key';

/** The agent's key for credentials ids: read from its data directory, made there once. */
export async function credentialsIdKey(dataDir: string): Promise<Buffer> {
  const path = join(dataDir, keyFile);
  try {
    const key = Buffer.from((await readFile(path, 'utf8')).trim(), 'hex');
    if (key.length >= 32) return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32);
  await writeFile(path, key.toString('hex'), { mode: 0o600 });
  return key;
}

export interface HeldCredentials {
  taskArn: string;
  credentials: RoleCredentials;
}

export class TaskCredentials {
  private readonly byId = new Map<string, HeldCredentials>();
  private readonly idByTask = new Map<string, string>();

  constructor(private readonly key: Buffer) {}

  /** The credentials id of a task: the same for every container of it, and across restarts. */
  idFor(taskArn: string): string {
    return createHmac('sha256', this.key).update(taskArn).digest('hex').slice(0, 32);
  }

  /** Takes the credentials a list of tasks carries; a full list forgets tasks it no longer names. */
  apply(tasks: readonly AssignedTask[], full: boolean): void {
    const listed = new Set<string>();
    for (const task of tasks) {
      listed.add(task.taskArn);
      if (task.roleCredentials) {
        const id = this.idFor(task.taskArn);
        this.byId.set(id, { taskArn: task.taskArn, credentials: task.roleCredentials });
        this.idByTask.set(task.taskArn, id);
      }
    }
    if (!full) return;
    for (const [taskArn, id] of this.idByTask) {
      if (listed.has(taskArn)) continue;
      this.idByTask.delete(taskArn);
      this.byId.delete(id);
    }
  }

  /** Whether the task's credentials have arrived. */
  has(taskArn: string): boolean {
    return this.idByTask.has(taskArn);
  }

  lookup(id: string): HeldCredentials | undefined {
    return this.byId.get(id);
  }
}
