import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand,
  SetRepositoryPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';

const account = '000000000000';
const arnOf = (name: string, region = 'us-east-1', owner = account) => `arn:aws:ecr:${region}:${owner}:repository/${name}`;
const pullPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'Pull', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }],
});
const policyNotFound = (name: string) =>
  new RegExp(`^Repository policy does not exist for the repository with name '${name}' in the registry with id '${account}'$`);

describe('ECR repository policies and tags', () => {
  let berth: TestBerth;
  let ecr: ECRClient;
  before(async () => {
    berth = await startBerth();
    ecr = berth.ecr();
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'policed' }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'tagged', tags: [{ Key: 'team', Value: 'web' }] }));
  });
  after(async () => berth.close());

  it('sets, gets and deletes a repository policy', async () => {
    await rejects(ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'policed' })), 'RepositoryPolicyNotFoundException', policyNotFound('policed'));
    const set = await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'policed', policyText: pullPolicy }));
    assert.deepEqual({ registryId: set.registryId, repositoryName: set.repositoryName, policyText: set.policyText }, {
      registryId: account,
      repositoryName: 'policed',
      policyText: pullPolicy,
    });
    assert.equal((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'policed' }))).policyText, pullPolicy);
    const deleted = await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: 'policed' }));
    assert.equal(deleted.policyText, pullPolicy);
    assert.equal(deleted.repositoryName, 'policed');
    await rejects(ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'policed' })), 'RepositoryPolicyNotFoundException', policyNotFound('policed'));
    await rejects(ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: 'policed' })), 'RepositoryPolicyNotFoundException', policyNotFound('policed'));
    await rejects(
      ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'nowhere', policyText: pullPolicy })),
      'RepositoryNotFoundException',
      /^The repository with name 'nowhere' does not exist in the registry with id '000000000000'$/,
    );
  });

  it('takes the older policy version, a single statement object and NotAction', async () => {
    const policy = JSON.stringify({ Version: '2008-10-17', Statement: { Effect: 'Allow', Principal: '*', NotAction: 'ecr:DeleteRepository' } });
    await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'policed', policyText: policy }));
    assert.equal((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'policed' }))).policyText, policy);
  });

  it('takes statements that share a Sid, as ECR does', async () => {
    const statement = { Sid: 'pull', Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage' };
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [statement, { ...statement, Action: 'ecr:GetDownloadUrlForLayer' }] });
    await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'policed', policyText: policy }));
    assert.equal((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'policed' }))).policyText, policy);
  });

  it('refuses policies that are not IAM policy documents, saying what is wrong', async () => {
    const set = (document: unknown) =>
      ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'policed', policyText: typeof document === 'string' ? document : JSON.stringify(document) }));
    const statement = { Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage' };
    // ECR's message, word for word; what is wrong is in berthHelp.
    const refuses = (promise: Promise<unknown>, reason: string) =>
      assert.rejects(promise, (error: Error & { berthHelp?: { field?: string; hint?: string } }) => {
        assert.equal(error.name, 'InvalidParameterException', error.message);
        assert.equal(error.message, "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'");
        assert.equal(error.berthHelp?.field, 'policyText');
        assert.match(error.berthHelp?.hint ?? '', new RegExp(`^The policy is invalid: ${reason}\\.$`));
        return true;
      });
    await refuses(set('{not json'), 'not valid JSON \\(.*\\)');
    await refuses(set([]), 'the policy must be a JSON object');
    await refuses(set({ Statement: [statement] }), 'Version must be "2012-10-17" \\(or the older "2008-10-17"\\)');
    await refuses(set({ Version: '2012-10-17', Statement: [] }), 'Statement must be a non-empty list of statements');
    await refuses(set({ Version: '2012-10-17', Statement: [statement], Extra: 1 }), "unknown top-level element 'Extra'.*");
    await refuses(set({ Version: '2012-10-17', Statement: [{ ...statement, Effect: 'Maybe' }] }), 'Statement\\[0\\]\\.Effect must be "Allow" or "Deny"');
    await refuses(set({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:BatchGetImage' }] }), 'Statement\\[0\\] needs exactly one of Principal and NotPrincipal');
    await refuses(set({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*' }] }), 'Statement\\[0\\] needs exactly one of Action and NotAction');
    await refuses(set({ Version: '2012-10-17', Statement: [{ ...statement, Action: 'BatchGetImage' }] }), `Statement\\[0\\]\\.Action 'BatchGetImage' is not an action such as "ecr:BatchGetImage" or "ecr:\\*"`);
    await refuses(set({ Version: '2012-10-17', Statement: [{ ...statement, Principal: { Someone: 'x' } }] }), "Statement\\[0\\]\\.Principal has 'Someone'; principals are AWS, Service, Federated or CanonicalUser");
    await refuses(set({ Version: '2012-10-17', Statement: [{ ...statement, Colour: 'red' }] }), "Statement\\[0\\] has the unknown element 'Colour'");
    await rejects(
      ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'policed', policyText: 'x'.repeat(10241) })),
      'InvalidParameterException',
      /'policyText' failed to satisfy constraint: 'Member must have length less than or equal to 10240'/,
    );
  });

  it('needs force for a policy that would lock the caller out of changing it', async () => {
    const lockout = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'ecr:*' }] });
    await rejects(
      ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'policed', policyText: lockout })),
      'InvalidParameterException',
      /^The repository policy would deny arn:aws:iam::000000000000:root ecr:SetRepositoryPolicy, so the policy could never be changed again; pass force to set it anyway$/,
    );
    const conditional = JSON.stringify({
      Version: '2012-10-17',
      // A conditional deny is no lock-out. It is enforced: over this plain-HTTP test connection a
      // deny of insecure transport would refuse the next call, so the condition is one that does not hold here.
      Statement: [{ Effect: 'Deny', Principal: '*', Action: 'ecr:SetRepositoryPolicy', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }],
    });
    await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'policed', policyText: conditional }));
    const forced = await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'policed', policyText: lockout, force: true }));
    assert.equal(forced.policyText, lockout);
  });

  it('tags, lists and untags a repository by ARN', async () => {
    const resourceArn = arnOf('tagged');
    assert.deepEqual((await ecr.send(new ListTagsForResourceCommand({ resourceArn }))).tags, [{ Key: 'team', Value: 'web' }]);
    await ecr.send(new TagResourceCommand({ resourceArn, tags: [{ Key: 'team', Value: 'platform' }, { Key: 'env', Value: 'prod' }] }));
    assert.deepEqual((await ecr.send(new ListTagsForResourceCommand({ resourceArn }))).tags, [
      { Key: 'team', Value: 'platform' },
      { Key: 'env', Value: 'prod' },
    ]);
    await ecr.send(new UntagResourceCommand({ resourceArn, tagKeys: ['team', 'absent'] }));
    assert.deepEqual((await ecr.send(new ListTagsForResourceCommand({ resourceArn }))).tags, [{ Key: 'env', Value: 'prod' }]);
  });

  it('refuses bad tags, a 51st tag and ARNs that name no repository of the caller', async () => {
    const resourceArn = arnOf('tagged');
    await rejects(ecr.send(new TagResourceCommand({ resourceArn, tags: [{ Key: '', Value: 'v' }] })), 'InvalidTagParameterException', /^tags\[0\]\.Key '' must be 1 to 128 characters long$/);
    await rejects(ecr.send(new TagResourceCommand({ resourceArn, tags: [{ Key: 'k' } as never] })), 'InvalidTagParameterException', /^tags\[0\]\.Value is required/);
    await rejects(ecr.send(new UntagResourceCommand({ resourceArn, tagKeys: ['k'.repeat(129)] })), 'InvalidTagParameterException', /^tagKeys\[0\] '.*' must be 1 to 128 characters long$/);
    const current = (await ecr.send(new ListTagsForResourceCommand({ resourceArn }))).tags?.length ?? 0;
    const filling = Array.from({ length: 50 - current }, (_, index) => ({ Key: `fill-${index}`, Value: 'x' }));
    await ecr.send(new TagResourceCommand({ resourceArn, tags: filling }));
    await rejects(
      ecr.send(new TagResourceCommand({ resourceArn, tags: [{ Key: 'one-more', Value: 'x' }] })),
      'TooManyTagsException',
      /^The repository with name 'tagged' would have 51 tags; the maximum number of tags that can be applied to a repository is 50/,
    );
    // Replacing a value of an existing key adds no tag.
    await ecr.send(new TagResourceCommand({ resourceArn, tags: [{ Key: 'fill-0', Value: 'y' }] }));
    assert.equal((await ecr.send(new ListTagsForResourceCommand({ resourceArn }))).tags?.length, 50);

    await rejects(
      ecr.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:s3:::bucket' })),
      'InvalidParameterException',
      /^Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'$/,
    );
    await assert.rejects(ecr.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:s3:::bucket' })), (error: Error & { berthHelp?: { field?: string; resource?: string; hint?: string } }) => {
      assert.deepEqual(error.berthHelp, {
        field: 'resourceArn',
        resource: 'arn:aws:s3:::bucket',
        hint: 'A repository ARN looks like arn:aws:ecr:<region>:<account>:repository/<name>.',
      });
      return true;
    });
    await rejects(
      ecr.send(new ListTagsForResourceCommand({ resourceArn: arnOf('missing') })),
      'RepositoryNotFoundException',
      /^The repository with name 'missing' does not exist in the registry with id '000000000000'$/,
    );
    await rejects(
      ecr.send(new ListTagsForResourceCommand({ resourceArn: arnOf('tagged', 'us-west-2') })),
      'RepositoryNotFoundException',
      /^The repository with name 'tagged' does not exist/,
    );
  });
});
