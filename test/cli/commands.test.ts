/** The berth command a newcomer meets: its help, credentials, status, logs and the agent's start errors, on the built bin/berth.js. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { testCredentials } from '../helpers/berth.js';
import { startBerthProcess, type BerthProcess } from '../helpers/berth-process.js';
import { dockerAvailable } from '../helpers/images.js';
import { freePort } from '../helpers/ports.js';
import { registerInstance } from '../helpers/instances.js';

const run = promisify(execFile);
const berth = (args: string[], env: NodeJS.ProcessEnv = process.env) => run(process.execPath, ['bin/berth.js', ...args], { env });
const serverEnv = { ...process.env, BERTH_ROOT_ACCESS_KEY_ID: testCredentials.accessKeyId, BERTH_ROOT_SECRET_ACCESS_KEY: testCredentials.secretAccessKey };
/** Signing credentials come from the data directory in these tests, never from the caller's shell. */
const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, AWS_ENDPOINT_URL: _endpoint, ...cleanEnv } = process.env;
const docker = await dockerAvailable();

const optionsIn = (help: string) => new Set(help.match(/--[a-z][a-z-]+/g) ?? []);

describe('berth --help', () => {
  it('lists every command, and berth up takes every option of the agent it runs', async () => {
    const top = (await berth(['--help'])).stdout;
    for (const command of ['up', 'server', 'agent', 'credentials', 'status', 'down', 'prune', 'reset', 'explain-placement', 'accounts', 'why-denied', 'logs']) {
      assert.match(top, new RegExp(`^  ${command} `, 'm'), `berth --help lists ${command}`);
    }
    const agent = optionsIn((await berth(['agent', '--help'])).stdout);
    const up = optionsIn((await berth(['up', '--help'])).stdout);
    // These say which control plane and cluster to join, or simulate: berth up's agents join their own,
    // on the control plane's own host (so the load balancers reach their tasks at 127.0.0.1, never --host-address).
    const agentOnly = new Set(['--cluster', '--endpoint', '--launch-type', '--fargate', '--data-dir', '--simulate', '--simulated-cpus', '--simulated-memory', '--region', '--host-address']);
    const missing = [...agent].filter((option) => !agentOnly.has(option) && !up.has(option));
    assert.deepEqual(missing, [], 'berth up --help has every agent option');
    for (const option of ['--image-pull-behavior', '--cleanup-delay', '--awsvpc-subnet', '--pause-image', '--reserved-memory', '--reserved-ports', '--availability-zone', '--log-format']) {
      assert.ok(up.has(option), `berth up takes ${option}`);
    }
    const prune = (await berth(['prune', '--help'])).stdout;
    assert.match(prune.replace(/\s+/g, ' '), /dev\.berth\.owner and com\.amazonaws\.ecs\.task-arn/);
    assert.match(prune.replace(/\s+/g, ' '), /Containers without those labels are never touched/);
    assert.ok(optionsIn(prune).has('--dry-run'));
    assert.ok(optionsIn((await berth(['status', '--help'])).stdout).has('--json'));
  });

  it('refuses an agent option berth up cannot honour before starting anything', async () => {
    for (const [args, message] of [
      [['--awsvpc-subnet', '10.0.0.0/33'], /Invalid IPv4 subnet '10\.0\.0\.0\/33'/],
      [['--image-pull-behavior', 'sometimes'], /Allowed choices are default, always, prefer-cached/],
      [['--reserved-ports', '22,http'], /'http' is not a port/],
      [['--log-format', 'xml'], /Allowed choices are pretty, json/],
    ] as const) {
      await assert.rejects(berth(['up', '--port', '1', ...args]), (error: Error & { stderr: string; code: number }) => {
        assert.match(error.stderr, message);
        assert.notEqual(error.code, 0);
        return true;
      });
    }
  });
});

