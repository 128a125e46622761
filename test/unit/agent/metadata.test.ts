import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { AssignedTask } from '../../../src/agent-channel-protocol/messages.js';
import { NetworkRates } from '../../../src/agent/metadata/network-rates.js';
import { containerResponse, rfc3339, taskResponse } from '../../../src/agent/metadata/responses.js';
import { startMetadataServer, type MetadataServer } from '../../../src/agent/metadata/server.js';
import type { MetadataSource, MetadataTaskView } from '../../../src/agent/metadata/types.js';
import { labels, type ObservedContainer } from '../../../src/agent/runtime/types.js';
import { ManualClock } from '../../../src/core/clock.js';

const account = '111122223333';
const clusterArn = `arn:aws:ecs:us-west-2:${account}:cluster/default`;

function ecsLabels(taskArn: string, name: string, family: string, revision: number): Record<string, string> {
  return {
    [labels.cluster]: 'default',
    [labels.containerName]: name,
    [labels.taskArn]: taskArn,
    [labels.family]: family,
    [labels.revision]: String(revision),
    [labels.owner]: `arn:aws:ecs:us-west-2:${account}:container-instance/default/0123`,
    [labels.role]: 'app',
  };
}

function observed(fields: Partial<ObservedContainer> & Pick<ObservedContainer, 'id' | 'name' | 'labels'>): ObservedContainer {
  return { state: 'running', oomKilled: false, image: 'unused', ports: [], networks: [], ...fields };
}

/** EC2, bridge: a web container publishing port 80 and a sidecar that exited. */
function bridgeView(): MetadataTaskView {
  const taskArn = `arn:aws:ecs:us-west-2:${account}:task/default/8f03e41243824aea923aca126495f665`;
  const task: AssignedTask = {
    taskArn,
    clusterArn,
    desiredStatus: 'RUNNING',
    lastStatus: 'RUNNING',
    launchType: 'EC2',
    availabilityZone: 'us-west-2a',
    definition: {
      family: 'curltest',
      revision: 24,
      networkMode: 'bridge',
      containerDefinitions: [
        {
          name: 'web',
          image: 'nginx:1.27',
          cpu: 10,
          memory: 128,
          portMappings: [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }],
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/metadata', 'awslogs-region': 'us-west-2' } },
          healthCheck: { command: ['CMD-SHELL', 'true'] },
        },
        { name: 'sidecar', image: 'busybox', essential: false },
      ],
    },
    overrides: { containerOverrides: [{ name: 'sidecar', memory: 64 }] },
    containers: [
      { name: 'web', containerArn: `arn:aws:ecs:us-west-2:${account}:container/default/8f03/web-1`, lastStatus: 'RUNNING' },
      { name: 'sidecar', containerArn: `arn:aws:ecs:us-west-2:${account}:container/default/8f03/sidecar-1`, lastStatus: 'STOPPED' },
    ],
  };
  return {
    task,
    knownStatus: 'RUNNING',
    networkMode: 'bridge',
    pullStartedAt: new Date('2020-10-02T00:43:06.202Z'),
    pullStoppedAt: new Date('2020-10-02T00:43:06.310Z'),
    containers: [
      {
        name: 'web',
        knownStatus: 'RUNNING',
        createdAt: new Date('2020-10-02T00:15:07.620Z'),
        observed: observed({
          id: 'a'.repeat(64),
          name: 'ecs-curltest-24-web-1',
          labels: ecsLabels(taskArn, 'web', 'curltest', 24),
          image: 'nginx:1.27',
          imageDigest: 'sha256:d691',
          startedAt: new Date('2020-10-02T00:15:08Z'),
          health: 'healthy',
          ports: [{ containerPort: 80, hostPort: 32768, protocol: 'tcp', bindIP: '0.0.0.0' }],
          networks: [{ network: 'bridge', ipAddress: '172.17.0.2', macAddress: '02:42:ac:11:00:02', gateway: '172.17.0.1' }],
        }),
      },
      {
        name: 'sidecar',
        knownStatus: 'STOPPED',
        observed: observed({
          id: 'b'.repeat(64),
          name: 'ecs-curltest-24-sidecar-1',
          labels: ecsLabels(taskArn, 'sidecar', 'curltest', 24),
          state: 'exited',
          exitCode: 1,
          startedAt: new Date('2020-10-02T00:15:08Z'),
          finishedAt: new Date('2020-10-02T00:15:09.5Z'),
          networks: [{ network: 'bridge', ipAddress: '', macAddress: '', gateway: '' }],
        }),
      },
    ],
  };
}

