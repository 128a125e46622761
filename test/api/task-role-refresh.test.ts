/**
 * A running task's role credentials are replaced before they expire, on Berth's clock: the agent
 * receives a new session of the role, which works. A simulated agent receives them as a real one does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateClusterCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { RoleCredentials } from '../../src/agent-channel-protocol/messages.js';
import { AdvancingClock } from '../../src/core/clock.js';
import { eventually, simulatedAgent, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { TaskDriver } from '../helpers/tasks.js';

describe('task role credentials refresh', () => {
  const clock = new AdvancingClock();
  let berth: TestBerth;
  let agent: TestAgent;
  let ecs: ECSClient;
  let tasks: TaskDriver;

  before(async () => {
    berth = await startBerth({}, { clock });
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
    agent = await startTestAgent(berth, simulatedAgent({ clock }));
    tasks = new TaskDriver(ecs);
    const iam = new IAMClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials });
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    await iam.send(new CreateRoleCommand({ RoleName: 'app', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    iam.destroy();
  });
  after(async () => {
    await agent?.close();
    await berth?.close();
  });

  const heldBy = (arn: string): RoleCredentials | undefined => agent.agent.engine.runner(arn)?.assignment.roleCredentials;

  it('gives the agent a new session of the role once less than half an hour of the old one is left', async () => {
    const definition = await tasks.register({
      family: 'refresh',
      taskRoleArn: 'arn:aws:iam::000000000000:role/app',
      containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }],
    });
    const arn = await tasks.run(definition);
    const first = await eventually(async () => heldBy(arn), 10_000, 'the first credentials');
    const issuedAt = clock.now().getTime() / 1000;
    assert.ok(Math.abs(first.expiresAt - (issuedAt + 3600)) < 5, 'an hour-long session');

    // Twenty minutes on, they are kept.
    clock.advance(20 * 60_000);
    assert.equal(heldBy(arn)?.accessKeyId, first.accessKeyId);

    // Thirty-one minutes on, less than half an hour is left: the controller issues and pushes new ones.
    clock.advance(11 * 60_000);
    const second = await eventually(async () => {
      const held = heldBy(arn);
      return held && held.accessKeyId !== first.accessKeyId ? held : undefined;
    }, 10_000, 'refreshed credentials');
    assert.ok(second.expiresAt > first.expiresAt + 30 * 60);
    assert.equal(second.roleArn, first.roleArn);

    // The new session is the task's: assumed-role/app/<task id>. Signed on Berth's (advanced) time.
    const sts = new STSClient({
      endpoint: berth.url,
      region: 'us-east-1',
      systemClockOffset: clock.now().getTime() - Date.now(),
      credentials: { accessKeyId: second.accessKeyId, secretAccessKey: second.secretAccessKey, sessionToken: second.sessionToken },
    });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
    assert.equal(identity.Arn, `arn:aws:sts::000000000000:assumed-role/app/${arn.split('/').at(-1)}`);

    // Thirty minutes later the first session has expired and the second is due: the third one's
    // issue deletes the first's record; the second stays valid until it expires.
    clock.advance(30 * 60_000);
    await eventually(async () => {
      const held = heldBy(arn);
      return held && held.accessKeyId !== second.accessKeyId ? held : undefined;
    }, 10_000, 'the third credentials');
    const stored = (id: string) => berth.server.store.read((tx) => tx.credentials.get(id));
    assert.equal(await stored(first.accessKeyId), undefined, 'the expired session is gone from the store');
    assert.ok(await stored(second.accessKeyId), 'the replaced but unexpired session is kept');
  });
});
