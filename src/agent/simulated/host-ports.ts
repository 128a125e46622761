/**
 * Host ports of one simulated machine. Containers that publish a port without naming a host port get
 * one from Docker's ephemeral range, counting up from its start as Docker does; a port named twice on
 * the same protocol is refused.
 */

export type Protocol = 'tcp' | 'udp';

export const ephemeralPortRange = { first: 32768, last: 60999 } as const;

export class HostPorts {
  private readonly used: Record<Protocol, Set<number>> = { tcp: new Set(), udp: new Set() };
  private readonly cursor: Record<Protocol, number> = { tcp: ephemeralPortRange.first, udp: ephemeralPortRange.first };

  /** Takes a named port; false when it is already taken. */
  claim(protocol: Protocol, port: number): boolean {
    const used = this.used[protocol];
    if (used.has(port)) return false;
    used.add(port);
    return true;
  }

  /** Takes the next free ephemeral port, or undefined when the range is exhausted. */
  allocate(protocol: Protocol): number | undefined {
    const used = this.used[protocol];
    const span = ephemeralPortRange.last - ephemeralPortRange.first + 1;
    let port = this.cursor[protocol];
    for (let tried = 0; tried < span; tried++) {
      const candidate = port;
      port = port === ephemeralPortRange.last ? ephemeralPortRange.first : port + 1;
      if (!used.has(candidate)) {
        used.add(candidate);
        this.cursor[protocol] = port;
        return candidate;
      }
    }
    return undefined;
  }

  release(protocol: Protocol, port: number): void {
    this.used[protocol].delete(port);
  }
}
