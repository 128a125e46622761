/**
 * Where a data plane's files live in its state directory: the admin socket the control plane
 * talks to, the pid file that lets a restarted control plane find the running process instead of
 * starting a second one, and the process's own log.
 */
import { join } from 'node:path';

export interface AdminPaths {
  socket: string;
  pidFile: string;
  log: string;
}

export function adminPaths(stateDir: string): AdminPaths {
  return { socket: join(stateDir, 'embedded.sock'), pidFile: join(stateDir, 'embedded.pid'), log: join(stateDir, 'embedded.log') };
}
