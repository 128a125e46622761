import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DeleteAttributesCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  ListAttributesCommand,
  ListTagsForResourceCommand,
  PutAttributesCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type Attribute,
  type ECSClient,
  type ListAttributesCommandInput,
  type Tag,
  type TargetType,
} from '@aws-sdk/client-ecs';
import type { TaskDefinitionRecord, TaskRecord } from '../../src/store/types.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';

const account = '000000000000';
const arnOf = (resource: string, region = 'us-east-1', accountId = account) => `arn:aws:ecs:${region}:${accountId}:${resource}`;

async function rejects(promise: Promise<unknown>, name: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
    assert.match(error.message, message);
    return true;
  });
}

const tagsOf = (count: number, prefix = 'k'): Tag[] => Array.from({ length: count }, (_, i) => ({ key: `${prefix}${i}`, value: `v${i}` }));

async function registerInstance(ecs: ECSClient, cluster: string, attributes: Attribute[] = []): Promise<string> {
  const result = await ecs.send(
    new RegisterContainerInstanceCommand({
      cluster,
      totalResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
        { name: 'MEMORY', type: 'INTEGER', integerValue: 4096 },
      ],
      attributes,
    }),
  );
  const arn = result.containerInstance?.containerInstanceArn;
  assert.ok(arn, 'RegisterContainerInstance returns the instance ARN');
  return arn;
}

const shortId = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

