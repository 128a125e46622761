/**
 * Task execution roles for tests that register definitions with `secrets` or `repositoryCredentials`
 * (ECS refuses those without an executionRoleArn). Created through the IAM API once per Berth:
 *
 *   ecsTaskExecutionRole         as `berth up` creates it: trusts ecs-tasks.amazonaws.com, with
 *                                AmazonECSTaskExecutionRolePolicy, which (as in AWS) reads no secrets
 *   ecsTaskExecutionRoleSecrets  the same, and an inline policy allowing secretsmanager:GetSecretValue
 *                                and ssm:GetParameters on every resource, for tests about secret values
 */
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { testCredentials, type TestBerth } from './berth.js';

const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const readSecrets = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'ssm:GetParameters'], Resource: '*' }],
});

const created = new WeakMap<TestBerth, Map<string, Promise<string>>>();

async function createRole(berth: TestBerth, name: string, secrets: boolean): Promise<string> {
  const iam = new IAMClient({ endpoint: berth.url, region: berth.config.region, credentials: testCredentials, maxAttempts: 1 });
  try {
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy' }));
    if (secrets) await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'read-secrets', PolicyDocument: readSecrets }));
    return Role!.Arn!;
  } finally {
    iam.destroy();
  }
}

/** The ARN of a test execution role of Berth's account; `secrets: true` for one that may read secrets and parameters. */
export function executionRoleFor(berth: TestBerth, options: { secrets?: boolean } = {}): Promise<string> {
  const name = options.secrets ? 'ecsTaskExecutionRoleSecrets' : 'ecsTaskExecutionRole';
  let roles = created.get(berth);
  if (!roles) {
    roles = new Map();
    created.set(berth, roles);
  }
  let role = roles.get(name);
  if (!role) {
    role = createRole(berth, name, options.secrets === true);
    roles.set(name, role);
  }
  return role;
}
