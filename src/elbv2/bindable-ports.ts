/**
 * Which listener ports the data plane may bind. On Linux a process binds a port below
 * `net.ipv4.ip_unprivileged_port_start` (1024 by default) only as root or with the
 * CAP_NET_BIND_SERVICE capability; CreateListener refuses such a port up front, saying what to do,
 * rather than accepting a listener that can never listen. The data plane runs as the control
 * plane's user, so the control plane's own privileges decide.
 */
import { readFileSync } from 'node:fs';
import { InvalidConfigurationRequestException } from '@aws-sdk/client-elastic-load-balancing-v2';
import { modelled, withHelp } from '../core/errors.js';

/** CAP_NET_BIND_SERVICE is capability bit 10. */
const netBindService = 1n << 10n;

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

/** The lowest port this process may bind: 0 for root or with CAP_NET_BIND_SERVICE, else the kernel's floor. */
export function lowestBindablePort(): number {
  if (process.getuid?.() === 0) return 0;
  const effective = /^CapEff:\s*([0-9a-f]+)$/m.exec(readOr('/proc/self/status', ''))?.[1];
  if (effective !== undefined && (BigInt(`0x${effective}`) & netBindService) !== 0n) return 0;
  const floor = Number(readOr('/proc/sys/net/ipv4/ip_unprivileged_port_start', '1024').trim());
  return Number.isInteger(floor) && floor >= 0 ? floor : 1024;
}

export function checkBindable(port: number, lowest: number): void {
  if (port >= lowest) return;
  throw withHelp(modelled(InvalidConfigurationRequestException, `Listener port ${port} cannot be used`), {
    field: 'Port',
    hint:
      `Berth may not bind ports below ${lowest}: use a port of ${lowest} or above, run Berth as root, ` +
      `give node the capability (sudo setcap cap_net_bind_service=+ep "$(command -v node)"), ` +
      `or lower the floor (sudo sysctl net.ipv4.ip_unprivileged_port_start=${port}).`,
  });
}
