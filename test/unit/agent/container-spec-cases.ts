/**
 * Container definitions and what each becomes: the neutral ContainerSpec (container-spec.test.ts)
 * and, through it, the Docker create body (docker-spec.test.ts).
 */
import assert from 'node:assert/strict';
import type { ContainerDefinition, ContainerOverride } from '@aws-sdk/client-ecs';
import type { AssignedTask } from '../../../src/agent-channel-protocol/messages.js';
import type { ContainerSpecInput } from '../../../src/agent/runtime/container-spec.js';
import { labels } from '../../../src/agent/runtime/types.js';
import type { Wire } from '../../../src/core/wire.js';

export const mib = 1024 * 1024;
export const second = 1_000_000_000;
/** In an expectation: the key must not be set. */
export const absent = Symbol('absent');

export interface Case {
  title: string;
  container?: Wire<ContainerDefinition>;
  override?: Wire<ContainerOverride>;
  task?: Partial<AssignedTask>;
  input?: Partial<ContainerSpecInput>;
  /** A subset of the ContainerSpec; nested objects are compared key by key. */
  spec: Record<string, unknown>;
  /** A subset of the Docker create body made from that spec. */
  docker: Record<string, unknown>;
}

export type CaseInput = Omit<Case, 'title' | 'spec' | 'docker'>;

