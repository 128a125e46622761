/**
 * A target group as two haproxy backends:
 *   - the checked backend: registered targets with health checks, slow start and stickiness;
 *   - the fail-open backend: the same registered targets without checks, chosen by the frontend
 *     only when the checked one has no usable server. That is ALB's fail-open (every target
 *     unhealthy: route to all of them) without touching the checked backend's state.
 * Draining targets are in neither: they are removed from the desired servers at once, and the
 * runtime reconciler keeps the running server in `drain` until its sessions end or its
 * deregistration delay does.
 *
 * Slow start is haproxy's `slowstart`: a server's weight ramps up from the moment it comes UP
 * after being down. New targets are added down (ELB's `initial`), so each ramps once it passes its
 * checks; servers a reload carries over UP do not, as ELB leaves targets already healthy when slow
 * start is turned on. Unlike ELB, targets registered together into an empty group ramp too (all
 * alike, so their shares are unchanged).
 *
 * Servers carry all their options on their own line (no `default-server`), because servers added
 * through the runtime API do not inherit `default-server`: one line serves both the file and
 * `add server`.
 */
import { assertNever } from '../../../core/assert-never.js';
import type { HealthCheckConfig, TargetGroupConfig } from '../types.js';
import { backendName, failOpenBackendName, serverName } from './names.js';
import { literalWord, quotedWord } from './words.js';

export interface ServerSpec {
  name: string;
  address: string;
  port: number;
  /** What follows `address:port` on a `server` line and in `add server`. */
  options: string;
  /** Health checks run on it (it is added down and must pass `rise` checks before traffic). */
  checked: boolean;
}

export interface RenderedBackend {
  name: string;
  lines: string[];
  servers: ServerSpec[];
}

/** ELB's matcher ("200", "200,202", "200-299") is haproxy's `status` list syntax as it stands. */
const matcherSyntax = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/;

export function isHttpTargetGroup(group: TargetGroupConfig): boolean {
  return group.protocol === 'HTTP' || group.protocol === 'HTTPS';
}

function balance(algorithm: TargetGroupConfig['algorithm']): string {
  switch (algorithm) {
    case 'round_robin':
      return 'roundrobin';
    case 'least_outstanding_requests':
      return 'leastconn';
    case 'weighted_random':
      return 'random';
    default:
      return assertNever(algorithm, 'algorithm');
  }
}

function healthCheckLines(check: HealthCheckConfig): string[] {
  if (!check.enabled || check.protocol === 'TCP') return [];
  const matcher = matcherSyntax.test(check.matcher.replace(/\s/g, '')) ? check.matcher.replace(/\s/g, '') : '200';
  return [
    'option httpchk',
    `http-check send meth GET uri ${literalWord(check.path || '/')} ver HTTP/1.1 hdr Host ${literalWord('elb-healthcheck')} hdr User-Agent ${literalWord('ELB-HealthChecker/2.0')}`,
    `http-check expect status ${matcher}`,
  ];
}

function checkOptions(group: TargetGroupConfig): string[] {
  const check = group.healthCheck;
  if (!check.enabled) return [];
  const options = ['check', `inter ${check.intervalSeconds}s`, `rise ${check.healthyThreshold}`, `fall ${check.unhealthyThreshold}`];
  if (check.port !== 'traffic-port') options.push(`port ${check.port}`);
  if (check.protocol === 'HTTPS') options.push('check-ssl');
  return options;
}