/** An awsvpc task with its pause container listed, on EC2 or FARGATE. */
function awsvpcView(launchType: 'EC2' | 'FARGATE'): MetadataTaskView {
  const taskArn = `arn:aws:ecs:us-west-2:${account}:task/default/cd189a933e5849daa93386466019ab50`;
  const task: AssignedTask = {
    taskArn,
    clusterArn,
    desiredStatus: 'RUNNING',
    lastStatus: 'RUNNING',
    launchType,
    cpu: '256',
    memory: '512',
    definition: {
      family: 'api',
      revision: 2,
      networkMode: 'awsvpc',
      ephemeralStorage: { sizeInGiB: 30 },
      containerDefinitions: [{ name: 'api', image: 'public.ecr.aws/docker/library/httpd:latest', cpu: 0, portMappings: [{ containerPort: 8080 }] }],
    },
    overrides: {},
    containers: [{ name: 'api', containerArn: `arn:aws:ecs:us-west-2:${account}:container/default/cd18/api-1`, lastStatus: 'RUNNING' }],
    networkInterface: { attachmentId: 'eni-attach-1', subnetId: 'subnet-1' },
  };
  return {
    task,
    knownStatus: 'RUNNING',
    networkMode: 'awsvpc',
    serviceName: 'api-service',
    ephemeralStorageUtilizedMiB: 261,
    clockDrift: { clockErrorBoundMs: 0.446931, referenceTimestamp: new Date('2023-07-21T16:09:17.250Z'), synchronized: true },
    networkInterface: { privateIPv4Address: '10.0.2.100', macAddress: '0e:9e:32:c7:48:85', subnetCidr: '10.0.2.0/24', gateway: '10.0.2.1' },
    containers: [
      {
        name: '~internal~ecs~pause',
        knownStatus: 'RESOURCES_PROVISIONED',
        observed: observed({ id: 'c'.repeat(64), name: 'ecs-api-2-pause', labels: { ...ecsLabels(taskArn, '~internal~ecs~pause', 'api', 2), [labels.role]: 'pause' } }),
      },
      {
        name: 'api',
        knownStatus: 'RUNNING',
        observed: observed({ id: 'd'.repeat(64), name: 'ecs-api-2-api', labels: ecsLabels(taskArn, 'api', 'api', 2), imageDigest: 'sha256:8059' }),
      },
    ],
  };
}

describe('rfc3339', () => {
  it('writes times as Go does, without trailing zeros', () => {
    assert.equal(rfc3339(new Date('2020-10-02T00:15:07.620Z')), '2020-10-02T00:15:07.62Z');
    assert.equal(rfc3339(new Date('2020-10-02T00:15:07.123Z')), '2020-10-02T00:15:07.123Z');
    assert.equal(rfc3339(new Date('2020-10-02T00:15:07Z')), '2020-10-02T00:15:07Z');
  });
});

