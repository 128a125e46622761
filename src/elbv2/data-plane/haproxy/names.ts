/**
 * haproxy's names for Berth's records. haproxy identifiers allow letters, digits, `-`, `_`, `.`
 * and `:`; ARNs hold `/` and are long, so frontends and backends are named by a short digest of
 * the ARN plus a readable part, and stay the same for the same record across applies (which is
 * what lets a reload carry server state over, and lets runtime commands address them).
 */
import { createHash } from 'node:crypto';
import type { TargetConfig } from '../types.js';

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}

function readable(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 32);
}

/** The backend that serves a target group's healthy targets. */
export function backendName(targetGroupArn: string, targetGroupName: string): string {
  return `tg_${readable(targetGroupName)}_${digest(targetGroupArn)}`;
}

/**
 * The backend holding the same target group's registered targets without health checks: used
 * only when the checked backend has no usable server (ELB's fail-open).
 */
export function failOpenBackendName(checkedBackend: string): string {
  return `${checkedBackend}__all`;
}

export function isFailOpenBackend(backend: string): boolean {
  return backend.endsWith('__all');
}

export function checkedBackendOf(backend: string): string {
  return isFailOpenBackend(backend) ? backend.slice(0, -'__all'.length) : backend;
}

/** One frontend per address:port a load balancer's listener binds. */
export function frontendName(loadBalancerName: string, address: string, port: number): string {
  return `lb_${readable(loadBalancerName)}_${readable(address)}_${port}`;
}

/** A target is one server per backend; the same id on two ports is two targets, as in ELB. */
export function serverName(target: Pick<TargetConfig, 'id' | 'port'>): string {
  const name = readable(target.id);
  // An id that had to be shortened or changed (long IPv6 addresses) gets its digest, so that two
  // such ids never share a name.
  return name === target.id ? `${name}-${target.port}` : `${name.slice(0, 20)}_${digest(target.id)}-${target.port}`;
}

/**
 * The backend through which the socket on 127.0.0.1:<port> (shared-frontend.ts) relays to a
 * listener's own frontend: one server, that frontend's Unix socket, with the PROXY protocol so the
 * listener sees the client's own address.
 */
export function relayBackendName(listenerFrontend: string): string {
  return `relay_${listenerFrontend}`;
}

export function isRelayBackend(backend: string): boolean {
  return backend.startsWith('relay_');
}

/** The file name of a listener frontend's Unix socket (short: Unix socket paths are limited to 107 bytes). */
export function relaySocketFile(listenerFrontend: string): string {
  return `fe-${digest(listenerFrontend)}.sock`;
}

/** The frontend of 127.0.0.1:<port>, shared by the load balancers listening on that port. */
export function sharedFrontendName(port: number): string {
  return `shared_127.0.0.1_${port}`;
}
