/**
 * A task role deleted while a task uses it, on Berth's clock: the refresh fails and says so in the
 * control plane's log (ECS records nothing on the task for it), the task keeps running with the
 * credentials it has, and those keep identifying the session (GetCallerIdentity needs no
 * permission) until they expire, as in AWS. A simulated agent receives them as a real one does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { CreateClusterCommand, ListClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import { CreateRoleCommand, DeleteRoleCommand, DeleteRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { RoleCredentials } from '../../src/agent-channel-protocol/messages.js';
import { AdvancingClock } from '../../src/core/clock.js';
import { eventually, simulatedAgent, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { TaskDriver } from '../helpers/tasks.js';

interface LogLine {
  level: number;
  msg: string;
  task?: string;
  role?: string;
  reason?: string;
}

describe('a task role deleted while its task runs', () => {
  const clock = new AdvancingClock();
  const logged: LogLine[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line) as LogLine) });
  const roleArn = 'arn:aws:iam::000000000000:role/doomed';
  let berth: TestBerth;
  let agent: TestAgent;
  let ecs: ECSClient;
  let iam: IAMClient;
  let tasks: TaskDriver;

  before(async () => {
    berth = await startBerth({}, { clock, log });
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = await startTestAgent(berth, simulatedAgent({ clock }));
    tasks = new TaskDriver(ecs);
    iam = new IAMClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    await iam.send(new CreateRoleCommand({ RoleName: 'doomed', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'doomed',
        PolicyName: 'list-clusters',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecs:ListClusters', Resource: '*' }] }),
      }),
    );
  });
  after(async () => {
    iam?.destroy();
    await agent?.close();
    await berth?.close();
  });

  const heldBy = (arn: string): RoleCredentials | undefined => agent.agent.engine.runner(arn)?.assignment.roleCredentials;
  /** Clients signed on Berth's (advanced) time, with the task's credentials. */
  const asTask = (credentials: RoleCredentials) => {
    const options = {
      endpoint: berth.url,
      region: 'us-east-1',
      maxAttempts: 1,
      systemClockOffset: clock.now().getTime() - Date.now(),
      credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken },
    };
    return { sts: new STSClient(options), ecs: new ECSClient(options) };
  };
  /** The task's lastStatus, asked as root on Berth's (advanced) time. */
  const lastStatusOf = async (arn: string) => {
    const root = new ECSClient({ endpoint: berth.url, region: 'us-east-1', maxAttempts: 1, systemClockOffset: clock.now().getTime() - Date.now(), credentials: testCredentials });
    try {
      return (await new TaskDriver(root).describe(arn)).lastStatus;
    } finally {
      root.destroy();
    }
  };
  const refreshFailures = (taskArn: string) => logged.filter((line) => line.task === taskArn && /could not be refreshed/.test(line.msg));

  it('stops the refresh, not the task: it keeps its credentials until they expire, and the failure is logged', async (t) => {
    const definition = await tasks.register({
      family: 'doomed-role',
      taskRoleArn: roleArn,
      containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }],
    });
    const arn = await tasks.run(definition);
    await tasks.until(arn, 'RUNNING');
    const first = await eventually(async () => heldBy(arn), 10_000, 'the first credentials');
    const sessionArn = `arn:aws:sts::000000000000:assumed-role/doomed/${arn.split('/').at(-1)}`;

    // IAM deletes a role only without policies.
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'doomed', PolicyName: 'list-clusters' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'doomed' }));

    // Thirty-one minutes on, the credentials are due for replacement; the role cannot be assumed.
    clock.advance(31 * 60_000);
    const [failure] = await eventually(async () => (refreshFailures(arn).length > 0 ? refreshFailures(arn) : undefined), 10_000, 'the refresh failure in the log');
    assert.equal(failure!.level, 40, 'a warning');
    assert.equal(failure!.role, roleArn);
    assert.match(failure!.reason ?? '', /^ECS was unable to assume the role 'arn:aws:iam::000000000000:role\/doomed'/);
    assert.match(failure!.msg, new RegExp(`the task keeps its credentials until they expire at ${new Date(first.expiresAt * 1000).toISOString()}`));
    assert.equal(heldBy(arn)?.accessKeyId, first.accessKeyId, 'the agent keeps the credentials it has');
    assert.equal(await lastStatusOf(arn), 'RUNNING');

    // The session still identifies itself: GetCallerIdentity needs no permission. What else it may
    // do comes from the role's policies, which are gone (with enforcement, every other call is denied).
    const client = asTask(first);
    try {
      const identity = await client.sts.send(new GetCallerIdentityCommand({}));
      assert.equal(identity.Arn, sessionArn);
      const other = await client.ecs.send(new ListClustersCommand({})).then(
        () => 'allowed',
        (error: Error) => `${error.name}: ${error.message}`,
      );
      // Recorded, not asserted: the answer depends on whether policies are enforced.
      t.diagnostic(`ListClusters with the deleted role's session: ${other}`);
    } finally {
      client.sts.destroy();
      client.ecs.destroy();
    }

    // Past their expiry the credentials stop working, the task still runs, and the log says they expired.
    clock.advance(30 * 60_000);
    const late = asTask(first);
    try {
      const expired = await late.sts.send(new GetCallerIdentityCommand({})).catch((error: Error) => error);
      assert.ok(expired instanceof Error, 'expired credentials are refused');
      // ExpiredToken until the sweep of expired sessions deletes the record, which it may do at once.
      assert.ok(['ExpiredToken', 'InvalidClientTokenId'].includes(expired.name), `${expired.name}: ${expired.message}`);
    } finally {
      late.sts.destroy();
      late.ecs.destroy();
    }
    await eventually(async () => (refreshFailures(arn).length > 1 ? true : undefined), 10_000, 'the expiry in the log');
    // Two warnings: the failed refresh while the credentials last, and their expiry.
    assert.equal(refreshFailures(arn).length, 2);
    assert.match(refreshFailures(arn)[1]!.msg, new RegExp(`the task's credentials expired at ${new Date(first.expiresAt * 1000).toISOString()}`));
    assert.equal(await lastStatusOf(arn), 'RUNNING', 'the task runs on without credentials, as in ECS');
  });
});
