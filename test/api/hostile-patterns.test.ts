/**
 * Patterns and wildcards a caller writes, evaluated against long values built to make a
 * backtracking engine take exponential (or high polynomial) time: each place Berth evaluates one
 * gives the right answer at once.
 *
 * Berth runs as its own process here, so that a pattern that stalled it would stall only the
 * server: the test's own timeout then fires and fails it, instead of hanging with the server.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateRepositoryCommand,
  ECRClient,
  GetLifecyclePolicyPreviewCommand,
  PutImageCommand,
  SetRepositoryPolicyCommand,
  StartLifecyclePolicyPreviewCommand,
} from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeTasksCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { eventually } from '../helpers/agent.js';
import { rejects } from '../helpers/assertions.js';
import { testCredentials } from '../helpers/berth.js';
import { buildImage, pushImage } from '../helpers/ecr.js';
import { registerInstance } from '../helpers/instances.js';
import { freePort } from '../helpers/ports.js';
import { killProcess, startServerProcess } from '../helpers/server-process.js';

/** Long enough that a backtracking engine would not answer within the test's timeout. */
const quick = { timeout: 5_000 };

/** ECS's longest attribute value: 128 characters. */
const allA = 'a'.repeat(128);
/** All `a`s but the last: `(a+)+` must try every way to split the `a`s before it fails. */
const aThenDash = `${'a'.repeat(127)}-`;

