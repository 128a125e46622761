/**
 * The socket on 127.0.0.1:<port> (../shared-ports.ts) as haproxy sections. haproxy has no
 * `use_frontend`, so the shared frontend relays each request (or connection) to the listener's own
 * frontend through a Unix socket that frontend also binds, with the PROXY protocol: the listener's
 * rules, X-Forwarded-For and source-ip conditions see the client's own address, and its counters
 * count what came this way.
 *
 *   frontend shared_127.0.0.1_8080
 *     bind 127.0.0.1:8080
 *     acl known req.hdr(host),field(1,:),lower -m str web-1a2b.us-east-1.elb.localhost …
 *     http-request return status 404 … unless known
 *     use_backend relay_lb_web_… if { req.hdr(host),field(1,:),lower -m str web-1a2b.us-east-1.elb.localhost … }
 *   backend relay_lb_web_…
 *     server listener unix@<state dir>/fe-….sock send-proxy-v2
 *
 * HTTPS: TLS ends here, with the certificate of the load balancer the TLS server name names (a
 * crt-list filtered by DNS name; the first is the default) and the relay carries plain HTTP.
 */
import { join } from 'node:path';
import { sharedAddress, unknownHostMessage, type SharedPort } from '../shared-ports.js';
import type { ListenerConfig } from '../types.js';
import { relayBackendName, relaySocketFile, sharedFrontendName } from './names.js';
import { literalWord, logFormatLiteral, quotedWord } from './words.js';

export interface SharedRenderInput {
  plan: SharedPort;
  stateDir: string;
  /** Where certificate files and crt-lists go (the state directory's `certs`, pruned of what the configuration no longer names). */
  certificatesDir: string;
  /** Listener → its own frontend's name. */
  frontendOf: ReadonlyMap<ListenerConfig, string>;
  /** Listener → its certificate file (HTTPS/TLS). */
  certificateFileOf: ReadonlyMap<ListenerConfig, string>;
}

export interface SharedRendered {
  /** The frontend and its relay backends, as config lines. */
  lines: string[];
  /** Files the lines refer to (the crt-list): path → content. */
  files: Record<string, string>;
}

export function relaySocketPath(stateDir: string, listenerFrontend: string): string {
  return join(stateDir, relaySocketFile(listenerFrontend));
}

const requestHost = 'req.hdr(host),field(1,:),lower';

/** A DNS name as the Host header may carry it: any case (lowered first), with or without a final dot. */
function hostValues(dnsName: string): string {
  const name = dnsName.toLowerCase();
  return `${name} ${name}.`;
}

export function renderSharedPort(input: SharedRenderInput): SharedRendered {
  const { plan, stateDir } = input;
  const entries = plan.entries.map((entry) => ({ ...entry, frontend: input.frontendOf.get(entry.listener)! }));
  const files: Record<string, string> = {};
  const http = plan.kind !== 'tcp';
  const idle = http ? Math.max(...entries.map((entry) => entry.lb.idleTimeoutSeconds)) : 350;
  let tls = '';
  if (plan.kind === 'https') {
    const list = join(input.certificatesDir, `shared-${plan.port}.crt-list`);
    files[list] = entries.map((entry) => `${input.certificateFileOf.get(entry.listener)!} ${entry.lb.dnsName.toLowerCase()}\n`).join('');
    tls = ` ssl crt-list ${literalWord(list)}`;
  } else if (plan.kind === 'tcp' && entries[0]!.listener.protocol === 'TLS') {
    tls = ` ssl crt ${literalWord(input.certificateFileOf.get(entries[0]!.listener)!)}`;
  }
  const frontend = [`frontend ${sharedFrontendName(plan.port)}`, `  mode ${http ? 'http' : 'tcp'}`, `  bind ${sharedAddress}:${plan.port}${tls}`, `  timeout client ${idle}s`];
  if (http) {
    frontend.push(`  timeout http-keep-alive ${idle}s`, '  option idle-close-on-response');
    frontend.push(`  acl known ${requestHost} -m str ${entries.map((entry) => hostValues(entry.lb.dnsName)).join(' ')}`);
    // The request's own host in the answer: the message with a placeholder, as a log-format string.
    const placeholder = '\u0000';
    const message = unknownHostMessage(placeholder, plan.port, plan.entries, plan.kind === 'https' ? 'https' : 'http')
      .split(placeholder)
      .map(logFormatLiteral)
      .join(`%[${requestHost}]`);
    frontend.push(`  http-request return status 404 content-type ${quotedWord('text/plain; charset=utf-8')} lf-string ${quotedWord(message)} unless known`);
    for (const entry of entries) frontend.push(`  use_backend ${relayBackendName(entry.frontend)} if { ${requestHost} -m str ${hostValues(entry.lb.dnsName)} }`);
  } else {
    frontend.push(`  default_backend ${relayBackendName(entries[0]!.frontend)}`);
  }
  const lines = [`# listener port ${plan.port} on ${sharedAddress}`, ...frontend, ''];
  for (const entry of entries) {
    lines.push(
      `backend ${relayBackendName(entry.frontend)}`,
      `  mode ${http ? 'http' : 'tcp'}`,
      `  timeout server ${idle}s`,
      // Each client connection keeps its own connection to the listener: the PROXY header names one client.
      ...(http ? ['  http-reuse never'] : []),
      `  server listener ${literalWord(`unix@${relaySocketPath(stateDir, entry.frontend)}`)} send-proxy-v2`,
      '',
    );
  }
  return { lines, files };
}
