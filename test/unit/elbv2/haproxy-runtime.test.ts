import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServerSpec } from '../../../src/elbv2/data-plane/haproxy/backend.js';
import { bindAdvice, failedBinds } from '../../../src/elbv2/data-plane/haproxy/bind-check.js';
import { steadySince, targetHealth } from '../../../src/elbv2/data-plane/haproxy/health.js';
import { backendName } from '../../../src/elbv2/data-plane/haproxy/names.js';
import { planServerSync } from '../../../src/elbv2/data-plane/haproxy/server-sync.js';
import { parseShowStat } from '../../../src/elbv2/data-plane/haproxy/stats.js';
import type { TargetGroupConfig } from '../../../src/elbv2/data-plane/types.js';

const header = '# pxname,svname,qcur,scur,status,chkfail,chkdown,lastchg,check_status,check_code,addr,';
const stat = (...rows: string[]) => parseShowStat([header, ...rows].join('\n'));
const spec = (name: string, address: string, port: number, checked = true): ServerSpec => ({ name, address, port, options: 'weight 100 check inter 5s', checked });

describe('planServerSync: runtime API commands from running and desired servers', () => {
  const now = 1_000_000;

  it('adds a new server in maintenance, then checks it, readies it and holds it down until it rises', () => {
    const plan = planServerSync({ desired: { be: [spec('a-80', '10.0.0.1', 80)] }, running: stat('be,BACKEND,0,0,UP,,,,,,,'), draining: new Map(), now });
    assert.deepEqual(plan, ['add server be/a-80 10.0.0.1:80 weight 100 check inter 5s; enable health be/a-80; set server be/a-80 state ready; set server be/a-80 health down']);
  });

  it('drains a deregistered server while it has sessions and its delay runs, then deletes it', () => {
    const running = (scur: number, status: string) => stat(`be,a-80,0,${scur},${status},0,0,5,L7OK,200,10.0.0.1:80,`, 'be,BACKEND,0,0,UP,,,,,,,');
    const draining = new Map([['be', new Map([['a-80', now + 60_000]])]]);
    assert.deepEqual(planServerSync({ desired: { be: [] }, running: running(2, 'UP'), draining, now }), ['set server be/a-80 state drain']);
    assert.deepEqual(planServerSync({ desired: { be: [] }, running: running(2, 'DRAIN'), draining, now }), [], 'already draining: nothing to do');
    assert.deepEqual(planServerSync({ desired: { be: [] }, running: running(0, 'DRAIN'), draining, now }), ['set server be/a-80 state maint; del server be/a-80'], 'no session left: ends early');
    assert.deepEqual(planServerSync({ desired: { be: [] }, running: running(1, 'DRAIN'), draining, now: now + 60_000 }), ['set server be/a-80 state maint; shutdown sessions server be/a-80; del server be/a-80'], 'delay over: cut');
  });

  it('replaces a server whose address changed, readies one registered again, and leaves backends haproxy does not run yet', () => {
    const running = stat('be,a-80,0,0,UP,0,0,5,L7OK,200,10.0.0.9:80,', 'be,b-80,0,0,MAINT,0,0,5,L7OK,200,10.0.0.2:80,', 'be,BACKEND,0,0,UP,,,,,,,');
    const plan = planServerSync({ desired: { be: [spec('a-80', '10.0.0.1', 80), spec('b-80', '10.0.0.2', 80)], other: [spec('c-80', '10.0.0.3', 80)] }, running, draining: new Map(), now });
    assert.deepEqual(plan, ['set server be/a-80 state maint; del server be/a-80', 'set server be/b-80 state ready']);
  });
});

