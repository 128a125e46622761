/**
 * A listener as a haproxy frontend.
 *
 * ALB evaluates rules in priority order and the first match wins, whatever its action. haproxy
 * runs `http-request redirect/return` before `use_backend`, so the rules are evaluated first into
 * one variable and the actions then read it:
 *
 *   acl r1c1 path -m reg '^/api/.*$'
 *   http-request set-var(txn.rule) int(1) if !{ var(txn.rule) -m found } r1c1     # first match wins
 *   http-request set-var(txn.rule) int(2) if !{ var(txn.rule) -m found }          # the default rule
 *   http-request return status 404 ... if { var(txn.rule) -m int eq 2 }           # fixed-response
 *   http-request set-var(txn.tg) str(tg_api_…) if { var(txn.rule) -m int eq 1 }   # forward
 *   http-request set-var(txn.be) str(tg_api_…__all) if { var(txn.tg) -m str tg_api_… } { nbsrv(tg_api_…) eq 0 }
 *   use_backend %[var(txn.be)] if { var(txn.be) -m found }
 *
 * `txn.tg` is the target group the rule chose (weighted by `rand`, or kept by the AWSALBTG cookie
 * when group stickiness is on); `txn.be` the backend that serves it, the fail-open backend when
 * the target group has no healthy target. No target at all, or nothing chosen: ALB's 503.
 */
import type { ActionConfig, ListenerConfig, LoadBalancerConfig, TargetGroupConfig } from '../types.js';
import { accessLogLines } from './access-log.js';
import { backendName, failOpenBackendName } from './names.js';
import { conditionAcl } from './conditions.js';
import { serviceUnavailableBody } from './error-pages.js';
import { literalWord, logFormatLiteral, quotedWord } from './words.js';

type ForwardAction = Extract<ActionConfig, { type: 'forward' }>;
type RedirectAction = Extract<ActionConfig, { type: 'redirect' }>;
type FixedResponseAction = Extract<ActionConfig, { type: 'fixed-response' }>;

export interface FrontendContext {
  loadBalancer: LoadBalancerConfig;
  listener: ListenerConfig;
  /** Target groups by ARN (a rule naming an absent one forwards nowhere: 503). */
  targetGroups: ReadonlyMap<string, TargetGroupConfig>;
  /** HTTPS/TLS: the bind line's TLS options (tls.ts). */
  tlsBindOptions?: string;
  /** The Unix socket 127.0.0.1:<port>'s shared frontend relays to, when it does (shared-frontend.ts). */
  relaySocket?: string;
  /** Where access-log records go (host:port of the driver's receiver, access-log.ts), for load balancers that keep one. */
  accessLogTarget?: string;
}

const ruleIs = (index: number) => `{ var(txn.rule) -m int eq ${index} }`;

function bindLines(context: FrontendContext, address: string): string[] {
  const tls = context.tlsBindOptions !== undefined ? ` ${context.tlsBindOptions}` : '';
  const own = `bind ${address.includes(':') ? `[${address}]` : address}:${context.listener.port}${tls}`;
  // What the shared frontend relays arrives decrypted, with the client's address in a PROXY header.
  return context.relaySocket === undefined ? [own] : [own, `bind ${literalWord(`unix@${context.relaySocket}`)} accept-proxy`];
}

