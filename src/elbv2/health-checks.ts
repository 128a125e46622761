/**
 * A target group's health check settings: AWS's defaults by protocol, and its valid ranges.
 *
 *   target group protocol   check protocol   interval  timeout  healthy  unhealthy  path  matcher
 *   HTTP / HTTPS            as the group     30        5        5        2          /     200
 *   TCP / TLS / UDP / …     TCP              30        10       5        2          –     –
 *   TCP / TLS / UDP / …     HTTP or HTTPS    30        6        5        2          /     200-399
 *
 * Pure: the operations pass what the caller gave and the settings before.
 */
import type { HealthCheckSettings } from '../store/contract/elbv2.js';
import { validationError } from './errors.js';
import { checkRange } from './validate.js';

export interface HealthCheckInput {
  HealthCheckProtocol?: string;
  HealthCheckPort?: string;
  HealthCheckEnabled?: boolean;
  HealthCheckPath?: string;
  HealthCheckIntervalSeconds?: number;
  HealthCheckTimeoutSeconds?: number;
  HealthyThresholdCount?: number;
  UnhealthyThresholdCount?: number;
  Matcher?: { HttpCode?: string; GrpcCode?: string };
}

export const isHttp = (protocol: string | undefined) => protocol === 'HTTP' || protocol === 'HTTPS';

const checkProtocols = ['HTTP', 'HTTPS', 'TCP'];

/** Checks each given field against AWS's ranges (before anything is looked up). */
export function checkHealthCheckInput(input: HealthCheckInput): void {
  if (input.HealthCheckProtocol !== undefined && !checkProtocols.includes(input.HealthCheckProtocol)) {
    throw validationError(
      `1 validation error detected: Value '${input.HealthCheckProtocol}' at 'healthCheckProtocol' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, HTTPS, TCP]`,
      { field: 'HealthCheckProtocol' },
    );
  }
  if (input.HealthCheckPort !== undefined && input.HealthCheckPort !== 'traffic-port') {
    const port = Number(input.HealthCheckPort);
    if (!/^\d+$/.test(input.HealthCheckPort) || port < 1 || port > 65535) {
      throw validationError(`Health check port '${input.HealthCheckPort}' must be 'traffic-port' or a port number between 1 and 65535`, { field: 'HealthCheckPort' });
    }
  }
  if (input.HealthCheckPath !== undefined && (input.HealthCheckPath.length < 1 || input.HealthCheckPath.length > 1024 || !input.HealthCheckPath.startsWith('/'))) {
    throw validationError(`Health check path '${input.HealthCheckPath}' must begin with a '/' character and be at most 1024 characters long`, { field: 'HealthCheckPath' });
  }
  if (input.HealthCheckIntervalSeconds !== undefined) checkRange(input.HealthCheckIntervalSeconds, 5, 300, 'HealthCheckIntervalSeconds');
  if (input.HealthCheckTimeoutSeconds !== undefined) checkRange(input.HealthCheckTimeoutSeconds, 2, 120, 'HealthCheckTimeoutSeconds');
  if (input.HealthyThresholdCount !== undefined) checkRange(input.HealthyThresholdCount, 2, 10, 'HealthyThresholdCount');
  if (input.UnhealthyThresholdCount !== undefined) checkRange(input.UnhealthyThresholdCount, 2, 10, 'UnhealthyThresholdCount');
  if (input.Matcher?.GrpcCode !== undefined) throw validationError('A gRPC code matcher can only be used with target groups whose protocol version is GRPC', { field: 'Matcher.GrpcCode' });
}

/** `200`, `200,202`, `200-299`: each code within [min, max]. */
function checkMatcher(code: string, min: number, max: number): void {
  const valid = code.split(',').every((part) => {
    const range = part.split('-');
    if (range.length > 2 || !range.every((item) => /^\d{3}$/.test(item) && Number(item) >= min && Number(item) <= max)) return false;
    return range.length === 1 || Number(range[0]) <= Number(range[1]);
  });
  if (!valid) throw validationError(`Health check matcher HTTP code '${code}' must be within '${min}-${max}'`, { field: 'Matcher.HttpCode' });
}

/** The settings after applying `input` to `current` (or to the defaults, for a new group), checked as a whole. */
export function healthCheckOf(targetProtocol: string | undefined, input: HealthCheckInput, current?: HealthCheckSettings): HealthCheckSettings {
  const application = isHttp(targetProtocol);
  const protocol = input.HealthCheckProtocol ?? current?.protocol ?? (application ? (targetProtocol as string) : 'TCP');
  if (application && protocol === 'TCP') {
    throw validationError(`Health check protocol 'TCP' is not supported for target groups with the '${targetProtocol}' protocol`, { field: 'HealthCheckProtocol' });
  }
  const httpCheck = isHttp(protocol);
  const protocolChanged = current !== undefined && current.protocol !== protocol;
  if (!httpCheck && input.HealthCheckPath !== undefined) throw validationError('Health check path can only be specified for HTTP and HTTPS health checks', { field: 'HealthCheckPath' });
  if (!httpCheck && input.Matcher?.HttpCode !== undefined) throw validationError('Health check matcher can only be specified for HTTP and HTTPS health checks', { field: 'Matcher' });
  const defaults = {
    timeout: application ? 5 : httpCheck ? 6 : 10,
    matcher: application ? '200' : '200-399',
  };
  const keep = <T>(value: T | undefined) => (protocolChanged ? undefined : value);
  const intervalSeconds = input.HealthCheckIntervalSeconds ?? current?.intervalSeconds ?? 30;
  const settings: HealthCheckSettings = {
    enabled: input.HealthCheckEnabled ?? current?.enabled ?? true,
    protocol,
    port: input.HealthCheckPort ?? current?.port ?? 'traffic-port',
    intervalSeconds,
    // A short interval given without a timeout (`--health-check-interval-seconds 5`) takes a timeout
    // under it rather than failing on a default the caller never chose.
    timeoutSeconds: input.HealthCheckTimeoutSeconds ?? keep(current?.timeoutSeconds) ?? Math.max(2, Math.min(defaults.timeout, intervalSeconds - 1)),
    healthyThresholdCount: input.HealthyThresholdCount ?? current?.healthyThresholdCount ?? 5,
    unhealthyThresholdCount: input.UnhealthyThresholdCount ?? current?.unhealthyThresholdCount ?? 2,
    ...(httpCheck
      ? {
          path: input.HealthCheckPath ?? keep(current?.path) ?? '/',
          matcher: input.Matcher?.HttpCode ?? keep(current?.matcher) ?? defaults.matcher,
        }
      : {}),
  };
  if (settings.matcher !== undefined) checkMatcher(settings.matcher, 200, application ? 499 : 599);
  if (settings.timeoutSeconds >= settings.intervalSeconds) {
    throw validationError('Health check interval must be greater than the timeout.', { field: 'HealthCheckTimeoutSeconds' });
  }
  return settings;
}
