/**
 * The control plane's hold on its load balancers' data plane: which kind runs (embedded, the
 * default, or haproxy), where its state lives under the data directory, and the one handle to it.
 *
 * The data plane is started lazily: a server with no load balancer starts no process, and one
 * whose data directory already has a data plane running attaches to it (after a restart, or after
 * a kill -9 of the control plane, traffic never stopped). Stopping the control plane detaches;
 * `berth down` and an installation reset shut it down.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { adminPaths } from './data-plane/embedded/admin-paths.js';
import { createEmbeddedDataPlane } from './data-plane/embedded/index.js';
import { isRunning as haproxyRunning } from './data-plane/haproxy/process.js';
import { createHaproxyDataPlane } from './data-plane/haproxy/index.js';
import type { DataPlane } from './data-plane/types.js';

export const dataPlaneKinds = ['embedded', 'haproxy'] as const;
export type DataPlaneKind = (typeof dataPlaneKinds)[number];

/** Where a data plane of this kind keeps its sockets, pid and log files under the data directory. */
export function dataPlaneStateDir(dataDir: string, kind: DataPlaneKind): string {
  return join(dataDir, kind === 'embedded' ? 'lb' : 'lb-haproxy');
}

/** Why this kind cannot run on this machine, in words that say what to do; undefined when it can. */
export function dataPlaneUnavailable(kind: DataPlaneKind): string | undefined {
  if (kind !== 'haproxy') return undefined;
  const probe = spawnSync('haproxy', ['-v'], { stdio: 'ignore' });
  if (probe.error === undefined && probe.status === 0) return undefined;
  return "the haproxy load balancer data plane needs the 'haproxy' executable on the PATH (Debian/Ubuntu: apt-get install haproxy); install it, or start Berth with --load-balancer-data-plane embedded";
}

/** Whether a data plane of this kind runs for this state directory (without starting one). */
async function running(kind: DataPlaneKind, stateDir: string): Promise<boolean> {
  return kind === 'embedded' ? existsSync(adminPaths(stateDir).socket) : haproxyRunning(stateDir);
}

function open(kind: DataPlaneKind, stateDir: string): Promise<DataPlane> {
  return kind === 'embedded' ? createEmbeddedDataPlane({ stateDir }) : createHaproxyDataPlane({ stateDir });
}

export class DataPlaneHandle {
  private current: DataPlane | undefined;
  private opening: Promise<DataPlane> | undefined;

  constructor(
    readonly kind: DataPlaneKind,
    readonly stateDir: string,
  ) {}

  /**
   * The data plane: attached when it runs; started when `start` (there is something to serve);
   * undefined when none runs and none is wanted.
   */
  async get(start: boolean): Promise<DataPlane | undefined> {
    if (this.current) return this.current;
    if (!start && !(await this.running())) return undefined;
    this.opening ??= open(this.kind, this.stateDir).finally(() => (this.opening = undefined));
    this.current = await this.opening;
    return this.current;
  }

  /** Whether a data plane of this kind runs for the state directory (without starting one). */
  running(): Promise<boolean> {
    return running(this.kind, this.stateDir);
  }

  /** After a call failed (the process died, say): the next get() attaches or starts again. */
  async forget(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    await current?.detach().catch(() => undefined);
  }

  /** Lets go of the data plane, leaving it forwarding (the control plane stops). */
  async detach(): Promise<void> {
    await this.forget();
  }

  /** Stops the data plane, whether this process started it or not (berth down, a reset, tests). */
  async shutdown(): Promise<void> {
    const plane = await this.get(false).catch(() => undefined);
    this.current = undefined;
    await plane?.shutdown();
  }
}