/** The lines of an HTTP(S) listener's frontend (after `frontend <name>`). */
export function renderHttpFrontend(context: FrontendContext): string[] {
  const { listener, loadBalancer } = context;
  const scheme = listener.protocol === 'HTTPS' ? 'https' : 'http';
  const lines = [
    'mode http',
    ...bindLines(context, loadBalancer.address),
    `timeout client ${loadBalancer.idleTimeoutSeconds}s`,
    `timeout http-keep-alive ${loadBalancer.idleTimeoutSeconds}s`,
    // On a reload the old worker answers the next request on an idle keep-alive connection with
    // "Connection: close" instead of closing it under the client, who may be sending on it.
    'option idle-close-on-response',
    'option forwardfor',
    `http-request set-header X-Forwarded-Proto ${scheme}`,
    `http-request set-header X-Forwarded-Port ${listener.port}`,
    // ALB's format: Root=1-<epoch seconds, 8 hex>-<96 random bits, 24 hex>.
    'http-request set-header X-Amzn-Trace-Id "Root=1-%[date,hex,bytes(8),lower]-%[rand,hex,bytes(8),lower]%[rand,hex,bytes(8),lower]%[rand,hex,bytes(8),lower]" unless { req.hdr(x-amzn-trace-id) -m found }',
  ];
  const accessLog = loadBalancer.accessLogPath !== undefined && context.accessLogTarget !== undefined ? accessLogLines(context.accessLogTarget) : undefined;
  if (accessLog !== undefined) lines.splice(2, 0, ...accessLog.log);
  if (accessLog !== undefined) lines.push(...accessLog.request);
  const only = accessLog === undefined ? onlyForwardTarget(context) : undefined;
  if (only !== undefined) {
    lines.push(...forwardOnlyLines(only));
    lines.push(...answeredLines);
    return lines;
  }
  listener.rules.forEach((rule, i) => {
    const index = i + 1;
    const acls = rule.conditions.map((condition, c) => conditionAcl(`r${index}c${c + 1}`, condition));
    lines.push(...acls.map((a) => a.line));
    lines.push(`http-request set-var(txn.rule) int(${index}) if !{ var(txn.rule) -m found }${acls.map((a) => ` ${a.name}`).join('')}`);
  });
  const used = new Set<string>();
  listener.rules.forEach((rule, i) => {
    const action = rule.actions[rule.actions.length - 1];
    if (action === undefined) return;
    if (action.type === 'forward') lines.push(...forwardLines(i + 1, action, context, used));
    else if (action.type === 'redirect') lines.push(...redirectLines(i + 1, action, listener));
    else lines.push(fixedResponseLine(i + 1, action));
  });
  lines.push('http-request set-var(txn.be) var(txn.tg) if { var(txn.tg) -m found }');
  for (const backend of used) {
    lines.push(`http-request set-var(txn.be) str(${failOpenBackendName(backend)}) if { var(txn.tg) -m str ${backend} } { nbsrv(${backend}) eq 0 }`);
  }
  // No target to send it to (none registered, or only draining ones): ALB's 503.
  const unavailable = `http-request return status 503 content-type text/html string ${quotedWord(serviceUnavailableBody)}`;
  for (const backend of used) {
    lines.push(`${unavailable} if { var(txn.tg) -m str ${backend} } { nbsrv(${backend}) eq 0 } { nbsrv(${failOpenBackendName(backend)}) eq 0 } !{ stopping }`);
  }
  lines.push(`${unavailable} unless { var(txn.be) -m found }`);
  lines.push('use_backend %[var(txn.be)] if { var(txn.be) -m found }');
  lines.push(...answeredLines);
  if (accessLog !== undefined) lines.push(...accessLog.response, ...accessLog.afterResponse);
  return lines;
}

// haproxy answers 503 when it could not connect to the server it chose; ALB answers 502 when a
// target refuses the connection. `http-response` rules run only for a target's own answers, so
// a target's 503 is left as it is.
const answeredLines = [
  'http-response set-var(txn.answered) bool(true)',
  'http-after-response set-status 502 reason "Bad Gateway" if { status 503 } { srv_id -m found } !{ var(txn.answered) -m found }',
];

/**
 * The backend of a listener whose only rule is the default one forwarding to one target group,
 * with no access log to name the rule: the commonest listener, and the one every request of a
 * benchmark takes. It needs none of the rule variables, whose evaluation is about a tenth of
 * haproxy's CPU per request there.
 */
function onlyForwardTarget(context: FrontendContext): string | undefined {
  const [rule, ...others] = context.listener.rules;
  if (rule === undefined || others.length > 0 || rule.conditions.length > 0) return undefined;
  const action = rule.actions[rule.actions.length - 1];
  if (action?.type !== 'forward') return undefined;
  const existing = action.targetGroups.filter((g) => context.targetGroups.has(g.targetGroupArn));
  const chosen = existing.filter((g) => g.weight > 0);
  if (existing.length !== 1 && chosen.length > 1) return undefined;
  const only = context.targetGroups.get((chosen[0] ?? existing[0])?.targetGroupArn ?? '');
  return only === undefined ? undefined : backendName(only.arn, only.name);
}

/** The same choice as the general form's: the checked backend, else fail-open, else ALB's 503. */
function forwardOnlyLines(backend: string): string[] {
  return [
    `http-request return status 503 content-type text/html string ${quotedWord(serviceUnavailableBody)} if { nbsrv(${backend}) eq 0 } { nbsrv(${failOpenBackendName(backend)}) eq 0 } !{ stopping }`,
    `use_backend ${backend} if { nbsrv(${backend}) gt 0 }`,
    `default_backend ${failOpenBackendName(backend)}`,
  ];
}