describe('NetworkRates', () => {
  const sample = (read: string, rx: number, tx: number) => ({ read, networks: { eth0: { rx_bytes: rx, tx_bytes: tx }, eth1: { rx_bytes: rx, tx_bytes: tx } } });
  const rate = (stats: Record<string, unknown>) => stats['network_rate_stats'];

  it('sums interfaces, keeps the rate for a repeated sample and reports 0 after a counter reset', () => {
    const rates = new NetworkRates(new ManualClock());
    assert.deepEqual(rate(rates.annotate('c1', sample('2026-01-01T00:00:00Z', 100, 100))), { rx_bytes_per_sec: 0, tx_bytes_per_sec: 0 });
    assert.deepEqual(rate(rates.annotate('c1', sample('2026-01-01T00:00:04Z', 300, 500))), { rx_bytes_per_sec: 100, tx_bytes_per_sec: 200 });
    assert.deepEqual(rate(rates.annotate('c1', sample('2026-01-01T00:00:04Z', 300, 500))), { rx_bytes_per_sec: 100, tx_bytes_per_sec: 200 });
    assert.deepEqual(rate(rates.annotate('c1', sample('2026-01-01T00:00:05Z', 10, 10))), { rx_bytes_per_sec: 0, tx_bytes_per_sec: 0 });
  });

  it('leaves stats without interface counters alone', () => {
    const stats = { read: '2026-01-01T00:00:00Z', memory_stats: {} };
    assert.equal(new NetworkRates(new ManualClock()).annotate('host-mode', stats), stats);
  });

  it('forgets containers it has not been asked about for a while', () => {
    const clock = new ManualClock();
    const rates = new NetworkRates(clock, 60_000);
    rates.annotate('gone', sample('2026-01-01T00:00:00Z', 0, 0));
    clock.advance(120_000);
    rates.annotate('other', sample('2026-01-01T00:02:00Z', 0, 0));
    assert.deepEqual(rate(rates.annotate('gone', sample('2026-01-01T00:02:00Z', 1_000_000, 0))), { rx_bytes_per_sec: 0, tx_bytes_per_sec: 0 });
  });
});

