/**
 * `berth why-denied` against a running Berth: the decision, the deciding statement printed from
 * its policy with line numbers, the policies considered for an implicit deny, condition keys given
 * with --context, role sessions, and the exit status a script can test.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { AddUserToGroupCommand, AttachGroupPolicyCommand, CreateGroupCommand, CreateRoleCommand, CreateUserCommand, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { ecsTasksTrust, iamClient } from '../iam/iam-client.js';

const run = promisify(execFile);
const user = 'arn:aws:iam::000000000000:user/ci';

const deployPolicy = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'RunTasks', Effect: 'Allow', Action: 'ecs:RunTask', Resource: '*' },
      { Sid: 'NoDelete', Effect: 'Deny', Action: 'ecs:DeleteCluster', Resource: '*' },
    ],
  },
  null,
  2,
);

describe('berth why-denied', () => {
  let berth: TestBerth;
  const whyDenied = (...args: string[]) =>
    run(process.execPath, ['bin/berth.js', 'why-denied', '--endpoint', berth.url, ...args], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: testCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey },
    }).then(
      ({ stdout, stderr }) => ({ stdout, stderr, code: 0 }),
      (error: Error & { stdout: string; stderr: string; code: number }) => ({ stdout: error.stdout, stderr: error.stderr, code: error.code }),
    );

  before(async () => {
    berth = await startBerth();
    const iam = iamClient(berth);
    await iam.send(new CreateUserCommand({ UserName: 'ci' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'ci', PolicyName: 'deploy', PolicyDocument: deployPolicy }));
    await iam.send(new CreateGroupCommand({ GroupName: 'builders' }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'builders', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'builders', UserName: 'ci' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'app', AssumeRolePolicyDocument: ecsTasksTrust }));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'app',
        PolicyName: 'from-office',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecs:ListTasks', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }] }),
      }),
    );
    iam.destroy();
  });
  after(async () => berth.close());

  it('prints the statement that denied, with its lines, and exits 3', async () => {
    const { stdout, code } = await whyDenied('--principal', user, '--action', 'ecs:DeleteCluster');
    assert.equal(code, 3);
    assert.match(stdout, /^Denied explicitly: arn:aws:iam::000000000000:user\/ci ecs:DeleteCluster on \*\.$/m);
    assert.match(stdout, /statement "NoDelete" of deploy, inline policy of user ci, lines 10-15:/);
    assert.match(stdout, /^ {4}12 \| {7}"Effect": "Deny",$/m);
    assert.doesNotMatch(stdout, /RunTasks/);
  });

  it('prints the statement that allowed, and exits 0', async () => {
    const { stdout, code } = await whyDenied('--principal', user, '--action', 'ecr:BatchGetImage', '--resource', 'arn:aws:ecr:us-east-1:000000000000:repository/web');
    assert.equal(code, 0);
    assert.match(stdout, /^Allowed: arn:aws:iam::000000000000:user\/ci ecr:BatchGetImage on arn:aws:ecr:us-east-1:000000000000:repository\/web\.$/m);
    assert.match(stdout, /of arn:aws:iam::aws:policy\/AmazonEC2ContainerRegistryReadOnly, attached to group builders, lines \d+-\d+:/);
  });

  it('lists the policies considered for an implicit deny', async () => {
    const { stdout, code } = await whyDenied('--principal', user, '--action', 'ecs:CreateCluster');
    assert.equal(code, 3);
    assert.match(stdout, /^Denied implicitly: .* ecs:CreateCluster on \*: no statement allows it\.$/m);
    assert.match(stdout, /^ {2}deploy +inline policy of user ci$/m);
    assert.match(stdout, /^ {2}AmazonEC2ContainerRegistryReadOnly +arn:aws:iam::aws:policy\/AmazonEC2ContainerRegistryReadOnly, attached to group builders$/m);
  });

  it('takes condition keys with --context and simulates a role session as its role', async () => {
    const session = 'arn:aws:sts::000000000000:assumed-role/app/task-1';
    const missing = await whyDenied('--principal', session, '--action', 'ecs:ListTasks');
    assert.equal(missing.code, 3);
    assert.match(missing.stdout, /lacks: aws:SourceIp \(give them with --context key=value\)/);
    assert.match(missing.stdout, /simulated as role arn:aws:iam::000000000000:role\/app/);
    const office = await whyDenied('--principal', session, '--action', 'ecs:ListTasks', '--context', 'aws:SourceIp=10.1.2.3');
    assert.equal(office.code, 0, office.stdout + office.stderr);
    assert.match(office.stdout, /inline policy of role app/);
    const json = JSON.parse((await whyDenied('-p', session, '-a', 'ecs:ListTasks', '-c', 'aws:SourceIp=192.0.2.1', '--json')).stdout) as { result: { EvalDecision: string } };
    assert.equal(json.result.EvalDecision, 'implicitDeny');
  });

  it('says what is wrong with the question, and exits 1', async () => {
    const unknown = await whyDenied('--principal', 'arn:aws:iam::000000000000:user/nobody', '--action', 'ecs:RunTask');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /NoSuchEntity.*The user with name nobody cannot be found\./);
    const wildcard = await whyDenied('--principal', user, '--action', 'ecs:*');
    assert.equal(wildcard.code, 1);
    assert.match(wildcard.stderr, /Invalid action name: ecs:\*/);
    const help = await whyDenied('--help');
    assert.match(help.stdout, /--context <key=value>/);
  });
});
