import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateClusterCommand, ListTasksCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { registerInstance } from '../helpers/instances.js';

const run = promisify(execFile);

describe('berth explain-placement', () => {
  let berth: TestBerth;
  const explain = (...args: string[]) =>
    run(process.execPath, ['bin/berth.js', 'explain-placement', '--endpoint', berth.url, ...args], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: testCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey },
    });

  before(async () => {
    berth = await startBerth();
    const ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'why' }));
    await registerInstance(ecs, { cluster: 'why', instanceId: 'i-00000000000000small', cpu: 256, memory: 4096 });
    await registerInstance(ecs, { cluster: 'why', instanceId: 'i-0000000000000000big', cpu: 4096, memory: 256 });
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'hungry', containerDefinitions: [{ name: 'app', image: 'busybox', cpu: 1024, memory: 1024 }] }));
  });
  after(async () => berth.close());

  /** The output and exit status of a run that may fail. */
  const outcome = (...args: string[]) =>
    explain(...args).then(
      ({ stdout }) => ({ stdout, code: 0 }),
      (error: Error & { stdout: string; code: number }) => ({ stdout: error.stdout, code: error.code }),
    );

  it('says, instance by instance, which requirement turned each away, places nothing, and exits 3', async () => {
    const { stdout, code } = await outcome('--cluster', 'why', '--task-definition', 'hungry');
    assert.equal(code, 3, 'a task that would not be placed is a failure of the command');
    assert.match(stdout, /Placed 0 of 1 tasks/);
    assert.match(stdout, /i-00000000000000small.*rejected by cpu \[RESOURCE:CPU\]: needs 1024 CPU units, has 256/);
    assert.match(stdout, /i-0000000000000000big.*rejected by memory \[RESOURCE:MEMORY\]/);
    const tasks = await berth.ecs().send(new ListTasksCommand({ cluster: 'why' }));
    assert.deepEqual(tasks.taskArns, []);
  });

  it('answers JSON with --json, and errors with what to do', async () => {
    const { stdout } = await outcome('--cluster', 'why', '--task-definition', 'hungry', '--json');
    const answer = JSON.parse(stdout) as { explanation: { outcome: string; reason: string }[] };
    assert.deepEqual(answer.explanation.map((entry) => entry.reason).sort(), ['RESOURCE:CPU', 'RESOURCE:MEMORY']);
    await assert.rejects(explain('--cluster', 'why', '--task-definition', 'nothing:1'), (error: Error & { stderr: string }) => {
      assert.match(error.stderr, /ClientException: Unable to find task definition 'nothing:1'/);
      return true;
    });
  });

  it('explains awsvpc task definitions given a network configuration, on EC2 and on FARGATE, and exits 0 when all are placed', async () => {
    // An instance whose agent can give tasks their own network interface.
    await registerInstance(berth.ecs(), { cluster: 'why', instanceId: 'i-00000000000000000eni', cpu: 512, memory: 2048, attributes: [{ name: 'ecs.capability.task-eni' }] });
    await berth.ecs().send(
      new RegisterTaskDefinitionCommand({
        family: 'small-vpc',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['EC2', 'FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'app', image: 'busybox' }],
      }),
    );
    const network = ['--network-configuration', '{"awsvpcConfiguration":{"subnets":["subnet-local"]}}'];
    const without = await outcome('--cluster', 'why', '--task-definition', 'small-vpc', '--launch-type', 'EC2');
    assert.notEqual(without.code, 0, 'RunTask refuses awsvpc without a network configuration, and so does the explanation');
    const ec2 = await outcome('--cluster', 'why', '--task-definition', 'small-vpc', '--launch-type', 'EC2', ...network);
    assert.equal(ec2.code, 0, ec2.stdout);
    assert.match(ec2.stdout, /Placed 1 of 1 tasks/);
    const fargate = await outcome('--cluster', 'why', '--task-definition', 'small-vpc', '--launch-type', 'FARGATE', ...network);
    assert.equal(fargate.code, 0, fargate.stdout);
    assert.match(fargate.stdout, /would run on Fargate capacity/);
    await assert.rejects(explain('--cluster', 'why', '--task-definition', 'small-vpc', '--network-configuration', 'subnets=[x]'), (error: Error & { stderr: string }) => {
      assert.match(error.stderr, /--network-configuration must be JSON/);
      return true;
    });
  });

  it('has complete --help', async () => {
    const { stdout } = await run(process.execPath, ['bin/berth.js', 'explain-placement', '--help']);
    for (const option of ['--task-definition', '--cluster', '--count', '--launch-type', '--network-configuration', '--placement-constraints', '--placement-strategy', '--endpoint', '--json']) {
      assert.ok(stdout.includes(option), `--help mentions ${option}`);
    }
    const top = await run(process.execPath, ['bin/berth.js', '--help']);
    for (const command of ['up', 'server', 'credentials', 'reset', 'explain-placement']) assert.match(top.stdout, new RegExp(`\\b${command}\\b`));
  });
});