export const cases: Case[] = [
  {
    title: 'the minimum: image, labels, bridge, the smallest CPU share, no limits',
    spec: {
      name: 'ecs-web-3-app-0001',
      image: 'busybox:1',
      labels: {
        [labels.taskArn]: 'arn:aws:ecs:us-east-1:000000000000:task/dev/0123456789abcdef',
        [labels.containerName]: 'app',
        [labels.cluster]: 'arn:aws:ecs:us-east-1:000000000000:cluster/dev',
        [labels.family]: 'web',
        [labels.revision]: '3',
        [labels.owner]: 'arn:aws:ecs:us-east-1:000000000000:container-instance/dev/abc',
        [labels.role]: 'app',
      },
      environment: [],
      command: absent,
      entrypoint: absent,
      hostname: absent,
      ports: absent,
      interactive: false,
      tty: false,
      network: { mode: 'bridge' },
      resources: { cpuShares: 2, memoryBytes: absent, memoryReservationBytes: absent, nanoCpus: absent },
      mounts: [],
      volumesFrom: [],
      readonlyRootFilesystem: false,
      privileged: false,
    },
    docker: {
      Image: 'busybox:1',
      Labels: {
        [labels.taskArn]: 'arn:aws:ecs:us-east-1:000000000000:task/dev/0123456789abcdef',
        [labels.containerName]: 'app',
        [labels.cluster]: 'arn:aws:ecs:us-east-1:000000000000:cluster/dev',
        [labels.family]: 'web',
        [labels.revision]: '3',
        [labels.owner]: 'arn:aws:ecs:us-east-1:000000000000:container-instance/dev/abc',
        [labels.role]: 'app',
      },
      Env: [],
      Cmd: absent,
      Entrypoint: absent,
      Hostname: absent,
      ExposedPorts: absent,
      OpenStdin: false,
      Tty: false,
      HostConfig: {
        NetworkMode: 'bridge',
        CpuShares: 2,
        Memory: absent,
        MemoryReservation: absent,
        NanoCpus: absent,
        Binds: [],
        VolumesFrom: [],
        ReadonlyRootfs: false,
        Privileged: false,
        PortBindings: absent,
      },
    },
  },
  {
    title: 'command, entryPoint, workingDirectory and user',
    container: { command: ['-c', 'echo hi'], entryPoint: ['sh'], workingDirectory: '/srv', user: '65534:65534' },
    spec: { command: ['-c', 'echo hi'], entrypoint: ['sh'], workingDirectory: '/srv', user: '65534:65534' },
    docker: { Cmd: ['-c', 'echo hi'], Entrypoint: ['sh'], WorkingDir: '/srv', User: '65534:65534' },
  },
  {
    title: 'environment: the override wins over the definition, the agent over both',
    container: { environment: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
    override: { environment: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }], environmentFiles: [{ type: 's3', value: 'arn:aws:s3:::b/x.env' }] },
    input: { extraEnvironment: { A: 'agent', ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/x' } },
    spec: {
      environment: [
        { name: 'A', value: 'agent' },
        { name: 'B', value: '3' },
        { name: 'C', value: '4' },
        { name: 'ECS_CONTAINER_METADATA_URI_V4', value: 'http://169.254.170.2/v4/x' },
      ],
    },
    docker: { Env: ['A=agent', 'B=3', 'C=4', 'ECS_CONTAINER_METADATA_URI_V4=http://169.254.170.2/v4/x'] },
  },
  {
    title: 'overrides of command, cpu, memory and memoryReservation',
    container: { command: ['old'], cpu: 128, memory: 256, memoryReservation: 128 },
    override: { command: ['new', 'args'], cpu: 512, memory: 1024, memoryReservation: 768 },
    spec: { command: ['new', 'args'], resources: { cpuShares: 512, memoryBytes: 1024 * mib, memoryReservationBytes: 768 * mib } },
    docker: { Cmd: ['new', 'args'], HostConfig: { CpuShares: 512, Memory: 1024 * mib, MemoryReservation: 768 * mib } },
  },
  { title: 'cpu 0 and 1 become the smallest share, 2', container: { cpu: 1 }, spec: { resources: { cpuShares: 2 } }, docker: { HostConfig: { CpuShares: 2 } } },
  {
    title: 'cpu, memory and memoryReservation of the definition',
    container: { cpu: 256, memory: 512, memoryReservation: 256 },
    spec: { resources: { cpuShares: 256, memoryBytes: 512 * mib, memoryReservationBytes: 256 * mib, nanoCpus: absent } },
    docker: { HostConfig: { CpuShares: 256, Memory: 512 * mib, MemoryReservation: 256 * mib, NanoCpus: absent } },
  },
  {
    title: 'task limits: a container with no memory or cpu of its own gets the task\'s',
    task: { definition: { ...baseTask().definition, cpu: '512', memory: '1024' } },
    spec: { resources: { memoryBytes: 1024 * mib, nanoCpus: 0.5 * second, cpuShares: 2 } },
    docker: { HostConfig: { Memory: 1024 * mib, NanoCpus: 0.5 * second, CpuShares: 2 } },
  },
  {
    title: 'task limits: the container\'s own memory and cpu share stand, capped at the task\'s vCPUs',
    task: { definition: { ...baseTask().definition, cpu: '1024', memory: '2048' } },
    container: { cpu: 256, memory: 512 },
    spec: { resources: { memoryBytes: 512 * mib, nanoCpus: 1 * second, cpuShares: 256 } },
    docker: { HostConfig: { Memory: 512 * mib, NanoCpus: 1 * second, CpuShares: 256 } },
  },
  {
    title: 'task limits: a memoryReservation alone is capped at the task memory',
    task: { definition: { ...baseTask().definition, cpu: '256', memory: '512' } },
    container: { memoryReservation: 128 },
    spec: { resources: { memoryBytes: 512 * mib, memoryReservationBytes: 128 * mib, nanoCpus: 0.25 * second } },
    docker: { HostConfig: { Memory: 512 * mib, MemoryReservation: 128 * mib, NanoCpus: 0.25 * second } },
  },
  {
    title: 'task limits: task-level overrides win, in vCPU and GB forms too',
    task: { definition: { ...baseTask().definition, cpu: '256', memory: '512' }, overrides: { cpu: '2 vCPU', memory: '4 GB' } },
    spec: { resources: { memoryBytes: 4096 * mib, nanoCpus: 2 * second } },
    docker: { HostConfig: { Memory: 4096 * mib, NanoCpus: 2 * second } },
  },
  {
    title: 'task limits and a task cgroup: the containers are created inside it',
    task: { definition: { ...baseTask().definition, cpu: '512', memory: '1024' } },
    input: { cgroupParent: '/berth/abc' },
    spec: { resources: { cgroupParent: '/berth/abc', memoryBytes: 1024 * mib, nanoCpus: 0.5 * second } },
    docker: { HostConfig: { CgroupParent: '/berth/abc', Memory: 1024 * mib, NanoCpus: 0.5 * second } },
  },
  {
    title: 'the task\'s own cpu and memory (sums of its containers\' on EC2) are no limits; neither is a task-level 0',
    task: { cpu: '0', memory: '256', definition: { ...baseTask().definition, cpu: '0' } },
    container: { memoryReservation: 128 },
    spec: { resources: { memoryBytes: absent, nanoCpus: absent, memoryReservationBytes: 128 * mib } },
    docker: { HostConfig: { Memory: absent, NanoCpus: absent, MemoryReservation: 128 * mib } },
  },
  {
    title: 'no task limits: no limit the container did not ask for, and no task cgroup',
    spec: { resources: { memoryBytes: absent, nanoCpus: absent, cgroupParent: absent } },
    docker: { HostConfig: { Memory: absent, NanoCpus: absent, CgroupParent: absent } },
  },
  {
    title: 'ulimits',
    container: { ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 4096 }, { name: 'core', softLimit: 0, hardLimit: 0 }] },
    spec: { ulimits: [{ name: 'nofile', soft: 1024, hard: 4096 }, { name: 'core', soft: 0, hard: 0 }] },
    docker: { HostConfig: { Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 4096 }, { Name: 'core', Soft: 0, Hard: 0 }] } },
  },
  {
    title: 'readonlyRootFilesystem, privileged and dockerSecurityOptions',
    container: { readonlyRootFilesystem: true, privileged: true, dockerSecurityOptions: ['no-new-privileges', 'label:type:svirt_lxc_net_t'] },
    spec: { readonlyRootFilesystem: true, privileged: true, securityOptions: ['no-new-privileges', 'label:type:svirt_lxc_net_t'] },
    docker: { HostConfig: { ReadonlyRootfs: true, Privileged: true, SecurityOpt: ['no-new-privileges', 'label:type:svirt_lxc_net_t'] } },
  },
  {
    title: 'linuxParameters: capabilities, init, tmpfs, shared memory and devices',
    container: {
      linuxParameters: {
        capabilities: { add: ['NET_ADMIN', 'SYS_TIME'], drop: ['MKNOD'] },
        initProcessEnabled: true,
        tmpfs: [
          { containerPath: '/run', size: 64, mountOptions: ['rw', 'noexec'] },
          { containerPath: '/scratch', size: 16 },
        ],
        sharedMemorySize: 128,
        devices: [
          { hostPath: '/dev/fuse' },
          { hostPath: '/dev/null', containerPath: '/dev/mynull', permissions: ['read', 'write'] },
        ],
      },
    },
    spec: {
      capabilities: { add: ['NET_ADMIN', 'SYS_TIME'], drop: ['MKNOD'] },
      init: true,
      tmpfs: [
        { containerPath: '/run', options: ['rw', 'noexec'], sizeMiB: 64 },
        { containerPath: '/scratch', options: [], sizeMiB: 16 },
      ],
      resources: { sharedMemoryBytes: 128 * mib },
      devices: [
        { hostPath: '/dev/fuse', containerPath: '/dev/fuse', permissions: 'rwm' },
        { hostPath: '/dev/null', containerPath: '/dev/mynull', permissions: 'rw' },
      ],
    },
    docker: {
      HostConfig: {
        CapAdd: ['NET_ADMIN', 'SYS_TIME'],
        CapDrop: ['MKNOD'],
        Init: true,
        Tmpfs: { '/run': 'rw,noexec,size=64m', '/scratch': 'size=16m' },
        ShmSize: 128 * mib,
        Devices: [
          { PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' },
          { PathOnHost: '/dev/null', PathInContainer: '/dev/mynull', CgroupPermissions: 'rw' },
        ],
      },
    },
  },
  {
    title: 'linuxParameters: maxSwap and swappiness with a hard memory limit',
    container: { memory: 256, linuxParameters: { maxSwap: 512, swappiness: 10 } },
    spec: { resources: { memoryBytes: 256 * mib, memorySwapBytes: 768 * mib, memorySwappiness: 10 } },
    docker: { HostConfig: { Memory: 256 * mib, MemorySwap: 768 * mib, MemorySwappiness: 10 } },
  },
  {
    title: 'linuxParameters: maxSwap without a hard memory limit is ignored, as in ECS',
    container: { memoryReservation: 256, linuxParameters: { maxSwap: 512, swappiness: 10 } },
    spec: { resources: { memorySwapBytes: absent, memorySwappiness: absent } },
    docker: { HostConfig: { MemorySwap: absent, MemorySwappiness: absent } },
  },
  {
    title: 'extraHosts, hostname, dnsServers and dnsSearchDomains in bridge mode',
    container: {
      extraHosts: [{ hostname: 'db.internal', ipAddress: '10.0.0.5' }],
      hostname: 'web-1',
      dnsServers: ['10.0.0.2', '1.1.1.1'],
      dnsSearchDomains: ['example.internal'],
    },
    spec: {
      hostname: 'web-1',
      extraHosts: [{ hostname: 'db.internal', ipAddress: '10.0.0.5' }],
      dnsServers: ['10.0.0.2', '1.1.1.1'],
      dnsSearchDomains: ['example.internal'],
    },
    docker: {
      Hostname: 'web-1',
      HostConfig: { ExtraHosts: ['db.internal:10.0.0.5'], Dns: ['10.0.0.2', '1.1.1.1'], DnsSearch: ['example.internal'] },
    },
  },
  {
    title: 'interactive and pseudoTerminal',
    container: { interactive: true, pseudoTerminal: true },
    spec: { interactive: true, tty: true },
    docker: { OpenStdin: true, Tty: true },
  },
  { title: 'stopTimeout', container: { stopTimeout: 45 }, spec: { stopTimeoutSeconds: 45, stopSignal: absent }, docker: { StopTimeout: 45 } },
  { title: 'disableNetworking', container: { disableNetworking: true }, spec: { networkDisabled: true }, docker: { NetworkDisabled: true } },
  {
    title: 'healthCheck in the CMD-SHELL form, every value given',
    container: { healthCheck: { command: ['CMD-SHELL', 'wget -q -O /dev/null localhost:8080 || exit 1'], interval: 10, timeout: 2, retries: 5, startPeriod: 30 } },
    spec: {
      healthCheck: {
        command: ['CMD-SHELL', 'wget -q -O /dev/null localhost:8080 || exit 1'],
        intervalSeconds: 10,
        timeoutSeconds: 2,
        retries: 5,
        startPeriodSeconds: 30,
      },
    },
    docker: {
      Healthcheck: {
        Test: ['CMD-SHELL', 'wget -q -O /dev/null localhost:8080 || exit 1'],
        Interval: 10 * second,
        Timeout: 2 * second,
        Retries: 5,
        StartPeriod: 30 * second,
      },
    },
  },
  {
    title: 'healthCheck in the CMD form takes ECS\'s defaults (timeout 5 s, not Docker\'s 30 s)',
    container: { healthCheck: { command: ['CMD', '/bin/check', '--quick'] } },
    spec: { healthCheck: { command: ['CMD', '/bin/check', '--quick'], intervalSeconds: 30, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 0 } },
    docker: { Healthcheck: { Test: ['CMD', '/bin/check', '--quick'], Interval: 30 * second, Timeout: 5 * second, Retries: 3, StartPeriod: 0 } },
  },
  {
    title: 'mountPoints: host paths and Docker volumes, read-only with :ro',
    container: {
      mountPoints: [
        { sourceVolume: 'config', containerPath: '/etc/app', readOnly: true },
        { sourceVolume: 'data', containerPath: '/var/lib/app' },
      ],
    },
    input: { volumes: new Map([['config', { hostPath: '/srv/config' }], ['data', { dockerVolume: 'ecs-web-3-data-abc' }]]) },
    spec: {
      mounts: [
        { source: { hostPath: '/srv/config' }, containerPath: '/etc/app', readOnly: true },
        { source: { volume: 'ecs-web-3-data-abc' }, containerPath: '/var/lib/app', readOnly: false },
      ],
    },
    docker: { HostConfig: { Binds: ['/srv/config:/etc/app:ro', 'ecs-web-3-data-abc:/var/lib/app'] } },
  },
  {
    title: 'volumesFrom by Docker id, read-only with :ro',
    container: { volumesFrom: [{ sourceContainer: 'sidecar', readOnly: true }, { sourceContainer: 'data' }] },
    input: { containerIds: new Map([['sidecar', 'id-sidecar'], ['data', 'id-data']]) },
    spec: { volumesFrom: [{ containerId: 'id-sidecar', readOnly: true }, { containerId: 'id-data', readOnly: false }] },
    docker: { HostConfig: { VolumesFrom: ['id-sidecar:ro', 'id-data'] } },
  },
  {
    title: 'portMappings in bridge mode: ephemeral, static, udp, ranges, one container port bound twice',
    container: {
      portMappings: [
        { containerPort: 80 },
        { containerPort: 443, hostPort: 8443, protocol: 'tcp' },
        { containerPort: 53, hostPort: 0, protocol: 'udp' },
        { containerPortRange: '9000-9002', protocol: 'tcp' },
        { containerPort: 80, hostPort: 8080 },
      ],
    },
    spec: {
      ports: [
        { containerPort: 80, protocol: 'tcp' },
        { containerPort: 443, protocol: 'tcp', hostPort: 8443 },
        { containerPort: 53, protocol: 'udp' },
        { containerPort: 9000, protocol: 'tcp' },
        { containerPort: 9001, protocol: 'tcp' },
        { containerPort: 9002, protocol: 'tcp' },
        { containerPort: 80, protocol: 'tcp', hostPort: 8080 },
      ],
    },
    docker: {
      ExposedPorts: { '80/tcp': {}, '443/tcp': {}, '53/udp': {}, '9000/tcp': {}, '9001/tcp': {}, '9002/tcp': {} },
      HostConfig: {
        PortBindings: {
          '80/tcp': [{ HostPort: '' }, { HostPort: '8080' }],
          '443/tcp': [{ HostPort: '8443' }],
          '53/udp': [{ HostPort: '' }],
          '9000/tcp': [{ HostPort: '' }],
          '9001/tcp': [{ HostPort: '' }],
          '9002/tcp': [{ HostPort: '' }],
        },
      },
    },
  },
  {
    title: 'host mode: the host\'s network, no port bindings',
    task: { definition: { ...baseTask().definition, networkMode: 'host' } },
    container: { portMappings: [{ containerPort: 80, hostPort: 80 }] },
    input: { network: { mode: 'host' } },
    spec: { network: { mode: 'host' }, ports: absent },
    docker: { ExposedPorts: absent, HostConfig: { NetworkMode: 'host', PortBindings: absent } },
  },
  {
    title: 'awsvpc: joins the pause container; no ports, hostname, hosts or DNS of its own',
    container: {
      portMappings: [{ containerPort: 80 }],
      hostname: 'ignored',
      extraHosts: [{ hostname: 'db', ipAddress: '10.0.0.5' }],
      dnsServers: ['10.0.0.2'],
      dnsSearchDomains: ['example.internal'],
    },
    input: { network: { mode: 'awsvpc', pauseContainerId: 'pause-id' } },
    spec: {
      network: { mode: 'container', containerId: 'pause-id' },
      hostname: absent,
      ports: absent,
      extraHosts: absent,
      dnsServers: absent,
      dnsSearchDomains: absent,
    },
    docker: {
      Hostname: absent,
      ExposedPorts: absent,
      HostConfig: { NetworkMode: 'container:pause-id', PortBindings: absent, ExtraHosts: absent, Dns: absent, DnsSearch: absent },
    },
  },
  {
    title: 'none: no network, no ports',
    container: { portMappings: [{ containerPort: 80 }] },
    input: { network: { mode: 'none' } },
    spec: { network: { mode: 'none' }, ports: absent },
    docker: { ExposedPorts: absent, HostConfig: { NetworkMode: 'none', PortBindings: absent } },
  },
  {
    title: 'secrets resolved by the control plane: after the environment and overrides, before the agent\'s own variables',
    container: { environment: [{ name: 'TOKEN', value: 'plain' }, { name: 'A', value: '1' }] },
    task: { secretEnvironment: { app: { TOKEN: 's3cret', AWS_REGION: 'forged' }, other: { X: 'not mine' } } },
    input: { extraEnvironment: { AWS_REGION: 'us-east-1' } },
    spec: {
      environment: [
        { name: 'TOKEN', value: 's3cret' },
        { name: 'A', value: '1' },
        { name: 'AWS_REGION', value: 'us-east-1' },
      ],
    },
    docker: { Env: ['TOKEN=s3cret', 'A=1', 'AWS_REGION=us-east-1'] },
  },
  {
    title: 'logConfiguration: the driver and its options go to Docker as given',
    container: { logConfiguration: { logDriver: 'syslog', options: { 'syslog-address': 'udp://127.0.0.1:514', tag: 'web' } } },
    spec: { log: { driver: 'syslog', options: { 'syslog-address': 'udp://127.0.0.1:514', tag: 'web' } } },
    docker: { HostConfig: { LogConfig: { Type: 'syslog', Config: { 'syslog-address': 'udp://127.0.0.1:514', tag: 'web' } } } },
  },
  {
    title: 'awslogs: Docker keeps the output in json-file, and the agent ships it (its options are the agent\'s, not Docker\'s)',
    container: { logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'web' } } },
    spec: { log: { driver: 'json-file', options: {} } },
    docker: { HostConfig: { LogConfig: { Type: 'json-file', Config: {} } } },
  },
  { title: 'no logConfiguration: the engine\'s default driver', spec: { log: absent, pidMode: absent, ipcMode: absent }, docker: { HostConfig: { LogConfig: absent, PidMode: absent, IpcMode: absent } } },
  {
    title: 'pidMode and ipcMode host: the host\'s namespaces',
    task: { definition: { ...baseTask().definition, pidMode: 'host', ipcMode: 'host' } },
    spec: { pidMode: 'host', ipcMode: 'host' },
    docker: { HostConfig: { PidMode: 'host', IpcMode: 'host' } },
  },
  {
    title: 'systemControls: Docker sysctls of the container\'s own namespaces',
    container: { systemControls: [{ namespace: 'net.core.somaxconn', value: '1024' }, { namespace: 'kernel.shm_rmid_forced', value: '1' }] },
    spec: { sysctls: { 'net.core.somaxconn': '1024', 'kernel.shm_rmid_forced': '1' } },
    docker: { HostConfig: { Sysctls: { 'net.core.somaxconn': '1024', 'kernel.shm_rmid_forced': '1' } } },
  },
  {
    title: 'systemControls in awsvpc: net.* belong to the pause container\'s namespace, the rest stay',
    container: { systemControls: [{ namespace: 'net.core.somaxconn', value: '1024' }, { namespace: 'kernel.shm_rmid_forced', value: '1' }] },
    input: { network: { mode: 'awsvpc', pauseContainerId: 'pause-id' } },
    spec: { sysctls: { 'kernel.shm_rmid_forced': '1' } },
    docker: { HostConfig: { Sysctls: { 'kernel.shm_rmid_forced': '1' } } },
  },
  { title: 'ipcMode none', task: { definition: { ...baseTask().definition, ipcMode: 'none' } }, spec: { ipcMode: 'none' }, docker: { HostConfig: { IpcMode: 'none' } } },
  {
    title: 'dockerLabels are kept, but cannot overwrite Berth\'s labels',
    container: { dockerLabels: { team: 'payments', [labels.owner]: 'forged', [labels.role]: 'pause' } },
    spec: { labels: { team: 'payments', [labels.owner]: 'arn:aws:ecs:us-east-1:000000000000:container-instance/dev/abc', [labels.role]: 'app' } },
    docker: { Labels: { team: 'payments', [labels.owner]: 'arn:aws:ecs:us-east-1:000000000000:container-instance/dev/abc', [labels.role]: 'app' } },
  },
];

