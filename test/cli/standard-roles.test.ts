/** A Berth start creates ecsTaskExecutionRole and ecsInstanceRole when missing, says so, and leaves them be afterwards. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DeleteRoleCommand, DetachRolePolicyCommand, GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRolesCommand } from '@aws-sdk/client-iam';
import { testCredentials } from '../helpers/berth.js';
import { startBerthProcess } from '../helpers/berth-process.js';
import { freePort } from '../helpers/ports.js';

const serverEnv = { ...process.env, BERTH_ROOT_ACCESS_KEY_ID: testCredentials.accessKeyId, BERTH_ROOT_SECRET_ACCESS_KEY: testCredentials.secretAccessKey };

describe('the standard ECS roles', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-roles-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  const start = async () => startBerthProcess(['server', '--port', String(await freePort()), '--data-dir', dataDir], serverEnv);

  it('are created on the first start with their trust and managed policy, and kept as they are across restarts', async () => {
    let server = await start();
    let iam = new IAMClient({ endpoint: server.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    try {
      assert.match(server.output(), /roles: +ecsTaskExecutionRole, ecsInstanceRole \(created now: ecsTaskExecutionRole, ecsInstanceRole;/);
      const execution = (await iam.send(new GetRoleCommand({ RoleName: 'ecsTaskExecutionRole' }))).Role!;
      assert.equal(execution.Arn, 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole');
      const trust = JSON.parse(decodeURIComponent(execution.AssumeRolePolicyDocument!)) as { Statement: { Principal: { Service: string } }[] };
      assert.equal(trust.Statement[0]!.Principal.Service, 'ecs-tasks.amazonaws.com');
      const attached = async (name: string) => (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }))).AttachedPolicies?.map((policy) => policy.PolicyArn);
      assert.deepEqual(await attached('ecsTaskExecutionRole'), ['arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy']);
      assert.deepEqual(await attached('ecsInstanceRole'), ['arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role']);
      const instanceTrust = JSON.parse(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: 'ecsInstanceRole' }))).Role!.AssumeRolePolicyDocument!)) as typeof trust;
      assert.equal(instanceTrust.Statement[0]!.Principal.Service, 'ec2.amazonaws.com');
      // The user changes one: a restart keeps the change.
      await iam.send(new DetachRolePolicyCommand({ RoleName: 'ecsInstanceRole', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role' }));
    } finally {
      iam.destroy();
      await server.stop();
    }

    server = await start();
    iam = new IAMClient({ endpoint: server.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    try {
      assert.match(server.output(), /roles: +ecsTaskExecutionRole, ecsInstanceRole \(present;/);
      const roles = (await iam.send(new ListRolesCommand({}))).Roles?.map((role) => role.RoleName);
      assert.deepEqual(roles, ['ecsInstanceRole', 'ecsTaskExecutionRole']);
      assert.deepEqual((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'ecsInstanceRole' }))).AttachedPolicies, []);
      // A role the user deleted comes back at the next start.
      await iam.send(new DeleteRoleCommand({ RoleName: 'ecsInstanceRole' }));
    } finally {
      iam.destroy();
      await server.stop();
    }

    server = await start();
    try {
      assert.match(server.output(), /\(created now: ecsInstanceRole;/);
    } finally {
      await server.stop();
    }
  });
});
