/**
 * A network partition between the control plane and an idle agent: no close reaches either side.
 * Both ends notice the silence through their heartbeats, and once the link is back the agent is
 * connected again within its heartbeat timeout and takes tasks.
 *
 * The two run in network namespaces this test makes, joined by a veth pair with addresses that
 * exist only inside them; the partition is the agent's end of the link set down. The timeouts are
 * short ones given on the command line, not the defaults.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { eventually } from '../helpers/agent.js';
import { testCredentials } from '../helpers/berth.js';

const run = promisify(execFile);

function whyNotRunnable(): string | false {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces';
  const probe = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return `ip netns is unavailable: ${probe.error?.message ?? probe.stderr.trim()}`;
  if (spawnSync('aws', ['--version']).status !== 0) return 'needs the aws CLI';
  return false;
}

const suffix = String(process.pid);
const controlNs = `berth-cp-${suffix}`;
const agentNs = `berth-ag-${suffix}`;
const controlLink = `bcp${suffix}`.slice(0, 15);
const agentLink = `bag${suffix}`.slice(0, 15);
const controlAddress = '10.250.0.1';
const agentAddress = '10.250.0.2';
const port = 4566;
const endpoint = `http://${controlAddress}:${port}`;
const pingIntervalSeconds = 1;
const heartbeatTimeoutSeconds = 3;

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function createNamespaces(): void {
  ip(['netns', 'add', controlNs]);
  ip(['netns', 'add', agentNs]);
  ip(['link', 'add', controlLink, 'netns', controlNs, 'type', 'veth', 'peer', 'name', agentLink, 'netns', agentNs]);
  for (const [ns, link, address] of [
    [controlNs, controlLink, controlAddress],
    [agentNs, agentLink, agentAddress],
  ] as const) {
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    ip(['-n', ns, 'addr', 'add', `${address}/24`, 'dev', link]);
    ip(['-n', ns, 'link', 'set', link, 'up']);
  }
  // As after a long partition: the control plane's kernel gives up on delivering its close of the
  // agent's socket while the link is down, so nothing but a heartbeat can tell the agent.
  execFileSync('ip', ['netns', 'exec', controlNs, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/tcp_orphan_retries']);
}

function deleteNamespaces(): void {
  // Deleting a namespace deletes the veth pair with it.
  for (const ns of [agentNs, controlNs]) spawnSync('ip', ['netns', 'delete', ns], { stdio: 'ignore' });
}

const awsEnv = { ...process.env, AWS_ACCESS_KEY_ID: testCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1' };

/** The aws CLI, run inside the control plane's namespace: the only place its address exists. */
async function aws(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run('ip', ['netns', 'exec', controlNs, 'aws', '--endpoint-url', endpoint, '--output', 'json', ...args], { env: awsEnv, timeout: 30_000 });
  return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
}

async function agentConnected(): Promise<boolean> {
  const listed = (await aws(['ecs', 'list-container-instances', '--cluster', 'default'])) as { containerInstanceArns?: string[] };
  if (!listed.containerInstanceArns?.length) return false;
  const described = (await aws(['ecs', 'describe-container-instances', '--cluster', 'default', '--container-instances', ...listed.containerInstanceArns])) as {
    containerInstances: { agentConnected: boolean }[];
  };
  return described.containerInstances.every((instance) => instance.agentConnected);
}

interface Started {
  child: ChildProcess;
  output(): string;
}

