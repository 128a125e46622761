/**
 * What an ALB listener does with one request, decided before any byte goes to a target: the rule
 * that matches, then its action (a fixed response, a redirect, or a forward to a target group and
 * one of its targets, with the stickiness cookies to set).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ActionConfig, ListenerConfig, LoadBalancerConfig } from '../types.js';
import { assertNever } from '../../../core/assert-never.js';
import { finalAction, hostWithoutPort, matchRule, parseQuery, redirectLocation, type RequestFacts } from './rules.js';
import { appCookie, decodeSticky, encodeSticky, groupCookie, lbCookie, readCookie, setCookie } from './sticky-cookies.js';
import type { TargetGroupRuntime, TargetRuntime } from './target-group.js';

export type Decision =
  | { kind: 'fixed'; status: number; contentType: string | undefined; body: string; priority: string }
  | { kind: 'redirect'; status: number; location: string; priority: string }
  | { kind: 'error'; status: 500 | 503; reason: string; priority: string }
  | { kind: 'forward'; group: TargetGroupRuntime; target: TargetRuntime; setCookies: string[]; priority: string };

export interface RoutingContext {
  lb: LoadBalancerConfig;
  listener: ListenerConfig;
  targetGroup(arn: string): TargetGroupRuntime | undefined;
  now: number;
  random: () => number;
}

/** What routing reads of a request: an RequestView, or the head the raw HTTP path parsed. */
export interface RequestView {
  method?: string | undefined;
  url?: string | undefined;
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string | undefined };
}

export function clientAddress(request: RequestView): string {
  const address = request.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export function requestFacts(request: RequestView): RequestFacts {
  const url = request.url ?? '/';
  const mark = url.indexOf('?');
  return {
    host: request.headers.host,
    path: mark < 0 ? url : url.slice(0, mark),
    method: request.method ?? 'GET',
    header: (name) => {
      const value = request.headers[name];
      return value === undefined ? [] : Array.isArray(value) ? value : [value];
    },
    get query() {
      return parseQuery(mark < 0 ? '' : url.slice(mark + 1));
    },
    sourceIp: clientAddress(request),
  };
}

export function decide(request: RequestView, context: RoutingContext): Decision {
  const facts = requestFacts(request);
  const rule = matchRule(context.listener.rules, facts);
  const action = rule === undefined ? undefined : finalAction(rule);
  const priority = rule === undefined || rule.priority === 'default' ? '0' : String(rule.priority);
  if (action === undefined) return { kind: 'error', status: 500, reason: 'NoMatchingRule', priority };
  return decideAction(action, request, facts, context, priority);
}

function decideAction(action: ActionConfig, request: RequestView, facts: RequestFacts, context: RoutingContext, priority: string): Decision {
  switch (action.type) {
    case 'fixed-response':
      return { kind: 'fixed', status: Number(action.statusCode), contentType: action.contentType, body: action.messageBody ?? '', priority };
    case 'redirect': {
      const url = request.url ?? '/';
      const mark = url.indexOf('?');
      const location = redirectLocation(action, {
        protocol: context.listener.protocol,
        host: hostWithoutPort(facts.host),
        port: context.listener.port,
        path: facts.path,
        query: mark < 0 ? '' : url.slice(mark + 1),
      });
      return { kind: 'redirect', status: action.statusCode === 'HTTP_301' ? 301 : 302, location, priority };
    }
    case 'forward':
      return decideForward(action, request, context, priority);
    default:
      return assertNever(action, 'rule action');
  }
}

function decideForward(action: Extract<ActionConfig, { type: 'forward' }>, request: RequestView, context: RoutingContext, priority: string): Decision {
  const cookies = request.headers.cookie;
  const setCookies: string[] = [];
  const weighted = action.targetGroups.filter((entry) => entry.weight > 0 || action.targetGroups.length === 1);
  let groupArn: string | undefined;
  const groupSticky = action.stickiness?.enabled === true && weighted.length > 1;
  if (groupSticky) {
    const pinned = decodeSticky(readCookie(cookies, groupCookie), 'group', context.now);
    if (pinned !== undefined && weighted.some((entry) => entry.targetGroupArn === pinned)) groupArn = pinned;
  }
  if (groupArn === undefined) groupArn = pickWeighted(weighted, context.random);
  if (groupArn === undefined) return { kind: 'error', status: 503, reason: 'NoTargetGroup', priority };
  if (groupSticky) {
    const expiresAt = context.now + (action.stickiness?.durationSeconds ?? 3600) * 1000;
    setCookies.push(setCookie(groupCookie, encodeSticky('group', groupArn, expiresAt), expiresAt));
  }
  const group = context.targetGroup(groupArn);
  if (group === undefined || !group.hasRegistered()) return { kind: 'error', status: 503, reason: 'NoRegisteredTargets', priority };
  const stickiness = group.config.stickiness;
  let sticky: string | undefined;
  if (stickiness.enabled && stickiness.type === 'lb_cookie') sticky = decodeSticky(readCookie(cookies, lbCookie), group.config.arn, context.now);
  if (stickiness.enabled && stickiness.type === 'app_cookie') sticky = decodeSticky(readCookie(cookies, appCookie), group.config.arn, context.now);
  const target = group.choose(context.now, context.random, sticky);
  if (target === undefined) return { kind: 'error', status: 503, reason: 'NoRegisteredTargets', priority };
  if (stickiness.enabled && stickiness.type === 'lb_cookie') {
    const expiresAt = context.now + stickiness.durationSeconds * 1000;
    setCookies.push(setCookie(lbCookie, encodeSticky(group.config.arn, target.key, expiresAt), expiresAt));
  }
  return { kind: 'forward', group, target, setCookies, priority };
}

function pickWeighted(entries: { targetGroupArn: string; weight: number }[], random: () => number): string | undefined {
  if (entries.length <= 1) return entries[0]?.targetGroupArn;
  const total = entries.reduce((sum, entry) => sum + entry.weight, 0);
  let draw = random() * total;
  for (const entry of entries) {
    draw -= entry.weight;
    if (draw < 0) return entry.targetGroupArn;
  }
  return entries[entries.length - 1]?.targetGroupArn;
}
