/**
 * SSM Parameter Store through the AWS SDK: the three types, versions and overwrite, tiers and their
 * size limits, AllowedPattern, selectors by version and label, paths, filters, paging, history,
 * labels, tags, deletion, values sealed at rest, and errors in Systems Manager's words.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  UnlabelParameterVersionCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { rejects } from '../helpers/assertions.js';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';

const arnOf = (name: string) => `arn:aws:ssm:us-east-1:000000000000:parameter${name.startsWith('/') ? '' : '/'}${name}`;

describe('SSM Parameter Store', () => {
  let berth: TestBerth;
  let ssm: SSMClient;
  before(async () => {
    berth = await startBerth();
    ssm = new SSMClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
  });
  after(async () => {
    ssm.destroy();
    await berth.close();
  });

  it('stores String, StringList and SecureString parameters, and decrypts only when asked', async () => {
    assert.deepEqual(
      await ssm.send(new PutParameterCommand({ Name: '/app/prod/url', Value: 'https://db', Type: 'String', Description: 'the db' })).then(({ Version, Tier }) => ({ Version, Tier })),
      { Version: 1, Tier: 'Standard' },
    );
    await ssm.send(new PutParameterCommand({ Name: '/app/prod/hosts', Value: 'a,b,c', Type: 'StringList' }));
    await ssm.send(new PutParameterCommand({ Name: '/app/prod/password', Value: 's3cret-value', Type: 'SecureString' }));
    const url = (await ssm.send(new GetParameterCommand({ Name: '/app/prod/url' }))).Parameter!;
    assert.equal(url.Value, 'https://db');
    assert.equal(url.Type, 'String');
    assert.equal(url.Version, 1);
    assert.equal(url.ARN, arnOf('/app/prod/url'));
    assert.equal(url.DataType, 'text');
    assert.ok(url.LastModifiedDate instanceof Date);
    assert.equal((await ssm.send(new GetParameterCommand({ Name: '/app/prod/hosts' }))).Parameter?.Value, 'a,b,c');
    const hidden = (await ssm.send(new GetParameterCommand({ Name: '/app/prod/password' }))).Parameter!;
    assert.equal(hidden.Type, 'SecureString');
    assert.notEqual(hidden.Value, 's3cret-value');
    assert.ok(!Buffer.from(hidden.Value ?? '', 'base64').toString('latin1').includes('s3cret'));
    assert.equal((await ssm.send(new GetParameterCommand({ Name: arnOf('/app/prod/password'), WithDecryption: true }))).Parameter?.Value, 's3cret-value');
    const described = (await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: ['/app/prod/password'] }] }))).Parameters!;
    assert.deepEqual(described.map((parameter) => [parameter.Name, parameter.Type, parameter.KeyId, parameter.Tier, parameter.LastModifiedUser]), [
      ['/app/prod/password', 'SecureString', 'alias/aws/ssm', 'Standard', 'arn:aws:iam::000000000000:root'],
    ]);
  });

  it('keeps values out of the database file in the clear', async () => {
    await ssm.send(new PutParameterCommand({ Name: 'plain-marker', Value: 'unmistakable-plain-value-7391', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: 'secure-marker', Value: 'unmistakable-secure-value-7391', Type: 'SecureString' }));
    const files = readdirSync(berth.dataDir).filter((file) => file.includes('.db') || file.includes('.sqlite'));
    assert.ok(files.length > 0, `database files in ${berth.dataDir}`);
    for (const file of files) {
      const bytes = readFileSync(join(berth.dataDir, file)).toString('latin1');
      assert.ok(!bytes.includes('unmistakable-secure-value-7391') && !bytes.includes('unmistakable-plain-value-7391'), `${file} holds a value in the clear`);
    }
  });

  it('versions with Overwrite, selects by version and label, and keeps the history', async () => {
    await rejects(
      ssm.send(new PutParameterCommand({ Name: '/app/prod/url', Value: 'https://db2', Type: 'String' })),
      'ParameterAlreadyExists',
      /^The parameter already exists\. To overwrite this value, set the overwrite option in the request to true\.$/,
    );
    assert.equal((await ssm.send(new PutParameterCommand({ Name: '/app/prod/url', Value: 'https://db2', Overwrite: true }))).Version, 2);
    assert.equal((await ssm.send(new GetParameterCommand({ Name: '/app/prod/url:1' }))).Parameter?.Value, 'https://db');
    const labelled = await ssm.send(new LabelParameterVersionCommand({ Name: '/app/prod/url', ParameterVersion: 1, Labels: ['stable', '1bad', 'awsy'] }));
    assert.deepEqual([labelled.ParameterVersion, labelled.InvalidLabels], [1, ['1bad', 'awsy']]);
    const byLabel = (await ssm.send(new GetParameterCommand({ Name: '/app/prod/url:stable' }))).Parameter!;
    assert.deepEqual([byLabel.Value, byLabel.Version, byLabel.Selector], ['https://db', 1, ':stable']);
    // Labelling the latest version moves the label.
    await ssm.send(new LabelParameterVersionCommand({ Name: '/app/prod/url', Labels: ['stable'] }));
    assert.equal((await ssm.send(new GetParameterCommand({ Name: '/app/prod/url:stable' }))).Parameter?.Version, 2);
    const history = (await ssm.send(new GetParameterHistoryCommand({ Name: '/app/prod/url' }))).Parameters!;
    assert.deepEqual(history.map((entry) => [entry.Version, entry.Value, entry.Labels, entry.Description]), [
      [1, 'https://db', [], 'the db'],
      [2, 'https://db2', ['stable'], 'the db'],
    ]);
    await rejects(ssm.send(new GetParameterCommand({ Name: '/app/prod/url:7' })), 'ParameterVersionNotFound', /^Systems Manager could not find version 7 of \/app\/prod\/url\. Verify the version and try again\.$/);
    await rejects(ssm.send(new LabelParameterVersionCommand({ Name: '/app/prod/url', Labels: Array.from({ length: 10 }, (_, i) => `l${i}`) })), 'ParameterVersionLabelLimitExceeded');
    const unlabelled = await ssm.send(new UnlabelParameterVersionCommand({ Name: '/app/prod/url', ParameterVersion: 2, Labels: ['stable', 'never'] }));
    assert.deepEqual([unlabelled.RemovedLabels, unlabelled.InvalidLabels], [['stable'], ['never']]);
    await rejects(ssm.send(new GetParameterCommand({ Name: '/app/prod/url:stable' })), 'ParameterVersionNotFound');
    await ssm.send(new LabelParameterVersionCommand({ Name: '/app/prod/url', Labels: ['stable'] }));
  });

  it('answers several at once, by path, and refuses what Parameter Store refuses', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/app/dev/url', Value: 'http://dev', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/app/prod/deep/flag', Value: 'on', Type: 'String' }));
    const many = await ssm.send(new GetParametersCommand({ Names: ['/app/prod/url', '/app/nothing', '/app/prod/url:1'] }));
    assert.deepEqual(many.Parameters?.map((parameter) => [parameter.Name, parameter.Value]), [['/app/prod/url', 'https://db2'], ['/app/prod/url', 'https://db']]);
    assert.deepEqual(many.InvalidParameters, ['/app/nothing']);
    const oneLevel = await ssm.send(new GetParametersByPathCommand({ Path: '/app/prod' }));
    assert.deepEqual(oneLevel.Parameters?.map((parameter) => parameter.Name), ['/app/prod/hosts', '/app/prod/password', '/app/prod/url']);
    const recursive = await ssm.send(new GetParametersByPathCommand({ Path: '/app', Recursive: true, WithDecryption: true, ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }] }));
    assert.deepEqual(recursive.Parameters?.map((parameter) => [parameter.Name, parameter.Value]), [['/app/prod/password', 's3cret-value']]);
    const first = await ssm.send(new GetParametersByPathCommand({ Path: '/app', Recursive: true, MaxResults: 2 }));
    assert.equal(first.Parameters?.length, 2);
    const second = await ssm.send(new GetParametersByPathCommand({ Path: '/app', Recursive: true, MaxResults: 10, NextToken: first.NextToken }));
    assert.deepEqual([...(first.Parameters ?? []), ...(second.Parameters ?? [])].map((parameter) => parameter.Name), [
      '/app/dev/url', '/app/prod/deep/flag', '/app/prod/hosts', '/app/prod/password', '/app/prod/url',
    ]);
    assert.equal(second.NextToken, undefined);
    await rejects(ssm.send(new GetParametersByPathCommand({ Path: '/app', ParameterFilters: [{ Key: 'Name', Values: ['x'] }] })), 'InvalidFilterKey');
    const byPath = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/app/prod'] }, { Key: 'Type', Values: ['String'] }] }));
    assert.deepEqual(byPath.Parameters?.map((parameter) => parameter.Name), ['/app/prod/deep/flag', '/app/prod/url']);
    const beginsWith = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: ['/app/dev'] }] }));
    assert.deepEqual(beginsWith.Parameters?.map((parameter) => parameter.Name), ['/app/dev/url']);
    await rejects(ssm.send(new DescribeParametersCommand({ Filters: [{ Key: 'Type', Values: ['String'] }], ParameterFilters: [{ Key: 'Type', Values: ['String'] }] })), 'ValidationException', /either Filters or ParameterFilters/);
  });

  it('checks names, tiers, patterns, tags and data types', async () => {
    await rejects(ssm.send(new PutParameterCommand({ Name: 'a/b', Value: 'x', Type: 'String' })), 'ValidationException', /^Parameter name must be a fully qualified name\.$/);
    await rejects(ssm.send(new PutParameterCommand({ Name: '/aws/x', Value: 'x', Type: 'String' })), 'ValidationException', /can't be prefixed with "aws" or "ssm"/);
    await rejects(ssm.send(new PutParameterCommand({ Name: `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`, Value: 'x', Type: 'String' })), 'HierarchyLevelLimitExceededException');
    await rejects(ssm.send(new PutParameterCommand({ Name: 'untyped', Value: 'x' })), 'ValidationException', /^A parameter type is required when you create a parameter\.$/);
    await rejects(ssm.send(new PutParameterCommand({ Name: 'big', Value: 'x'.repeat(4097), Type: 'String' })), 'ValidationException', /^Standard tier parameters support a maximum parameter value of 4096 characters\./);
    assert.equal((await ssm.send(new PutParameterCommand({ Name: 'big', Value: 'x'.repeat(4097), Type: 'String', Tier: 'Intelligent-Tiering' }))).Tier, 'Advanced');
    await rejects(ssm.send(new PutParameterCommand({ Name: 'big', Value: 'y', Overwrite: true, Tier: 'Standard' })), 'ValidationException', /can't downgrade a parameter from the advanced-parameter tier/);
    await rejects(ssm.send(new PutParameterCommand({ Name: 'huge', Value: 'x'.repeat(8193), Type: 'String', Tier: 'Advanced' })), 'ValidationException');
    await rejects(ssm.send(new PutParameterCommand({ Name: 'port', Value: 'eighty', Type: 'String', AllowedPattern: '\\d+' })), 'ParameterPatternMismatchException', /^Parameter value, cannot be validated against allowedPattern: \\d\+$/);
    await ssm.send(new PutParameterCommand({ Name: 'port', Value: '80', Type: 'String', AllowedPattern: '\\d+' }));
    await rejects(ssm.send(new PutParameterCommand({ Name: 'port', Value: 'ninety', Overwrite: true })), 'ParameterPatternMismatchException');
    await rejects(
      ssm.send(new PutParameterCommand({ Name: 'port', Value: '81', Overwrite: true, Tags: [{ Key: 'a', Value: 'b' }] })),
      'ValidationException',
      /^Invalid request: tags and overwrite can't be used together\./,
    );
    await rejects(ssm.send(new PutParameterCommand({ Name: 'ami', Value: 'ami-12345678', Type: 'String', DataType: 'aws:ec2:image' })), 'ValidationException');
    await rejects(ssm.send(new PutParameterCommand({ Name: 'keyed', Value: 'x', Type: 'String', KeyId: 'alias/mine' })), 'ValidationException', /^KeyId is required for SecureString type parameter only\.$/);
    await rejects(ssm.send(new GetParameterCommand({ Name: '/app/none' })), 'ParameterNotFound');
  });

  it('tags parameters, and deletes one or several', async () => {
    await ssm.send(new PutParameterCommand({ Name: 'tagged', Value: 'x', Type: 'String', Tags: [{ Key: 'team', Value: 'web' }] }));
    await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: 'tagged', Tags: [{ Key: 'env', Value: 'prod' }] }));
    await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: 'tagged', TagKeys: ['team'] }));
    assert.deepEqual((await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: 'tagged' }))).TagList, [{ Key: 'env', Value: 'prod' }]);
    const byTag = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'tag:env', Values: ['prod'] }] }));
    assert.deepEqual(byTag.Parameters?.map((parameter) => parameter.Name), ['tagged']);
    await rejects(ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Document', ResourceId: 'tagged' })), 'InvalidResourceType');
    await rejects(ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: 'nothing' })), 'InvalidResourceId');
    await ssm.send(new DeleteParameterCommand({ Name: 'tagged' }));
    await rejects(ssm.send(new DeleteParameterCommand({ Name: 'tagged' })), 'ParameterNotFound');
    const deleted = await ssm.send(new DeleteParametersCommand({ Names: ['/app/dev/url', 'gone'] }));
    assert.deepEqual([deleted.DeletedParameters, deleted.InvalidParameters], [['/app/dev/url'], ['gone']]);
    await rejects(ssm.send(new GetParameterCommand({ Name: '/app/dev/url' })), 'ParameterNotFound');
  });

  it('a reset of the account removes its parameters and every version', async () => {
    await ssm.send(new PutParameterCommand({ Name: '/reset/me', Value: 'x', Type: 'String' }));
    await berth.server.store.reset({ kind: 'account', accountId: '000000000000' });
    assert.deepEqual((await ssm.send(new DescribeParametersCommand({}))).Parameters, []);
    const left = await berth.server.store.read((tx) => tx.ssmParameters.listVersions('000000000000', 'us-east-1', '/reset/me'));
    assert.deepEqual(left, []);
  });
});
