import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  paginateDescribeRepositories,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { pushImage } from '../helpers/ecr.js';

const account = '000000000000';
const notFound = (name: string) => new RegExp(`^The repository with name '${name}' does not exist in the registry with id '${account}'$`);

describe('ECR repositories', () => {
  let berth: TestBerth;
  let ecr: ECRClient;
  before(async () => {
    berth = await startBerth();
    ecr = berth.ecr();
  });
  after(async () => berth.close());

  it('creates a repository with defaults and describes it by name', async () => {
    const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/web' }));
    assert.equal(repository?.repositoryArn, `arn:aws:ecr:us-east-1:${account}:repository/team/web`);
    assert.equal(repository?.registryId, account);
    assert.equal(repository?.repositoryName, 'team/web');
    assert.equal(repository?.repositoryUri, `${new URL(berth.url).host}/team/web`);
    assert.equal(repository?.imageTagMutability, 'MUTABLE');
    assert.equal(repository?.imageTagMutabilityExclusionFilters, undefined);
    assert.deepEqual(repository?.imageScanningConfiguration, { scanOnPush: false });
    assert.deepEqual(repository?.encryptionConfiguration, { encryptionType: 'AES256' });
    assert.ok(repository?.createdAt instanceof Date && Math.abs(repository.createdAt.getTime() - Date.now()) < 60_000);
    const described = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['team/web'] }));
    assert.deepEqual(described.repositories, [repository]);
    assert.equal(described.nextToken, undefined);
  });

  it('creates a repository with every setting', async () => {
    const { repository } = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: 'configured',
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }, { filterType: 'WILDCARD', filter: 'dev-*' }],
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:us-east-1:000000000000:key/1234' },
        tags: [{ Key: 'team', Value: 'web' }, { Key: 'empty', Value: '' }],
      }),
    );
    assert.equal(repository?.imageTagMutability, 'IMMUTABLE_WITH_EXCLUSION');
    assert.deepEqual(repository?.imageTagMutabilityExclusionFilters, [
      { filterType: 'WILDCARD', filter: 'latest' },
      { filterType: 'WILDCARD', filter: 'dev-*' },
    ]);
    assert.deepEqual(repository?.imageScanningConfiguration, { scanOnPush: true });
    assert.deepEqual(repository?.encryptionConfiguration, { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:us-east-1:000000000000:key/1234' });
    const dsse = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'dsse', encryptionConfiguration: { encryptionType: 'KMS_DSSE' } }));
    // Without a kmsKey, the AWS managed key for ECR (aws/ecr) is used, and shown.
    assert.deepEqual(dsse.repository?.encryptionConfiguration, { encryptionType: 'KMS_DSSE', kmsKey: 'arn:aws:kms:us-east-1:000000000000:alias/aws/ecr' });
    const managed = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'kms-managed', encryptionConfiguration: { encryptionType: 'KMS' } }));
    assert.deepEqual(managed.repository?.encryptionConfiguration, { encryptionType: 'KMS', kmsKey: 'arn:aws:kms:us-east-1:000000000000:alias/aws/ecr' });
    const described = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['kms-managed'] }));
    assert.equal(described.repositories?.[0]?.encryptionConfiguration?.kmsKey, 'arn:aws:kms:us-east-1:000000000000:alias/aws/ecr');
  });

  it('refuses invalid repository settings, naming the field', async () => {
    const create = (input: Partial<ConstructorParameters<typeof CreateRepositoryCommand>[0]>) =>
      ecr.send(new CreateRepositoryCommand({ repositoryName: 'refused', ...input }));
    await rejects(create({ repositoryName: 'Upper' }), 'InvalidParameterException', /^Invalid parameter at 'repositoryName' failed to satisfy constraint: 'Member must be lowercase letters and digits, .*, not 'Upper''$/);
    await rejects(create({ repositoryName: 'a' }), 'InvalidParameterException', /'repositoryName'.*2–256 characters/);
    await rejects(
      create({ imageTagMutability: 'SOMETIMES' as never }),
      'InvalidParameterException',
      /^Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: \[IMMUTABLE, MUTABLE, MUTABLE_WITH_EXCLUSION, IMMUTABLE_WITH_EXCLUSION\]'$/,
    );
    await rejects(
      create({ imageTagMutability: 'IMMUTABLE', imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'x' }] }),
      'InvalidParameterException',
      /^imageTagMutabilityExclusionFilters can only be used with imageTagMutability MUTABLE_WITH_EXCLUSION or IMMUTABLE_WITH_EXCLUSION, not IMMUTABLE$/,
    );
    await rejects(create({ imageTagMutability: 'MUTABLE_WITH_EXCLUSION' }), 'InvalidParameterException', /MUTABLE_WITH_EXCLUSION needs imageTagMutabilityExclusionFilters/);
    await rejects(
      create({ imageTagMutability: 'MUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: [{ filterType: 'REGEX' as never, filter: 'x' }] }),
      'InvalidParameterException',
      /^Invalid parameter at 'imageTagMutabilityExclusionFilters\[0\]\.filterType' failed to satisfy constraint: 'Member must satisfy enum value set: \[WILDCARD\]'$/,
    );
    await rejects(
      create({ imageTagMutability: 'MUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'a b' }] }),
      'InvalidParameterException',
      /'imageTagMutabilityExclusionFilters\[0\]\.filter' failed to satisfy constraint: 'Member must be 1 to 128 letters.*, not 'a b''$/,
    );
    const six = Array.from({ length: 6 }, (_, index) => ({ filterType: 'WILDCARD' as const, filter: `f${index}` }));
    await rejects(
      create({ imageTagMutability: 'MUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: six }),
      'InvalidParameterException',
      /'imageTagMutabilityExclusionFilters' failed to satisfy constraint: 'Member must have length less than or equal to 5'/,
    );
    await rejects(
      create({ encryptionConfiguration: { encryptionType: 'AES256', kmsKey: 'key' } }),
      'InvalidParameterException',
      /^encryptionConfiguration\.kmsKey can only be given with encryptionType KMS or KMS_DSSE/,
    );
    await rejects(create({ encryptionConfiguration: { encryptionType: 'ROT13' as never } }), 'InvalidParameterException', /'encryptionConfiguration\.encryptionType'/);
    await rejects(create({ encryptionConfiguration: {} as never }), 'InvalidParameterException', /'encryptionConfiguration\.encryptionType' failed to satisfy constraint: 'Member must not be null'/);
    await rejects(create({ tags: [{ Key: 'k'.repeat(129), Value: 'v' }] }), 'InvalidTagParameterException', /^tags\[0\]\.Key '.*' must be 1 to 128 characters long$/);
    await rejects(create({ tags: [{ Key: 'k', Value: 'v'.repeat(257) }] }), 'InvalidTagParameterException', /^tags\[0\]\.Value must be at most 256 characters long; it has 257$/);
    await rejects(create({ tags: [{ Key: 'aws:owner', Value: 'v' }] }), 'InvalidTagParameterException', /reserved for AWS use/);
    await rejects(create({ tags: [{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }] }), 'InvalidTagParameterException', /has the key 'k' more than once/);
    const tooMany = Array.from({ length: 51 }, (_, index) => ({ Key: `k${index}`, Value: 'v' }));
    await rejects(create({ tags: tooMany }), 'TooManyTagsException', /would have 51 tags; the maximum number of tags that can be applied to a repository is 50/);
    // Another account's registry: a cross-account call, allowed only by a repository policy there.
    await rejects(create({ registryId: '111111111111' }), 'AccessDeniedException', /on resource: arn:aws:ecr:us-east-1:111111111111:repository\/refused because no resource-based policy allows the ecr:CreateRepository action$/);
    await rejects(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['refused'] })), 'RepositoryNotFoundException', notFound('refused'));
  });

  it('refuses a second repository of the same name', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'twice' }));
    await rejects(
      ecr.send(new CreateRepositoryCommand({ repositoryName: 'twice' })),
      'RepositoryAlreadyExistsException',
      /^The repository with name 'twice' already exists in the registry with id '000000000000'$/,
    );
  });

  it('pages DescribeRepositories and keeps repositoryNames apart from paging', async () => {
    const fresh = await startBerth();
    try {
      const client = fresh.ecr();
      const names = Array.from({ length: 7 }, (_, index) => `paged-${index}`);
      for (const name of names) await client.send(new CreateRepositoryCommand({ repositoryName: name }));
      const first = await client.send(new DescribeRepositoriesCommand({ maxResults: 3 }));
      assert.deepEqual(first.repositories?.map((repository) => repository.repositoryName), names.slice(0, 3));
      assert.ok(first.nextToken);
      const seen = [];
      for await (const page of paginateDescribeRepositories({ client, pageSize: 2 }, {})) seen.push(...(page.repositories ?? []).map((repository) => repository.repositoryName));
      assert.deepEqual(seen, names);
      const all = await client.send(new DescribeRepositoriesCommand({}));
      assert.equal(all.repositories?.length, 7);
      assert.equal(all.nextToken, undefined);
      await rejects(client.send(new DescribeRepositoriesCommand({ nextToken: 'garbage' })), 'InvalidParameterException', /^Invalid parameter at 'nextToken' failed to satisfy constraint/);
      await rejects(client.send(new DescribeRepositoriesCommand({ maxResults: 0 })), 'InvalidParameterException', /'maxResults'.*greater than or equal to 1/);
      await rejects(client.send(new DescribeRepositoriesCommand({ maxResults: 1001 })), 'InvalidParameterException', /'maxResults'.*less than or equal to 1000/);
      await rejects(
        client.send(new DescribeRepositoriesCommand({ repositoryNames: ['paged-0'], maxResults: 2 })),
        'InvalidParameterException',
        /maxResults cannot be used together with repositoryNames/,
      );
      await rejects(
        client.send(new DescribeRepositoriesCommand({ repositoryNames: ['paged-0'], nextToken: first.nextToken })),
        'InvalidParameterException',
        /nextToken cannot be used together with repositoryNames/,
      );
      await rejects(client.send(new DescribeRepositoriesCommand({ repositoryNames: ['paged-0', 'missing'] })), 'RepositoryNotFoundException', notFound('missing'));
    } finally {
      await fresh.close();
    }
  });

  it('deletes an empty repository, and one with images only with force', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'empty' }));
    const deleted = await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'empty' }));
    assert.equal(deleted.repository?.repositoryName, 'empty');
    await rejects(ecr.send(new DeleteRepositoryCommand({ repositoryName: 'empty' })), 'RepositoryNotFoundException', notFound('empty'));

    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'full' }));
    await pushImage(ecr, 'full', 'full', 'v1');
    await rejects(
      ecr.send(new DeleteRepositoryCommand({ repositoryName: 'full' })),
      'RepositoryNotEmptyException',
      /^The repository with name 'full' in registry with id '000000000000' cannot be deleted because it still contains images$/,
    );
    const forced = await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'full', force: true }));
    assert.equal(forced.repository?.repositoryName, 'full');
    await rejects(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['full'] })), 'RepositoryNotFoundException', notFound('full'));
  });

  it('changes tag mutability among all four settings', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'mutability' }));
    const put = (input: Omit<ConstructorParameters<typeof PutImageTagMutabilityCommand>[0], 'repositoryName'>) =>
      ecr.send(new PutImageTagMutabilityCommand({ repositoryName: 'mutability', ...input }));
    assert.deepEqual(await put({ imageTagMutability: 'IMMUTABLE' }).then(({ $metadata: _m, ...rest }) => rest), {
      registryId: account,
      repositoryName: 'mutability',
      imageTagMutability: 'IMMUTABLE',
    });
    const excluded = await put({ imageTagMutability: 'MUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'release-*' }] });
    assert.equal(excluded.imageTagMutability, 'MUTABLE_WITH_EXCLUSION');
    assert.deepEqual(excluded.imageTagMutabilityExclusionFilters, [{ filterType: 'WILDCARD', filter: 'release-*' }]);
    await put({ imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }] });
    const [described] = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['mutability'] }))).repositories ?? [];
    assert.equal(described?.imageTagMutability, 'IMMUTABLE_WITH_EXCLUSION');
    assert.deepEqual(described?.imageTagMutabilityExclusionFilters, [{ filterType: 'WILDCARD', filter: 'latest' }]);
    // Back to MUTABLE drops the filters.
    const mutable = await put({ imageTagMutability: 'MUTABLE' });
    assert.equal(mutable.imageTagMutabilityExclusionFilters, undefined);
    const [after] = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['mutability'] }))).repositories ?? [];
    assert.equal(after?.imageTagMutability, 'MUTABLE');
    assert.equal(after?.imageTagMutabilityExclusionFilters, undefined);
    await rejects(put({ imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' }), 'InvalidParameterException', /needs imageTagMutabilityExclusionFilters/);
    await rejects(
      ecr.send(new PutImageTagMutabilityCommand({ repositoryName: 'mutability', imageTagMutability: undefined as never })),
      'InvalidParameterException',
      /^Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must not be null'$/,
    );
    await rejects(
      ecr.send(new PutImageTagMutabilityCommand({ repositoryName: 'nowhere', imageTagMutability: 'MUTABLE' })),
      'RepositoryNotFoundException',
      notFound('nowhere'),
    );
  });

  it('records scan on push and reports it in DescribeRepositories', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'scanned' }));
    const put = await ecr.send(new PutImageScanningConfigurationCommand({ repositoryName: 'scanned', imageScanningConfiguration: { scanOnPush: true } }));
    assert.equal(put.registryId, account);
    assert.equal(put.repositoryName, 'scanned');
    assert.deepEqual(put.imageScanningConfiguration, { scanOnPush: true });
    const [described] = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['scanned'] }))).repositories ?? [];
    assert.deepEqual(described?.imageScanningConfiguration, { scanOnPush: true });
    await rejects(
      ecr.send(new PutImageScanningConfigurationCommand({ repositoryName: 'scanned', imageScanningConfiguration: undefined as never })),
      'InvalidParameterException',
      /'imageScanningConfiguration' failed to satisfy constraint: 'Member must not be null'/,
    );
  });

  it('describes the registry', async () => {
    const registry = await ecr.send(new DescribeRegistryCommand({}));
    assert.equal(registry.registryId, account);
    assert.deepEqual(registry.replicationConfiguration, { rules: [] });
  });

  it('keeps repositories across a restart', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'durable', imageTagMutability: 'IMMUTABLE', tags: [{ Key: 'k', Value: 'v' }] }));
    await berth.stop();
    await berth.restart();
    ecr = berth.ecr();
    const [described] = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['durable'] }))).repositories ?? [];
    assert.equal(described?.imageTagMutability, 'IMMUTABLE');
  });
});
