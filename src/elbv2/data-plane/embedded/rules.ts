/**
 * Listener rules as ALB evaluates them, as pure functions of the request's facts: the first rule
 * (in the order given: lowest priority first, the default rule last) whose conditions all match
 * decides the actions. Within one condition, any of its values may match (OR); across conditions,
 * all must (AND).
 *
 * How each field compares, as ALB documents it:
 *  - host-header: the Host header without its port, case-insensitive, `*` and `?` wildcards;
 *  - path-pattern: the path without the query string, case-sensitive, `*` and `?`;
 *  - http-header: the named header (name case-insensitive), value case-insensitive, `*` and `?`;
 *    a header sent several times matches if any of its values does;
 *  - http-request-method: exact, case-sensitive (GET, POST, a custom method);
 *  - query-string: any key/value pair of the query (key optional), case-insensitive, `*` and `?`;
 *  - source-ip: the client's address (the peer of the connection, not X-Forwarded-For) in any CIDR.
 */
import type { ActionConfig, ConditionConfig, RuleConfig } from '../types.js';
import { assertNever } from '../../../core/assert-never.js';
import { matchesWildcard } from '../../../core/wildcard.js';
import { ipInCidr } from './ip-match.js';

export interface RequestFacts {
  /** The Host header, port included if the client sent one. */
  host: string | undefined;
  /** The path, without the query string (not decoded). */
  path: string;
  method: string;
  /** Header values by lower-case name. */
  header(name: string): string[];
  /** Decoded key/value pairs of the query string, in order. */
  query: [string, string][];
  sourceIp: string;
}

const caseless = { questionMark: true, ignoreCase: true };
const exact = { questionMark: true };

export function hostWithoutPort(host: string | undefined): string {
  if (host === undefined) return '';
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

export function conditionMatches(condition: ConditionConfig, facts: RequestFacts): boolean {
  switch (condition.field) {
    case 'host-header': {
      const host = hostWithoutPort(facts.host);
      return condition.values.some((pattern) => matchesWildcard(pattern, host, caseless));
    }
    case 'path-pattern':
      return condition.values.some((pattern) => matchesWildcard(pattern, facts.path, exact));
    case 'http-header': {
      const sent = facts.header(condition.headerName.toLowerCase());
      return sent.some((value) => condition.values.some((pattern) => matchesWildcard(pattern, value, caseless)));
    }
    case 'http-request-method':
      return condition.values.includes(facts.method);
    case 'query-string':
      return condition.values.some(({ key, value }) =>
        facts.query.some(([k, v]) => (key === undefined || matchesWildcard(key, k, caseless)) && matchesWildcard(value, v, caseless)),
      );
    case 'source-ip':
      return condition.values.some((cidr) => ipInCidr(facts.sourceIp, cidr));
    default:
      return assertNever(condition, 'rule condition');
  }
}

/** The first rule whose conditions all match; undefined only when the listener has no default rule. */
export function matchRule(rules: readonly RuleConfig[], facts: RequestFacts): RuleConfig | undefined {
  return rules.find((rule) => rule.conditions.every((condition) => conditionMatches(condition, facts)));
}

/** The action that answers the request: the last of the rule's actions (authenticate actions are not supported). */
export function finalAction(rule: RuleConfig): ActionConfig | undefined {
  return rule.actions[rule.actions.length - 1];
}

/** Splits `a=1&b=x%20y&flag` into decoded pairs; a bare key has the empty value. */
export function parseQuery(query: string): [string, string][] {
  if (query === '') return [];
  return query.split('&').filter((part) => part !== '').map((part) => {
    const equals = part.indexOf('=');
    const key = equals < 0 ? part : part.slice(0, equals);
    const value = equals < 0 ? '' : part.slice(equals + 1);
    return [decodeLoosely(key), decodeLoosely(value)];
  });
}

function decodeLoosely(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

export interface RedirectSource {
  /** The listener's protocol: HTTP or HTTPS. */
  protocol: string;
  /** The Host header without its port. */
  host: string;
  /** The listener's port. */
  port: number;
  /** The request's path, with its leading slash. */
  path: string;
  /** The request's query string, without the `?` (empty when none). */
  query: string;
}

/**
 * The Location of a redirect action. Each component may reuse the request's own with the
 * placeholders #{protocol}, #{host}, #{port}, #{path} (the path without its leading slash, so the
 * default "/#{path}" keeps it as it was) and #{query}. The port is left out when it is the
 * scheme's default; the `?` when the query comes out empty.
 *
 * Example: a request for http://web.localhost:8080/a/b?x=1 with protocol HTTPS, port 443,
 * path "/new/#{path}" and query "#{query}&y=2" goes to https://web.localhost/new/a/b?x=1&y=2.
 */
export function redirectLocation(action: Extract<ActionConfig, { type: 'redirect' }>, source: RedirectSource): string {
  const values: Record<string, string> = {
    protocol: source.protocol.toUpperCase(),
    host: source.host,
    port: String(source.port),
    path: source.path.startsWith('/') ? source.path.slice(1) : source.path,
    query: source.query,
  };
  const fill = (component: string): string => component.replace(/#\{(protocol|host|port|path|query)\}/g, (_, name: string) => values[name] ?? '');
  const protocol = fill(action.protocol).toLowerCase();
  const host = fill(action.host);
  const port = fill(action.port);
  let path = fill(action.path);
  if (!path.startsWith('/')) path = `/${path}`;
  const query = fill(action.query);
  const defaultPort = (protocol === 'https' && port === '443') || (protocol === 'http' && port === '80');
  return `${protocol}://${host}${defaultPort || port === '' ? '' : `:${port}`}${path}${query === '' ? '' : `?${query}`}`;
}
