/** Lifecycle policies through the ECR API: validation, preview, and the scheduled expiry. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  GetLifecyclePolicyCommand,
  GetLifecyclePolicyPreviewCommand,
  PutLifecyclePolicyCommand,
  StartLifecyclePolicyPreviewCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { makeImage, RegistryHttp, sha256 } from '../helpers/registry.js';

const keepNewest = (count: number, extra: object[] = []) =>
  JSON.stringify({
    rules: [
      ...extra,
      { rulePriority: 10, description: `keep the newest ${count}`, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: count }, action: { type: 'expire' } },
    ],
  });

describe('ECR lifecycle policies', () => {
  let berth: TestBerth;
  let ecr: ECRClient;
  let registry: RegistryHttp;

  before(async () => {
    berth = await startBerth();
    ecr = berth.ecr();
    registry = await RegistryHttp.login(berth);
  });
  after(async () => berth.close());

  /** Pushes an image over /v2/ (untagged without a tag) and answers its digest. */
  const push = async (repository: string, tag: string | undefined, seed: string): Promise<string> => {
    const image = makeImage(seed);
    await registry.pushBlob(repository, image.config);
    for (const layer of image.layers) await registry.pushBlob(repository, layer);
    const digest = await registry.pushManifest(repository, tag ?? sha256(image.manifest), image.manifest, image.mediaType);
    // Push times order the images; they must differ.
    await new Promise((resolve) => setTimeout(resolve, 5));
    return digest;
  };
  const tagsIn = async (repository: string) => (await registry.json<{ tags: string[] }>(`${repository}/tags/list`)).body.tags;

  it('stores, returns and deletes a policy; a missing one is LifecyclePolicyNotFoundException', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'life/crud' }));
    await rejects(ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'life/crud' })), 'LifecyclePolicyNotFoundException', /repository with name 'life\/crud'/);
    const text = keepNewest(3);
    const put = await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'life/crud', lifecyclePolicyText: text }));
    assert.deepEqual({ registryId: put.registryId, repositoryName: put.repositoryName, text: put.lifecyclePolicyText }, { registryId: '000000000000', repositoryName: 'life/crud', text });
    const got = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'life/crud' }));
    assert.equal(got.lifecyclePolicyText, text);
    // Not yet evaluated: ECR shows the epoch.
    assert.equal(got.lastEvaluatedAt?.getTime(), 0, 'not yet evaluated');
    const deleted = await ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: 'life/crud' }));
    assert.equal(deleted.lifecyclePolicyText, text);
    assert.equal(deleted.lastEvaluatedAt?.getTime(), 0);
    await rejects(ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: 'life/crud' })), 'LifecyclePolicyNotFoundException');
    await rejects(ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'life/none' })), 'RepositoryNotFoundException');
  });

  it('refuses an invalid policy with a message naming the field', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'life/invalid' }));
    const bad = JSON.stringify({
      rules: [{ rulePriority: 1, selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }],
    });
    await rejects(
      ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'life/invalid', lifecyclePolicyText: bad })),
      'InvalidParameterException',
      /rules\[0\]\.selection\.tagStatus tagged needs a tagPrefixList or a tagPatternList/,
    );
    await rejects(ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'life/invalid', lifecyclePolicyText: `${'{'.repeat(120)}` })), 'InvalidParameterException');
    await rejects(ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'life/invalid' })), 'LifecyclePolicyNotFoundException', /does not exist/);
  });

  it('previews what a policy would expire, without expiring it', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'life/preview' }));
    const untagged = await push('life/preview', undefined, 'preview untagged, older');
    await push('life/preview', undefined, 'preview untagged, newer');
    const digests = [];
    for (const tag of ['v1', 'v2', 'v3', 'v4']) digests.push(await push('life/preview', tag, `preview ${tag}`));
    await rejects(ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'life/preview' })), 'LifecyclePolicyPreviewNotFoundException');
    const text = keepNewest(2, [
      { rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
    ]);
    const started = await ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'life/preview', lifecyclePolicyText: text }));
    assert.equal(started.status, 'IN_PROGRESS');
    const preview = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'life/preview' }));
    assert.equal(preview.status, 'COMPLETE');
    assert.equal(preview.summary?.expiringImageTotalCount, 3);
    const results = (preview.previewResults ?? []).map((result) => [result.imageDigest, result.imageTags, result.appliedRulePriority, result.action?.type]);
    assert.deepEqual(
      results.sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      [
        [digests[0], ['v1'], 10, 'EXPIRE'],
        [digests[1], ['v2'], 10, 'EXPIRE'],
        [untagged, [], 1, 'EXPIRE'],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    const onlyTagged = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'life/preview', filter: { tagStatus: 'TAGGED' } }));
    assert.equal(onlyTagged.previewResults?.length, 2);
    const firstPage = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'life/preview', maxResults: 2 }));
    assert.equal(firstPage.previewResults?.length, 2);
    const secondPage = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'life/preview', maxResults: 2, nextToken: firstPage.nextToken! }));
    assert.equal(secondPage.previewResults?.length, 1);
    assert.equal(secondPage.nextToken, undefined);
    assert.deepEqual(await tagsIn('life/preview'), ['v1', 'v2', 'v3', 'v4'], 'a preview expires nothing');
  });

  it('applies the policy on its schedule: expired images are gone, the newest stay, lastEvaluatedAt is set', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'life/applied' }));
    for (const tag of ['a1', 'a2', 'a3', 'a4', 'a5']) await push('life/applied', tag, `applied ${tag}`);
    const before = Date.now() / 1000;
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'life/applied', lifecyclePolicyText: keepNewest(2) }));
    assert.equal(await berth.server.lifecycle.runOnce(), 3);
    assert.deepEqual(await tagsIn('life/applied'), ['a4', 'a5']);
    const { lastEvaluatedAt } = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'life/applied' }));
    assert.ok(lastEvaluatedAt && lastEvaluatedAt.getTime() / 1000 >= Math.floor(before), 'lastEvaluatedAt records the run');
    assert.equal(await berth.server.lifecycle.runOnce(), 0, 'a second run finds nothing more to expire');
  });
});