export function baseTask(): AssignedTask {
  return {
    taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/dev/0123456789abcdef',
    clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/dev',
    desiredStatus: 'RUNNING',
    lastStatus: 'PENDING',
    launchType: 'EC2',
    definition: { family: 'web', revision: 3, networkMode: 'bridge', containerDefinitions: [{ name: 'app', image: 'busybox:1' }] },
    overrides: {},
    containers: [{ name: 'app' }],
  };
}

export function input(testCase: CaseInput): ContainerSpecInput {
  const task = { ...baseTask(), ...testCase.task };
  const definition = { ...task.definition, containerDefinitions: [{ name: 'app', image: 'busybox:1', ...testCase.container }] };
  const overrides = testCase.override ? { ...task.overrides, containerOverrides: [{ name: 'app', ...testCase.override }] } : task.overrides;
  return {
    task: { ...task, definition, overrides },
    containerName: 'app',
    owner: 'arn:aws:ecs:us-east-1:000000000000:container-instance/dev/abc',
    dockerName: 'ecs-web-3-app-0001',
    network: { mode: 'bridge' },
    extraEnvironment: {},
    volumes: new Map(),
    containerIds: new Map(),
    ...testCase.input,
  };
}

export function assertSubset(actual: Record<string, unknown>, expected: Record<string, unknown>, path = ''): void {
  for (const [key, value] of Object.entries(expected)) {
    const where = `${path}${key}`;
    if (value === absent) {
      assert.equal(key in actual, false, `${where} should not be set, got ${JSON.stringify(actual[key])}`);
    } else if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
      const nested = actual[key];
      assert.ok(nested !== null && typeof nested === 'object', `${where} should be an object, got ${JSON.stringify(nested)}`);
      assertSubset(nested as Record<string, unknown>, value as Record<string, unknown>, `${where}.`);
    } else {
      assert.deepEqual(actual[key], value, where);
    }
  }
}
