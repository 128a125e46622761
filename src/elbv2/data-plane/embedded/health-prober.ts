/**
 * The shell around health-state.ts: runs one health check against a target as ELB does (HTTP or
 * HTTPS GET of the path, or a TCP connect, on the traffic port or the configured one, within the
 * timeout) and says what came of it. Decides nothing about the target's state.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { HealthCheckConfig, TargetConfig } from '../types.js';
import { matcherAccepts, type ProbeResult } from './health-state.js';

export function probe(check: HealthCheckConfig, target: TargetConfig): Promise<ProbeResult> {
  const port = check.port === 'traffic-port' ? target.port : check.port;
  const timeoutMs = check.timeoutSeconds * 1000;
  return check.protocol === 'TCP' ? probeTcp(target.address, port, timeoutMs) : probeHttp(check, target.address, port, timeoutMs);
}

const timedOut: ProbeResult = { ok: false, reason: 'Target.Timeout', description: 'Request timed out' };
const failed: ProbeResult = { ok: false, reason: 'Target.FailedHealthChecks', description: 'Health checks failed' };

function probeTcp(address: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    const timer = setTimeout(() => settle(timedOut), timeoutMs);
    const settle = (result: ProbeResult): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => settle({ ok: true }));
    socket.once('error', () => settle(failed));
  });
}

function probeHttp(check: HealthCheckConfig, address: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const send = check.protocol === 'HTTPS' ? httpsRequest : httpRequest;
    let done = false;
    const settle = (result: ProbeResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      request.destroy();
      resolve(result);
    };
    const request = send({
      host: address,
      port,
      path: check.path,
      method: 'GET',
      agent: false,
      headers: { 'user-agent': 'ELB-HealthChecker/2.0', connection: 'close' },
      ...(check.protocol === 'HTTPS' ? { rejectUnauthorized: false } : {}),
    });
    const timer = setTimeout(() => settle(timedOut), timeoutMs);
    request.once('response', (response) => {
      const code = response.statusCode ?? 0;
      response.resume();
      settle(matcherAccepts(check.matcher, code) ? { ok: true } : { ok: false, reason: 'Target.ResponseCodeMismatch', description: `Health checks failed with these codes: [${code}]` });
    });
    request.once('error', () => settle(failed));
    request.end();
  });
}
