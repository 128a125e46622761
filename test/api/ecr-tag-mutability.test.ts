import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  PutImageCommand,
  PutImageTagMutabilityCommand,
  type CreateRepositoryCommandInput,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { buildImage, type BuiltImage } from '../helpers/ecr.js';

const immutable = (tag: string, repository: string) =>
  new RegExp(`^The image tag '${tag}' already exists in the '${repository}' repository and cannot be overwritten because the tag is immutable\\.$`);

describe('ECR tag mutability on PutImage', () => {
  let berth: TestBerth;
  let ecr: ECRClient;
  before(async () => {
    berth = await startBerth();
    ecr = berth.ecr();
  });
  after(async () => berth.close());

  /** A repository with two images ready to put: `first` and `second`. */
  async function repository(name: string, settings: Partial<CreateRepositoryCommandInput> = {}): Promise<{ first: BuiltImage; second: BuiltImage }> {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name, ...settings }));
    return { first: await buildImage(ecr, name, `${name}-1`), second: await buildImage(ecr, name, `${name}-2`) };
  }
  const put = (repositoryName: string, image: BuiltImage, imageTag: string) =>
    ecr.send(new PutImageCommand({ repositoryName, imageManifest: image.manifest, imageTag }));
  const digestOf = async (repositoryName: string, imageTag: string) =>
    (await ecr.send(new BatchGetImageCommand({ repositoryName, imageIds: [{ imageTag }] }))).images?.[0]?.imageId?.imageDigest;

  it('moves tags freely in a MUTABLE repository', async () => {
    const { first, second } = await repository('mutable');
    await put('mutable', first, 'latest');
    await put('mutable', second, 'latest');
    assert.equal(await digestOf('mutable', 'latest'), second.digest);
  });

  it('refuses to move any tag in an IMMUTABLE repository, but adds new tags', async () => {
    const { first, second } = await repository('immutable', { imageTagMutability: 'IMMUTABLE' });
    await put('immutable', first, 'v1');
    await rejects(put('immutable', second, 'v1'), 'ImageTagAlreadyExistsException', immutable('v1', 'immutable'));
    assert.equal(await digestOf('immutable', 'v1'), first.digest);
    await rejects(put('immutable', first, 'v1'), 'ImageAlreadyExistsException', /^Image with digest '.*' and tag 'v1' already exists/);
    await put('immutable', first, 'also-v1');
    await put('immutable', second, 'v2');
    assert.equal(await digestOf('immutable', 'v2'), second.digest);
  });

  it('moves only the excluded tags in an IMMUTABLE_WITH_EXCLUSION repository', async () => {
    const { first, second } = await repository('immutable-except', {
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }, { filterType: 'WILDCARD', filter: 'dev-*' }],
    });
    for (const tag of ['latest', 'dev-feature', 'v1', 'latest-stable']) await put('immutable-except', first, tag);
    await put('immutable-except', second, 'latest');
    await put('immutable-except', second, 'dev-feature');
    await rejects(put('immutable-except', second, 'v1'), 'ImageTagAlreadyExistsException', immutable('v1', 'immutable-except'));
    await rejects(put('immutable-except', second, 'latest-stable'), 'ImageTagAlreadyExistsException', immutable('latest-stable', 'immutable-except'));
    assert.equal(await digestOf('immutable-except', 'latest'), second.digest);
    assert.equal(await digestOf('immutable-except', 'dev-feature'), second.digest);
    assert.equal(await digestOf('immutable-except', 'v1'), first.digest);
  });

  it('keeps only the excluded tags in a MUTABLE_WITH_EXCLUSION repository', async () => {
    const { first, second } = await repository('mutable-except', {
      imageTagMutability: 'MUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'release-*' }],
    });
    await put('mutable-except', first, 'release-1.0');
    await put('mutable-except', first, 'main');
    await rejects(put('mutable-except', second, 'release-1.0'), 'ImageTagAlreadyExistsException', immutable('release-1.0', 'mutable-except'));
    await put('mutable-except', second, 'main');
    assert.equal(await digestOf('mutable-except', 'release-1.0'), first.digest);
    assert.equal(await digestOf('mutable-except', 'main'), second.digest);
  });

  it('applies a changed setting to tags pushed before', async () => {
    const { first, second } = await repository('changed');
    await put('changed', first, 'stable');
    await ecr.send(new PutImageTagMutabilityCommand({ repositoryName: 'changed', imageTagMutability: 'IMMUTABLE' }));
    await rejects(put('changed', second, 'stable'), 'ImageTagAlreadyExistsException', immutable('stable', 'changed'));
    await ecr.send(new PutImageTagMutabilityCommand({ repositoryName: 'changed', imageTagMutability: 'MUTABLE' }));
    await put('changed', second, 'stable');
    assert.equal(await digestOf('changed', 'stable'), second.digest);
  });

  it('refuses an unknown setting listing the values in ECR\'s order', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'unknown-setting' }));
    await rejects(
      ecr.send(new PutImageTagMutabilityCommand({ repositoryName: 'unknown-setting', imageTagMutability: 'SOMETIMES' as 'MUTABLE' })),
      'InvalidParameterException',
      /^Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: \[IMMUTABLE, MUTABLE, MUTABLE_WITH_EXCLUSION, IMMUTABLE_WITH_EXCLUSION\]'$/,
    );
  });
});
