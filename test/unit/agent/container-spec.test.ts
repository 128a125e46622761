import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerSpec, dockerNameFor, pauseContainerName, pauseSpec } from '../../../src/agent/runtime/container-spec.js';
import { labels } from '../../../src/agent/runtime/types.js';
import { absent, assertSubset, baseTask, cases, input, type CaseInput } from './container-spec-cases.js';

describe('containerSpec', () => {
  for (const testCase of cases) {
    it(testCase.title, () => {
      const spec = containerSpec(input(testCase));
      assert.equal(spec.name, 'ecs-web-3-app-0001');
      assertSubset(spec as unknown as Record<string, unknown>, testCase.spec);
    });
  }

  const failures: { title: string; case: CaseInput; message: RegExp }[] = [
    { title: 'a container the definition does not have', case: { input: { containerName: 'nope' } }, message: /no container definition named 'nope'/ },
    { title: 'a mount of a volume that was not prepared', case: { container: { mountPoints: [{ sourceVolume: 'gone', containerPath: '/x' }] } }, message: /volume 'gone'/ },
    { title: 'volumesFrom a container not yet created', case: { container: { volumesFrom: [{ sourceContainer: 'later' }] } }, message: /'later'/ },
    { title: 'awsvpc without a pause container', case: { input: { network: { mode: 'awsvpc' } } }, message: /pause container/ },
    { title: 'a malformed containerPortRange', case: { container: { portMappings: [{ containerPortRange: '9005-9000' }] } }, message: /containerPortRange '9005-9000'/ },
  ];
  for (const failure of failures) {
    it(`refuses ${failure.title}`, () => {
      assert.throws(() => containerSpec(input(failure.case)), (error: Error) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, failure.message);
        return true;
      });
    });
  }
});

describe('pauseSpec', () => {
  it('makes the pause container on the awsvpc network with the task\'s address and hostname', () => {
    const spec = pauseSpec({
      task: baseTask(),
      owner: 'fargate-host-1',
      dockerName: 'ecs-web-3-internalecspause-0001',
      image: 'berth/pause:1',
      networkName: 'berth-awsvpc',
      ipv4Address: '10.221.0.17',
      hostname: 'ip-10-221-0-17',
    });
    assert.equal(spec.name, 'ecs-web-3-internalecspause-0001');
    assertSubset(spec as unknown as Record<string, unknown>, {
      image: 'berth/pause:1',
      hostname: 'ip-10-221-0-17',
      labels: { [labels.role]: 'pause', [labels.owner]: 'fargate-host-1', [labels.containerName]: pauseContainerName, [labels.family]: 'web' },
      ports: absent,
      stopSignal: 'SIGKILL',
      network: { mode: 'network', name: 'berth-awsvpc', ipv4Address: '10.221.0.17' },
    });
  });

  it('holds the net.* systemControls of every container of the task; the last container wins a disagreement', () => {
    const task = baseTask();
    task.definition.containerDefinitions = [
      { name: 'a', image: 'busybox:1', systemControls: [{ namespace: 'net.core.somaxconn', value: '512' }, { namespace: 'kernel.sem', value: '250 32000 32 128' }] },
      { name: 'b', image: 'busybox:1', systemControls: [{ namespace: 'net.core.somaxconn', value: '1024' }, { namespace: 'net.ipv4.tcp_syncookies', value: '0' }] },
    ];
    const spec = pauseSpec({ task, owner: 'o', dockerName: 'p', image: 'berth/pause:1', networkName: 'berth-awsvpc' });
    assert.deepEqual(spec.sysctls, { 'net.core.somaxconn': '1024', 'net.ipv4.tcp_syncookies': '0' });
    const plain = pauseSpec({ task: baseTask(), owner: 'o', dockerName: 'p', image: 'berth/pause:1', networkName: 'berth-awsvpc' });
    assert.equal('sysctls' in plain, false);
  });

  it('carries the dnsServers and dnsSearchDomains of the task\'s containers, which share its resolv.conf', () => {
    const task = baseTask();
    task.definition.containerDefinitions = [
      { name: 'a', image: 'busybox:1', dnsServers: ['10.0.0.2'], dnsSearchDomains: ['a.internal'] },
      { name: 'b', image: 'busybox:1', dnsServers: ['10.0.0.2', '10.0.0.3'] },
    ];
    const spec = pauseSpec({ task, owner: 'o', dockerName: 'p', image: 'berth/pause:1', networkName: 'berth-awsvpc' });
    assertSubset(spec as unknown as Record<string, unknown>, { dnsServers: ['10.0.0.2', '10.0.0.3'], dnsSearchDomains: ['a.internal'] });
    const plain = pauseSpec({ task: baseTask(), owner: 'o', dockerName: 'p', image: 'berth/pause:1', networkName: 'berth-awsvpc' });
    assertSubset(plain as unknown as Record<string, unknown>, { dnsServers: absent, dnsSearchDomains: absent });
  });

  it('lets the network pick the address when none is given', () => {
    const spec = pauseSpec({ task: baseTask(), owner: 'o', dockerName: 'p', image: 'berth/pause:1', networkName: 'berth-awsvpc' });
    assert.deepEqual(spec.network, { mode: 'network', name: 'berth-awsvpc' });
    assert.equal(spec.hostname, undefined);
  });
});

describe('dockerNameFor', () => {
  const table: [family: string, container: string, suffix: string, expected: string][] = [
    ['web', 'app', 'a1b2', 'ecs-web-3-app-a1b2'],
    ['my_family.v2', 'side car', 'ff', 'ecs-my_family.v2-3-side-car-ff'],
    ['web', '~internal~ecs~pause', '01', 'ecs-web-3-internal-ecs-pause-01'],
  ];
  for (const [family, container, suffix, expected] of table) {
    it(`${family} / ${container} → ${expected}`, () => {
      const task = baseTask();
      assert.equal(dockerNameFor({ ...task, definition: { ...task.definition, family } }, container, suffix), expected);
    });
  }

  it('keeps long names within bounds and the suffix intact', () => {
    const task = baseTask();
    const name = dockerNameFor({ ...task, definition: { ...task.definition, family: 'f'.repeat(255) } }, 'c'.repeat(255), 'end');
    assert.ok(name.length <= 210, `${name.length} characters`);
    assert.match(name, /^ecs-f+-end$/);
    assert.match(name, /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/);
  });
});