describe('caller patterns are evaluated in linear time', () => {
  let child: ChildProcess;
  let dataDir: string;
  let ecs: ECSClient;
  let ecr: ECRClient;
  const instances: Record<string, string> = {};

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'berth-patterns-'));
    const port = await freePort();
    child = await startServerProcess(dataDir, port);
    const endpoint = `http://127.0.0.1:${port}`;
    ecs = new ECSClient({ endpoint, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    ecr = new ECRClient({ endpoint, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
    await ecs.send(new CreateClusterCommand({ clusterName: 'patterns' }));
    for (const [name, value] of [['all-a', allA], ['a-dash', aThenDash], ['none', undefined]] as const) {
      const instance = await registerInstance(ecs, {
        cluster: 'patterns',
        cpu: 4096,
        memory: 8192,
        attributes: [{ name: 'name', value: name }, ...(value ? [{ name: 'custom.redos', value }] : [])],
      });
      instances[name] = instance.containerInstanceArn!;
    }
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'worker', containerDefinitions: [{ name: 'w', image: 'busybox', cpu: 10, memory: 10 }] }));
  });
  after(async () => {
    ecs?.destroy();
    ecr?.destroy();
    if (child) await killProcess(child);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const listed = async (filter: string): Promise<string[]> => {
    const { containerInstanceArns } = await ecs.send(new ListContainerInstancesCommand({ cluster: 'patterns', filter }));
    const names = Object.entries(instances).filter(([, arn]) => containerInstanceArns?.includes(arn));
    return names.map(([name]) => name).sort();
  };

  it('ListContainerInstances filters with =~ and !~ over catastrophic patterns', quick, async () => {
    assert.deepEqual(await listed('attribute:custom.redos =~ "(a+)+"'), ['all-a']);
    assert.deepEqual(await listed('attribute:custom.redos !~ "(a+)+"'), ['a-dash']);
    assert.deepEqual(await listed('attribute:custom.redos =~ "(a|aa)*-"'), ['a-dash']);
    assert.deepEqual(await listed('attribute:custom.redos =~ "(a|a)*b"'), []);
    assert.deepEqual(await listed("attribute:custom.redos =~ '(.*a){20}'"), ['all-a']);
    assert.deepEqual(await listed("attribute:custom.redos =~ '(a*)*a{64}-' or attribute:name == none"), ['a-dash', 'none']);
  });

  it('refuses what RE2 cannot do, and expressions past the bounds, with InvalidParameterException', quick, async () => {
    const refused = (filter: string, message: RegExp) =>
      rejects(ecs.send(new ListContainerInstancesCommand({ cluster: 'patterns', filter })), 'InvalidParameterException', message);
    await refused('attribute:custom.redos =~ "(a)\\1"', /invalid regular expression '\(a\)\\1': the backreference \\1 is not supported: patterns are evaluated with RE2 syntax/);
    await refused('attribute:custom.redos =~ "(?=a)a+"', /the lookahead \(\?= is not supported/);
    await refused(`attribute:custom.redos =~ "${'a'.repeat(513)}"`, /the pattern is 513 characters long; at most 512 are allowed/);
    await refused(`${'('.repeat(40)}attribute:name == none${')'.repeat(40)}`, /nests parentheses and 'not' more than 32 levels deep/);
    await refused(`attribute:name in [${Array.from({ length: 600 }, () => 'v').join(',')}]`, /more than 500 terms/);
    await refused(`attribute:name == ${'x'.repeat(2001)}`, /longer than 2000 characters/);
  });

  it('RunTask places by memberOf constraints with catastrophic patterns', quick, async () => {
    const run = (expression: string, count = 2) =>
      ecs.send(new RunTaskCommand({ cluster: 'patterns', taskDefinition: 'worker', count, placementConstraints: [{ type: 'memberOf', expression }] }));
    const onAllA = await run('attribute:custom.redos =~ "(a+)+"');
    assert.deepEqual(onAllA.tasks?.map((task) => task.containerInstanceArn), [instances['all-a'], instances['all-a']]);
    const onDash = await run('attribute:custom.redos =~ "(a|aa)*-"');
    assert.deepEqual(onDash.tasks?.map((task) => task.containerInstanceArn), [instances['a-dash'], instances['a-dash']]);
    const nowhere = await run('attribute:custom.redos =~ "(a|a)*b"', 1);
    assert.equal(nowhere.tasks?.length, 0);
    assert.equal(nowhere.failures?.[0]?.reason, 'MemberOf placement constraint unsatisfied.');
    await rejects(run('attribute:custom.redos =~ "(a)\\1"'), 'InvalidParameterException', /backreference/);
  });

  it('task:group =~ over a long task group', quick, async () => {
    const group = 'x'.repeat(200);
    const first = await ecs.send(
      new RunTaskCommand({ cluster: 'patterns', taskDefinition: 'worker', group, placementConstraints: [{ type: 'memberOf', expression: 'attribute:name == none' }] }),
    );
    assert.equal(first.tasks?.[0]?.containerInstanceArn, instances.none);
    const beside = await ecs.send(
      new RunTaskCommand({ cluster: 'patterns', taskDefinition: 'worker', count: 2, placementConstraints: [{ type: 'memberOf', expression: 'task:group =~ "(x+x+)+"' }] }),
    );
    assert.deepEqual(beside.tasks?.map((task) => task.containerInstanceArn), [instances.none, instances.none]);
    const away = await ecs.send(
      new RunTaskCommand({ cluster: 'patterns', taskDefinition: 'worker', placementConstraints: [{ type: 'memberOf', expression: 'task:group =~ "(x+x+)+y"' }] }),
    );
    assert.equal(away.tasks?.length, 0);
  });

  it('a service placement constraint with a catastrophic pattern places its task where it matches', { timeout: 20_000 }, async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'patterns',
        serviceName: 'hostile',
        taskDefinition: 'worker',
        desiredCount: 1,
        placementConstraints: [{ type: 'memberOf', expression: 'attribute:custom.redos =~ "(a|aa)*-"' }],
      }),
    );
    const hosts = await eventually(
      async () => {
        const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: 'patterns', serviceName: 'hostile' }));
        if (!taskArns?.length) return undefined;
        const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'patterns', tasks: taskArns }));
        return tasks?.map((task) => task.containerInstanceArn);
      },
      15_000,
      'the service to place its task',
    );
    assert.deepEqual(hosts, [instances['a-dash']]);
  });

  it('PutImage honours tag-mutability exclusion filters with many wildcards against long tags', quick, async () => {
    await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: 'hostile-mutability',
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: [
          { filterType: 'WILDCARD', filter: 'a*a*a*a*a*a*a*b' },
          { filterType: 'WILDCARD', filter: `${'a*'.repeat(63)}c` },
        ],
      }),
    );
    const first = await buildImage(ecr, 'hostile-mutability', 'first');
    const second = await buildImage(ecr, 'hostile-mutability', 'second');
    const put = (image: { manifest: string }, imageTag: string) =>
      ecr.send(new PutImageCommand({ repositoryName: 'hostile-mutability', imageManifest: image.manifest, imageTag }));
    const immutable64 = 'a'.repeat(64);
    const immutable128 = 'a'.repeat(128);
    const excludedB = `${'a'.repeat(63)}b`;
    const excludedC = `${'a'.repeat(127)}c`;
    for (const tag of [immutable64, immutable128, excludedB, excludedC]) await put(first, tag);
    await put(second, excludedB);
    await put(second, excludedC);
    await rejects(put(second, immutable64), 'ImageTagAlreadyExistsException', /cannot be overwritten because the tag is immutable/);
    await rejects(put(second, immutable128), 'ImageTagAlreadyExistsException', /cannot be overwritten because the tag is immutable/);
  });

  it('a lifecycle policy preview selects by tagPatternList with the most wildcards ECR allows, against long tags', quick, async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'hostile-lifecycle' }));
    // Oldest first; only the last three match a*a*a*a*b, and the rule keeps the newest of them.
    const tags = { allA: 'a'.repeat(128), endsB: `${'a'.repeat(127)}b`, aBaB: `${'a'.repeat(60)}b${'a'.repeat(60)}b`, newest: `${'a'.repeat(100)}b` };
    const digests: Record<string, string> = {};
    for (const [name, tag] of Object.entries(tags)) {
      digests[name] = (await pushImage(ecr, 'hostile-lifecycle', name, tag)).digest;
      // Push times order the images; they must differ.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const policy = JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          selection: { tagStatus: 'tagged', tagPatternList: ['a*a*a*a*b'], countType: 'imageCountMoreThan', countNumber: 1 },
          action: { type: 'expire' },
        },
      ],
    });
    await ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'hostile-lifecycle', lifecyclePolicyText: policy }));
    const preview = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'hostile-lifecycle' }));
    assert.equal(preview.status, 'COMPLETE');
    const expiring = (preview.previewResults ?? []).map((result) => result.imageDigest).sort();
    assert.deepEqual(expiring, [digests.endsB, digests.aBaB].sort());
  });

  it('SetRepositoryPolicy checks a lock-out against action patterns with many wildcards', quick, async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'hostile-policy' }));
    const deny = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: action }] });
    const harmless = deny(`ecr:${'*?'.repeat(300)}x`);
    const set = await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'hostile-policy', policyText: harmless }));
    assert.equal(set.policyText, harmless, 'denies nothing the caller needs to change it');
    await rejects(
      ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'hostile-policy', policyText: deny(`ecr:${'*?'.repeat(8)}olicy`) })),
      'InvalidParameterException',
      /would deny .* ecr:SetRepositoryPolicy/,
    );
  });
});
