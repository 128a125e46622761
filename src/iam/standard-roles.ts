/**
 * The roles ECS's getting-started guides name, created by `berth up` in its account when missing,
 * so that examples can say `"executionRoleArn": "arn:aws:iam::<account>:role/ecsTaskExecutionRole"`
 * as they do on AWS:
 *
 *   ecsTaskExecutionRole  trusts ecs-tasks.amazonaws.com; AmazonECSTaskExecutionRolePolicy attached
 *   ecsInstanceRole       trusts ec2.amazonaws.com; AmazonEC2ContainerServiceforEC2Role attached
 *
 * A role that exists is left as it is (the user may have changed it): starting again changes nothing.
 */
import type { Clock } from '../core/clock.js';
import type { IamRole } from '../store/contract/iam.js';
import type { Store } from '../store/types.js';
import { iamArn, newIamId } from './ids.js';

interface StandardRole {
  name: string;
  service: string;
  policyArn: string;
  description: string;
}

export const standardRoles: readonly StandardRole[] = [
  {
    name: 'ecsTaskExecutionRole',
    service: 'ecs-tasks.amazonaws.com',
    policyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
    description: 'Lets ECS pull images, read secrets and write logs for tasks (created by berth up)',
  },
  {
    name: 'ecsInstanceRole',
    service: 'ec2.amazonaws.com',
    policyArn: 'arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role',
    description: 'The role of ECS container instances (created by berth up)',
  },
];

const trustPolicy = (service: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });

/** Creates the standard roles missing from the account; answers the names of those it created. */
export async function ensureStandardRoles(store: Store, accountId: string, clock: Clock): Promise<string[]> {
  return store.write(async (tx) => {
    const created: string[] = [];
    for (const standard of standardRoles) {
      if (await tx.iamEntities.get(accountId, 'role', standard.name)) continue;
      const role: IamRole = {
        accountId,
        name: standard.name,
        id: newIamId('role'),
        arn: iamArn(accountId, 'role', '/', standard.name),
        path: '/',
        createdAt: Math.floor(clock.now().getTime() / 1000),
        tags: [],
        type: 'role',
        assumeRolePolicyDocument: trustPolicy(standard.service),
        description: standard.description,
        maxSessionDuration: 3600,
        inlinePolicies: {},
        attachedPolicies: [standard.policyArn],
      };
      await tx.iamEntities.put(role);
      created.push(standard.name);
    }
    return created;
  });
}
