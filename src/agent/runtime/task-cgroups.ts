/**
 * Task-level cpu and memory as hard limits on a container instance, the way the ECS agent enforces
 * them: one cgroup per task carries the task's limits, and each of the task's containers is created
 * inside it (Docker's `CgroupParent`), so together they can never use more than the task was given.
 *
 * This needs Docker's `cgroupfs` cgroup driver and the engine's cgroup filesystem mounted here (the
 * agent runs on the engine's host, as root). Elsewhere — the systemd driver, a remote engine, no
 * permission — `detectTaskCgroups` answers why not, and the agent falls back to capping each
 * container at the task's size.
 *
 * Layout, under the cgroup root (/sys/fs/cgroup), with one directory per agent so that agents
 * sharing an engine (the instance and FARGATE agents of `berth up`) never sweep each other's:
 *   v1: memory/berth/<agent>/<task id>/memory.limit_in_bytes, cpu/berth/<agent>/<task id>/cpu.cfs_quota_us
 *   v2: berth/<agent>/<task id>/memory.max and cpu.max
 * Docker then creates each container's cgroup beneath `berth/<agent>/<task id>`.
 */
import { constants } from 'node:fs';
import { access, mkdir, readdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface TaskLimits {
  /** CPU units (1024 = one vCPU). */
  cpu?: number;
  /** MiB. */
  memory?: number;
}

export interface TaskCgroups {
  /** Creates the task's cgroup with its limits (again, if it exists); answers the CgroupParent for its containers. */
  ensure(taskId: string, limits: TaskLimits): Promise<string>;
  /** Whether a container Docker created under `parent` really sits in this cgroup tree. */
  holds(parent: string, containerId: string): Promise<boolean>;
  /** Removes the task's cgroup; a no-op when it is gone, an error while a container still uses it. */
  remove(taskId: string): Promise<void>;
  /** The task ids that have a cgroup here. */
  list(): Promise<string[]>;
  /** Removes the agent's own directory when no task cgroup is left in it. */
  close(): Promise<void>;
}

const periodMicros = 100_000;
const mib = 1024 * 1024;
const namePattern = /^[A-Za-z0-9_-]{1,128}$/;

const quotaMicros = (cpu: number) => Math.max(1_000, Math.round((cpu / 1024) * periodMicros));

function checkTaskId(taskId: string): void {
  if (!namePattern.test(taskId)) throw new Error(`not a task id: '${taskId}'`);
}

async function writable(path: string): Promise<boolean> {
  return access(path, constants.W_OK).then(
    () => true,
    () => false,
  );
}

async function removeDirectory(path: string): Promise<void> {
  await rmdir(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** A cgroup directory with child cgroups refuses rmdir (EBUSY): it is kept for whoever still uses it. */
async function removeIfEmpty(path: string): Promise<void> {
  await rmdir(path).catch(() => undefined);
}

class CgroupV1 implements TaskCgroups {
  constructor(
    private readonly root: string,
    private readonly group: string,
  ) {}

  private dir(controller: 'memory' | 'cpu', taskId: string): string {
    return join(this.root, controller, this.group, taskId);
  }

  async ensure(taskId: string, limits: TaskLimits): Promise<string> {
    checkTaskId(taskId);
    const memory = this.dir('memory', taskId);
    const cpu = this.dir('cpu', taskId);
    await mkdir(memory, { recursive: true });
    await mkdir(cpu, { recursive: true });
    if (limits.memory !== undefined) await writeFile(join(memory, 'memory.limit_in_bytes'), String(limits.memory * mib));
    if (limits.cpu !== undefined) {
      await writeFile(join(cpu, 'cpu.cfs_period_us'), String(periodMicros));
      await writeFile(join(cpu, 'cpu.cfs_quota_us'), String(quotaMicros(limits.cpu)));
    }
    return `/${this.group}/${taskId}`;
  }

  async holds(parent: string, containerId: string): Promise<boolean> {
    return access(join(this.root, 'memory', parent, containerId)).then(
      () => true,
      () => false,
    );
  }

  async remove(taskId: string): Promise<void> {
    checkTaskId(taskId);
    await removeDirectory(this.dir('memory', taskId));
    await removeDirectory(this.dir('cpu', taskId));
  }

  async close(): Promise<void> {
    for (const controller of ['memory', 'cpu']) await removeIfEmpty(join(this.root, controller, this.group));
  }

  async list(): Promise<string[]> {
    const entries = await readdir(join(this.root, 'memory', this.group), { withFileTypes: true }).catch(() => []);
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  }
}

class CgroupV2 implements TaskCgroups {
  constructor(
    private readonly root: string,
    private readonly group: string,
  ) {}

  async ensure(taskId: string, limits: TaskLimits): Promise<string> {
    checkTaskId(taskId);
    const dir = join(this.root, this.group, taskId);
    await mkdir(dir, { recursive: true });
    // Controllers reach a cgroup only when every ancestor delegates them.
    let ancestor = this.root;
    for (const part of this.group.split('/')) {
      ancestor = join(ancestor, part);
      await writeFile(join(ancestor, 'cgroup.subtree_control'), '+memory +cpu');
    }
    if (limits.memory !== undefined) await writeFile(join(dir, 'memory.max'), String(limits.memory * mib));
    if (limits.cpu !== undefined) await writeFile(join(dir, 'cpu.max'), `${quotaMicros(limits.cpu)} ${periodMicros}`);
    return `/${this.group}/${taskId}`;
  }

  async holds(parent: string, containerId: string): Promise<boolean> {
    const path = join(this.root, parent);
    const entries = await readdir(path).catch(() => [] as string[]);
    return entries.some((entry) => entry.includes(containerId));
  }

  async remove(taskId: string): Promise<void> {
    checkTaskId(taskId);
    await removeDirectory(join(this.root, this.group, taskId));
  }

  async close(): Promise<void> {
    await removeIfEmpty(join(this.root, this.group));
  }

  async list(): Promise<string[]> {
    const entries = await readdir(join(this.root, this.group), { withFileTypes: true }).catch(() => []);
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  }
}

/**
 * Task cgroups on this host for an engine with the given cgroup driver and version, or why there
 * are none. `agent` names this agent's directory (letters, digits, '-' and '_').
 */
export async function detectTaskCgroups(
  engine: { cgroupDriver: string; cgroupVersion: string },
  agent: string,
  root = '/sys/fs/cgroup',
): Promise<TaskCgroups | { unavailable: string }> {
  if (!namePattern.test(agent)) throw new Error(`not an agent directory name: '${agent}'`);
  const group = `berth/${agent}`;
  if (engine.cgroupDriver !== 'cgroupfs') {
    return { unavailable: `the Docker engine uses the '${engine.cgroupDriver}' cgroup driver; task cgroups need 'cgroupfs'` };
  }
  if (engine.cgroupVersion === '1') {
    for (const controller of ['memory', 'cpu']) {
      if (!(await writable(join(root, controller)))) return { unavailable: `${join(root, controller)} is not writable here` };
    }
    return new CgroupV1(root, group);
  }
  if (engine.cgroupVersion === '2') {
    if (!(await writable(root))) return { unavailable: `${root} is not writable here` };
    return new CgroupV2(root, group);
  }
  return { unavailable: `cgroup version '${engine.cgroupVersion}' is not known` };
}
