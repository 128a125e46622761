import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  ListTagsForResourceCommand,
  PutImageCommand,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
  UploadLayerPartCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { pushImage, sha256, type BuiltImage } from '../helpers/ecr.js';

const other = { accessKeyId: 'AKIATESTOTHERACCT002', secretAccessKey: 'other-account-secret-key-for-berth-ecr-tests' };
/** AWS's cross-account denial; `repository` is a regular expression (`\\*` for every repository). */
const crossAccount = (action: string, repository: string) =>
  new RegExp(`^User: arn:aws:iam::222222222222:root is not authorized to perform: ${action} on resource: arn:aws:ecr:us-east-1:000000000000:repository/${repository} because no resource-based policy allows the ${action} action$`);
const notFound = (name: string, account: string) => new RegExp(`^The repository with name '${name}' does not exist in the registry with id '${account}'$`);

describe('ECR account isolation', () => {
  let berth: TestBerth;
  let mine: ECRClient;
  let theirs: ECRClient;
  let image: BuiltImage;
  before(async () => {
    berth = await startBerth();
    await berth.server.store.write((tx) =>
      tx.credentials.put({ ...other, accountId: '222222222222', principalArn: 'arn:aws:iam::222222222222:root', isRoot: true, createdAt: 0 }),
    );
    mine = berth.ecr();
    theirs = berth.ecr('us-east-1', other);
    await mine.send(new CreateRepositoryCommand({ repositoryName: 'private' }));
    image = await pushImage(mine, 'private', 'private', 'v1');
  });
  after(async () => berth.close());

  it('shows another account none of the first account\'s repositories or images', async () => {
    assert.deepEqual((await theirs.send(new DescribeRepositoriesCommand({}))).repositories, []);
    const hidden = notFound('private', '222222222222');
    await rejects(theirs.send(new DescribeRepositoriesCommand({ repositoryNames: ['private'] })), 'RepositoryNotFoundException', hidden);
    await rejects(theirs.send(new DescribeImagesCommand({ repositoryName: 'private' })), 'RepositoryNotFoundException', hidden);
    await rejects(theirs.send(new BatchGetImageCommand({ repositoryName: 'private', imageIds: [{ imageTag: 'v1' }] })), 'RepositoryNotFoundException', hidden);
    await rejects(
      theirs.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'private', layerDigest: image.layerDigests[0] })),
      'RepositoryNotFoundException',
      hidden,
    );
    // Naming the first account's registry or repository is a cross-account call: without a repository policy allowing it, AWS's AccessDenied.
    await rejects(
      theirs.send(new DescribeRepositoriesCommand({ registryId: '000000000000' })),
      'AccessDeniedException',
      crossAccount('ecr:DescribeRepositories', '\\*'),
    );
    await rejects(
      theirs.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecr:us-east-1:000000000000:repository/private' })),
      'AccessDeniedException',
      crossAccount('ecr:ListTagsForResource', 'private'),
    );
  });

  it('lets another account change nothing of the first account\'s', async () => {
    const hidden = notFound('private', '222222222222');
    await rejects(theirs.send(new DeleteRepositoryCommand({ repositoryName: 'private', force: true })), 'RepositoryNotFoundException', hidden);
    await rejects(theirs.send(new BatchDeleteImageCommand({ repositoryName: 'private', imageIds: [{ imageTag: 'v1' }] })), 'RepositoryNotFoundException', hidden);
    await rejects(theirs.send(new PutImageCommand({ repositoryName: 'private', imageManifest: image.manifest, imageTag: 'v2' })), 'RepositoryNotFoundException', hidden);
    await rejects(theirs.send(new InitiateLayerUploadCommand({ repositoryName: 'private' })), 'RepositoryNotFoundException', hidden);
    await rejects(
      theirs.send(new SetRepositoryPolicyCommand({ repositoryName: 'private', policyText: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:*"}]}' })),
      'RepositoryNotFoundException',
      hidden,
    );
    await rejects(
      theirs.send(new TagResourceCommand({ resourceArn: 'arn:aws:ecr:us-east-1:000000000000:repository/private', tags: [{ Key: 'k', Value: 'v' }] })),
      'AccessDeniedException',
      crossAccount('ecr:TagResource', 'private'),
    );
    const [detail] = (await mine.send(new DescribeImagesCommand({ repositoryName: 'private' }))).imageDetails ?? [];
    assert.deepEqual(detail?.imageTags, ['v1']);
    assert.equal((await mine.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecr:us-east-1:000000000000:repository/private' }))).tags?.length, 0);
  });

  it('keeps same-named repositories, their layers and their uploads apart', async () => {
    await theirs.send(new CreateRepositoryCommand({ repositoryName: 'private' }));
    const [repository] = (await theirs.send(new DescribeRepositoriesCommand({}))).repositories ?? [];
    assert.equal(repository?.repositoryArn, 'arn:aws:ecr:us-east-1:222222222222:repository/private');
    assert.deepEqual((await theirs.send(new DescribeImagesCommand({ repositoryName: 'private' }))).imageDetails, []);
    // The first account's layers are not theirs to reference, even under the same repository name.
    await rejects(theirs.send(new PutImageCommand({ repositoryName: 'private', imageManifest: image.manifest, imageTag: 'stolen' })), 'LayersNotFoundException');
    const { uploadId } = await mine.send(new InitiateLayerUploadCommand({ repositoryName: 'private' }));
    await rejects(
      theirs.send(new UploadLayerPartCommand({ repositoryName: 'private', uploadId, partFirstByte: 0, partLastByte: 0, layerPartBlob: Buffer.from('x') })),
      'UploadNotFoundException',
    );
    await rejects(theirs.send(new CompleteLayerUploadCommand({ repositoryName: 'private', uploadId, layerDigests: [sha256('x')] })), 'UploadNotFoundException');
    const own = await pushImage(theirs, 'private', 'theirs', 'v1');
    const got = await mine.send(new BatchGetImageCommand({ repositoryName: 'private', imageIds: [{ imageTag: 'v1' }] }));
    assert.equal(got.images?.[0]?.imageId?.imageDigest, image.digest);
    assert.notEqual(own.digest, image.digest);
  });
});
