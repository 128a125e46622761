import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListTagsForResourceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StartTaskCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { registerInstance } from '../helpers/instances.js';
import { ecsTarget, signedRequest } from '../helpers/wire.js';

const fargate: Partial<RegisterTaskDefinitionCommandInput> = {
  requiresCompatibilities: ['FARGATE', 'EC2'],
  networkMode: 'awsvpc',
  cpu: '256',
  memory: '512',
  executionRoleArn: 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole',
};
const network = { awsvpcConfiguration: { subnets: ['subnet-local'] } };
const secretArn = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:api-token-AbCdEf';

/** Asserts UnsupportedFeatureException with exactly `message`, and Berth's help naming `field`. */
async function refused(promise: Promise<unknown>, message: string, field: string, hint: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error & { $metadata?: { httpStatusCode?: number }; berthHelp?: { field?: string; hint?: string } }) => {
    assert.equal(error.name, 'UnsupportedFeatureException', `${error.name}: ${error.message}`);
    assert.equal(error.message, message);
    assert.equal(error.$metadata?.httpStatusCode, 400);
    assert.equal(error.berthHelp?.field, field);
    assert.match(error.berthHelp?.hint ?? '', hint);
    return true;
  });
}

describe('task definition fields Berth does not honour are refused at launch', () => {
  let berth: TestBerth;
  let ecs: ECSClient;
  let instanceArn: string;
  const register = async (family: string, container: Partial<ContainerDefinition>, task: Partial<RegisterTaskDefinitionCommandInput> = {}) => {
    const result = await ecs.send(
      new RegisterTaskDefinitionCommand({ family, ...fargate, containerDefinitions: [{ name: 'app', image: 'busybox', essential: true, ...container }], ...task }),
    );
    return result.taskDefinition!;
  };

  before(async () => {
    berth = await startBerth();
    ecs = berth.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: 'fields' }));
    instanceArn = (await registerInstance(ecs, { cluster: 'fields' })).containerInstanceArn!;
  });
  after(async () => berth.close());

  it('awslogs registers and describes as on AWS; RunTask refuses the awslogs options the agent does not do yet, on FARGATE and on EC2 alike', async () => {
    const logConfiguration = { logDriver: 'awslogs' as const, options: { 'awslogs-group': '/ecs/web', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'web', 'awslogs-endpoint': 'http://127.0.0.1:1' } };
    await register('awslogs', { logConfiguration });
    const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'awslogs' }));
    assert.deepEqual(described.taskDefinition?.containerDefinitions?.[0]?.logConfiguration, logConfiguration);

    const message = 'containerDefinitions[0].logConfiguration is not supported by Berth yet.';
    const field = 'containerDefinitions[0].logConfiguration';
    await refused(ecs.send(new RunTaskCommand({ cluster: 'fields', taskDefinition: 'awslogs', launchType: 'FARGATE', networkConfiguration: network })), message, field, /awslogs-endpoint/);
    // On EC2 the refusal comes before placement, which would only say an attribute is missing.
    await refused(ecs.send(new RunTaskCommand({ cluster: 'fields', taskDefinition: 'awslogs', launchType: 'EC2', networkConfiguration: network })), message, field, /Remove options\.awslogs-endpoint/);
    await refused(
      ecs.send(new StartTaskCommand({ cluster: 'fields', taskDefinition: 'awslogs', containerInstances: [instanceArn], networkConfiguration: network })),
      message,
      field,
      /not supported yet/,
    );
  });

  it('berthHelp travels in the raw error body beside AWS\'s message', async () => {
    await register('fault-injection', {}, { enableFaultInjection: true });
    const { status, json } = await signedRequest(berth.url, {
      target: ecsTarget('RunTask'),
      body: JSON.stringify({ cluster: 'fields', taskDefinition: 'fault-injection', launchType: 'FARGATE', networkConfiguration: network }),
    });
    assert.equal(status, 400);
    assert.equal(json.__type, 'UnsupportedFeatureException');
    assert.equal(json.message, 'enableFaultInjection is not supported by Berth yet.');
    const help = json.berthHelp as { field: string; hint: string };
    assert.equal(help.field, 'enableFaultInjection');
    assert.ok(help.hint.length > 0);
  });

  it('several refused fields are named together, in one message', async () => {
    await register('several', { startTimeout: 30, secrets: [{ name: 'DB', valueFrom: 'arn:aws:s3:::config/db' }] }, { pidMode: 'task' });
    await refused(
      ecs.send(new RunTaskCommand({ cluster: 'fields', taskDefinition: 'several', launchType: 'FARGATE', networkConfiguration: network })),
      'pidMode task, containerDefinitions[0].secrets[0].valueFrom and containerDefinitions[0].startTimeout are not supported by Berth yet.',
      'pidMode, containerDefinitions[0].secrets[0].valueFrom, containerDefinitions[0].startTimeout',
      /neither a Secrets Manager secret .* nor an SSM parameter/,
    );
  });

  it('secrets from Secrets Manager ARNs, honoured log drivers, AWS defaults and empty lists launch', async () => {
    await register(
      'honoured',
      {
        secrets: [{ name: 'TOKEN', valueFrom: `${secretArn}:token::` }],
        logConfiguration: { logDriver: 'syslog', options: { tag: 'app' } },
        versionConsistency: 'enabled',
        restartPolicy: { enabled: false },
        links: [],
        environmentFiles: [],
      },
      { enableFaultInjection: false, ephemeralStorage: { sizeInGiB: 30 }, runtimePlatform: { operatingSystemFamily: 'LINUX' } },
    );
    const ran = await ecs.send(new RunTaskCommand({ cluster: 'fields', taskDefinition: 'honoured', launchType: 'FARGATE', networkConfiguration: network }));
    assert.equal(ran.tasks?.length, 1);
    assert.deepEqual(ran.failures, []);
  });

  it('RunTask overrides and launch inputs that would reach the containers are refused too', async () => {
    await register('plain', {});
    const run = (extra: object) => ecs.send(new RunTaskCommand({ cluster: 'fields', taskDefinition: 'plain', launchType: 'FARGATE', networkConfiguration: network, ...extra }));
    await refused(
      run({ overrides: { inferenceAcceleratorOverrides: [{ deviceName: 'd', deviceType: 'eia2.medium' }], containerOverrides: [{ name: 'app', environmentFiles: [{ type: 's3', value: 'arn:aws:s3:::b/app.env' }] }] } }),
      'overrides.containerOverrides[0].environmentFiles and overrides.inferenceAcceleratorOverrides are not supported by Berth yet.',
      'overrides.containerOverrides[0].environmentFiles, overrides.inferenceAcceleratorOverrides',
      /environment/,
    );
    await refused(run({ enableExecuteCommand: true }), 'enableExecuteCommand is not supported by Berth yet.', 'enableExecuteCommand', /docker exec/);
    await refused(
      run({ volumeConfigurations: [{ name: 'data', managedEBSVolume: { roleArn: 'arn:aws:iam::000000000000:role/ebs', sizeInGiB: 10 } }] }),
      'volumeConfigurations is not supported by Berth yet.',
      'volumeConfigurations',
      /EBS/,
    );
    const ran = await run({ overrides: { executionRoleArn: 'arn:aws:iam::000000000000:role/other', containerOverrides: [{ name: 'app', environment: [] }] } });
    assert.equal(ran.tasks?.length, 1);
  });

  it('CreateService refuses such a definition; UpdateService refuses a new revision that uses one and keeps the service as it was', async () => {
    await register('svc', { environmentFiles: [{ type: 's3', value: 'arn:aws:s3:::bucket/app.env' }] });
    await refused(
      ecs.send(new CreateServiceCommand({ cluster: 'fields', serviceName: 'bad', taskDefinition: 'svc:1', desiredCount: 1, launchType: 'FARGATE', networkConfiguration: network })),
      'containerDefinitions[0].environmentFiles is not supported by Berth yet.',
      'containerDefinitions[0].environmentFiles',
      /environment/,
    );
    const good = await register('svc', {});
    await ecs.send(new CreateServiceCommand({ cluster: 'fields', serviceName: 'web', taskDefinition: good.taskDefinitionArn, desiredCount: 0, launchType: 'FARGATE', networkConfiguration: network }));
    await register('svc', { firelensConfiguration: { type: 'fluentbit' } });
    await refused(
      ecs.send(new UpdateServiceCommand({ cluster: 'fields', service: 'web', taskDefinition: 'svc:3' })),
      'containerDefinitions[0].firelensConfiguration is not supported by Berth yet.',
      'containerDefinitions[0].firelensConfiguration',
      /log driver/,
    );
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: 'fields', services: ['web'] }));
    assert.equal(services?.[0]?.taskDefinition, good.taskDefinitionArn);
    // Changing something else of the service does not re-check the revision it already runs.
    await ecs.send(new UpdateServiceCommand({ cluster: 'fields', service: 'web', desiredCount: 0 }));
  });

  it('RunTask propagateTags TASK_DEFINITION and enableECSManagedTags tag the task; SERVICE is for services only', async () => {
    await register('tagged', {}, { tags: [{ key: 'team', value: 'payments' }] });
    const base = { cluster: 'fields', taskDefinition: 'tagged', launchType: 'FARGATE' as const, networkConfiguration: network };
    const ran = await ecs.send(new RunTaskCommand({ ...base, tags: [{ key: 'run', value: '1' }], propagateTags: 'TASK_DEFINITION', enableECSManagedTags: true }));
    const { tags } = await ecs.send(new ListTagsForResourceCommand({ resourceArn: ran.tasks![0]!.taskArn! }));
    assert.deepEqual(tags, [
      { key: 'run', value: '1' },
      { key: 'team', value: 'payments' },
      { key: 'aws:ecs:clusterName', value: 'fields' },
    ]);
    await assert.rejects(ecs.send(new RunTaskCommand({ ...base, propagateTags: 'SERVICE' })), { name: 'InvalidParameterException' });
  });
});