function forwardLines(index: number, action: ForwardAction, context: FrontendContext, used: Set<string>): string[] {
  const groups = action.targetGroups
    .map((g) => ({ group: context.targetGroups.get(g.targetGroupArn), weight: g.weight }))
    .flatMap(({ group, weight }) => (group === undefined ? [] : [{ backend: backendName(group.arn, group.name), weight }]));
  if (groups.length === 0) return [];
  groups.forEach((g) => used.add(g.backend));
  const chosen = groups.filter((g) => g.weight > 0);
  if (groups.length === 1 || chosen.length <= 1) {
    return [`http-request set-var(txn.tg) str(${(chosen[0] ?? groups[0])!.backend}) if ${ruleIs(index)}`];
  }
  const lines: string[] = [];
  const sticky = action.stickiness?.enabled === true;
  if (sticky) {
    const names = chosen.map((g) => g.backend).join(' ');
    lines.push(`http-request set-var(txn.tg) req.cook(AWSALBTG) if ${ruleIs(index)} { req.cook(AWSALBTG) -m str ${names} }`);
  }
  const total = chosen.reduce((sum, g) => sum + g.weight, 0);
  lines.push(`http-request set-var(txn.pick) rand(${total}) if ${ruleIs(index)} !{ var(txn.tg) -m found }`);
  let upTo = 0;
  for (const g of chosen) {
    upTo += g.weight;
    lines.push(`http-request set-var(txn.tg) str(${g.backend}) if ${ruleIs(index)} !{ var(txn.tg) -m found } { var(txn.pick) -m int lt ${upTo} }`);
  }
  if (sticky) {
    const maxAge = action.stickiness!.durationSeconds;
    lines.push(`http-response add-header Set-Cookie "AWSALBTG=%[var(txn.tg)]; Max-Age=${maxAge}; Path=/" if ${ruleIs(index)} { var(txn.tg) -m found }`);
  }
  return lines;
}

/**
 * ELB's redirect: each part is a template with `#{protocol}`, `#{host}`, `#{port}`, `#{path}`
 * (the path without its leading slash, so the default `/#{path}` keeps it) and `#{query}`.
 * The protocol and port are the listener's, known here; host, path and query come from the request.
 */
function redirectLines(index: number, action: RedirectAction, listener: ListenerConfig): string[] {
  const listenerScheme = listener.protocol === 'HTTPS' ? 'https' : 'http';
  const expand = (template: string) =>
    template
      .split(/(#\{(?:protocol|host|port|path|query)\})/)
      .map((part) => {
        switch (part) {
          case '#{protocol}':
            return listenerScheme;
          case '#{host}':
            return '%[req.hdr(host),field(1,:)]';
          case '#{port}':
            return String(listener.port);
          case '#{path}':
            return '%[path,regsub(^/,)]';
          case '#{query}':
            return '%[query]';
          default:
            return logFormatLiteral(part);
        }
      })
      .join('');
  const scheme = action.protocol === '#{protocol}' ? listenerScheme : action.protocol.toLowerCase();
  const port = action.port === '#{port}' ? String(listener.port) : action.port;
  const defaultPort = (scheme === 'http' && port === '80') || (scheme === 'https' && port === '443');
  const path = expand(action.path.startsWith('/') ? action.path : `/${action.path}`);
  const base = `${scheme}://${expand(action.host)}${defaultPort ? '' : `:${port}`}${path}`;
  const code = action.statusCode === 'HTTP_301' ? 301 : 302;
  const line = (location: string, extra = '') => `http-request redirect location ${quotedWord(location)} code ${code} if ${ruleIs(index)}${extra}`;
  if (action.query === '#{query}') {
    // The request's own query: a `?` only when there is one.
    return [line(`${base}?%[query]`, ' { query -m len gt 0 }'), line(base)];
  }
  return [line(action.query === '' ? base : `${base}?${expand(action.query)}`)];
}

function fixedResponseLine(index: number, action: FixedResponseAction): string {
  const body = action.messageBody ?? '';
  const contentType = action.contentType ?? 'text/plain';
  const payload = body === '' ? '' : ` content-type ${quotedWord(contentType)} string ${quotedWord(body)}`;
  return `http-request return status ${Number(action.statusCode)}${payload} if ${ruleIs(index)}`;
}

/** The lines of a TCP/TLS listener's frontend: every connection to its default forward. */
export function renderTcpFrontend(context: FrontendContext): string[] {
  const { listener, loadBalancer } = context;
  const lines = ['mode tcp', ...bindLines(context, loadBalancer.address), 'timeout client 350s'];
  const action = listener.rules.find((r) => r.priority === 'default')?.actions.at(-1);
  const arn = action?.type === 'forward' ? action.targetGroups[0]?.targetGroupArn : undefined;
  const group = arn === undefined ? undefined : context.targetGroups.get(arn);
  if (group !== undefined) {
    const backend = backendName(group.arn, group.name);
    lines.push(`use_backend ${failOpenBackendName(backend)} if { nbsrv(${backend}) eq 0 }`, `default_backend ${backend}`);
  }
  return lines;
}