describe('container and task responses', () => {
  it('describes an EC2 bridge container as ECS does', () => {
    const view = bridgeView();
    const web = containerResponse(view, view.containers[0]!);
    assert.deepEqual(web, {
      DockerId: 'a'.repeat(64),
      Name: 'web',
      DockerName: 'ecs-curltest-24-web-1',
      Image: 'nginx:1.27',
      ImageID: 'sha256:d691',
      Ports: [{ ContainerPort: 80, Protocol: 'tcp', HostPort: 32768, HostIp: '0.0.0.0' }],
      Labels: {
        'com.amazonaws.ecs.cluster': 'default',
        'com.amazonaws.ecs.container-name': 'web',
        'com.amazonaws.ecs.task-arn': view.task.taskArn,
        'com.amazonaws.ecs.task-definition-family': 'curltest',
        'com.amazonaws.ecs.task-definition-version': '24',
      },
      DesiredStatus: 'RUNNING',
      KnownStatus: 'RUNNING',
      Limits: { CPU: 10, Memory: 128 },
      CreatedAt: '2020-10-02T00:15:07.62Z',
      StartedAt: '2020-10-02T00:15:08Z',
      Type: 'NORMAL',
      Health: { status: 'HEALTHY' },
      LogDriver: 'awslogs',
      // ECS's agent adds the stream it writes to; without a prefix, the container's Docker id.
      LogOptions: { 'awslogs-group': '/ecs/metadata', 'awslogs-region': 'us-west-2', 'awslogs-stream': 'a'.repeat(64) },
      ContainerARN: `arn:aws:ecs:us-west-2:${account}:container/default/8f03/web-1`,
      Networks: [{ NetworkMode: 'bridge', IPv4Addresses: ['172.17.0.2'] }],
    });
  });

  it('reports an exited container with its exit code, finish time and overridden limits', () => {
    const view = bridgeView();
    const sidecar = containerResponse(view, view.containers[1]!);
    assert.equal(sidecar.ExitCode, 1);
    assert.equal(sidecar.FinishedAt, '2020-10-02T00:15:09.5Z');
    assert.equal(sidecar.KnownStatus, 'STOPPED');
    assert.deepEqual(sidecar.Limits, { CPU: 2, Memory: 64 });
    assert.deepEqual(sidecar.Networks, [{ NetworkMode: 'bridge' }]);
    assert.equal(sidecar.Ports, undefined);
    assert.equal(sidecar.Health, undefined);
  });

  it('describes an EC2 task with the cluster short name and no task limits when the task has none', () => {
    const body = taskResponse(bridgeView());
    assert.equal(body.Cluster, 'default');
    assert.equal(body.TaskARN, bridgeView().task.taskArn);
    assert.equal(body.Family, 'curltest');
    assert.equal(body.Revision, '24');
    assert.equal(body.DesiredStatus, 'RUNNING');
    assert.equal(body.KnownStatus, 'RUNNING');
    assert.equal(body.Limits, undefined);
    assert.equal(body.PullStartedAt, '2020-10-02T00:43:06.202Z');
    assert.equal(body.PullStoppedAt, '2020-10-02T00:43:06.31Z');
    assert.equal(body.AvailabilityZone, 'us-west-2a');
    assert.equal(body.LaunchType, 'EC2');
    assert.deepEqual(
      body.Containers.map((container) => container.Name),
      ['web', 'sidecar'],
    );
    assert.equal(body.EphemeralStorageMetrics, undefined);
    assert.deepEqual(Object.keys(body), ['Cluster', 'TaskARN', 'Family', 'Revision', 'DesiredStatus', 'KnownStatus', 'PullStartedAt', 'PullStoppedAt', 'AvailabilityZone', 'LaunchType', 'Containers']);
  });

  it('lists the pause container of an EC2 awsvpc task and reports ports at the ENI', () => {
    const body = taskResponse(awsvpcView('EC2'));
    const [pause, api] = body.Containers;
    assert.equal(pause?.Type, 'CNI_PAUSE');
    assert.equal(pause?.DesiredStatus, 'RESOURCES_PROVISIONED');
    assert.equal(pause?.KnownStatus, 'RESOURCES_PROVISIONED');
    assert.deepEqual(api?.Ports, [{ ContainerPort: 8080, Protocol: 'tcp', HostPort: 8080 }]);
    assert.deepEqual(api?.Networks, [
      {
        NetworkMode: 'awsvpc',
        IPv4Addresses: ['10.0.2.100'],
        AttachmentIndex: 0,
        MACAddress: '0e:9e:32:c7:48:85',
        IPv4SubnetCIDRBlock: '10.0.2.0/24',
        SubnetGatewayIpv4Address: '10.0.2.1/24',
      },
    ]);
    assert.equal(body.Cluster, 'default');
    assert.equal(body.EphemeralStorageMetrics, undefined);
  });

  it('describes a FARGATE task as Fargate does', () => {
    const body = taskResponse(awsvpcView('FARGATE'));
    assert.equal(body.Cluster, clusterArn);
    assert.equal(body.ServiceName, 'api-service');
    assert.deepEqual(body.Limits, { CPU: 0.25, Memory: 512 });
    assert.deepEqual(body.ClockDrift, { ClockErrorBound: 0.446931, ReferenceTimestamp: '2023-07-21T16:09:17Z', ClockSynchronizationStatus: 'SYNCHRONIZED' });
    assert.deepEqual(body.EphemeralStorageMetrics, { Utilized: 261, Reserved: 30 * 1024 });
    assert.equal(body.Containers.length, 1, 'the pause container is not listed');
    const [api] = body.Containers;
    assert.equal(api?.Name, 'api');
    assert.equal(api?.DockerName, 'api');
    assert.equal(api?.Ports, undefined);
    assert.deepEqual(api?.Limits, { CPU: 2 });
    assert.equal(api?.ImageID, 'sha256:8059');
    assert.equal(api?.Networks?.[0]?.NetworkMode, 'awsvpc');
  });
});

