/**
 * The address this host is reached at from the control plane's host, when `--host-address` does not
 * say: the local address of a TCP connection to the control plane's endpoint. A host with several
 * interfaces answers with the one its route to the control plane uses, which is the one the
 * control plane (and the load balancers' data plane beside it) can reach back.
 */
import { connect } from 'node:net';

export function localAddressTowards(endpoint: string, timeoutMs = 10_000): Promise<string> {
  const url = new URL(endpoint);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no connection to ${endpoint} within ${timeoutMs} ms to learn this host's address; pass --host-address`)));
    socket.once('connect', () => {
      const address = (socket.localAddress ?? '').replace(/^::ffff:/, '');
      socket.destroy();
      if (address === '') reject(new Error(`could not learn this host's address from its connection to ${endpoint}; pass --host-address`));
      else resolve(address);
    });
    socket.once('error', (error) => reject(new Error(`could not connect to ${endpoint} to learn this host's address (${error.message}); pass --host-address`)));
  });
}
