/**
 * The runtime reconciler's plan, as a pure function: from the servers haproxy runs (`show stat`)
 * and the servers the configuration wants, the runtime API commands that close the gap. It is
 * level-triggered: called again on the next pass with what haproxy then runs, it carries on where
 * a refused command (a `del server` while a connection is open) left off.
 *
 *   desired, not running           add server (in maintenance), enable its checks, take it out of
 *                                  maintenance and force its health down, so that it takes
 *                                  traffic only after `rise` passing checks (ELB's `initial`);
 *   running in maint/drain, desired  ready again (registered anew);
 *   running, not desired, draining   `drain` (no new requests, in-flight ones finish) while it
 *                                  still has sessions and its deregistration delay runs;
 *   otherwise not desired          maintenance, cut what remains, delete.
 */
import type { ServerSpec } from './backend.js';
import { hostPort } from './backend.js';
import { isRelayBackend } from './names.js';
import { isServerRow, numberField, textField, type StatRow } from './stats.js';

export interface SyncInput {
  desired: Readonly<Record<string, readonly ServerSpec[]>>;
  running: readonly StatRow[];
  /** Backend → server name → when its deregistration delay ends (epoch ms). */
  draining: ReadonlyMap<string, ReadonlyMap<string, number>>;
  now: number;
}

/** Each entry is one server's commands, joined with `;` so they run back to back. */
export function planServerSync(input: SyncInput): string[] {
  const plan: string[] = [];
  const runningBackends = new Set(input.running.filter((r) => r.service === 'BACKEND').map((r) => r.proxy));
  const runningServers = new Map<string, Map<string, StatRow>>();
  for (const row of input.running) {
    if (!isServerRow(row)) continue;
    const servers = runningServers.get(row.proxy) ?? new Map<string, StatRow>();
    servers.set(row.service, row);
    runningServers.set(row.proxy, servers);
  }

  for (const backend of runningBackends) {
    // A relay's one server (a listener's own socket) is part of the skeleton, never a target.
    if (isRelayBackend(backend)) continue;
    const wanted = new Map((input.desired[backend] ?? []).map((s) => [s.name, s]));
    const present = runningServers.get(backend) ?? new Map<string, StatRow>();
    for (const server of wanted.values()) {
      const row = present.get(server.name);
      const id = `${backend}/${server.name}`;
      if (row === undefined) {
        plan.push(addCommands(backend, server).join('; '));
      } else if (textField(row, 'addr') !== hostPort(server.address, server.port)) {
        plan.push(removeCommands(id, row).join('; '));
      } else if (adminState(row) !== 'ready') {
        plan.push(`set server ${id} state ready`);
      }
    }
    for (const [name, row] of present) {
      if (wanted.has(name)) continue;
      const id = `${backend}/${name}`;
      const until = input.draining.get(backend)?.get(name);
      const inFlight = numberField(row, 'scur') + numberField(row, 'qcur');
      if (until !== undefined && input.now < until && inFlight > 0) {
        if (adminState(row) !== 'drain') plan.push(`set server ${id} state drain`);
      } else {
        plan.push(removeCommands(id, row).join('; '));
      }
    }
  }
  return plan;
}

function addCommands(backend: string, server: ServerSpec): string[] {
  const id = `${backend}/${server.name}`;
  const commands = [`add server ${id} ${hostPort(server.address, server.port)} ${server.options}`];
  if (server.checked) commands.push(`enable health ${id}`);
  commands.push(`set server ${id} state ready`);
  if (server.checked) commands.push(`set server ${id} health down`);
  return commands;
}

function removeCommands(id: string, row: StatRow): string[] {
  const commands = adminState(row) === 'maint' ? [] : [`set server ${id} state maint`];
  if (numberField(row, 'scur') > 0) commands.push(`shutdown sessions server ${id}`);
  commands.push(`del server ${id}`);
  return commands;
}

/** The administrative state `show stat`'s status shows (MAINT, DRAIN, or an operational one). */
export function adminState(row: StatRow): 'maint' | 'drain' | 'ready' {
  const status = textField(row, 'status');
  if (status.startsWith('MAINT')) return 'maint';
  if (status.startsWith('DRAIN')) return 'drain';
  return 'ready';
}
