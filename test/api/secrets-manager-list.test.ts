import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  paginateListSecrets,
  type Filter,
  type ListSecretsCommandInput,
  type SecretListEntry,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';

/** Every entry, through the SDK's own paginator (which follows NextToken as a client would). */
async function listAll(sm: SecretsManagerClient, input: ListSecretsCommandInput): Promise<SecretListEntry[]> {
  const entries: SecretListEntry[] = [];
  let pages = 0;
  for await (const page of paginateListSecrets({ client: sm }, input)) {
    entries.push(...(page.SecretList ?? []));
    assert.ok(++pages < 20, 'pagination does not end');
  }
  return entries;
}

describe('Secrets Manager ListSecrets', () => {
  let berth: TestBerth;
  let sm: SecretsManagerClient;
  const names = async (...filters: Filter[]) => (await listAll(sm, { Filters: filters })).map((entry) => entry.Name).sort();

  before(async () => {
    berth = await startBerth();
    sm = berth.secretsManager();
    const secrets = [
      { Name: 'prod/db/password', Description: 'Database password for production', Tags: [{ Key: 'env', Value: 'prod' }] },
      { Name: 'prod/registry', Description: 'Registry login', Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'web' }] },
      { Name: 'staging/registry', Description: 'Registry login for staging', Tags: [{ Key: 'env', Value: 'staging' }] },
      { Name: 'ProdToken', Tags: [{ Key: 'owner', Value: 'ops' }] },
      { Name: 'credsDatabase892' },
    ];
    for (const secret of secrets) await sm.send(new CreateSecretCommand({ ...secret, SecretString: 'x' }));
  });
  after(async () => berth.close());

  it('lists every secret with its metadata and never its value', async () => {
    const entries = await listAll(sm, {});
    assert.deepEqual(
      entries.map((entry) => entry.Name),
      ['prod/db/password', 'prod/registry', 'staging/registry', 'ProdToken', 'credsDatabase892'],
    );
    const registry = entries[1] as SecretListEntry & Record<string, unknown>;
    assert.match(registry.ARN ?? '', /^arn:aws:secretsmanager:us-east-1:000000000000:secret:prod\/registry-[A-Za-z0-9]{6}$/);
    assert.equal(registry.Description, 'Registry login');
    assert.deepEqual(registry.Tags, [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'web' }]);
    assert.deepEqual(Object.values(registry.SecretVersionsToStages ?? {}), [['AWSCURRENT']]);
    assert.ok(registry.CreatedDate instanceof Date && registry.LastChangedDate instanceof Date);
    assert.equal(registry.SecretString, undefined);
  });

  it('pages with MaxResults and NextToken', async () => {
    const first = await sm.send(new ListSecretsCommand({ MaxResults: 2 }));
    assert.equal(first.SecretList?.length, 2);
    assert.ok(first.NextToken);
    const all = await listAll(sm, { MaxResults: 2 });
    assert.equal(all.length, 5);
    assert.equal(new Set(all.map((entry) => entry.ARN)).size, 5);
    await rejects(sm.send(new ListSecretsCommand({ NextToken: 'not-a-token' })), 'InvalidNextTokenException');
    await rejects(
      sm.send(new ListSecretsCommand({ MaxResults: 101 })),
      'ValidationException',
      /Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100/,
    );
  });

  it('sorts by name or date, in either order', async () => {
    const byName = await listAll(sm, { SortBy: 'name', SortOrder: 'desc', MaxResults: 3 });
    assert.deepEqual(
      byName.map((entry) => entry.Name),
      ['staging/registry', 'prod/registry', 'prod/db/password', 'credsDatabase892', 'ProdToken'],
    );
    const newestFirst = await listAll(sm, { SortOrder: 'desc' });
    assert.deepEqual(newestFirst.map((entry) => entry.Name)[0], 'credsDatabase892');
    await sm.send(new GetSecretValueCommand({ SecretId: 'ProdToken' }));
    const byAccess = await listAll(sm, { SortBy: 'last-accessed-date', SortOrder: 'desc' });
    assert.equal(byAccess[0]?.Name, 'ProdToken');
    await rejects(sm.send(new ListSecretsCommand({ SortBy: 'size' as never })), 'ValidationException', /at 'sortBy'/);
  });

  it('filters by name prefix, case-sensitive', async () => {
    assert.deepEqual(await names({ Key: 'name', Values: ['prod'] }), ['prod/db/password', 'prod/registry']);
    assert.deepEqual(await names({ Key: 'name', Values: ['Prod'] }), ['ProdToken']);
    assert.deepEqual(await names({ Key: 'name', Values: ['prod/r', 'staging'] }), ['prod/registry', 'staging/registry']);
    assert.deepEqual(await names({ Key: 'name', Values: ['!prod'] }), ['ProdToken', 'credsDatabase892', 'staging/registry']);
  });

  it('filters by description words, by tag key and value, and combines filters', async () => {
    assert.deepEqual(await names({ Key: 'description', Values: ['login'] }), ['prod/registry', 'staging/registry']);
    assert.deepEqual(await names({ Key: 'description', Values: ['STAGING registry'] }), ['staging/registry']);
    assert.deepEqual(await names({ Key: 'tag-key', Values: ['te'] }), ['prod/registry']);
    assert.deepEqual(await names({ Key: 'tag-value', Values: ['prod'] }), ['prod/db/password', 'prod/registry']);
    assert.deepEqual(await names({ Key: 'tag-value', Values: ['prod'] }, { Key: 'name', Values: ['prod/db'] }), ['prod/db/password']);
  });

  it('filters on every attribute with "all", word by word and not case-sensitive', async () => {
    assert.deepEqual(await names({ Key: 'all', Values: ['database'] }), ['credsDatabase892', 'prod/db/password']);
    assert.deepEqual(await names({ Key: 'all', Values: ['ops'] }), ['ProdToken']);
    assert.deepEqual(await names({ Key: 'all', Values: ['892'] }), ['credsDatabase892']);
  });

  it('leaves out secrets scheduled for deletion unless asked', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'scheduled', SecretString: 'x' }));
    await sm.send(new DeleteSecretCommand({ SecretId: 'scheduled' }));
    assert.ok(!(await names()).includes('scheduled'));
    const listed = await listAll(sm, { IncludePlannedDeletion: true, Filters: [{ Key: 'name', Values: ['scheduled'] }] });
    assert.equal(listed.length, 1);
    assert.ok(listed[0]?.DeletedDate instanceof Date);
  });

  it('answers malformed filters naming the member', async () => {
    await rejects(
      sm.send(new ListSecretsCommand({ Filters: [{ Key: 'colour' as never, Values: ['x'] }] })),
      'ValidationException',
      /Value 'colour' at 'filters\.1\.member\.key' failed to satisfy constraint: Member must satisfy enum value set: \[/,
    );
    await rejects(
      sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['bad*value'] }] })),
      'ValidationException',
      /at 'filters\.1\.member\.values\.1\.member' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    );
    await rejects(sm.send(new ListSecretsCommand({ Filters: [{ Values: ['x'] }] })), 'InvalidParameterException', /Invalid filter key/);
  });
});
