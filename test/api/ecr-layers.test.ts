import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchCheckLayerAvailabilityCommand,
  CompleteLayerUploadCommand,
  CreateRepositoryCommand,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  InvalidLayerPartException,
  UploadLayerPartCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { buildImage, dockerConfigType, dockerLayerType, pushImage, pushLayer, sha256 } from '../helpers/ecr.js';

const repositoryName = 'layers';

describe('ECR layer uploads and downloads', () => {
  let berth: TestBerth;
  let ecr: ECRClient;
  before(async () => {
    berth = await startBerth();
    ecr = berth.ecr();
    await ecr.send(new CreateRepositoryCommand({ repositoryName }));
  });
  after(async () => berth.close());

  const part = (uploadId: string | undefined, first: number, bytes: Buffer, last = first + bytes.length - 1) =>
    ecr.send(new UploadLayerPartCommand({ repositoryName, uploadId, partFirstByte: first, partLastByte: last, layerPartBlob: bytes }));

  it('uploads a layer in parts and reports it available', async () => {
    const initiated = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
    assert.match(initiated.uploadId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(initiated.partSize, 10 * 1024 * 1024);
    const bytes = Buffer.from('0123456789abcdefghij');
    const first = await part(initiated.uploadId, 0, bytes.subarray(0, 8));
    assert.deepEqual({ ...first, $metadata: undefined }, { $metadata: undefined, registryId: '000000000000', repositoryName, uploadId: initiated.uploadId, lastByteReceived: 7 });
    assert.equal((await part(initiated.uploadId, 8, bytes.subarray(8))).lastByteReceived, 19);
    const digest = sha256(bytes);
    const completed = await ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId: initiated.uploadId, layerDigests: [digest] }));
    assert.equal(completed.layerDigest, digest);
    assert.equal(completed.uploadId, initiated.uploadId);
    assert.equal(completed.registryId, '000000000000');
    assert.equal(completed.repositoryName, repositoryName);

    const missing = sha256('never uploaded');
    const checked = await ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName, layerDigests: [digest, missing, 'sha256:nothex'] }));
    assert.deepEqual(checked.layers, [{ layerDigest: digest, layerAvailability: 'AVAILABLE', layerSize: 20 }]);
    assert.deepEqual(checked.failures, [
      { layerDigest: missing, failureCode: 'MissingLayerDigest', failureReason: `Could not find layer '${missing}' in the repository` },
      { layerDigest: 'sha256:nothex', failureCode: 'InvalidLayerDigest', failureReason: "Invalid layer digest 'sha256:nothex': expected 'sha256:' and 64 hex digits" },
    ]);
  });

  it('reports the media type an image gives a layer', async () => {
    const image = await pushImage(ecr, repositoryName, 'media-types', 'media');
    const checked = await ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName, layerDigests: [image.configDigest, image.layerDigests[0] as string] }));
    assert.deepEqual(checked.layers, [
      { layerDigest: image.configDigest, layerAvailability: 'AVAILABLE', layerSize: checked.layers?.[0]?.layerSize, mediaType: dockerConfigType },
      { layerDigest: image.layerDigests[0], layerAvailability: 'AVAILABLE', layerSize: image.layerSizes[0], mediaType: dockerLayerType },
    ]);
    assert.deepEqual(checked.failures, []);
  });

  it('refuses parts that do not continue the upload, saying where to resume', async () => {
    const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
    await assert.rejects(part(uploadId, 5, Buffer.from('late')), (error: InvalidLayerPartException) => {
      assert.equal(error.name, 'InvalidLayerPartException');
      assert.equal(error.message, 'The part does not continue the upload, which holds 0 bytes; send the part that starts at byte 0');
      assert.equal(error.lastValidByteReceived, -1);
      assert.equal(error.uploadId, uploadId);
      assert.equal(error.repositoryName, repositoryName);
      assert.equal(error.registryId, '000000000000');
      return true;
    });
    await part(uploadId, 0, Buffer.from('abcd'));
    await assert.rejects(part(uploadId, 2, Buffer.from('cdef')), (error: InvalidLayerPartException) => {
      assert.equal(error.lastValidByteReceived, 3);
      return true;
    });
    await assert.rejects(part(uploadId, 4, Buffer.from('efgh'), 9), (error: InvalidLayerPartException) => {
      assert.equal(error.message, 'partFirstByte 4 and partLastByte 9 span 6 bytes, but layerPartBlob holds 4');
      assert.equal(error.lastValidByteReceived, 3);
      return true;
    });
    // The refused parts left the upload as it was.
    assert.equal((await part(uploadId, 4, Buffer.from('efgh'))).lastByteReceived, 7);
    const completed = await ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [sha256('abcdefgh')] }));
    assert.equal(completed.layerDigest, sha256('abcdefgh'));
  });

  it('answers ECR errors for unknown, empty, mismatched and already complete uploads', async () => {
    const unknownUpload = /^The upload with id '.+' does not exist in the repository with name 'layers' in the registry with id '000000000000'; start one with InitiateLayerUpload$/;
    await rejects(part('00000000-0000-0000-0000-000000000000', 0, Buffer.from('x')), 'UploadNotFoundException', unknownUpload);
    await rejects(
      ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId: '00000000-0000-0000-0000-000000000000', layerDigests: [sha256('x')] })),
      'UploadNotFoundException',
      unknownUpload,
    );

    const empty = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
    await rejects(
      ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId: empty.uploadId, layerDigests: [sha256('')] })),
      'EmptyUploadException',
      /^The layer upload with id '.+' has no layer parts; upload at least one part/,
    );

    const wrong = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
    await part(wrong.uploadId, 0, Buffer.from('actual bytes'));
    await rejects(
      ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId: wrong.uploadId, layerDigests: [sha256('other bytes')] })),
      'InvalidLayerException',
      new RegExp(`^The uploaded layer has digest '${sha256('actual bytes')}', not '${sha256('other bytes')}'; the upload was discarded`),
    );
    await rejects(part(wrong.uploadId, 12, Buffer.from('more')), 'UploadNotFoundException', unknownUpload);

    const two = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
    await rejects(
      ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId: two.uploadId, layerDigests: [sha256('a'), sha256('b')] })),
      'InvalidParameterException',
      /^Invalid parameter at 'layerDigests' failed to satisfy constraint: 'Member must hold exactly one digest, that of the whole layer; it holds 2'$/,
    );
    await rejects(
      ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId: two.uploadId, layerDigests: ['md5:abc'] })),
      'InvalidParameterException',
      /^Invalid parameter at 'layerDigests\[0\]' failed to satisfy constraint: 'Member must be a sha256 digest/,
    );

    const existing = await pushLayer(ecr, repositoryName, Buffer.from('shared layer'));
    const again = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
    await part(again.uploadId, 0, Buffer.from('shared layer'));
    await rejects(
      ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId: again.uploadId, layerDigests: [existing] })),
      'LayerAlreadyExistsException',
      new RegExp(`^Layer with digest '${existing}' already exists in the repository with name 'layers' in registry with id '000000000000'$`),
    );
    await rejects(ecr.send(new InitiateLayerUploadCommand({ repositoryName: 'nowhere' })), 'RepositoryNotFoundException', /'nowhere' does not exist/);
  });

  it('keeps uploads to their repository', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'elsewhere' }));
    const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
    await rejects(
      ecr.send(new UploadLayerPartCommand({ repositoryName: 'elsewhere', uploadId, partFirstByte: 0, partLastByte: 0, layerPartBlob: Buffer.from('x') })),
      'UploadNotFoundException',
      /with name 'elsewhere'/,
    );
  });

  it('gives a download URL for a layer an image references', async () => {
    const image = await pushImage(ecr, repositoryName, 'download', 'download');
    const layerDigest = image.layerDigests[1] as string;
    const { downloadUrl, layerDigest: answered } = await ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName, layerDigest }));
    assert.equal(answered, layerDigest);
    assert.ok(downloadUrl?.startsWith(`${berth.url}/_berth/registry/layers/${layerDigest}?`));
    const response = await fetch(downloadUrl as string);
    assert.equal(response.status, 200);
    assert.equal(Buffer.from(await response.arrayBuffer()).toString(), 'layer two of download, a little longer');
  });

  it('refuses download URLs for layers no image references, and for unknown layers', async () => {
    const lonely = await pushLayer(ecr, repositoryName, Buffer.from('referenced by nothing'));
    await rejects(
      ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName, layerDigest: lonely })),
      'LayerInaccessibleException',
      new RegExp(`^The layer '${lonely}' in the repository with name 'layers' is not referenced by any image; push an image that references it`),
    );
    const unknown = sha256('unknown');
    await rejects(
      ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName, layerDigest: unknown })),
      'LayersNotFoundException',
      new RegExp(`^The layer with digest '${unknown}' does not exist in the repository with name 'layers' in the registry with id '000000000000'$`),
    );
    await rejects(
      ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName, layerDigest: 'latest' })),
      'InvalidParameterException',
      /^Invalid parameter at 'layerDigest' failed to satisfy constraint: 'Member must be a sha256 digest/,
    );
    // A layer of another repository is not this one's.
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'other-layers' }));
    const built = await buildImage(ecr, 'other-layers', 'foreign');
    await rejects(
      ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName, layerDigest: built.layerDigests[0] })),
      'LayersNotFoundException',
      /does not exist in the repository with name 'layers'/,
    );
  });
});