describe('targetHealth: haproxy server status as ELB target health', () => {
  const group: TargetGroupConfig = {
    arn: 'arn:tg/web',
    name: 'web',
    protocol: 'HTTP',
    targetType: 'instance',
    algorithm: 'round_robin',
    stickiness: { enabled: false, type: 'lb_cookie', durationSeconds: 1 },
    slowStartSeconds: 0,
    deregistrationDelaySeconds: 300,
    healthCheck: { enabled: true, protocol: 'HTTP', port: 'traffic-port', path: '/', matcher: '200', intervalSeconds: 5, timeoutSeconds: 2, healthyThreshold: 2, unhealthyThreshold: 2 },
    targets: [{ id: 'i-1', address: '10.0.0.1', port: 80, state: 'registered', registeredAt: 5 }],
  };
  const be = backendName(group.arn, group.name);
  const health = (row: string | undefined, inUse = true, overrides: Partial<TargetGroupConfig> = {}) => {
    const rows = row === undefined ? [] : stat(`${be},i-1-80,${row}`);
    return targetHealth({ targetGroups: [{ ...group, ...overrides }], inUse: new Set(inUse ? [group.arn] : []), servers: new Map(rows.map((r) => [`${r.proxy}/${r.service}`, r])), now: 100_000 })[0];
  };

  it('maps states and reason codes', () => {
    assert.deepEqual(health(undefined), { targetGroupArn: 'arn:tg/web', targetId: 'i-1', port: 80, state: 'initial', reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress', since: 5 });
    assert.equal(health('0,0,DOWN,0,1,3,INI,,10.0.0.1:80,')?.reason, 'Elb.InitialHealthChecking');
    assert.equal(health('0,0,DOWN 1/2,0,1,3,L7OK,200,10.0.0.1:80,')?.state, 'initial', 'rising for the first time');
    assert.deepEqual({ ...health('0,0,UP 1/2,0,1,3,L7STS,500,10.0.0.1:80,') }, { targetGroupArn: 'arn:tg/web', targetId: 'i-1', port: 80, state: 'healthy', since: 97_000 });
    const mismatch = health('0,0,DOWN,1,2,3,L7STS,500,10.0.0.1:80,');
    assert.equal(mismatch?.reason, 'Target.ResponseCodeMismatch');
    assert.equal(mismatch?.description, 'Health checks failed with these codes: [500]');
    assert.equal(health('0,0,DOWN,1,2,3,L4TOUT,,10.0.0.1:80,')?.reason, 'Target.Timeout');
    assert.equal(health('0,0,DOWN,1,2,3,L4CON,,10.0.0.1:80,')?.reason, 'Target.FailedHealthChecks');
    assert.equal(health('0,0,UP,0,1,3,L7OK,200,10.0.0.1:80,', false)?.state, 'unused');
    assert.equal(health('0,0,UP,0,1,3,L7OK,200,10.0.0.1:80,', true, { healthCheck: { ...group.healthCheck, enabled: false } })?.reason, 'Target.HealthCheckDisabled');
    const draining = { targets: [{ ...group.targets[0]!, state: 'draining' as const }] };
    assert.equal(health('0,1,DRAIN,0,1,3,L7OK,200,10.0.0.1:80,', true, draining)?.reason, 'Target.DeregistrationInProgress');
    assert.equal(health(undefined, true, draining), undefined, 'drained: no longer listed');
  });
});

describe('steadySince: a state read again keeps when it began', () => {
  const report = (state: 'healthy' | 'unhealthy', since: number) => ({ targetGroupArn: 'arn:tg/web', targetId: 'i-1', port: 80, state, since });

  it('keeps the earlier since within lastchg\'s one-second resolution, and takes a new one on a change', () => {
    assert.equal(steadySince([report('healthy', 10_000)], [report('healthy', 10_600)])[0]?.since, 10_000, 'the same state read later');
    assert.equal(steadySince([report('healthy', 10_000)], [report('unhealthy', 10_600)])[0]?.since, 10_600, 'another state');
    assert.equal(steadySince([report('healthy', 10_000)], [report('healthy', 14_000)])[0]?.since, 14_000, 'healthy again after a change in between');
    assert.equal(steadySince([], [report('healthy', 10_600)])[0]?.since, 10_600, 'first reading');
  });
});

describe('bind problems: words that say what to do', () => {
  it('explains each errno and reads haproxy\'s own start-up error', () => {
    assert.match(bindAdvice('EADDRINUSE', '127.0.2.7', 80), /127\.0\.2\.7:80.*already in use.*choose another port/);
    assert.match(bindAdvice('EACCES', '127.0.2.7', 80), /ports below 1024 need privileges/);
    assert.match(bindAdvice('EADDRNOTAVAIL', '10.9.9.9', 80), /does not exist on this host/);
    assert.deepEqual(failedBinds('[ALERT] (1) : Starting frontend lb_x: cannot bind socket (Address already in use) [127.0.2.7:80]'), ['127.0.2.7:80']);
  });
});