function startIn(ns: string, args: string[], env: NodeJS.ProcessEnv): Started {
  // `ip netns exec` execs the command: the child's pid is Berth's own.
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, 'bin/berth.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

const skip = whyNotRunnable();

test('after a partition longer than the heartbeat timeouts, the agent is connected again within its heartbeat timeout and takes tasks', { skip, timeout: 240_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-partition-'));
  let server: Started | undefined;
  let agent: Started | undefined;
  // Interrupted, the test still removes what it made.
  const interrupted = (signal: NodeJS.Signals) => {
    for (const started of [agent, server]) started?.child.kill('SIGKILL');
    deleteNamespaces();
    rmSync(dataDir, { recursive: true, force: true });
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    deleteNamespaces();
    createNamespaces();
    server = startIn(
      controlNs,
      ['server', '--host', controlAddress, '--port', String(port), '--data-dir', join(dataDir, 'server'), '--agent-ping-interval', String(pingIntervalSeconds), '--log-level', 'info'],
      { ...process.env, BERTH_ROOT_ACCESS_KEY_ID: testCredentials.accessKeyId, BERTH_ROOT_SECRET_ACCESS_KEY: testCredentials.secretAccessKey },
    );
    await eventually(async () => (/endpoint:\s+http/.test(server!.output()) ? true : undefined), 30_000, `the control plane to start: ${server.output()}`);
    await aws(['ecs', 'create-cluster', '--cluster-name', 'default']);
    agent = startIn(
      agentNs,
      ['agent', '--simulate', '1', '--launch-type', 'EC2', '--cluster', 'default', '--endpoint', endpoint, '--data-dir', join(dataDir, 'agent'), '--heartbeat-timeout', String(heartbeatTimeoutSeconds)],
      awsEnv,
    );
    await eventually(async () => ((await agentConnected()) ? true : undefined), 30_000, 'the agent to connect');

    ip(['-n', agentNs, 'link', 'set', agentLink, 'down']);
    const cut = Date.now();
    await eventually(async () => ((await agentConnected()) ? undefined : true), 20_000, 'the control plane to mark the agent disconnected');
    await eventually(async () => (/silent past the heartbeat timeout/.test(agent!.output()) ? true : undefined), 20_000, 'the agent to notice the silence');
    // Longer than both timeouts, and than the agent's back-off.
    const partitionMs = 4 * heartbeatTimeoutSeconds * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, cut + partitionMs - Date.now())));
    assert.equal(await agentConnected(), false, 'still disconnected while the link is down');

    ip(['-n', agentNs, 'link', 'set', agentLink, 'up']);
    const restored = Date.now();
    await eventually(async () => ((await agentConnected()) ? true : undefined), 30_000, 'the agent to reconnect');
    // Measured through the aws CLI, which takes about a second a call: allow two calls' worth.
    const tookMs = Date.now() - restored;
    assert.ok(tookMs <= heartbeatTimeoutSeconds * 1000 + 2_500, `connected again ${tookMs} ms after the link came back (heartbeat timeout ${heartbeatTimeoutSeconds} s)`);
    assert.equal(agent.child.exitCode, null, 'the agent process kept running');

    await aws(['ecs', 'register-task-definition', '--family', 'after-partition', '--container-definitions', JSON.stringify([{ name: 'main', image: 'simulated/app:1', memory: 64 }])]);
    const ran = (await aws(['ecs', 'run-task', '--cluster', 'default', '--launch-type', 'EC2', '--task-definition', 'after-partition'])) as { tasks: { taskArn: string }[]; failures: unknown[] };
    assert.deepEqual(ran.failures, []);
    const taskArn = ran.tasks[0]!.taskArn;
    const lastStatus = async () => ((await aws(['ecs', 'describe-tasks', '--cluster', 'default', '--tasks', taskArn])) as { tasks: { lastStatus: string }[] }).tasks[0]!.lastStatus;
    await eventually(async () => ((await lastStatus()) === 'RUNNING' ? true : undefined), 30_000, 'the task to reach the agent and run');
    await aws(['ecs', 'stop-task', '--cluster', 'default', '--task', taskArn]);
    await eventually(async () => ((await lastStatus()) === 'STOPPED' ? true : undefined), 30_000, 'StopTask to reach the agent');
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await stopProcess(agent?.child);
    await stopProcess(server?.child);
    deleteNamespaces();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
