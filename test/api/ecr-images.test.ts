import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ListImagesCommand,
  PutImageCommand,
  paginateDescribeImages,
  paginateListImages,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { buildImage, dockerConfigType, dockerManifestType, indexOf, ociIndexType, ociManifestType, pushImage, sha256 } from '../helpers/ecr.js';

const account = '000000000000';

describe('ECR images', () => {
  let berth: TestBerth;
  let ecr: ECRClient;
  before(async () => {
    berth = await startBerth();
    ecr = berth.ecr();
    for (const repositoryName of ['images', 'listed', 'deleting', 'fetching']) await ecr.send(new CreateRepositoryCommand({ repositoryName }));
  });
  after(async () => berth.close());

  it('puts an image and describes it', async () => {
    const before = Date.now();
    const image = await buildImage(ecr, 'images', 'described');
    const put = await ecr.send(new PutImageCommand({ repositoryName: 'images', imageManifest: image.manifest, imageTag: 'v1', imageDigest: image.digest }));
    assert.deepEqual(put.image, {
      registryId: account,
      repositoryName: 'images',
      imageId: { imageDigest: image.digest, imageTag: 'v1' },
      imageManifest: image.manifest,
      imageManifestMediaType: dockerManifestType,
    });
    const [detail, ...others] = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'images', imageIds: [{ imageTag: 'v1' }] }))).imageDetails ?? [];
    assert.equal(others.length, 0);
    assert.equal(detail?.registryId, account);
    assert.equal(detail?.repositoryName, 'images');
    assert.equal(detail?.imageDigest, image.digest);
    assert.deepEqual(detail?.imageTags, ['v1']);
    assert.equal(detail?.imageSizeInBytes, image.layerSizes[0]! + image.layerSizes[1]!);
    assert.ok(detail?.imagePushedAt instanceof Date && detail.imagePushedAt.getTime() >= before - 1000 && detail.imagePushedAt.getTime() <= Date.now() + 1000);
    assert.equal(detail?.imageManifestMediaType, dockerManifestType);
    assert.equal(detail?.artifactMediaType, dockerConfigType);
    assert.equal(detail?.lastRecordedPullTime, undefined);
    assert.equal(detail?.imageStatus, 'ACTIVE');
  });

  it('answers PutImage errors as ECR does', async () => {
    const image = await buildImage(ecr, 'images', 'errors');
    const put = (input: Partial<ConstructorParameters<typeof PutImageCommand>[0]>) =>
      ecr.send(new PutImageCommand({ repositoryName: 'images', imageManifest: image.manifest, ...input }));
    await put({ imageTag: 'first' });
    await rejects(
      put({ imageTag: 'first' }),
      'ImageAlreadyExistsException',
      new RegExp(`^Image with digest '${image.digest}' and tag 'first' already exists in the repository with name 'images' in registry with id '${account}'$`),
    );
    await rejects(put({}), 'ImageAlreadyExistsException', new RegExp(`^Image with digest '${image.digest}' and tag 'null' already exists`));
    // The same manifest under another tag is a new tag, not a new image.
    assert.equal((await put({ imageTag: 'second' })).image?.imageId?.imageDigest, image.digest);
    await rejects(
      put({ imageTag: 'third', imageDigest: sha256('something else') }),
      'ImageDigestDoesNotMatchException',
      new RegExp(`^Provided image digest '${sha256('something else')}' does not match the digest '${image.digest}' calculated for the image manifest`),
    );
    const missingLayer = JSON.stringify({ ...JSON.parse(image.manifest), layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: sha256('absent'), size: 6 }] });
    await rejects(
      put({ imageManifest: missingLayer, imageTag: 'broken' }),
      'LayersNotFoundException',
      new RegExp(`^Layers with digests '\\[${sha256('absent')}\\]' required for pushing image into repository with name 'images' in the registry with id '${account}' do not exist`),
    );
    await rejects(put({ imageManifest: '{"schemaVersion": 2', imageTag: 'x' }), 'InvalidParameterException', /^Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Invalid JSON syntax'$/);
    const { mediaType: _dropped, ...untyped } = JSON.parse(image.manifest) as Record<string, unknown>;
    await assert.rejects(put({ imageManifest: JSON.stringify(untyped), imageTag: 'untyped' }), (error: Error & { berthHelp?: { field?: string } }) => {
      assert.equal(error.name, 'InvalidParameterException');
      assert.equal(error.message, 'image manifest mediatype not provided in manifest or parameter');
      assert.equal(error.berthHelp?.field, 'imageManifestMediaType');
      return true;
    });
    const typed = await put({ imageManifest: JSON.stringify(untyped), imageTag: 'untyped', imageManifestMediaType: dockerManifestType });
    assert.equal(typed.image?.imageManifestMediaType, dockerManifestType);
    await rejects(
      put({ imageManifest: JSON.stringify(untyped), imageManifestMediaType: 'text/plain' }),
      'InvalidParameterException',
      /^Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'Member must be one of .*, not 'text\/plain''$/,
    );
    await rejects(
      put({ imageManifestMediaType: ociManifestType, imageTag: 'mismatch' }),
      'InvalidParameterException',
      /^Invalid parameter at 'imageManifest' failed to satisfy constraint: 'manifest invalid: the body's mediaType .* differs from the Content-Type/,
    );
    await rejects(put({ imageTag: '-bad' }), 'InvalidParameterException', /^Invalid parameter at 'imageTag' failed to satisfy constraint: 'Member must be 1 to 128 letters/);
    await rejects(put({ imageManifest: undefined as never }), 'InvalidParameterException', /^Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Member must not be null'$/);
    await rejects(put({ repositoryName: 'nowhere' }), 'RepositoryNotFoundException', /'nowhere' does not exist/);
  });

  it('lists and describes images with tag filters and pages', async () => {
    const images = [];
    for (const [index, tags] of [['a1', 'a2'], ['b1'], [], ['d1'], []].entries()) {
      const image = await pushImage(ecr, 'listed', `listed-${index}`, tags[0]);
      for (const tag of tags.slice(1)) await ecr.send(new PutImageCommand({ repositoryName: 'listed', imageManifest: image.manifest, imageTag: tag }));
      images.push(image);
    }
    const digests = images.map((image) => image.digest);
    const all = await ecr.send(new ListImagesCommand({ repositoryName: 'listed' }));
    assert.deepEqual(all.imageIds, [
      { imageDigest: digests[0], imageTag: 'a1' },
      { imageDigest: digests[0], imageTag: 'a2' },
      { imageDigest: digests[1], imageTag: 'b1' },
      { imageDigest: digests[2] },
      { imageDigest: digests[3], imageTag: 'd1' },
      { imageDigest: digests[4] },
    ]);
    const untagged = await ecr.send(new ListImagesCommand({ repositoryName: 'listed', filter: { tagStatus: 'UNTAGGED' } }));
    assert.deepEqual(untagged.imageIds, [{ imageDigest: digests[2] }, { imageDigest: digests[4] }]);
    const tagged = await ecr.send(new ListImagesCommand({ repositoryName: 'listed', filter: { tagStatus: 'TAGGED' } }));
    assert.deepEqual(tagged.imageIds?.map((id) => id.imageTag), ['a1', 'a2', 'b1', 'd1']);

    const pagedIds = [];
    for await (const page of paginateListImages({ client: ecr, pageSize: 4 }, { repositoryName: 'listed' })) {
      assert.ok((page.imageIds?.length ?? 0) <= 4);
      pagedIds.push(...(page.imageIds ?? []));
    }
    assert.deepEqual(pagedIds, all.imageIds);

    const details = [];
    for await (const page of paginateDescribeImages({ client: ecr, pageSize: 2 }, { repositoryName: 'listed' })) details.push(...(page.imageDetails ?? []));
    assert.deepEqual(details.map((detail) => detail.imageDigest), digests);
    assert.deepEqual(details[0]?.imageTags?.slice().sort(), ['a1', 'a2']);
    assert.equal(details[2]?.imageTags, undefined);
    const described = await ecr.send(new DescribeImagesCommand({ repositoryName: 'listed', filter: { tagStatus: 'UNTAGGED' } }));
    assert.deepEqual(described.imageDetails?.map((detail) => detail.imageDigest), [digests[2], digests[4]]);
    const archived = await ecr.send(new DescribeImagesCommand({ repositoryName: 'listed', filter: { imageStatus: 'ARCHIVED' } }));
    assert.deepEqual(archived.imageDetails, []);

    const byIds = await ecr.send(new DescribeImagesCommand({ repositoryName: 'listed', imageIds: [{ imageTag: 'a2' }, { imageDigest: digests[0] }, { imageDigest: digests[2] }] }));
    assert.deepEqual(byIds.imageDetails?.map((detail) => detail.imageDigest), [digests[0], digests[2]]);
  });

  it('refuses bad DescribeImages and ListImages requests', async () => {
    const notFound = (id: string) => new RegExp(`^The image with imageId ${id} does not exist within the repository with name 'listed' in the registry with id '${account}'$`);
    await rejects(
      ecr.send(new DescribeImagesCommand({ repositoryName: 'listed', imageIds: [{ imageTag: 'a1' }, { imageTag: 'nope' }] })),
      'ImageNotFoundException',
      notFound("\\{imageDigest:'null', imageTag:'nope'\\}"),
    );
    const digest = sha256('no such image');
    await rejects(
      ecr.send(new DescribeImagesCommand({ repositoryName: 'listed', imageIds: [{ imageDigest: digest }] })),
      'ImageNotFoundException',
      notFound(`\\{imageDigest:'${digest}', imageTag:'null'\\}`),
    );
    await rejects(ecr.send(new DescribeImagesCommand({ repositoryName: 'listed', imageIds: [{}] })), 'InvalidParameterException', /both tag and digest cannot be null/);
    await rejects(
      ecr.send(new DescribeImagesCommand({ repositoryName: 'listed', imageIds: [{ imageTag: 'a1' }], maxResults: 5 })),
      'InvalidParameterException',
      /maxResults cannot be used together with imageIds/,
    );
    await rejects(
      ecr.send(new ListImagesCommand({ repositoryName: 'listed', filter: { tagStatus: 'SOME' as never } })),
      'InvalidParameterException',
      /^Invalid parameter at 'filter\.tagStatus' failed to satisfy constraint: 'Member must satisfy enum value set: \[TAGGED, UNTAGGED, ANY\]'$/,
    );
    await rejects(ecr.send(new ListImagesCommand({ repositoryName: 'listed', nextToken: 'bogus' })), 'InvalidParameterException', /'nextToken'/);
    await rejects(ecr.send(new ListImagesCommand({ repositoryName: 'listed', maxResults: 1001 })), 'InvalidParameterException', /less than or equal to 1000/);
    await rejects(ecr.send(new ListImagesCommand({ repositoryName: 'nowhere' })), 'RepositoryNotFoundException', /'nowhere' does not exist/);
  });

  it('gets manifests by tag and digest, in accepted media types, with failures per image', async () => {
    const docker = await pushImage(ecr, 'fetching', 'docker', 'docker');
    const oci = await pushImage(ecr, 'fetching', 'oci', 'oci', ociManifestType);
    const missing = sha256('missing');
    const got = await ecr.send(
      new BatchGetImageCommand({
        repositoryName: 'fetching',
        imageIds: [
          { imageTag: 'docker' },
          { imageDigest: oci.digest },
          { imageTag: 'nope' },
          { imageDigest: missing },
          { imageDigest: docker.digest, imageTag: 'oci' },
          {},
          { imageDigest: 'sha256:123' },
        ],
      }),
    );
    assert.deepEqual(got.images, [
      {
        registryId: account,
        repositoryName: 'fetching',
        imageId: { imageDigest: docker.digest, imageTag: 'docker' },
        imageManifest: docker.manifest,
        imageManifestMediaType: dockerManifestType,
      },
      { registryId: account, repositoryName: 'fetching', imageId: { imageDigest: oci.digest }, imageManifest: oci.manifest, imageManifestMediaType: ociManifestType },
    ]);
    assert.deepEqual(
      got.failures?.map((failure) => [failure.imageId, failure.failureCode]),
      [
        [{ imageTag: 'nope' }, 'ImageNotFound'],
        [{ imageDigest: missing }, 'ImageNotFound'],
        [{ imageDigest: docker.digest, imageTag: 'oci' }, 'ImageTagDoesNotMatchDigest'],
        [{}, 'MissingDigestAndTag'],
        [{ imageDigest: 'sha256:123' }, 'InvalidImageDigest'],
      ],
    );
    assert.equal(got.failures?.[0]?.failureReason, 'Requested image not found');

    const onlyDocker = await ecr.send(
      new BatchGetImageCommand({ repositoryName: 'fetching', imageIds: [{ imageTag: 'docker' }, { imageTag: 'oci' }], acceptedMediaTypes: [dockerManifestType] }),
    );
    assert.deepEqual(onlyDocker.images?.map((image) => image.imageId?.imageTag), ['docker']);
    assert.deepEqual(onlyDocker.failures, [
      {
        imageId: { imageTag: 'oci' },
        failureCode: 'UnsupportedImageType',
        failureReason: `The image's manifest media type '${ociManifestType}' is not in acceptedMediaTypes; add it there to get this image`,
      },
    ]);
    // Reading a manifest is a pull.
    const [detail] = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'fetching', imageIds: [{ imageTag: 'docker' }] }))).imageDetails ?? [];
    assert.ok(detail?.lastRecordedPullTime instanceof Date && Math.abs(detail.lastRecordedPullTime.getTime() - Date.now()) < 60_000);
    await rejects(ecr.send(new BatchGetImageCommand({ repositoryName: 'fetching', imageIds: [] })), 'InvalidParameterException', /'imageIds'.*greater than or equal to 1/);
  });

  it('deletes by tag, by last tag and by digest', async () => {
    const shared = await pushImage(ecr, 'deleting', 'shared', 'one');
    await ecr.send(new PutImageCommand({ repositoryName: 'deleting', imageManifest: shared.manifest, imageTag: 'two' }));
    const lone = await pushImage(ecr, 'deleting', 'lone', 'only');
    const whole = await pushImage(ecr, 'deleting', 'whole', 'w1');
    await ecr.send(new PutImageCommand({ repositoryName: 'deleting', imageManifest: whole.manifest, imageTag: 'w2' }));
    const untagged = await pushImage(ecr, 'deleting', 'untagged');

    const deleted = await ecr.send(
      new BatchDeleteImageCommand({
        repositoryName: 'deleting',
        imageIds: [{ imageTag: 'one' }, { imageTag: 'only' }, { imageDigest: whole.digest }, { imageDigest: untagged.digest }, { imageTag: 'gone' }],
      }),
    );
    assert.deepEqual(deleted.imageIds, [
      { imageDigest: shared.digest, imageTag: 'one' },
      { imageDigest: lone.digest, imageTag: 'only' },
      { imageDigest: whole.digest, imageTag: 'w1' },
      { imageDigest: whole.digest, imageTag: 'w2' },
      { imageDigest: untagged.digest },
    ]);
    assert.deepEqual(deleted.failures, [{ imageId: { imageTag: 'gone' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }]);
    const left = await ecr.send(new ListImagesCommand({ repositoryName: 'deleting' }));
    assert.deepEqual(left.imageIds, [{ imageDigest: shared.digest, imageTag: 'two' }]);
  });

  it('keeps an image an index lists until the index goes', async () => {
    const amd = await pushImage(ecr, 'deleting', 'amd64');
    const arm = await pushImage(ecr, 'deleting', 'arm64', 'arm-only');
    const index = indexOf([amd, arm]);
    const put = await ecr.send(new PutImageCommand({ repositoryName: 'deleting', imageManifest: index, imageTag: 'multi' }));
    assert.equal(put.image?.imageManifestMediaType, ociIndexType);
    const [detail] = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'deleting', imageIds: [{ imageTag: 'multi' }] }))).imageDetails ?? [];
    assert.equal(detail?.imageSizeInBytes, amd.layerSizes[0]! + amd.layerSizes[1]! + arm.layerSizes[0]! + arm.layerSizes[1]!);
    const refused = await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'deleting', imageIds: [{ imageDigest: amd.digest }, { imageTag: 'arm-only' }] }));
    assert.deepEqual(refused.imageIds, []);
    const reason = `Requested image referenced by manifest list: [${sha256(index)}]; delete the manifest list first`;
    assert.deepEqual(refused.failures, [
      { imageId: { imageDigest: amd.digest }, failureCode: 'ImageReferencedByManifestList', failureReason: reason },
      { imageId: { imageTag: 'arm-only' }, failureCode: 'ImageReferencedByManifestList', failureReason: reason },
    ]);
    const ordered = await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'deleting', imageIds: [{ imageTag: 'multi' }, { imageDigest: amd.digest }] }));
    assert.deepEqual(ordered.imageIds, [
      { imageDigest: sha256(index), imageTag: 'multi' },
      { imageDigest: amd.digest },
    ]);
    assert.deepEqual(ordered.failures, []);
  });
});
