/** The ECS credentials endpoint's answers, as the ECS agent gives them, over real HTTP on loopback. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CredentialsEndpoint, type CredentialsSource } from '../../../src/agent/credentials/endpoint.js';
import { TaskCredentials } from '../../../src/agent/credentials/task-credentials.js';
import type { AssignedTask, RoleCredentials } from '../../../src/agent-channel-protocol/messages.js';
import { freePort } from '../../helpers/ports.js';

const credentials: RoleCredentials = {
  roleArn: 'arn:aws:iam::000000000000:role/app',
  accessKeyId: 'ASIAEXAMPLEEXAMPLE01',
  secretAccessKey: 'secret',
  sessionToken: 'token',
  expiresAt: Date.parse('2026-12-05T01:00:00Z') / 1000,
};
const taskArn = 'arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef0123456789abcdef';
const assigned = (arn: string, roleCredentials?: RoleCredentials) => ({ taskArn: arn, ...(roleCredentials ? { roleCredentials } : {}) }) as AssignedTask;

describe('the credentials endpoint', () => {
  const held = new TaskCredentials(Buffer.alloc(32, 7));
  let allowedSources: readonly string[] | undefined;
  const source: CredentialsSource = { lookup: (id) => held.lookup(id), sourcesOf: async () => allowedSources };
  let endpoint: CredentialsEndpoint;
  let unregister: () => Promise<void>;
  let base: string;

  before(async () => {
    const port = await freePort();
    endpoint = new CredentialsEndpoint('127.0.0.1', port);
    unregister = endpoint.register(source);
    assert.equal(await endpoint.ensure(), undefined);
    base = `http://127.0.0.1:${port}`;
    held.apply([assigned(taskArn, credentials)], true);
  });
  after(async () => {
    await unregister();
  });

  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`);
    return { status: response.status, body: (await response.json()) as unknown };
  };

  it('answers a task its credentials in ECS\'s JSON, by v2 path and by v1 query', async () => {
    const id = held.idFor(taskArn);
    assert.match(id, /^[0-9a-f]{32}$/);
    const expected = {
      RoleArn: credentials.roleArn,
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: 'secret',
      Token: 'token',
      Expiration: '2026-12-05T01:00:00Z',
    };
    const v2 = await get(`/v2/credentials/${id}`);
    assert.equal(v2.status, 200);
    assert.deepEqual(Object.keys(v2.body as object), Object.keys(expected));
    assert.deepEqual(v2.body, expected);
    assert.deepEqual(await get(`/v1/credentials?id=${id}`), { status: 200, body: expected });
  });

  it('answers the ECS agent\'s errors for no id, an unknown id, and a caller that is not one of the task\'s containers', async () => {
    assert.deepEqual(await get('/v2/credentials/'), { status: 400, body: { code: 'NoIdInRequest', message: 'CredentialsV2Request: No ID in the request', HTTPErrorCode: 400 } });
    assert.deepEqual(await get('/v1/credentials'), { status: 400, body: { code: 'NoIdInRequest', message: 'CredentialsV1Request: No ID in the request', HTTPErrorCode: 400 } });
    const notFound = { status: 400, body: { code: 'InvalidIdInRequest', message: 'CredentialsV2Request: Credentials not found', HTTPErrorCode: 400 } };
    assert.deepEqual(await get(`/v2/credentials/${held.idFor('arn:aws:ecs:us-east-1:000000000000:task/default/other')}`), notFound);
    allowedSources = ['172.17.0.9'];
    try {
      assert.deepEqual(await get(`/v2/credentials/${held.idFor(taskArn)}`), notFound);
    } finally {
      allowedSources = undefined;
    }
    assert.equal((await get('/v3/other')).status, 404);
  });

  it('forgets a task that a full list no longer names; a partial list keeps it', async () => {
    const other = 'arn:aws:ecs:us-east-1:000000000000:task/default/fedcba';
    held.apply([assigned(other, credentials)], false);
    assert.ok(held.lookup(held.idFor(taskArn)));
    held.apply([assigned(other, credentials)], true);
    assert.equal(held.lookup(held.idFor(taskArn)), undefined);
    assert.equal((await get(`/v2/credentials/${held.idFor(taskArn)}`)).status, 400);
    held.apply([assigned(taskArn, credentials)], true);
  });

  it('says why it cannot serve when its port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const taken = new CredentialsEndpoint('127.0.0.1', (blocker.address() as AddressInfo).port);
      const release = taken.register(source);
      assert.match((await taken.ensure()) ?? '', /^the ECS credentials endpoint cannot listen on 127\.0\.0\.1:\d+: another process on this host serves it already/);
      await release();
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
