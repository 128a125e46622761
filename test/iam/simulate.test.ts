/**
 * IAM's policy simulator through the AWS SDK and the aws CLI: SimulatePrincipalPolicy over a
 * user's own, its groups' and AWS managed policies, a role's, a group's; SimulateCustomPolicy over
 * policies given as text, with a resource policy and a resource owner; the statements that decided
 * with their place in the policy text, missing context keys, the permissions boundary's own
 * verdict, paging, and the input IAM refuses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetContextKeysForCustomPolicyCommand,
  GetContextKeysForPrincipalPolicyCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { cliEnvironment, hasAwsCli, run } from '../helpers/aws-cli.js';
import { rejects } from '../helpers/assertions.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { ecsTasksTrust, iamClient } from './iam-client.js';

const account = '000000000000';
const userArn = (name: string) => `arn:aws:iam::${account}:user/${name}`;

/** Pretty-printed, so statements sit on known lines: the first spans lines 4–9, the second 10–15 (columns 5). */
const deployPolicy = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'RunTasks', Effect: 'Allow', Action: 'ecs:RunTask', Resource: '*' },
      { Sid: 'NoDelete', Effect: 'Deny', Action: 'ecs:DeleteCluster', Resource: '*' },
    ],
  },
  null,
  2,
);

const onlyDevCluster = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'ecs:ListTasks', Resource: '*', Condition: { StringEquals: { 'ecs:cluster': 'arn:aws:ecs:us-east-1:000000000000:cluster/dev' } } }],
});

const describeOnly = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecs:Describe*', 'ecs:List*'], Resource: '*' }] });

