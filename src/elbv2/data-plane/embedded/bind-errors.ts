/** A listener that could not bind, in words that say what to do. */

export function bindErrorMessage(address: string, port: number, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'EACCES':
      return port < 1024
        ? `Cannot listen on ${address}:${port}: ports below 1024 need privileges this process does not have. Choose a port of 1024 or more, or grant CAP_NET_BIND_SERVICE to the Node.js that runs the data plane (setcap cap_net_bind_service=+ep "$(command -v node)").`
        : `Cannot listen on ${address}:${port}: permission denied.`;
    case 'EADDRINUSE':
      return `Cannot listen on ${address}:${port}: that address and port are already in use by another listener or process. Choose another port, or stop what listens on ${address}:${port}.`;
    case 'EADDRNOTAVAIL':
      return `Cannot listen on ${address}:${port}: the address ${address} is not available on this host. Use a loopback address (127.0.0.0/8) or one of this host's addresses.`;
    default:
      return `Cannot listen on ${address}:${port}: ${error.message}`;
  }
}