describe('metadata server', () => {
  const bridge = bridgeView();
  const awsvpc = awsvpcView('EC2');
  const tokens: Record<string, { view: MetadataTaskView; containerName: string }> = {
    'token-web': { view: bridge, containerName: 'web' },
    'token-sidecar': { view: bridge, containerName: 'sidecar' },
    'token-api': { view: awsvpc, containerName: 'api' },
    'token-ghost': { view: bridge, containerName: 'not-in-the-view' },
  };
  let webBytes = 1000;
  let webRead = Date.parse('2026-01-01T00:00:00Z');
  const source: MetadataSource = {
    lookup: (token) => tokens[token],
    stats: async (id) => {
      if (id === 'a'.repeat(64)) {
        return { read: new Date(webRead).toISOString(), id, name: '/ecs-curltest-24-web-1', networks: { eth0: { rx_bytes: webBytes, tx_bytes: webBytes / 2 } } };
      }
      if (id === 'c'.repeat(64)) return { read: '2026-01-01T00:00:00Z', id, networks: { eth0: { rx_bytes: 10, tx_bytes: 20 } } };
      if (id === 'd'.repeat(64)) return { read: '2026-01-01T00:00:00Z', id, memory_stats: { usage: 1 } };
      return undefined;
    },
  };
  let server: MetadataServer;

  before(async () => {
    server = await startMetadataServer({ addresses: ['127.0.0.1'], port: 0, source });
  });
  after(async () => {
    await server.close();
  });

  async function get(token: string, suffix = '', method = 'GET'): Promise<{ status: number; body: unknown; headers: Headers }> {
    const response = await fetch(`${server.uriFor('127.0.0.1', token)}${suffix}`, { method });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
  }

  it('gives the URI containers are told, on the addresses it listens on only', () => {
    assert.ok(server.port !== undefined && server.port > 0);
    assert.equal(server.uriFor('127.0.0.1', 'a/b'), `http://127.0.0.1:${server.port}/v4/a%2Fb`);
    assert.equal(server.uriFor('172.17.0.1', 'abc'), undefined);
  });

  it('brackets an IPv6 address in the URI', async () => {
    const v6 = await startMetadataServer({ addresses: ['::1'], port: 0, source });
    try {
      assert.deepEqual(v6.addresses, ['::1'], 'the IPv6 loopback address is there to listen on');
      assert.equal(v6.uriFor('::1', 'abc'), `http://[::1]:${v6.port}/v4/abc`);
    } finally {
      await v6.close();
    }
  });

  it('serves the container metadata', async () => {
    const { status, body, headers } = await get('token-web');
    assert.equal(status, 200);
    assert.match(headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(body, JSON.parse(JSON.stringify(containerResponse(bridge, bridge.containers[0]!))));
    assert.equal((body as { DockerId: string }).DockerId, 'a'.repeat(64));
  });

  it('serves the task metadata', async () => {
    const { status, body } = await get('token-sidecar', '/task');
    assert.equal(status, 200);
    const task = body as { TaskARN: string; Containers: { Name: string; DockerId: string }[] };
    assert.equal(task.TaskARN, bridge.task.taskArn);
    assert.deepEqual(
      task.Containers.map((container) => container.DockerId),
      ['a'.repeat(64), 'b'.repeat(64)],
    );
  });

  it('serves container stats with network rates computed between samples', async () => {
    const first = await get('token-web', '/stats');
    assert.equal(first.status, 200);
    const firstStats = first.body as Record<string, unknown>;
    assert.equal(firstStats['id'], 'a'.repeat(64));
    assert.deepEqual(firstStats['network_rate_stats'], { rx_bytes_per_sec: 0, tx_bytes_per_sec: 0 });

    webBytes += 4000;
    webRead += 2000;
    const second = await get('token-web', '/stats');
    assert.deepEqual((second.body as Record<string, unknown>)['network_rate_stats'], { rx_bytes_per_sec: 2000, tx_bytes_per_sec: 1000 });
  });

  it('serves task stats keyed by DockerId, empty for containers without stats', async () => {
    const { status, body } = await get('token-web', '/task/stats');
    assert.equal(status, 200);
    const stats = body as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(stats), ['a'.repeat(64), 'b'.repeat(64)]);
    assert.equal(stats['a'.repeat(64)]?.['id'], 'a'.repeat(64));
    assert.deepEqual(stats['b'.repeat(64)], {});
  });

  it('reports the task interface counters for awsvpc containers', async () => {
    const { status, body } = await get('token-api', '/stats');
    assert.equal(status, 200);
    const stats = body as Record<string, unknown>;
    assert.deepEqual(stats['networks'], { eth0: { rx_bytes: 10, tx_bytes: 20 } });
    assert.deepEqual(stats['network_rate_stats'], { rx_bytes_per_sec: 0, tx_bytes_per_sec: 0 });

    const task = await get('token-api', '/task/stats');
    assert.deepEqual(Object.keys(task.body as object), ['c'.repeat(64), 'd'.repeat(64)]);
  });

  it('answers 500 for the stats of a container that has none', async () => {
    const { status, body } = await get('token-sidecar', '/stats');
    assert.equal(status, 500);
    assert.equal(typeof body, 'string');
  });

  it('answers 404 with a JSON error for unknown tokens on every route', async () => {
    for (const suffix of ['', '/task', '/stats', '/task/stats']) {
      const { status, body } = await get('no-such-token', suffix);
      assert.equal(status, 404, suffix);
      assert.equal(typeof body, 'string');
      assert.match(body as string, /no-such-token/);
    }
  });

  it('answers 500 when the token names a container missing from its task', async () => {
    const { status } = await get('token-ghost');
    assert.equal(status, 500);
  });

  it('answers 404 for paths it does not serve', async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/v3/token-web`);
    assert.equal(response.status, 404);
    assert.equal(typeof (await response.json()), 'string');
  });

  it('answers 405 for methods other than GET and HEAD', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const { status, headers } = await get('token-web', '/task', method);
      assert.equal(status, 405, method);
      assert.equal(headers.get('allow'), 'GET, HEAD');
    }
    const head = await get('token-web', '/task', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, undefined);
  });
});

/** Addresses of the documentation range 203.0.113.0/24 that no interface of this host has. */
function absentAddresses(count: number): string[] {
  const local = new Set(Object.values(networkInterfaces()).flatMap((addresses) => (addresses ?? []).map((address) => address.address)));
  const absent: string[] = [];
  for (let host = 1; host < 255 && absent.length < count; host++) if (!local.has(`203.0.113.${host}`)) absent.push(`203.0.113.${host}`);
  return absent;
}

describe('metadata server addresses', { skip: process.platform !== 'linux' && 'needs the whole 127.0.0.0/8 on loopback' }, () => {
  it('listens on one port on every address', async () => {
    const source: MetadataSource = { lookup: () => ({ view: bridgeView(), containerName: 'web' }), stats: async () => undefined };
    const server = await startMetadataServer({ addresses: ['127.0.0.1', '127.0.0.2'], source });
    try {
      for (const address of ['127.0.0.1', '127.0.0.2']) {
        const response = await fetch(server.uriFor(address, 'any')!);
        assert.equal(response.status, 200, address);
        assert.equal(((await response.json()) as { Name: string }).Name, 'web');
      }
    } finally {
      await server.close();
    }
  });

  it('listens on the addresses it can and names each one it cannot, with the reason', async () => {
    const source: MetadataSource = { lookup: () => ({ view: bridgeView(), containerName: 'web' }), stats: async () => undefined };
    // As Docker's bridge gateway is when the engine runs on another machine.
    const [absent] = absentAddresses(1);
    const server = await startMetadataServer({ addresses: [absent!, '127.0.0.1', '127.0.0.2'], source });
    try {
      assert.deepEqual(server.addresses, ['127.0.0.1', '127.0.0.2']);
      assert.equal(server.unavailable.length, 1);
      assert.equal(server.unavailable[0]!.address, absent);
      assert.match(server.unavailable[0]!.reason, /EADDRNOTAVAIL/);
      assert.equal(server.uriFor(absent!, 'any'), undefined);
      for (const address of ['127.0.0.1', '127.0.0.2']) {
        const response = await fetch(server.uriFor(address, 'any')!);
        assert.equal(response.status, 200, address);
      }
    } finally {
      await server.close();
    }
  });

  it('starts listening nowhere rather than failing when no address exists', async () => {
    const source: MetadataSource = { lookup: () => undefined, stats: async () => undefined };
    const absent = absentAddresses(2);
    const server = await startMetadataServer({ addresses: absent, source });
    try {
      assert.equal(server.port, undefined);
      assert.deepEqual(server.addresses, []);
      assert.deepEqual(server.unavailable.map((item) => item.address), absent);
      assert.equal(server.uriFor(absent[0]!, 'any'), undefined);
    } finally {
      await server.close();
    }
  });
});