describe('berth credentials, status and the logs, against berth server', () => {
  let dataDir: string;
  let server: BerthProcess;
  let ecs: ECSClient;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'berth-cli-'));
    server = await startBerthProcess(['server', '--port', String(await freePort()), '--data-dir', dataDir], serverEnv);
    ecs = new ECSClient({ endpoint: server.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
  });
  after(async () => {
    ecs.destroy();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints readable logs, then the banner last, and records the process in the data directory', async () => {
    const output = server.output();
    assert.match(output, /^\d\d:\d\d:\d\d\.\d{3} INFO  Server listening at http:\/\/127\.0\.0\.1:\d+$/m);
    // The credentials came from the environment: the banner says how to get them, never the secret itself.
    assert.ok(output.trimEnd().endsWith(`eval "$(berth credentials --data-dir ${dataDir})"`), `the credentials command ends the output:\n${output}`);
    assert.ok(!output.includes(testCredentials.secretAccessKey), 'the banner does not print the secret key');
    const records = readdirSync(join(dataDir, 'run'));
    assert.deepEqual(records, [`berth-${server.child.pid}.json`]);
    assert.equal(JSON.parse(readFileSync(join(dataDir, 'run', records[0]!), 'utf8')).endpoint, server.url);
  });

  it('prints the export line, which sets up a shell with eval', async () => {
    const { stdout } = await berth(['credentials', '--data-dir', dataDir], cleanEnv);
    assert.equal(
      stdout,
      `export AWS_ACCESS_KEY_ID=${testCredentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${testCredentials.secretAccessKey} AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL=${server.url}\n`,
    );
    const shell = await run('sh', ['-c', `eval "$(${process.execPath} bin/berth.js credentials --region eu-west-1)"; echo "$AWS_ACCESS_KEY_ID $AWS_DEFAULT_REGION $AWS_ENDPOINT_URL"`], {
      env: { ...cleanEnv, BERTH_DATA_DIR: dataDir },
    });
    assert.equal(shell.stdout, `${testCredentials.accessKeyId} eu-west-1 ${server.url}\n`);
  });

  it('says what runs: clusters, instances, tasks by lastStatus and services, as text and JSON', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'status' }));
    const instance = await registerInstance(ecs, { cluster: 'status', instanceId: 'i-0000000000000stat1' });
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'status-web', containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64 }] }));
    await ecs.send(new RunTaskCommand({ cluster: 'status', taskDefinition: 'status-web', count: 2 }));
    await ecs.send(new CreateServiceCommand({ cluster: 'status', serviceName: 'web', taskDefinition: 'status-web', desiredCount: 1, launchType: 'EC2' }));
    const text = (await berth(['status', '--data-dir', dataDir], cleanEnv)).stdout;
    assert.match(text, new RegExp(`answers at ${server.url.replace(/[.]/g, '\\.')}`));
    assert.match(text, /^cluster status \(ACTIVE\)$/m);
    const instanceId = instance.containerInstanceArn!.split('/').pop()!;
    assert.match(text, new RegExp(`^ +${instanceId} +i-0000000000000stat1 +ACTIVE +(?:dis)?connected +0 +3$`, 'm'));
    assert.match(text, /^ +tasks: 3 PENDING$/m);
    assert.match(text, /^ +web +ACTIVE +1 +0 +[01] +IN_PROGRESS$/m);
    const json = JSON.parse((await berth(['status', '--data-dir', dataDir, '--json'], cleanEnv)).stdout) as {
      endpoint: string;
      clusters: { name: string; containerInstances: { id: string }[]; services: { name: string; desiredCount: number; rolloutState: string }[] }[];
    };
    assert.equal(json.endpoint, server.url);
    const cluster = json.clusters.find((entry) => entry.name === 'status')!;
    assert.deepEqual(cluster.containerInstances.map((entry) => entry.id), [instanceId]);
    assert.deepEqual(cluster.services.map((entry) => [entry.name, entry.desiredCount, entry.rolloutState]), [['web', 1, 'IN_PROGRESS']]);
  });

  it('logs each request at debug level to the data directory, not to the console', async () => {
    const file = readFileSync(join(dataDir, 'berth.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = file.filter((entry) => entry.msg === 'request');
    assert.ok(requests.length > 0, 'requests are in berth.log');
    assert.ok(requests.every((entry) => entry.level === 20));
    assert.ok(requests.some((entry) => entry.target === 'AmazonEC2ContainerServiceV20141113.CreateCluster' && entry.status === 200));
    assert.doesNotMatch(server.output(), /DEBUG|INFO  request/);
  });

  it('logs JSON when asked', async () => {
    const other = mkdtempSync(join(tmpdir(), 'berth-cli-'));
    const json = await startBerthProcess(['server', '--port', String(await freePort()), '--data-dir', other], { ...serverEnv, BERTH_LOG_FORMAT: 'json' });
    try {
      const first = JSON.parse(json.output().split('\n')[0]!) as { level: number; msg: string };
      assert.equal(first.level, 30);
      assert.match(first.msg, /^Server listening at /);
    } finally {
      await json.stop();
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('exits 1 with a clear message when no Berth answers, and removes its record when it stops', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    await assert.rejects(berth(['status', '--endpoint', dead, '--data-dir', dataDir], cleanEnv), (error: Error & { stderr: string; code: number }) => {
      assert.equal(error.code, 1);
      assert.equal(error.stderr, `berth: no Berth answers at ${dead}/_berth/health: start one with 'berth up', or pass --endpoint.\n`);
      return true;
    });
    await server.stop();
    assert.equal(existsSync(join(dataDir, 'run', `berth-${server.child.pid}.json`)), false);
  });
});

describe('berth agent on a cluster that does not exist', { skip: docker ? false : 'no Docker engine reachable' }, () => {
  it('names the cluster and the endpoint, says how to create it, and exits non-zero', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'berth-cli-'));
    const agentDir = mkdtempSync(join(tmpdir(), 'berth-cli-agent-'));
    const server = await startBerthProcess(['server', '--port', String(await freePort()), '--data-dir', dataDir], serverEnv);
    try {
      const env = { ...cleanEnv, AWS_ACCESS_KEY_ID: testCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey };
      await assert.rejects(berth(['agent', '--cluster', 'prod', '--endpoint', server.url, '--data-dir', agentDir], env), (error: Error & { stderr: string; code: number }) => {
        assert.equal(error.code, 1);
        assert.equal(
          error.stderr,
          `berth agent: could not start: cluster 'prod' does not exist at ${server.url}. Create it (aws ecs create-cluster --cluster-name prod --endpoint-url ${server.url}), or pass --cluster with an existing one (aws ecs list-clusters).\n`,
        );
        return true;
      });
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(agentDir, { recursive: true, force: true });
    }
  });
});