describe('tagging', () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  let clusterArn: string;

  before(async () => {
    berth = await startBerth();
    ecs = berth.ecs();
    const created = await ecs.send(new CreateClusterCommand({ clusterName: 'tagged', tags: [{ key: 'team', value: 'core' }] }));
    clusterArn = created.cluster?.clusterArn as string;
  });
  after(async () => berth.close());

  it('adds, replaces, lists and removes the tags of a cluster', async () => {
    assert.deepEqual((await ecs.send(new ListTagsForResourceCommand({ resourceArn: clusterArn }))).tags, [{ key: 'team', value: 'core' }]);

    await ecs.send(new TagResourceCommand({ resourceArn: clusterArn, tags: [{ key: 'env', value: 'prod' }, { key: 'team', value: 'platform' }] }));
    assert.deepEqual((await ecs.send(new ListTagsForResourceCommand({ resourceArn: clusterArn }))).tags, [
      { key: 'team', value: 'platform' },
      { key: 'env', value: 'prod' },
    ]);
    // A tag without a value gets the empty value.
    await ecs.send(new TagResourceCommand({ resourceArn: clusterArn, tags: [{ key: 'flag' }] }));

    await ecs.send(new UntagResourceCommand({ resourceArn: clusterArn, tagKeys: ['team', 'not-there'] }));
    assert.deepEqual((await ecs.send(new ListTagsForResourceCommand({ resourceArn: clusterArn }))).tags, [
      { key: 'env', value: 'prod' },
      { key: 'flag', value: '' },
    ]);

    const described = await ecs.send(new DescribeClustersCommand({ clusters: ['tagged'], include: ['TAGS'] }));
    assert.deepEqual(described.clusters?.[0]?.tags, [
      { key: 'env', value: 'prod' },
      { key: 'flag', value: '' },
    ]);
    await ecs.send(new UntagResourceCommand({ resourceArn: clusterArn, tagKeys: ['env', 'flag'] }));
    assert.deepEqual((await ecs.send(new ListTagsForResourceCommand({ resourceArn: clusterArn }))).tags, []);
  });

  it('holds a resource to 50 tags', async () => {
    await rejects(ecs.send(new TagResourceCommand({ resourceArn: clusterArn, tags: tagsOf(51) })), 'InvalidParameterException', /at most 50/);
    await ecs.send(new TagResourceCommand({ resourceArn: clusterArn, tags: tagsOf(45) }));
    await rejects(
      ecs.send(new TagResourceCommand({ resourceArn: clusterArn, tags: tagsOf(6, 'extra') })),
      'InvalidParameterException',
      /at most 50 tags.*bring it to 51/,
    );
    assert.equal((await ecs.send(new ListTagsForResourceCommand({ resourceArn: clusterArn }))).tags?.length, 45, 'a refused call changes nothing');
    await ecs.send(new TagResourceCommand({ resourceArn: clusterArn, tags: tagsOf(5, 'extra') }));
    // At 50, replacing existing keys is still allowed.
    await ecs.send(new TagResourceCommand({ resourceArn: clusterArn, tags: [{ key: 'k0', value: 'changed' }] }));
    const tags = (await ecs.send(new ListTagsForResourceCommand({ resourceArn: clusterArn }))).tags ?? [];
    assert.equal(tags.length, 50);
    assert.deepEqual(tags[0], { key: 'k0', value: 'changed' });

    await rejects(ecs.send(new UntagResourceCommand({ resourceArn: clusterArn, tagKeys: tagsOf(51).map((t) => t.key as string) })), 'InvalidParameterException', /tagKeys.*at most 50/);
    await ecs.send(new UntagResourceCommand({ resourceArn: clusterArn, tagKeys: tags.map((t) => t.key as string) }));
    assert.deepEqual((await ecs.send(new ListTagsForResourceCommand({ resourceArn: clusterArn }))).tags, []);
  });

  it('checks tags and tag keys', async () => {
    await rejects(ecs.send(new TagResourceCommand({ resourceArn: clusterArn, tags: [{ key: 'aws:owner', value: 'x' }] })), 'InvalidParameterException', /aws:/);
    await rejects(ecs.send(new TagResourceCommand({ resourceArn: clusterArn, tags: [{ key: 'x'.repeat(129) }] })), 'InvalidParameterException', /tags\[0\]\.key/);
    await rejects(ecs.send(new TagResourceCommand({ resourceArn: clusterArn, tags: [{ key: 'a', value: 'v'.repeat(257) }] })), 'InvalidParameterException', /tags\[0\]\.value/);
    await rejects(ecs.send(new TagResourceCommand({ resourceArn: clusterArn, tags: [{ key: 'a' }, { key: 'a' }] })), 'InvalidParameterException', /more than once/);
    await rejects(ecs.send(new TagResourceCommand({ resourceArn: clusterArn, tags: undefined as unknown as Tag[] })), 'InvalidParameterException', /tags can not be null/);
    await rejects(ecs.send(new UntagResourceCommand({ resourceArn: clusterArn, tagKeys: [''] })), 'InvalidParameterException', /tagKeys\[0\]/);
    await rejects(ecs.send(new UntagResourceCommand({ resourceArn: clusterArn, tagKeys: ['AWS:x'] })), 'InvalidParameterException', /reserved/);
    await rejects(ecs.send(new UntagResourceCommand({ resourceArn: clusterArn, tagKeys: undefined as unknown as string[] })), 'InvalidParameterException', /tagKeys can not be null/);
    // An empty list of tags is accepted and changes nothing.
    await ecs.send(new TagResourceCommand({ resourceArn: clusterArn, tags: [] }));
  });

  it('answers for ARNs that are malformed, unsupported or of nothing', async () => {
    await rejects(ecs.send(new ListTagsForResourceCommand({ resourceArn: 'tagged' })), 'InvalidParameterException', /resourceArn 'tagged'/);
    await rejects(ecs.send(new ListTagsForResourceCommand({ resourceArn: '' })), 'InvalidParameterException', /resourceArn can not be blank/);
    await rejects(
      ecs.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:s3:::bucket' })),
      'InvalidParameterException',
      /not an Amazon ECS resource ARN/,
    );
    await rejects(
      ecs.send(new TagResourceCommand({ resourceArn: arnOf('capacity-provider/mine'), tags: [{ key: 'a' }] })),
      'InvalidParameterException',
      /resourceArn.*capacity-provider/,
    );
    await rejects(
      ecs.send(new TagResourceCommand({ resourceArn: arnOf('task/0123456789abcdef0123456789abcdef'), tags: [{ key: 'a' }] })),
      'InvalidParameterException',
      /Long arn format/,
    );
    await rejects(ecs.send(new ListTagsForResourceCommand({ resourceArn: arnOf('task-definition/web') })), 'InvalidParameterException', /not a valid task-definition ARN/);

    for (const resourceArn of [arnOf('cluster/missing'), arnOf('cluster/tagged', 'eu-west-1')]) {
      await rejects(ecs.send(new ListTagsForResourceCommand({ resourceArn })), 'ClusterNotFoundException', /Cluster not found/);
      await rejects(ecs.send(new TagResourceCommand({ resourceArn, tags: [{ key: 'a' }] })), 'ClusterNotFoundException', /Cluster not found/);
      await rejects(ecs.send(new UntagResourceCommand({ resourceArn, tagKeys: ['a'] })), 'ClusterNotFoundException', /Cluster not found/);
    }
    // Another account's cluster: a cross-account call, which no resource policy of ECS can allow.
    const foreign = arnOf('cluster/tagged', 'us-east-1', '111111111111');
    await rejects(ecs.send(new ListTagsForResourceCommand({ resourceArn: foreign })), 'AccessDeniedException', /because no resource-based policy allows the ecs:ListTagsForResource action$/);
    await rejects(ecs.send(new TagResourceCommand({ resourceArn: foreign, tags: [{ key: 'a' }] })), 'AccessDeniedException', /ecs:TagResource/);
    // The same cluster is found from its own Region.
    await berth.ecs('eu-west-1').send(new CreateClusterCommand({ clusterName: 'tagged' }));
    assert.deepEqual((await berth.ecs('eu-west-1').send(new ListTagsForResourceCommand({ resourceArn: arnOf('cluster/tagged', 'eu-west-1') }))).tags, []);

    const missingTask = arnOf('task/tagged/0123456789abcdef0123456789abcdef');
    await rejects(ecs.send(new TagResourceCommand({ resourceArn: missingTask, tags: [{ key: 'a' }] })), 'ResourceNotFoundException', /resource wasn't found/);
    await rejects(ecs.send(new UntagResourceCommand({ resourceArn: missingTask, tagKeys: ['a'] })), 'ResourceNotFoundException', /resource wasn't found/);
    await rejects(ecs.send(new ListTagsForResourceCommand({ resourceArn: missingTask })), 'InvalidParameterException', /resource wasn't found/);
  });

  it('does not tag a deleted cluster', async () => {
    const created = await ecs.send(new CreateClusterCommand({ clusterName: 'short-lived' }));
    await ecs.send(new DeleteClusterCommand({ cluster: 'short-lived' }));
    await rejects(
      ecs.send(new TagResourceCommand({ resourceArn: created.cluster?.clusterArn, tags: [{ key: 'a' }] })),
      'ClusterNotFoundException',
      /Cluster not found/,
    );
  });

  it('tags container instances', async () => {
    const instanceArn = await registerInstance(ecs, 'tagged');
    await ecs.send(new TagResourceCommand({ resourceArn: instanceArn, tags: [{ key: 'rack', value: 'r1' }] }));
    assert.deepEqual((await ecs.send(new ListTagsForResourceCommand({ resourceArn: instanceArn }))).tags, [{ key: 'rack', value: 'r1' }]);
    const described = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'tagged', containerInstances: [instanceArn], include: ['TAGS'] }));
    assert.deepEqual(described.containerInstances?.[0]?.tags, [{ key: 'rack', value: 'r1' }]);
    await ecs.send(new UntagResourceCommand({ resourceArn: instanceArn, tagKeys: ['rack'] }));
    assert.deepEqual((await ecs.send(new ListTagsForResourceCommand({ resourceArn: instanceArn }))).tags, []);

    const missing = arnOf('container-instance/tagged/0123456789abcdef0123456789abcdef');
    await rejects(ecs.send(new TagResourceCommand({ resourceArn: missing, tags: [{ key: 'a' }] })), 'ResourceNotFoundException', /container-instance/);
    await rejects(ecs.send(new ListTagsForResourceCommand({ resourceArn: missing })), 'InvalidParameterException', /wasn't found/);
    await rejects(
      ecs.send(new ListTagsForResourceCommand({ resourceArn: arnOf(`container-instance/${shortId(instanceArn)}`) })),
      'InvalidParameterException',
      /Long arn format/,
    );
  });

  it('tags tasks and task definitions', async () => {
    const taskArn = arnOf('task/tagged/00000000000000000000000000000001');
    const taskDefinitionArn = arnOf('task-definition/stored:1');
    await berth.server.store.write(async (tx) => {
      const task: TaskRecord = { taskArn, clusterArn, lastStatus: 'STOPPED', desiredStatus: 'STOPPED', taskDefinitionArn, tags: [{ key: 'a', value: '1' }] };
      await tx.tasks.put(task);
      const definition: TaskDefinitionRecord = { taskDefinitionArn, family: 'stored', revision: 1, status: 'ACTIVE', containerDefinitions: [], tags: [] };
      await tx.taskDefinitions.put(definition);
    });
    await ecs.send(new TagResourceCommand({ resourceArn: taskArn, tags: [{ key: 'b', value: '2' }] }));
    assert.deepEqual((await ecs.send(new ListTagsForResourceCommand({ resourceArn: taskArn }))).tags, [
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
    await ecs.send(new TagResourceCommand({ resourceArn: taskDefinitionArn, tags: [{ key: 'owner', value: 'me' }] }));
    assert.deepEqual((await ecs.send(new ListTagsForResourceCommand({ resourceArn: taskDefinitionArn }))).tags, [{ key: 'owner', value: 'me' }]);
    await rejects(
      ecs.send(new TagResourceCommand({ resourceArn: arnOf('task-definition/stored:2'), tags: [{ key: 'a' }] })),
      'ResourceNotFoundException',
      /stored:2/,
    );
  });

  it('tags task definitions registered through the API', async () => {
    const result = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'api-web',
        containerDefinitions: [{ name: 'web', image: 'nginx', memory: 128 }],
        tags: [{ key: 'from', value: 'register' }],
      }),
    );
    const registered = result.taskDefinition?.taskDefinitionArn;
    assert.ok(registered);
    await ecs.send(new TagResourceCommand({ resourceArn: registered, tags: [{ key: 'extra', value: 'x' }] }));
    assert.deepEqual((await ecs.send(new ListTagsForResourceCommand({ resourceArn: registered }))).tags, [
      { key: 'from', value: 'register' },
      { key: 'extra', value: 'x' },
    ]);
  });
});

