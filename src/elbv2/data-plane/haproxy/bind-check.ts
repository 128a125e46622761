/**
 * Whether a listener's address:port can be bound, tried in Node before haproxy is given it, so
 * that one listener that cannot bind is reported (with what to do) and left out, instead of
 * haproxy refusing the whole file. Only new listeners are tried: the ones haproxy already
 * serves are bound by haproxy itself.
 */
import { createServer } from 'node:net';

export async function bindProblem(address: string, port: number): Promise<string | undefined> {
  const failure = await bindFailure(address, port);
  return failure === undefined ? undefined : bindAdvice(failure.code, address, port);
}

/** The error binding address:port gives (its code), or undefined when it can be bound. */
export function bindFailure(address: string, port: number): Promise<{ code: string | undefined } | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve({ code: error.code }));
    server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

export function bindAdvice(code: string | undefined, address: string, port: number): string {
  switch (code) {
    case 'EADDRINUSE':
      return `Cannot listen on ${address}:${port}: that address and port are already in use by another process: choose another port for the listener, or stop the process that holds it.`;
    case 'EACCES':
      return `Cannot listen on ${address}:${port}: ports below 1024 need privileges. Choose a port of 1024 or above, or allow it (for example: sysctl net.ipv4.ip_unprivileged_port_start=${port}).`;
    case 'EADDRNOTAVAIL':
      return `Cannot listen on ${address}:${port}: the address ${address} does not exist on this host. Give the load balancer an address of this host (a loopback address such as 127.0.2.x).`;
    default:
      return `Cannot listen on ${address}:${port} (${code ?? 'unknown error'}): choose another port for the listener.`;
  }
}

/**
 * haproxy's own words when a bind fails at start-up ("cannot bind socket (Address already in
 * use) for [127.0.2.7:80]"), as the address:port strings that failed.
 */
export function failedBinds(output: string): string[] {
  return [...output.matchAll(/cannot bind socket.*?\[([^\]]+)\]/g)].map((m) => m[1]!);
}
