/**
 * berth prune and berth down on real Docker. Prune is always scoped with --owner to the containers
 * these tests make: other Berths may run on the same engine, and their containers are not ours to
 * remove.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateClusterCommand, DescribeContainerInstancesCommand, DescribeTasksCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import Docker from 'dockerode';
import { socketPathFromEnvironment } from '../../src/agent/runtime/docker-runtime.js';
import { agentIdentitiesIn } from '../../src/cli/berth-containers.js';
import { testCredentials } from '../helpers/berth.js';
import { startBerthProcess, type BerthProcess } from '../helpers/berth-process.js';
import { eventually, simulatedAgent, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { buildBusyboxImage, dockerAvailable } from '../helpers/images.js';
import { registerInstance } from '../helpers/instances.js';
import { freePort } from '../helpers/ports.js';

const run = promisify(execFile);
const docker = await dockerAvailable();
const engine = new Docker({ socketPath: socketPathFromEnvironment() });
const serverEnv = { ...process.env, BERTH_ROOT_ACCESS_KEY_ID: testCredentials.accessKeyId, BERTH_ROOT_SECRET_ACCESS_KEY: testCredentials.secretAccessKey };
const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, AWS_ENDPOINT_URL: _endpoint, ...cleanEnv } = process.env;
const berth = (args: string[]) => run(process.execPath, ['bin/berth.js', ...args], { env: cleanEnv });
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

async function exists(name: string): Promise<boolean> {
  return engine
    .getContainer(name)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

describe('berth prune', { skip: docker ? false : 'no Docker engine reachable' }, () => {
  let dataDir: string;
  let server: BerthProcess;
  let ecs: ECSClient;
  let fargate: TestAgent;
  const made: string[] = [];
  const owners: Record<'dead' | 'deadById' | 'deadFargate' | 'live' | 'liveById' | 'liveFargate' | 'local', string> = {
    dead: '',
    deadById: '',
    deadFargate: '',
    live: '',
    liveById: '',
    liveFargate: '',
    local: '',
  };
  const names: Record<keyof typeof owners | 'unlabelled' | 'foreign', string> = {
    dead: `berth-prune-dead-${hex(4)}`,
    deadById: `berth-prune-dead-by-id-${hex(4)}`,
    liveById: `berth-prune-live-by-id-${hex(4)}`,
    deadFargate: `berth-prune-dead-fargate-${hex(4)}`,
    live: `berth-prune-live-${hex(4)}`,
    liveFargate: `berth-prune-live-fargate-${hex(4)}`,
    local: `berth-prune-local-${hex(4)}`,
    unlabelled: `berth-prune-unlabelled-${hex(4)}`,
    foreign: `berth-prune-foreign-${hex(4)}`,
  };
  const volume = `berth-prune-volume-${hex(4)}`;
  const scope = () => Object.values(owners).flatMap((owner) => ['--owner', owner]);

  async function create(name: string, labels: Record<string, string>, start: boolean): Promise<void> {
    const container = await engine.createContainer({ name, Image: await buildBusyboxImage(), Cmd: ['sleep', '300'], Labels: labels, StopTimeout: 1 });
    made.push(name);
    if (start) await container.start();
  }
  const berthLabels = (owner: string) => ({ 'dev.berth.owner': owner, 'com.amazonaws.ecs.task-arn': `arn:aws:ecs:us-east-1:000000000000:task/prune/${hex(16)}`, 'dev.berth.role': 'app' });

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'berth-prune-'));
    server = await startBerthProcess(['server', '--port', String(await freePort()), '--data-dir', dataDir, '--log-level', 'warn'], serverEnv);
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    await ecs.send(new CreateClusterCommand({ clusterName: 'prune' }));
    owners.live = (await registerInstance(ecs, { cluster: 'prune' })).containerInstanceArn!;
    // Agents label their containers with their instance id; an instance of that EC2 id in the task's cluster is alive.
    owners.liveById = `i-${hex(8).slice(0, 17)}`;
    await registerInstance(ecs, { cluster: 'prune', instanceId: owners.liveById });
    owners.deadById = `i-${hex(8).slice(0, 17)}`;
    owners.dead = `arn:aws:ecs:us-east-1:000000000000:container-instance/prune/${hex(16)}`;
    owners.deadFargate = `fargate-${hex(8)}`;
    fargate = await startTestAgent({ url: server.url }, simulatedAgent({ mode: 'fargate' }));
    owners.liveFargate = fargate.agent.registration.owner;
    // An agent of this data directory that the control plane does not know: its identity file is enough.
    owners.local = `arn:aws:ecs:us-east-1:000000000000:container-instance/elsewhere/${hex(16)}`;
    mkdirSync(join(dataDir, 'agent'), { recursive: true });
    writeFileSync(join(dataDir, 'agent', 'instance-elsewhere.json'), JSON.stringify({ containerInstanceArn: owners.local, instanceId: 'i-0000000000000loc1' }));

    await create(names.dead, berthLabels(owners.dead), true);
    await create(names.deadFargate, berthLabels(owners.deadFargate), false);
    await create(names.live, berthLabels(owners.live), true);
    await create(names.deadById, berthLabels(owners.deadById), false);
    await create(names.liveById, berthLabels(owners.liveById), false);
    await create(names.liveFargate, berthLabels(owners.liveFargate), false);
    await create(names.local, berthLabels(owners.local), false);
    await create(names.unlabelled, {}, false);
    // The ECS agent's task label without Berth's owner label: not Berth's.
    await create(names.foreign, { 'com.amazonaws.ecs.task-arn': `arn:aws:ecs:us-east-1:000000000000:task/prune/${hex(16)}` }, false);
    await engine.createVolume({ Name: volume, Labels: berthLabels(owners.dead) });
  });

  after(async () => {
    for (const name of made) await engine.getContainer(name).remove({ force: true }).catch(() => undefined);
    await engine.getVolume(volume).remove().catch(() => undefined);
    await fargate?.close();
    ecs?.destroy();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists, on a dry run, the containers of agents that no longer exist, and why, removing nothing', async () => {
    const { stdout } = await berth(['prune', '--dry-run', '--data-dir', dataDir, ...scope()]);
    const line = (name: string) => stdout.split('\n').find((entry) => entry.startsWith(`${name} `));
    assert.match(line(names.dead) ?? '', new RegExp(`${owners.dead.replace(/[/.]/g, '\\$&')} +running +${server.url.replace(/[/.]/g, '\\$&')} has no such container instance$`));
    assert.match(line(names.deadFargate) ?? '', /created +no FARGATE host or container instance of that name is known to/);
    assert.match(line(names.deadById) ?? '', new RegExp(`created +no container instance ${owners.deadById} in cluster 'prune' at `));
    for (const kept of [names.live, names.liveById, names.liveFargate, names.local, names.unlabelled, names.foreign]) assert.equal(line(kept), undefined, `${kept} is not listed`);
    assert.match(stdout, new RegExp(`^volume ${volume} `, 'm'));
    assert.match(stdout, /dry run: would remove 3 container\(s\) and 1 volume\(s\)/);
    for (const name of Object.values(names)) assert.ok(await exists(name), `${name} is still there`);
  });

  it('removes them, and keeps those of live agents and every container without Berth’s labels', async () => {
    const { stdout } = await berth(['prune', '--data-dir', dataDir, ...scope()]);
    assert.match(stdout, new RegExp(`berth prune: stopped ${names.dead} `));
    assert.match(stdout, /removed 3 container\(s\) and 1 volume\(s\)/);
    assert.equal(await exists(names.dead), false);
    assert.equal(await exists(names.deadById), false);
    assert.equal(await exists(names.deadFargate), false);
    for (const kept of [names.live, names.liveById, names.liveFargate, names.local, names.unlabelled, names.foreign]) assert.ok(await exists(kept), `${kept} is kept`);
    assert.equal(
      await engine
        .getVolume(volume)
        .inspect()
        .then(
          () => true,
          () => false,
        ),
      false,
    );
  });

  it('counts only the data directory’s agents when no control plane answers, and says so', async () => {
    await fargate.stop();
    await server.stop();
    const { stdout } = await berth(['prune', '--dry-run', '--data-dir', dataDir, ...scope()]);
    assert.match(stdout, /no control plane answers at http:\/\/127\.0\.0\.1:\d+: only the agents of/);
    const listed = stdout.split('\n').map((entry) => entry.split(' ')[0]);
    assert.ok(listed.includes(names.live) && listed.includes(names.liveFargate));
    assert.ok(!listed.includes(names.local) && !listed.includes(names.unlabelled) && !listed.includes(names.foreign));
  });
});

describe('berth up with agent options, then berth down', { skip: docker ? false : 'no Docker engine reachable' }, () => {
  let dataDir: string;
  let up: BerthProcess | undefined;
  let ecs: ECSClient;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'berth-down-'));
  });
  after(async () => {
    await up?.stop();
    ecs?.destroy();
    for (const owner of agentIdentitiesIn(dataDir).flatMap((identity) => identity.owners)) {
      const leftover = await engine.listContainers({ all: true, filters: { label: [`dev.berth.owner=${owner}`] } });
      for (const container of leftover) await engine.getContainer(container.Id).remove({ force: true }).catch(() => undefined);
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs its local agents with the options given, and prints the banner last', async () => {
    const image = await buildBusyboxImage();
    up = await startBerthProcess(
      ['up', '--port', String(await freePort()), '--data-dir', dataDir, '--image-pull-behavior', 'prefer-cached', '--reserved-memory', '100', '--availability-zone', 'us-east-1c', '--cleanup-delay', '5'],
      serverEnv,
    );
    ecs = new ECSClient({ endpoint: up.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    await eventually(async () => (up!.output().includes("'berth down' stops them too.\n") ? true : undefined), 5_000, 'the last banner line');
    assert.match(up.output(), /^ {2}agent: {6}joined cluster 'default' as container instance [0-9a-f]{32}, and serves FARGATE tasks$/m);
    assert.ok(up.output().endsWith("Ctrl-C stops Berth and leaves task containers running (the next start adopts them); 'berth down' stops them too.\n"), up.output());

    const [instance] = (await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'default', containerInstances: [agentIdentitiesIn(dataDir).find((entry) => entry.kind === 'container instance')!.containerInstanceArn!] }))).containerInstances!;
    const memTotal = Number((await engine.info()).MemTotal);
    assert.equal(instance!.registeredResources!.find((resource) => resource.name === 'MEMORY')!.integerValue, Math.floor(memTotal / 1024 / 1024) - 100);
    assert.equal(instance!.attributes!.find((attribute) => attribute.name === 'ecs.availability-zone')!.value, 'us-east-1c');

    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'down',
        requiresCompatibilities: ['EC2', 'FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        volumes: [{ name: 'scratch' }],
        containerDefinitions: [{ name: 'app', image, command: ['sleep', '300'], stopTimeout: 2, mountPoints: [{ sourceVolume: 'scratch', containerPath: '/scratch' }] }],
      }),
    );
    const network = { awsvpcConfiguration: { subnets: ['subnet-local'] } };
    const tasks = [
      ...(await ecs.send(new RunTaskCommand({ cluster: 'default', taskDefinition: 'down', launchType: 'EC2', networkConfiguration: network }))).tasks!,
      ...(await ecs.send(new RunTaskCommand({ cluster: 'default', taskDefinition: 'down', launchType: 'FARGATE', networkConfiguration: network }))).tasks!,
    ];
    await eventually(
      async () => {
        const described = await ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: tasks.map((task) => task.taskArn!) }));
        return described.tasks!.every((task) => task.lastStatus === 'RUNNING') ? true : undefined;
      },
      60_000,
      'both tasks RUNNING',
    );
    // prefer-cached: the image is there, so no pull was tried (a pull from nowhere would warn).
    assert.doesNotMatch(up.output(), /the pull failed/);
  });

  it('berth down stops berth up and removes every container and task volume of its agents', async () => {
    const identities = agentIdentitiesIn(dataDir);
    assert.equal(identities.length, 2);
    const owners = identities.flatMap((identity) => identity.owners);
    const before = await engine.listContainers({ all: true, filters: { label: owners.map((owner) => `dev.berth.owner=${owner}`).slice(0, 1) } });
    assert.ok(before.length >= 2, 'the instance runs its task container and pause container');
    const { stdout } = await berth(['down', '--data-dir', dataDir]);
    assert.match(stdout, new RegExp(`^berth down: stopping berth up \\(pid ${up!.child.pid}, ${up!.url.replace(/[/.]/g, '\\$&')}\\)$`, 'm'));
    assert.match(stdout, /^berth down: stopped ecs-down-\d+-app-/m);
    assert.match(stdout, /^berth down: removed volume berth-[0-9a-f]+-scratch$/m);
    assert.match(stdout, /^berth down: done: 4 container\(s\) and 2 volume\(s\) removed$/m);
    await eventually(async () => (up!.child.exitCode !== null || up!.child.signalCode !== null ? true : undefined), 5_000, 'berth up exited');
    assert.match(up!.output(), /SIGTERM received, stopping\. Task containers keep running/);
    for (const owner of owners) {
      assert.deepEqual(await engine.listContainers({ all: true, filters: { label: [`dev.berth.owner=${owner}`] } }), [], `no container of ${owner} is left`);
      assert.deepEqual((await engine.listVolumes({ filters: { label: [`dev.berth.owner=${owner}`] } })).Volumes ?? [], [], `no volume of ${owner} is left`);
    }
    assert.deepEqual(existsSync(join(dataDir, 'run')) ? readdirSync(join(dataDir, 'run')) : [], []);
    const again = await berth(['down', '--data-dir', dataDir]);
    assert.match(again.stdout, /no Berth process runs on/);
    assert.match(again.stdout, /done: 0 container\(s\) and 0 volume\(s\) removed/);
  });
});