describe('attributes', () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  let first: string;
  let second: string;
  let elsewhere: string;

  before(async () => {
    berth = await startBerth();
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'attrs' }));
    await ecs.send(new CreateClusterCommand({ clusterName: 'other' }));
    first = await registerInstance(ecs, 'attrs', [{ name: 'from-agent', value: 'yes' }]);
    second = await registerInstance(ecs, 'attrs');
    elsewhere = await registerInstance(ecs, 'other');
  });
  after(async () => berth.close());

  async function listAll(input: ListAttributesCommandInput): Promise<Attribute[]> {
    const attributes: Attribute[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await ecs.send(new ListAttributesCommand({ ...input, ...(nextToken ? { nextToken } : {}) }));
      attributes.push(...(page.attributes ?? []));
      nextToken = page.nextToken;
      assert.ok(++pages < 50, 'pagination does not end');
    } while (nextToken);
    return attributes;
  }

  const custom = (attributes: Attribute[]) => attributes.filter((a) => !a.name?.startsWith('ecs.'));

  it('puts attributes by ARN or short ID, replacing by name, and lists them with the instance ARN', async () => {
    const put = await ecs.send(
      new PutAttributesCommand({
        cluster: 'attrs',
        attributes: [
          { name: 'stack', value: 'prod', targetId: first },
          { name: 'stack', value: 'test', targetType: 'container-instance', targetId: shortId(second) },
          { name: 'gpu', targetType: 'container-instance', targetId: shortId(second) },
        ],
      }),
    );
    assert.deepEqual(put.attributes, [
      { name: 'stack', value: 'prod', targetId: first },
      { name: 'stack', value: 'test', targetType: 'container-instance', targetId: shortId(second) },
      { name: 'gpu', targetType: 'container-instance', targetId: shortId(second) },
    ]);
    await ecs.send(new PutAttributesCommand({ cluster: 'attrs', attributes: [{ name: 'stack', value: 'staging', targetId: first }] }));

    const stacks = await ecs.send(new ListAttributesCommand({ cluster: 'attrs', targetType: 'container-instance', attributeName: 'stack' }));
    const expected = [
      { name: 'stack', value: 'staging', targetType: 'container-instance', targetId: first },
      { name: 'stack', value: 'test', targetType: 'container-instance', targetId: second },
    ].sort((a, b) => (a.targetId < b.targetId ? -1 : 1));
    assert.deepEqual(stacks.attributes, expected);

    const test = await ecs.send(new ListAttributesCommand({ cluster: 'attrs', targetType: 'container-instance', attributeName: 'stack', attributeValue: 'test' }));
    assert.deepEqual(test.attributes, [{ name: 'stack', value: 'test', targetType: 'container-instance', targetId: second }]);

    const everything = await listAll({ cluster: 'attrs', targetType: 'container-instance' });
    assert.deepEqual(
      custom(everything).map((a) => `${shortId(a.targetId as string)} ${a.name}=${a.value ?? ''}`).sort(),
      [`${shortId(first)} from-agent=yes`, `${shortId(first)} stack=staging`, `${shortId(second)} gpu=`, `${shortId(second)} stack=test`].sort(),
    );
    // ECS's own attributes are listed too, and nothing from another cluster.
    assert.ok(everything.some((a) => a.name === 'ecs.os-type' && a.targetId === first));
    assert.ok(everything.every((a) => a.targetId === first || a.targetId === second));

    const described = await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'attrs', containerInstances: [first] }));
    const shown = described.containerInstances?.[0]?.attributes ?? [];
    assert.deepEqual(shown.find((a) => a.name === 'stack'), { name: 'stack', value: 'staging' });
    assert.equal(shown.filter((a) => a.name === 'stack').length, 1);
  });

  it('pages through attributes without repeats', async () => {
    const all = await listAll({ cluster: 'attrs', targetType: 'container-instance' });
    const paged = await listAll({ cluster: 'attrs', targetType: 'container-instance', maxResults: 2 });
    assert.ok(all.length > 2);
    assert.deepEqual(paged, all);
    const one = await ecs.send(new ListAttributesCommand({ cluster: 'attrs', targetType: 'container-instance', maxResults: 1 }));
    assert.equal(one.attributes?.length, 1);
    assert.ok(one.nextToken);
  });

  it('deletes attributes and reports what it deleted', async () => {
    await ecs.send(new PutAttributesCommand({ cluster: 'attrs', attributes: [{ name: 'temp', value: 'x', targetId: first }] }));
    const deleted = await ecs.send(
      new DeleteAttributesCommand({
        cluster: 'attrs',
        attributes: [
          { name: 'temp', targetId: first },
          { name: 'never-set', targetType: 'container-instance', targetId: shortId(first) },
        ],
      }),
    );
    assert.deepEqual(deleted.attributes, [
      { name: 'temp', value: 'x', targetId: first },
      { name: 'never-set', targetType: 'container-instance', targetId: shortId(first) },
    ]);
    const left = await ecs.send(new ListAttributesCommand({ cluster: 'attrs', targetType: 'container-instance', attributeName: 'temp' }));
    assert.deepEqual(left.attributes, []);
    await rejects(
      ecs.send(new DeleteAttributesCommand({ cluster: 'attrs', attributes: [{ name: 'stack', targetId: elsewhere }] })),
      'TargetNotFoundException',
      /target wasn't found/,
    );
  });

  it('answers for missing clusters and targets, and changes nothing when any target is missing', async () => {
    await rejects(
      ecs.send(new PutAttributesCommand({ cluster: 'nope', attributes: [{ name: 'a', value: 'b', targetId: first }] })),
      'ClusterNotFoundException',
      /Cluster not found/,
    );
    await rejects(ecs.send(new ListAttributesCommand({ cluster: 'nope', targetType: 'container-instance' })), 'ClusterNotFoundException', /Cluster not found/);
    await rejects(
      ecs.send(
        new PutAttributesCommand({
          cluster: 'attrs',
          attributes: [
            { name: 'partial', value: 'yes', targetId: first },
            { name: 'partial', value: 'yes', targetType: 'container-instance', targetId: '0123456789abcdef0123456789abcdef' },
          ],
        }),
      ),
      'TargetNotFoundException',
      /0123456789abcdef0123456789abcdef.*attrs/,
    );
    const partial = await ecs.send(new ListAttributesCommand({ cluster: 'attrs', targetType: 'container-instance', attributeName: 'partial' }));
    assert.deepEqual(partial.attributes, []);
    // An instance of another cluster is not a target in this one.
    await rejects(
      ecs.send(new PutAttributesCommand({ cluster: 'attrs', attributes: [{ name: 'a', value: 'b', targetId: elsewhere }] })),
      'TargetNotFoundException',
      /target wasn't found/,
    );
  });

  it('checks names, values, targets and limits', async () => {
    const put = (attribute: Attribute) => ecs.send(new PutAttributesCommand({ cluster: 'attrs', attributes: [attribute] }));
    await rejects(put({ name: 'bad name', value: 'x', targetId: first }), 'InvalidParameterException', /attributes\[0\]\.name 'bad name'/);
    await rejects(put({ name: 'a:b', value: 'x', targetId: first }), 'InvalidParameterException', /attributes\[0\]\.name/);
    await rejects(put({ name: 'n'.repeat(129), value: 'x', targetId: first }), 'InvalidParameterException', /attributes\[0\]\.name/);
    await rejects(put({ name: '', value: 'x', targetId: first }), 'InvalidParameterException', /attributes\[0\]\.name can not be blank/);
    await rejects(put({ name: 'ok', value: ' padded', targetId: first }), 'InvalidParameterException', /attributes\[0\]\.value/);
    await rejects(put({ name: 'ok', value: 'v'.repeat(129), targetId: first }), 'InvalidParameterException', /attributes\[0\]\.value/);
    await rejects(put({ name: 'ok', value: 'semi;colon', targetId: first }), 'InvalidParameterException', /attributes\[0\]\.value/);
    await rejects(put({ name: 'ecs.os-type', value: 'windows', targetId: first }), 'InvalidParameterException', /reserved/);
    await rejects(put({ name: 'ok', value: 'x', targetId: shortId(first) }), 'InvalidParameterException', /targetType is required/);
    await rejects(put({ name: 'ok', value: 'x', targetType: 'instance' as TargetType, targetId: shortId(first) }), 'InvalidParameterException', /targetType must be one of container-instance/);
    await rejects(put({ name: 'ok', value: 'x' }), 'InvalidParameterException', /targetId can not be blank/);
    await rejects(put({ name: 'ok', value: 'x', targetId: arnOf('cluster/attrs') }), 'InvalidParameterException', /not a container instance ARN/);
    await rejects(
      ecs.send(new PutAttributesCommand({ cluster: 'attrs', attributes: Array.from({ length: 11 }, (_, i) => ({ name: `n${i}`, targetId: first })) })),
      'InvalidParameterException',
      /attributes can have at most 10/,
    );
    await rejects(ecs.send(new PutAttributesCommand({ cluster: 'attrs', attributes: [] })), 'InvalidParameterException', /at least one/);
    // Values may hold the documented punctuation.
    await put({ name: 'path/with\\slashes.and-dashes_1', value: 'user@host:/dir x', targetId: first });

    // Ten custom attributes per instance: `second` has gpu and stack, so eight more fit and a ninth does not.
    await ecs.send(new PutAttributesCommand({ cluster: 'attrs', attributes: Array.from({ length: 8 }, (_, i) => ({ name: `slot${i}`, value: 'x', targetId: second })) }));
    await rejects(put({ name: 'one-too-many', value: 'x', targetId: second }), 'AttributeLimitExceededException', /up to 10 custom attributes/);
    // Replacing one it already has is fine at the limit.
    await put({ name: 'slot0', value: 'changed', targetId: second });

    await rejects(ecs.send(new ListAttributesCommand({ cluster: 'attrs', targetType: undefined as unknown as TargetType })), 'InvalidParameterException', /targetType can not be blank/);
    await rejects(ecs.send(new ListAttributesCommand({ cluster: 'attrs', targetType: 'task' as TargetType })), 'InvalidParameterException', /targetType must be one of/);
    await rejects(
      ecs.send(new ListAttributesCommand({ cluster: 'attrs', targetType: 'container-instance', attributeValue: 'x' })),
      'InvalidParameterException',
      /attributeValue.*attributeName/,
    );
    await rejects(ecs.send(new ListAttributesCommand({ cluster: 'attrs', targetType: 'container-instance', maxResults: 101 })), 'InvalidParameterException', /maxResults/);
  });
});