function stickinessLines(group: TargetGroupConfig, cookieKey: string): string[] {
  const { stickiness } = group;
  if (!stickiness.enabled) return [];
  switch (stickiness.type) {
    case 'lb_cookie':
      // `dynamic`: each server's cookie value is a digest of its address, port and this key, so
      // servers added through the runtime API get one too, and a target keeps its value across
      // reloads and in the fail-open backend.
      return [
        `cookie AWSALB insert indirect nocache dynamic maxlife ${stickiness.durationSeconds}s attr ${quotedWord(`Max-Age=${stickiness.durationSeconds}`)}`,
        `dynamic-cookie-key ${literalWord(cookieKey)}`,
      ];
    case 'app_cookie': {
      // ALB answers the application's cookie with its own AWSALBAPP-0, which brings the client
      // back to the same target. Here its value is a keyed digest of the application cookie's
      // value (not the value itself), and both are keys of one table: the target a client is
      // kept on is the one that set the application cookie.
      const name = literalWord(stickiness.appCookieName ?? 'AWSALBAPP');
      const digest = `xxh64(${cookieSeed(cookieKey)})`;
      return [
        `stick-table type string len 128 size 100k expire ${stickiness.durationSeconds}s`,
        'stick match req.cook(AWSALBAPP-0)',
        `stick on req.cook(${name}),${digest}`,
        `stick store-response res.cook(${name}),${digest}`,
        `http-response add-header Set-Cookie "AWSALBAPP-0=%[res.cook(${name}),${digest}]; Max-Age=${stickiness.durationSeconds}; Path=/" if { res.cook(${name}) -m found }`,
      ];
    }
    case 'source_ip':
      return [`stick-table type ip size 100k expire ${stickiness.durationSeconds}s`, 'stick on src'];
    default:
      return assertNever(stickiness.type, 'stickiness type');
  }
}

/** A number from the cookie key, to seed the digest of application cookies. */
function cookieSeed(cookieKey: string): number {
  return Number.parseInt(cookieKey.replace(/[^0-9a-f]/gi, '').slice(0, 8) || '0', 16);
}

/**
 * The two backends of one target group. `timeoutSeconds` is how long a target may take to answer
 * (ALB: the load balancer's idle timeout; past it the client gets 504).
 */
export function renderTargetGroup(group: TargetGroupConfig, cookieKey: string, timeoutSeconds: number): RenderedBackend[] {
  const checked = backendName(group.arn, group.name);
  const mode = isHttpTargetGroup(group) ? 'http' : 'tcp';
  const tls = group.protocol === 'HTTPS' || group.protocol === 'TLS' ? ['ssl'] : [];
  const registered = group.targets.filter((t) => t.state === 'registered');
  // `timeout tunnel`: an upgraded (WebSocket) connection idles out as ALB's does, on the idle timeout.
  const common = [`mode ${mode}`, `balance ${balance(group.algorithm)}`, `timeout server ${timeoutSeconds}s`, `timeout tunnel ${timeoutSeconds}s`];
  const cookies = mode === 'http' || group.stickiness.type === 'source_ip' ? stickinessLines(group, cookieKey) : [];

  const checks = checkOptions(group);
  const slowStart = group.slowStartSeconds > 0 ? [`slowstart ${group.slowStartSeconds}s`] : [];
  const checkedOptions = ['weight 100', ...checks, ...slowStart, ...tls].join(' ');
  const failOpenOptions = ['weight 100', ...tls].join(' ');
  const spec = (options: string, isChecked: boolean) => (t: (typeof registered)[number]): ServerSpec => ({
    name: serverName(t),
    address: t.address,
    port: t.port,
    options,
    checked: isChecked,
  });
  return [
    {
      name: checked,
      lines: [
        ...common,
        `timeout check ${group.healthCheck.timeoutSeconds}s`,
        ...healthCheckLines(group.healthCheck),
        ...cookies,
        // The servers' options, so that a change to them changes the skeleton and reloads.
        `# server options: ${checkedOptions}`,
      ],
      servers: registered.map(spec(checkedOptions, checks.length > 0)),
    },
    {
      name: failOpenBackendName(checked),
      lines: [...common, ...cookies.filter((l) => !l.startsWith('stick')), `# server options: ${failOpenOptions}`],
      servers: registered.map(spec(failOpenOptions, false)),
    },
  ];
}

export function serverLine(server: ServerSpec): string {
  return `server ${server.name} ${hostPort(server.address, server.port)} ${server.options}`;
}

export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
