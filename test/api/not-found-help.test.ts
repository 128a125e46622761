/**
 * Not-found errors keep AWS's message word for word and carry Berth's help beside it, in the extra
 * body member `berthHelp`: which resource the caller named, and what to do next. The SDK copies
 * body members its model does not know onto the error, so `berthHelp` on the error is the raw body's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DeregisterContainerInstanceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { signedRequest } from '../helpers/wire.js';

interface HelpedError {
  name: string;
  message: string;
  berthHelp?: { field?: string; resource?: string; hint?: string };
}

async function failure(promise: Promise<unknown>): Promise<HelpedError> {
  return promise.then(
    () => assert.fail('the call succeeded'),
    (error: unknown) => error as HelpedError,
  );
}

function assertHelp(error: HelpedError, name: string, message: string, resource: string, hint: RegExp, field?: string) {
  assert.equal(error.name, name, error.message);
  assert.equal(error.message, message);
  assert.equal(error.berthHelp?.resource, resource);
  assert.match(error.berthHelp?.hint ?? '', hint);
  assert.equal(error.berthHelp?.field, field);
}

describe('not-found errors say which resource, and what next', () => {
  let berth: TestBerth;
  before(async () => {
    berth = await startBerth();
  });
  after(async () => berth.close());

  it('ClusterNotFoundException names the cluster given and how to create it', async () => {
    const error = await failure(berth.ecs().send(new ListServicesCommand({ cluster: 'prod' })));
    assertHelp(error, 'ClusterNotFoundException', 'Cluster not found.', 'prod', /^Create it: aws ecs create-cluster --cluster-name prod /);
  });

  it('the help travels in the raw body, beside AWS\'s message', async () => {
    const response = await signedRequest(berth.url, { target: 'AmazonEC2ContainerServiceV20141113.ListServices', body: '{"cluster":"prod"}' });
    assert.equal(response.status, 400);
    assert.equal(response.json.__type, 'ClusterNotFoundException');
    assert.equal(response.json.message, 'Cluster not found.');
    assert.deepEqual(Object.keys(response.json.berthHelp as object), ['resource', 'hint']);
  });

  it('says the default cluster was meant when none was named', async () => {
    const error = await failure(berth.ecs().send(new ListServicesCommand({})));
    assertHelp(error, 'ClusterNotFoundException', 'Cluster not found.', 'default', /No cluster was named, so ECS uses 'default'/);
  });

  it('says a cluster was deleted, and that an ARN of another Region is not this Region\'s', async () => {
    await berth.ecs().send(new CreateClusterCommand({ clusterName: 'gone' }));
    await berth.ecs().send(new DeleteClusterCommand({ cluster: 'gone' }));
    const deleted = await failure(berth.ecs().send(new ListServicesCommand({ cluster: 'gone' })));
    assertHelp(deleted, 'ClusterNotFoundException', 'Cluster not found.', 'gone', /deleted.*aws ecs create-cluster --cluster-name gone$/);
    const elsewhere = 'arn:aws:ecs:eu-west-1:000000000000:cluster/prod';
    const error = await failure(berth.ecs().send(new ListServicesCommand({ cluster: elsewhere })));
    assertHelp(error, 'ClusterNotFoundException', 'Cluster not found.', elsewhere, /not a cluster of this account and Region/);
    const tags = await failure(berth.ecs().send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/prod' })));
    assertHelp(tags, 'ClusterNotFoundException', 'Cluster not found.', 'arn:aws:ecs:us-east-1:000000000000:cluster/prod', /create-cluster --cluster-name prod/);
  });

  it('ServiceNotFoundException names the service and the cluster it was looked for in', async () => {
    await berth.ecs().send(new CreateClusterCommand({ clusterName: 'apps' }));
    const error = await failure(berth.ecs().send(new UpdateServiceCommand({ cluster: 'apps', service: 'web', desiredCount: 1 })));
    assertHelp(error, 'ServiceNotFoundException', 'Service not found.', 'web', /Cluster 'apps' has no such service.*aws ecs list-services --cluster apps/);
  });

  it('an unknown task definition keeps ECS\'s message and names what was asked for', async () => {
    const family = await failure(berth.ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web' })));
    assertHelp(family, 'ClientException', 'Unable to describe task definition.', 'web', /Family 'web' has no ACTIVE revision.*register-task-definition/);
    const revision = await failure(berth.ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: 'web:3' })));
    assertHelp(revision, 'ClientException', 'Unable to describe task definition.', 'web:3', /Revision 3 of 'web' is not registered/);
    const deregister = await failure(berth.ecs().send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'web:3' })));
    assertHelp(
      deregister,
      'ClientException',
      'Unable to describe task definition.',
      'web:3',
      /list-task-definitions --family-prefix web/,
    );
  });

  it('an unknown container instance is named, with where to look', async () => {
    const error = await failure(berth.ecs().send(new DeregisterContainerInstanceCommand({ cluster: 'apps', containerInstance: '0123456789abcdef0123456789abcdef' })));
    assertHelp(
      error,
      'InvalidParameterException',
      "containerInstance '0123456789abcdef0123456789abcdef' is not a registered container instance of this cluster.",
      '0123456789abcdef0123456789abcdef',
      /aws ecs list-container-instances --cluster apps$/,
      'containerInstance',
    );
  });

  it('RepositoryNotFoundException in ECR says how to create the repository', async () => {
    const error = await failure(berth.ecr().send(new DescribeRepositoriesCommand({ repositoryNames: ['team/api'] })));
    assertHelp(
      error,
      'RepositoryNotFoundException',
      "The repository with name 'team/api' does not exist in the registry with id '000000000000'",
      'team/api',
      /^Create it: aws ecr create-repository --repository-name team\/api\./,
    );
  });

  it('ResourceNotFoundException in Secrets Manager names the SecretId', async () => {
    const error = await failure(berth.secretsManager().send(new GetSecretValueCommand({ SecretId: 'db/password' })));
    assertHelp(error, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.", 'db/password', /^Create it: aws secretsmanager create-secret --name db\/password /);
    const arn = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:db/password-AbCdEf';
    const byArn = await failure(berth.secretsManager().send(new GetSecretValueCommand({ SecretId: arn })));
    assertHelp(byArn, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.", arn, /create-secret --name db\/password /);
  });
});
