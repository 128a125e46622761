/**
 * Berth's ContainerSpec → the Docker create body. Each case's spec is made by containerSpec from a
 * container definition (container-spec-cases.ts), so these are the bodies the engine receives.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerSpec, pauseContainerName, pauseSpec } from '../../../src/agent/runtime/container-spec.js';
import { dockerCreateBody } from '../../../src/agent/runtime/docker-spec.js';
import { labels } from '../../../src/agent/runtime/types.js';
import { absent, assertSubset, baseTask, cases, input } from './container-spec-cases.js';

describe('dockerCreateBody of a task container', () => {
  for (const testCase of cases) {
    it(testCase.title, () => {
      assertSubset(dockerCreateBody(containerSpec(input(testCase))), testCase.docker);
    });
  }

  it('leaves out what the spec leaves out, so the engine\'s defaults apply', () => {
    const body = dockerCreateBody({ name: 'n', image: 'busybox:1', labels: {}, network: { mode: 'host' } });
    assert.deepEqual(body, { Image: 'busybox:1', Labels: {}, HostConfig: { NetworkMode: 'host' } });
  });
});

describe('dockerCreateBody of a pause container', () => {
  it('puts it on the awsvpc network with the task\'s address and hostname', () => {
    const body = dockerCreateBody(
      pauseSpec({
        task: baseTask(),
        owner: 'fargate-host-1',
        dockerName: 'ecs-web-3-internalecspause-0001',
        image: 'berth/pause:1',
        networkName: 'berth-awsvpc',
        ipv4Address: '10.221.0.17',
        hostname: 'ip-10-221-0-17',
      }),
    );
    assertSubset(body, {
      Image: 'berth/pause:1',
      Hostname: 'ip-10-221-0-17',
      Labels: { [labels.role]: 'pause', [labels.owner]: 'fargate-host-1', [labels.containerName]: pauseContainerName, [labels.family]: 'web' },
      ExposedPorts: absent,
      StopSignal: 'SIGKILL',
      HostConfig: { NetworkMode: 'berth-awsvpc', PortBindings: absent },
      NetworkingConfig: { EndpointsConfig: { 'berth-awsvpc': { IPAMConfig: { IPv4Address: '10.221.0.17' } } } },
    });
  });

  it('holds the net.* systemControls of every container of the task; the last container wins a disagreement', () => {
    const task = baseTask();
    task.definition.containerDefinitions = [
      { name: 'a', image: 'busybox:1', systemControls: [{ namespace: 'net.core.somaxconn', value: '512' }, { namespace: 'kernel.sem', value: '250 32000 32 128' }] },
      { name: 'b', image: 'busybox:1', systemControls: [{ namespace: 'net.core.somaxconn', value: '1024' }, { namespace: 'net.ipv4.tcp_syncookies', value: '0' }] },
    ];
    const body = dockerCreateBody(pauseSpec({ task, owner: 'o', dockerName: 'p', image: 'berth/pause:1', networkName: 'berth-awsvpc' }));
    assert.deepEqual((body.HostConfig as Record<string, unknown>).Sysctls, { 'net.core.somaxconn': '1024', 'net.ipv4.tcp_syncookies': '0' });
    const plain = dockerCreateBody(pauseSpec({ task: baseTask(), owner: 'o', dockerName: 'p', image: 'berth/pause:1', networkName: 'berth-awsvpc' }));
    assert.equal((plain.HostConfig as Record<string, unknown>).Sysctls, undefined);
  });

  it('carries the dnsServers and dnsSearchDomains of the task\'s containers, which share its resolv.conf', () => {
    const task = baseTask();
    task.definition.containerDefinitions = [
      { name: 'a', image: 'busybox:1', dnsServers: ['10.0.0.2'], dnsSearchDomains: ['a.internal'] },
      { name: 'b', image: 'busybox:1', dnsServers: ['10.0.0.2', '10.0.0.3'] },
    ];
    const body = dockerCreateBody(pauseSpec({ task, owner: 'o', dockerName: 'p', image: 'berth/pause:1', networkName: 'berth-awsvpc' }));
    assertSubset(body, { HostConfig: { Dns: ['10.0.0.2', '10.0.0.3'], DnsSearch: ['a.internal'] } });
    const plain = dockerCreateBody(pauseSpec({ task: baseTask(), owner: 'o', dockerName: 'p', image: 'berth/pause:1', networkName: 'berth-awsvpc' }));
    assertSubset(plain, { HostConfig: { Dns: absent, DnsSearch: absent } });
  });

  it('lets the network pick the address when none is given', () => {
    const body = dockerCreateBody(pauseSpec({ task: baseTask(), owner: 'o', dockerName: 'p', image: 'berth/pause:1', networkName: 'berth-awsvpc' }));
    assert.deepEqual(body.NetworkingConfig, { EndpointsConfig: { 'berth-awsvpc': {} } });
    assert.equal(body.Hostname, undefined);
  });
});
