/**
 * Who may use /v2/: HTTP Basic with user AWS and a GetAuthorizationToken password, scoped to the
 * account (and region) the token was issued to.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';
import { basicAuth, createRepository, expectRegistryError, RegistryHttp, registryLogin, sha256 } from '../helpers/registry.js';

const otherAccount = { accessKeyId: 'AKIATESTOTHERACCT001', secretAccessKey: 'other-account-secret-key-for-berth-tests-1' };

describe('OCI distribution: authentication and accounts', () => {
  let berth: TestBerth;
  let registry: RegistryHttp;
  let image: { digest: string; config: Buffer; layers: Buffer[] };
  before(async () => {
    berth = await startBerth();
    await berth.server.store.write((tx) =>
      // The other account's root: it may do anything in its own account, nothing in this one.
      tx.credentials.put({ ...otherAccount, accountId: '111111111111', principalArn: 'arn:aws:iam::111111111111:root', isRoot: true, createdAt: 0 }),
    );
    registry = await RegistryHttp.login(berth);
    await createRepository(berth, 'private/app');
    await createRepository(berth, 'shared-name');
    image = await registry.pushImage('private/app', 'v1', 'first-account');
  });
  after(async () => berth.close());

  it('challenges an anonymous client with 401 and a Basic WWW-Authenticate', async () => {
    const anonymous = new RegistryHttp(berth.url, undefined);
    for (const [path, method] of [
      ['/v2/', 'GET'],
      ['private/app/manifests/v1', 'GET'],
      ['private/app/manifests/v1', 'HEAD'],
      ['private/app/blobs/uploads/', 'POST'],
      ['_catalog', 'GET'],
    ] as const) {
      const response = await anonymous.fetch(path, { method });
      assert.equal(response.status, 401, `${method} ${path}`);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Basic realm="http:\/\/127\.0\.0\.1:\d+\/"/);
      if (method !== 'HEAD') await expectRegistryError(response, 401, 'UNAUTHORIZED');
    }
  });

  it('refuses a wrong password, a user other than AWS, and a malformed Authorization header', async () => {
    const login = await registryLogin(berth);
    const [payload] = login.password.split('.');
    for (const header of [
      basicAuth('AWS', 'not-a-token'),
      basicAuth('AWS', `${payload}.${'A'.repeat(43)}`),
      basicAuth('AWS', `${login.password}x`),
      basicAuth('admin', login.password),
      `Bearer ${login.password}`,
      'Basic !!!',
    ]) {
      const response = await new RegistryHttp(berth.url, header).fetch('private/app/tags/list');
      await expectRegistryError(response, 401, 'UNAUTHORIZED');
      assert.match(response.headers.get('www-authenticate') ?? '', /^Basic realm=/);
    }
    assert.equal((await new RegistryHttp(berth.url, login.authHeader).fetch('private/app/tags/list')).status, 200);
  });

  it('tells a client that sends empty Basic credentials to log in, not that a token expired', async () => {
    for (const header of [basicAuth('', ''), 'Basic ']) {
      const response = await new RegistryHttp(berth.url, header).fetch('private/app/manifests/v1');
      const error = await expectRegistryError(response, 401, 'UNAUTHORIZED');
      assert.match(error.message, /^authentication required: log in with /);
      assert.doesNotMatch(error.message, /expired|not valid/);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Basic realm=/);
    }
  });

  it('refuses an expired token', async () => {
    const now = Date.now() / 1000;
    const identity = { accountId: '000000000000', region: 'us-east-1', principalArn: 'arn:aws:iam::000000000000:root', accessKeyId: testCredentials.accessKeyId };
    const expired = await berth.server.registry.tokens.issue(identity, now - 12 * 60 * 60 - 5);
    assert.ok(expired.expiresAt < now);
    const response = await new RegistryHttp(berth.url, basicAuth('AWS', expired.password)).fetch('private/app/manifests/v1');
    const error = await expectRegistryError(response, 401, 'UNAUTHORIZED');
    assert.match(error.message, /expired/);
    // One issued just now, the same way, works: it is the age that is refused.
    const fresh = await berth.server.registry.tokens.issue(identity, now);
    assert.equal((await new RegistryHttp(berth.url, basicAuth('AWS', fresh.password)).fetch('private/app/manifests/v1')).status, 200);
  });

  it("keeps another account out of the first account's repositories, and shows it only its own catalog", async () => {
    const other = await RegistryHttp.login(berth, otherAccount);
    const unknown = async (path: string, init: Parameters<RegistryHttp['fetch']>[1] = {}) => {
      const error = await expectRegistryError(await other.fetch(path, init), 404, 'NAME_UNKNOWN');
      assert.match(error.message, /registry with id '111111111111'/);
    };
    await unknown('private/app/manifests/v1');
    await unknown(`private/app/manifests/${image.digest}`);
    await unknown(`private/app/blobs/${sha256(image.config)}`);
    await unknown('private/app/tags/list');
    await unknown(`private/app/referrers/${image.digest}`);
    await unknown('private/app/blobs/uploads/', { method: 'POST' });
    await unknown(`private/app/blobs/uploads/?digest=${sha256('intruder')}`, { method: 'POST', body: 'intruder' });
    await unknown('private/app/manifests/v1', { method: 'DELETE' });
    await unknown('private/app/manifests/v1', { method: 'PUT', headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: '{}' });
    // An upload session of the first account is not reachable through a repository of the same name in the second.
    const location = await registry.startUpload('shared-name');
    await berth.ecr('us-east-1', otherAccount).send(new CreateRepositoryCommand({ repositoryName: 'shared-name' }));
    await expectRegistryError(await other.fetch(location, { method: 'PATCH', body: 'intruder' }), 404, 'BLOB_UPLOAD_UNKNOWN');
    // Nor can it mount the first account's blobs into its own repository.
    const mount = await other.fetch(`shared-name/blobs/uploads/?mount=${sha256(image.config)}&from=private/app`, { method: 'POST' });
    assert.equal(mount.status, 202);
    await expectRegistryError(await other.fetch(`shared-name/blobs/${sha256(image.config)}`), 404, 'BLOB_UNKNOWN');

    const catalog = await other.json<{ repositories: string[] }>('_catalog');
    assert.deepEqual(catalog.body.repositories, ['shared-name']);
    // The first account's data is untouched.
    assert.deepEqual((await registry.json<{ tags: string[] }>('private/app/tags/list')).body.tags, ['v1']);
    assert.deepEqual((await registry.json<{ repositories: string[] }>('_catalog')).body.repositories, ['private/app', 'shared-name']);
    assert.equal(await berth.server.registry.storage.uploadSize(location.split('/').pop()!), 0, 'nothing was appended to the upload');
  });

  it("scopes a token to its region: another region's token does not see this region's repositories", async () => {
    const west = await registryLogin(berth, undefined, 'us-west-2');
    await expectRegistryError(await new RegistryHttp(berth.url, west.authHeader).fetch('private/app/tags/list'), 404, 'NAME_UNKNOWN');
  });
});