describe('IAM policy simulator', () => {
  let berth: TestBerth;
  let iam: IAMClient;
  before(async () => {
    berth = await startBerth();
    iam = iamClient(berth);
    await iam.send(new CreateUserCommand({ UserName: 'ci' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'ci', PolicyName: 'deploy', PolicyDocument: deployPolicy }));
    await iam.send(new CreateGroupCommand({ GroupName: 'builders' }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'builders', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'builders', UserName: 'ci' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'app', AssumeRolePolicyDocument: ecsTasksTrust }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'app', PolicyName: 'list-dev', PolicyDocument: onlyDevCluster }));
    await iam.send(new CreatePolicyCommand({ PolicyName: 'describe-only', PolicyDocument: describeOnly }));
  });
  after(async () => {
    iam.destroy();
    await berth.close();
  });

  it("answers each action's decision with the statements that decided and where they are", async () => {
    const { EvaluationResults, IsTruncated } = await iam.send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn('ci'), ActionNames: ['ecs:RunTask', 'ecs:DeleteCluster', 'ecr:PutImage', 'ecs:CreateCluster'] }),
    );
    assert.equal(IsTruncated, false);
    assert.deepEqual(
      EvaluationResults?.map((result) => [result.EvalActionName, result.EvalResourceName, result.EvalDecision]),
      [
        ['ecs:RunTask', '*', 'allowed'],
        ['ecs:DeleteCluster', '*', 'explicitDeny'],
        ['ecr:PutImage', '*', 'allowed'],
        ['ecs:CreateCluster', '*', 'implicitDeny'],
      ],
    );
    const [run, del, push, create] = EvaluationResults!;
    assert.deepEqual(run!.MatchedStatements, [{ SourcePolicyId: 'deploy', SourcePolicyType: 'user', StartPosition: { Line: 4, Column: 5 }, EndPosition: { Line: 9, Column: 5 } }]);
    assert.deepEqual(del!.MatchedStatements, [{ SourcePolicyId: 'deploy', SourcePolicyType: 'user', StartPosition: { Line: 10, Column: 5 }, EndPosition: { Line: 15, Column: 5 } }]);
    // The group's AWS managed policy decides the push.
    assert.equal(push!.MatchedStatements?.[0]?.SourcePolicyId, 'AmazonEC2ContainerRegistryPowerUser');
    assert.equal(push!.MatchedStatements?.[0]?.SourcePolicyType, 'aws-managed');
    assert.deepEqual(create!.MatchedStatements, []);
    assert.deepEqual(create!.MissingContextValues, []);
    // No ResourceArns: no resource-specific results, no boundary detail.
    assert.equal(run!.ResourceSpecificResults, undefined);
    assert.equal(run!.PermissionsBoundaryDecisionDetail, undefined);
  });

  it("evaluates a role's policies with the context entries given, and names the keys missing", async () => {
    const roleArn = `arn:aws:iam::${account}:role/app`;
    const without = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: roleArn, ActionNames: ['ecs:ListTasks'] }));
    assert.equal(without.EvaluationResults?.[0]?.EvalDecision, 'implicitDeny');
    assert.deepEqual(without.EvaluationResults?.[0]?.MissingContextValues, ['ecs:cluster']);
    const cluster = (value: string) => [{ ContextKeyName: 'ecs:cluster', ContextKeyValues: [value], ContextKeyType: 'string' as const }];
    const dev = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: roleArn, ActionNames: ['ecs:ListTasks'], ContextEntries: cluster(`arn:aws:ecs:us-east-1:${account}:cluster/dev`) }));
    assert.equal(dev.EvaluationResults?.[0]?.EvalDecision, 'allowed');
    assert.deepEqual(dev.EvaluationResults?.[0]?.MissingContextValues, []);
    assert.equal(dev.EvaluationResults?.[0]?.MatchedStatements?.[0]?.SourcePolicyType, 'role');
    const prod = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: roleArn, ActionNames: ['ecs:ListTasks'], ContextEntries: cluster(`arn:aws:ecs:us-east-1:${account}:cluster/prod`) }));
    assert.equal(prod.EvaluationResults?.[0]?.EvalDecision, 'implicitDeny');
  });

  it("applies the permissions boundary and says what the boundary alone decides; a boundary in the request replaces the entity's", async () => {
    await iam.send(new CreateUserCommand({ UserName: 'bounded' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'bounded', PolicyName: 'deploy', PolicyDocument: deployPolicy }));
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded', PermissionsBoundary: `arn:aws:iam::${account}:policy/describe-only` }));
    const stored = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn('bounded'), ActionNames: ['ecs:RunTask'] }));
    assert.equal(stored.EvaluationResults?.[0]?.EvalDecision, 'implicitDeny');
    assert.deepEqual(stored.EvaluationResults?.[0]?.PermissionsBoundaryDecisionDetail, { AllowedByPermissionsBoundary: false });
    const given = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: userArn('bounded'),
        ActionNames: ['ecs:RunTask'],
        PermissionsBoundaryPolicyInputList: [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecs:*', Resource: '*' }] })],
      }),
    );
    assert.equal(given.EvaluationResults?.[0]?.EvalDecision, 'allowed');
    assert.deepEqual(given.EvaluationResults?.[0]?.PermissionsBoundaryDecisionDetail, { AllowedByPermissionsBoundary: true });
  });

  it('evaluates every action on every resource, and pages the results', async () => {
    const clusters = [`arn:aws:ecs:us-east-1:${account}:cluster/dev`, `arn:aws:ecs:us-east-1:${account}:cluster/prod`];
    const input = { PolicySourceArn: userArn('ci'), ActionNames: ['ecs:RunTask', 'ecs:DeleteCluster'], ResourceArns: clusters };
    const all = (await iam.send(new SimulatePrincipalPolicyCommand(input))).EvaluationResults ?? [];
    assert.deepEqual(
      all.map((result) => [result.EvalActionName, result.EvalResourceName, result.EvalDecision]),
      [
        ['ecs:RunTask', clusters[0], 'allowed'],
        ['ecs:RunTask', clusters[1], 'allowed'],
        ['ecs:DeleteCluster', clusters[0], 'explicitDeny'],
        ['ecs:DeleteCluster', clusters[1], 'explicitDeny'],
      ],
    );
    assert.deepEqual(all[1]!.ResourceSpecificResults?.map((result) => [result.EvalResourceName, result.EvalResourceDecision]), [[clusters[1], 'allowed']]);
    const first = await iam.send(new SimulatePrincipalPolicyCommand({ ...input, MaxItems: 3 }));
    assert.equal(first.IsTruncated, true);
    assert.equal(first.EvaluationResults?.length, 3);
    const rest = await iam.send(new SimulatePrincipalPolicyCommand({ ...input, MaxItems: 3, Marker: first.Marker }));
    assert.equal(rest.IsTruncated, false);
    assert.deepEqual(rest.EvaluationResults, all.slice(3));
  });

  it('adds PolicyInputList to the principal policies, and simulates policies given as text alone', async () => {
    const extra = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecs:CreateCluster', Resource: '*' }] });
    const added = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn('ci'), ActionNames: ['ecs:CreateCluster'], PolicyInputList: [extra] }));
    assert.deepEqual(added.EvaluationResults?.[0]?.MatchedStatements?.map((statement) => [statement.SourcePolicyId, statement.SourcePolicyType]), [['PolicyInputList.1', 'none']]);
    const custom = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [describeOnly, deployPolicy], ActionNames: ['ecs:DescribeClusters', 'ecs:DeleteCluster', 'ecs:RunTask'] }));
    assert.deepEqual(
      custom.EvaluationResults?.map((result) => [result.EvalActionName, result.EvalDecision, result.MatchedStatements?.map((statement) => statement.SourcePolicyId)]),
      [
        ['ecs:DescribeClusters', 'allowed', ['PolicyInputList.1']],
        ['ecs:DeleteCluster', 'explicitDeny', ['PolicyInputList.2']],
        ['ecs:RunTask', 'allowed', ['PolicyInputList.2']],
      ],
    );
  });

  it('evaluates a resource policy for the caller, within the account and across accounts', async () => {
    const repository = `arn:aws:ecr:us-east-1:${account}:repository/web`;
    const grantCi = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Pull', Effect: 'Allow', Principal: { AWS: userArn('ci') }, Action: 'ecr:BatchGetImage' }] });
    // No identity policy: the resource policy naming the user allows on its own within the account.
    const within = await iam.send(
      new SimulateCustomPolicyCommand({ PolicyInputList: [describeOnly], ActionNames: ['ecr:BatchGetImage'], ResourceArns: [repository], ResourcePolicy: grantCi, CallerArn: userArn('ci') }),
    );
    assert.equal(within.EvaluationResults?.[0]?.EvalDecision, 'allowed');
    assert.deepEqual(within.EvaluationResults?.[0]?.MatchedStatements?.map((statement) => [statement.SourcePolicyId, statement.SourcePolicyType]), [['ResourcePolicy', 'resource']]);
    // Owned by another account (no account in the ARN: ResourceOwner says whose), the caller's side must allow too.
    const across = await iam.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [describeOnly],
        ActionNames: ['ecr:BatchGetImage'],
        ResourceArns: ['arn:aws:ecr:us-east-1::repository/web'],
        ResourcePolicy: grantCi,
        ResourceOwner: 'arn:aws:iam::222222222222:root',
        CallerArn: userArn('ci'),
      }),
    );
    assert.equal(across.EvaluationResults?.[0]?.EvalDecision, 'implicitDeny');
  });

  it('lists the context keys the policies test', async () => {
    const roleArn = `arn:aws:iam::${account}:role/app`;
    assert.deepEqual((await iam.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: roleArn }))).ContextKeyNames, ['ecs:cluster']);
    const extra = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' }, StringEquals: { 'ECS:cluster': 'x' } } }] });
    assert.deepEqual((await iam.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: roleArn, PolicyInputList: [extra] }))).ContextKeyNames, ['ecs:cluster', 'aws:SourceIp']);
    assert.deepEqual((await iam.send(new GetContextKeysForCustomPolicyCommand({ PolicyInputList: [deployPolicy, extra] }))).ContextKeyNames, ['aws:SourceIp', 'ECS:cluster']);
    await rejects(iam.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: userArn('nobody') })), 'NoSuchEntityException');
  });

  it('refuses what IAM refuses, before reading anything', async () => {
    await rejects(iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn('nobody'), ActionNames: ['ecs:RunTask'] })), 'NoSuchEntityException', /^The user with name nobody cannot be found\.$/);
    await rejects(iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/x', ActionNames: ['ecs:RunTask'] })), 'InvalidInputException');
    await rejects(iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn('ci'), ActionNames: ['ecs:*'] })), 'InvalidInputException', /^Invalid action name: ecs:\*$/);
    await rejects(iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: ['{"Statement": '], ActionNames: ['ecs:RunTask'] })), 'MalformedPolicyDocumentException', /^Syntax errors in policy\.$/);
    await rejects(
      iam.send(
        new SimulateCustomPolicyCommand({
          PolicyInputList: [describeOnly],
          ActionNames: ['ecs:RunTask'],
          ResourcePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'ecs:RunTask' }] }),
        }),
      ),
      'InvalidInputException',
      /CallerArn is required/,
    );
    await rejects(
      iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [describeOnly], ActionNames: ['ecs:RunTask'], ContextEntries: [{ ContextKeyName: 'aws:SourceIp', ContextKeyValues: ['not-an-ip'], ContextKeyType: 'ip' }] })),
      'InvalidInputException',
      /^Invalid value for context key aws:SourceIp of type ip: not-an-ip$/,
    );
    await rejects(
      iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [describeOnly], ActionNames: ['ecs:RunTask'], OrderedOrganizationPolicyInputList: [{ ServiceControlPolicyInputList: [describeOnly] }] })),
      'InvalidInputException',
    );
    await rejects(iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn('ci'), ActionNames: ['ecs:RunTask'], ResourceHandlingOption: 'EC2-VPC-EBS' })), 'InvalidInputException');
    await rejects(iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: userArn('ci'), ActionNames: undefined as never })), 'ValidationError');
  });

  it('answers aws iam simulate-principal-policy', { skip: hasAwsCli ? false : 'the aws command is not installed on this machine' }, async () => {
    const { stdout } = await run(
      'aws',
      ['--endpoint-url', berth.url, '--output', 'json', 'iam', 'simulate-principal-policy', '--policy-source-arn', userArn('ci'), '--action-names', 'ecs:RunTask', 'ecs:DeleteCluster'],
      { env: cliEnvironment },
    );
    const results = (JSON.parse(stdout) as { EvaluationResults: { EvalActionName: string; EvalDecision: string; MatchedStatements: { SourcePolicyId: string }[] }[] }).EvaluationResults;
    assert.deepEqual(
      results.map((result) => [result.EvalActionName, result.EvalDecision, result.MatchedStatements.map((statement) => statement.SourcePolicyId)]),
      [
        ['ecs:RunTask', 'allowed', ['deploy']],
        ['ecs:DeleteCluster', 'explicitDeny', ['deploy']],
      ],
    );
  });
});
