/**
 * Where a container's output was last acknowledged by CloudWatch Logs, kept in the agent's data
 * directory so a restarted agent resumes there: Docker's timestamp of the last event a successful
 * PutLogEvents took, and how many events with that very timestamp it had taken (Docker's `since`
 * includes the timestamp, so those are skipped again). `finished` once the container stopped and
 * everything it wrote was taken.
 *
 * `pending` is written before each PutLogEvents: the position the batch moves to, and its last
 * event. An agent killed between CloudWatch's answer and the checkpoint's move finds it on
 * restart, and reads the stream's last event back to learn whether the batch arrived (the
 * shipper's `resume`), so the batch is neither lost nor sent twice.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Position {
  timestamp: string;
  count: number;
  /**
   * Multi-line only: how many pieces of the event after this position were taken. An event larger
   * than CloudWatch's event size goes out in pieces that may span batches; the position stays at
   * the event's start until its last piece is taken, and this says which pieces a restart skips.
   */
  pieces?: number;
}

export interface Checkpoint extends Position {
  finished?: boolean;
  /** A batch being sent: where it moves the checkpoint, and its last event in the order sent. */
  pending?: { position: Position; last: { timestamp: number; message: string } };
}

export class CheckpointStore {
  constructor(private readonly dir: string) {}

  private path(containerId: string): string {
    return join(this.dir, `${containerId.replace(/[^A-Za-z0-9_-]/g, '_')}.json`);
  }

  async read(containerId: string): Promise<Checkpoint | undefined> {
    try {
      const value = JSON.parse(await readFile(this.path(containerId), 'utf8')) as Checkpoint;
      return typeof value.timestamp === 'string' && typeof value.count === 'number' ? value : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      // A file cut short by a crash mid-write cannot be: writes go through a rename.
      throw error;
    }
  }

  /** Written whole or not at all (a temporary file, then a rename). */
  async write(containerId: string, checkpoint: Checkpoint): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = this.path(containerId);
    const temporary = `${path}.tmp`;
    await writeFile(temporary, JSON.stringify(checkpoint));
    await rename(temporary, path);
  }

  async remove(containerId: string): Promise<void> {
    await rm(this.path(containerId), { force: true });
  }
}
