import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type ECSClient,
  type ListTaskDefinitionFamiliesCommandInput,
  type ListTaskDefinitionsCommandInput,
  type RegisterTaskDefinitionCommandInput,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { findTaskDefinition } from '../../src/ecs/task-definitions/index.js';
import { requirementsOf } from '../../src/ecs/tasks/requirements.js';
import type { TaskDefinitionRecord } from '../../src/store/types.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { ecsTarget, signedRequest } from '../helpers/wire.js';

type Loose = Record<string, unknown>;

const account = '000000000000';
const arnOf = (family: string, revision: number, region = 'us-east-1') => `arn:aws:ecs:${region}:${account}:task-definition/${family}:${revision}`;

async function rejects(promise: Promise<unknown>, name: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
    assert.match(error.message, message);
    return true;
  });
}

describe('task definitions', () => {
  let berth: TestBerth;
  let ecs: ECSClient;

  const register = (input: Loose, client = ecs) => client.send(new RegisterTaskDefinitionCommand(input as unknown as RegisterTaskDefinitionCommandInput));
  const describeDef = (taskDefinition: string, client = ecs, include?: 'TAGS'[]) =>
    client.send(new DescribeTaskDefinitionCommand({ taskDefinition, ...(include ? { include } : {}) }));
  const deregister = (taskDefinition: string, client = ecs) => client.send(new DeregisterTaskDefinitionCommand({ taskDefinition }));
  const remove = (taskDefinitions: string[], client = ecs) => client.send(new DeleteTaskDefinitionsCommand({ taskDefinitions }));
  const minimal = (family: string, extra: Loose = {}): Loose => ({
    family,
    containerDefinitions: [{ name: 'app', image: 'nginx:latest', memory: 128 }],
    ...extra,
  });
  const fargate = (family: string, cpu: string, memory: string, extra: Loose = {}): Loose => ({
    family,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu,
    memory,
    containerDefinitions: [{ name: 'app', image: 'nginx:latest' }],
    ...extra,
  });

  before(async () => {
    berth = await startBerth();
    ecs = berth.ecs();
  });
  after(async () => berth.close());

  describe('RegisterTaskDefinition and DescribeTaskDefinition', () => {
    const rich: Loose = {
      family: 'rich',
      taskRoleArn: `arn:aws:iam::${account}:role/app`,
      executionRoleArn: `arn:aws:iam::${account}:role/exec`,
      networkMode: 'bridge',
      containerDefinitions: [
        {
          name: 'web',
          image: `${account}.dkr.ecr.us-east-1.amazonaws.com/web:1`,
          cpu: 256,
          memory: 512,
          memoryReservation: 256,
          portMappings: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 53, protocol: 'udp', name: 'dns' }],
          essential: true,
          entryPoint: ['sh', '-c'],
          command: ['nginx -g "daemon off;"'],
          environment: [{ name: 'MODE', value: 'prod' }],
          environmentFiles: [{ value: 'arn:aws:s3:::bucket/app.env', type: 's3' }],
          secrets: [{ name: 'DB_PASSWORD', valueFrom: `arn:aws:secretsmanager:us-east-1:${account}:secret:db` }],
          mountPoints: [{ sourceVolume: 'data', containerPath: '/data', readOnly: false }],
          volumesFrom: [{ sourceContainer: 'sidecar', readOnly: true }],
          links: ['sidecar:side'],
          dependsOn: [{ containerName: 'sidecar', condition: 'HEALTHY' }],
          healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'], startPeriod: 10 },
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web', 'awslogs-region': 'us-east-1' } },
          ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 4096 }],
          linuxParameters: { initProcessEnabled: true, capabilities: { add: ['NET_ADMIN'] }, tmpfs: [{ containerPath: '/tmp', size: 64 }] },
          systemControls: [{ namespace: 'net.core.somaxconn', value: '1024' }],
          dockerLabels: { team: 'core' },
          stopTimeout: 30,
          startTimeout: 60,
          user: '1000:1000',
          workingDirectory: '/app',
          extraHosts: [{ hostname: 'db.local', ipAddress: '10.0.0.5' }],
          readonlyRootFilesystem: true,
          privileged: false,
          dnsServers: ['10.0.0.2'],
          hostname: 'web',
        },
        {
          name: 'sidecar',
          image: 'busybox',
          memory: 64,
          essential: false,
          healthCheck: { command: ['CMD', 'true'], interval: 10, timeout: 3, retries: 2 },
        },
      ],
      volumes: [
        { name: 'data', host: { sourcePath: '/srv/data' } },
        { name: 'cache', dockerVolumeConfiguration: { scope: 'shared', autoprovision: true, driver: 'local' } },
      ],
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t3.*' }],
      pidMode: 'task',
      ipcMode: 'task',
      tags: [{ key: 'team', value: 'core' }],
    };

    it('stores the whole definition and describes it by family, family:revision and ARN', async () => {
      const before = Date.now();
      const registered = await register(rich);
      const definition = registered.taskDefinition as TaskDefinition;
      assert.equal(definition.taskDefinitionArn, arnOf('rich', 1));
      assert.equal(definition.family, 'rich');
      assert.equal(definition.revision, 1);
      assert.equal(definition.status, 'ACTIVE');
      assert.equal(definition.networkMode, 'bridge');
      assert.equal(definition.taskRoleArn, `arn:aws:iam::${account}:role/app`);
      assert.equal(definition.registeredBy, `arn:aws:iam::${account}:root`);
      assert.ok(definition.registeredAt instanceof Date);
      assert.ok(Math.abs(definition.registeredAt.getTime() - before) < 10_000);
      assert.deepEqual(definition.compatibilities, ['EXTERNAL', 'EC2']);
      assert.deepEqual(registered.tags, [{ key: 'team', value: 'core' }]);
      assert.equal(definition.pidMode, 'task');
      assert.deepEqual(definition.placementConstraints, [{ type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t3.*' }]);
      assert.deepEqual(definition.volumes, rich.volumes);

      const web = definition.containerDefinitions?.[0];
      assert.ok(web);
      assert.deepEqual(web.portMappings, [
        { containerPort: 80, hostPort: 8080, protocol: 'tcp' },
        { containerPort: 53, protocol: 'udp', name: 'dns' },
      ]);
      assert.deepEqual(web.healthCheck, {
        command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'],
        startPeriod: 10,
        interval: 30,
        timeout: 5,
        retries: 3,
      });
      assert.deepEqual(web.ulimits, [{ name: 'nofile', softLimit: 1024, hardLimit: 4096 }]);
      assert.deepEqual(web.linuxParameters?.tmpfs, [{ containerPath: '/tmp', size: 64 }]);
      assert.deepEqual(web.dependsOn, [{ containerName: 'sidecar', condition: 'HEALTHY' }]);
      assert.deepEqual(web.dockerLabels, { team: 'core' });
      assert.equal(web.memoryReservation, 256);
      assert.equal(web.stopTimeout, 30);
      const sidecar = definition.containerDefinitions?.[1];
      assert.deepEqual(sidecar?.healthCheck, { command: ['CMD', 'true'], interval: 10, timeout: 3, retries: 2 });
      assert.equal(sidecar?.essential, false);

      const attributes = new Set((definition.requiresAttributes ?? []).map((attribute) => attribute.name));
      for (const name of [
        'com.amazonaws.ecs.capability.logging-driver.awslogs',
        'ecs.capability.execution-role-awslogs',
        'com.amazonaws.ecs.capability.ecr-auth',
        'ecs.capability.execution-role-ecr-pull',
        'com.amazonaws.ecs.capability.docker-remote-api.1.18',
        'com.amazonaws.ecs.capability.docker-remote-api.1.19',
        'com.amazonaws.ecs.capability.docker-remote-api.1.25',
        'com.amazonaws.ecs.capability.task-iam-role',
        'ecs.capability.container-health-check',
        'ecs.capability.container-ordering',
        'ecs.capability.secrets.asm.environment-variables',
        'ecs.capability.env-files.s3',
        'ecs.capability.docker-plugin.local',
      ]) {
        assert.ok(attributes.has(name), `requiresAttributes lacks ${name}`);
      }
      assert.ok(!attributes.has('ecs.capability.task-eni'), 'a bridge definition needs no task ENI');

      for (const name of ['rich', 'rich:1', arnOf('rich', 1)]) {
        const described = await describeDef(name);
        assert.deepEqual(described.taskDefinition, definition, `describing ${name}`);
        assert.equal(described.tags, undefined, 'tags only with include TAGS');
      }
      const withTags = await describeDef('rich', ecs, ['TAGS']);
      assert.deepEqual(withTags.tags, [{ key: 'team', value: 'core' }]);
    });

    it('fills the defaults ECS fills', async () => {
      const registered = await register(minimal('defaults'));
      const definition = registered.taskDefinition as TaskDefinition;
      assert.deepEqual(definition.containerDefinitions, [
        {
          name: 'app',
          image: 'nginx:latest',
          memory: 128,
          cpu: 0,
          portMappings: [],
          essential: true,
          environment: [],
          mountPoints: [],
          volumesFrom: [],
          systemControls: [],
        },
      ]);
      assert.deepEqual(definition.volumes, []);
      assert.deepEqual(definition.placementConstraints, []);
      assert.equal(definition.networkMode, undefined, 'no network mode given: ECS leaves it out');
      assert.equal(definition.cpu, undefined);
      assert.equal(definition.requiresCompatibilities, undefined);
      assert.deepEqual(definition.requiresAttributes, []);
      assert.deepEqual(registered.tags, []);

      const awsvpc = await register({
        family: 'defaults-awsvpc',
        networkMode: 'awsvpc',
        memory: '1 GB',
        containerDefinitions: [{ name: 'app', image: 'nginx', portMappings: [{ containerPort: 8080 }, { containerPort: 9090, hostPort: 9090, protocol: 'udp' }] }],
      });
      const app = awsvpc.taskDefinition?.containerDefinitions?.[0];
      assert.deepEqual(app?.portMappings, [
        { containerPort: 8080, hostPort: 8080, protocol: 'tcp' },
        { containerPort: 9090, hostPort: 9090, protocol: 'udp' },
      ]);
      assert.equal(awsvpc.taskDefinition?.memory, '1024');
      assert.deepEqual(awsvpc.taskDefinition?.compatibilities, ['EC2', 'MANAGED_INSTANCES']);
      assert.deepEqual(awsvpc.taskDefinition?.requiresAttributes, [{ name: 'ecs.capability.task-eni' }]);

      // An EFS volume without a rootDirectory mounts the file system's root, and describe says so.
      await register(minimal('defaults-efs', { volumes: [{ name: 'shared', efsVolumeConfiguration: { fileSystemId: 'fs-12345678' } }] }));
      const efs = (await describeDef('defaults-efs')).taskDefinition?.volumes?.[0]?.efsVolumeConfiguration;
      assert.equal(efs?.rootDirectory, '/');
      assert.equal(efs?.fileSystemId, 'fs-12345678');
    });

    it('counts revisions per family, never reusing one, and keeps families apart', async () => {
      for (let expected = 1; expected <= 3; expected++) {
        const registered = await register(minimal('revs'));
        assert.equal(registered.taskDefinition?.revision, expected);
        assert.equal(registered.taskDefinition?.taskDefinitionArn, arnOf('revs', expected));
      }
      assert.equal((await register(minimal('revs-other'))).taskDefinition?.revision, 1);
      await deregister('revs:3');
      const deleted = await remove(['revs:3']);
      assert.deepEqual(deleted.failures, []);
      const next = await register(minimal('revs'));
      assert.equal(next.taskDefinition?.revision, 4, 'a deleted revision number is not given again');
      assert.equal((await describeDef('revs')).taskDefinition?.revision, 4);
    });

    it('converts task cpu and memory given in vCPU and GB to CPU units and MiB', async () => {
      const forms: [string, string, string, string][] = [
        ['0.25 vCPU', '0.5GB', '256', '512'],
        ['1 vcpu', '2 GB', '1024', '2048'],
        ['2vCPU', '4gb', '2048', '4096'],
        ['.5 vCPU', '1 GB', '512', '1024'],
        ['4096', '30720', '4096', '30720'],
      ];
      for (const [index, [cpu, memory, units, mib]] of forms.entries()) {
        const registered = await register(fargate(`forms-${index}`, cpu, memory));
        assert.equal(registered.taskDefinition?.cpu, units, `cpu '${cpu}'`);
        assert.equal(registered.taskDefinition?.memory, mib, `memory '${memory}'`);
        assert.equal((await describeDef(`forms-${index}`)).taskDefinition?.cpu, units);
      }
      await rejects(register(fargate('forms-bad-cpu', '0.1 vCPU', '512')), 'ClientException', /Invalid 'cpu' setting for task.*0\.1 vCPU/);
      await rejects(register(fargate('forms-bad-memory', '256', '512 MiB')), 'ClientException', /Invalid 'memory' setting for task.*512 MiB/);
      await rejects(register(minimal('forms-low-cpu', { cpu: '64' })), 'ClientException', /Invalid 'cpu' setting for task.*from 128/);
      await rejects(register(minimal('forms-huge-cpu', { cpu: '200 vCPU' })), 'ClientException', /Invalid 'cpu' setting for task/);
    });

    it('accepts every Fargate size and refuses other combinations', async () => {
      const valid: [number, number][] = [
        [256, 512], [256, 1024], [256, 2048],
        [512, 1024], [512, 3072], [512, 4096],
        [1024, 2048], [1024, 5120], [1024, 8192],
        [2048, 4096], [2048, 9216], [2048, 16384],
        [4096, 8192], [4096, 17408], [4096, 30720],
        [8192, 16384], [8192, 20480], [8192, 61440],
        [16384, 32768], [16384, 40960], [16384, 122880],
      ];
      for (const [cpu, memory] of valid) {
        const registered = await register(fargate(`fg-${cpu}-${memory}`, String(cpu), String(memory)));
        assert.deepEqual(registered.taskDefinition?.compatibilities, ['EC2', 'MANAGED_INSTANCES', 'FARGATE'], `${cpu}/${memory}`);
        assert.deepEqual(registered.taskDefinition?.requiresCompatibilities, ['FARGATE']);
      }
      const invalid: [number, number][] = [
        [256, 1536], [256, 4096], [512, 512], [512, 5120], [1024, 1024], [1024, 9216],
        [2048, 17408], [4096, 31744], [8192, 18432], [16384, 36864], [128, 512], [3072, 8192],
      ];
      for (const [cpu, memory] of invalid) {
        await rejects(
          register(fargate(`fg-bad-${cpu}-${memory}`, String(cpu), String(memory))),
          'ClientException',
          new RegExp(`^No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory\\.`),
        );
      }
      // Without requiresCompatibilities, ECS still reports FARGATE when the definition would run there.
      const implicit = await register({ ...fargate('fg-implicit', '256', '512'), requiresCompatibilities: undefined });
      assert.deepEqual(implicit.taskDefinition?.compatibilities, ['EC2', 'MANAGED_INSTANCES', 'FARGATE']);
      assert.equal(implicit.taskDefinition?.requiresCompatibilities, undefined);
    });

    it('refuses what Fargate cannot run, with the parameter named', async () => {
      const cases: [string, Loose, RegExp][] = [
        ['bridge', { networkMode: 'bridge' }, /^Fargate only supports network mode ‘awsvpc’\.$/],
        ['no network mode', { networkMode: undefined }, /network mode ‘awsvpc’/],
        ['no cpu', { cpu: undefined }, /^Fargate requires that 'cpu' be defined at the task level\.$/],
        ['no memory', { memory: undefined }, /^Fargate requires that 'memory' be defined at the task level\.$/],
        ['ipcMode', { ipcMode: 'task' }, /do not support ipcMode/],
        ['pidMode host', { pidMode: 'host' }, /^Tasks using the Fargate launch type do not support pidMode 'host'\. The supported value for pidMode is 'task'\.$/],
        ['placement constraints', { placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.os-type == linux' }] }, /do not support placementConstraints/],
        ['host volume path', { volumes: [{ name: 'v', host: { sourcePath: '/srv' } }] }, /volumes\[0\]\.host\.sourcePath/],
        ['docker volume', { volumes: [{ name: 'v', dockerVolumeConfiguration: { scope: 'task' } }] }, /volumes\[0\]\.dockerVolumeConfiguration/],
        ['privileged', { containerDefinitions: [{ name: 'app', image: 'nginx', privileged: true }] }, /containerDefinitions\[0\]\.privileged/],
        ['dns servers', { containerDefinitions: [{ name: 'app', image: 'nginx', dnsServers: ['1.1.1.1'] }] }, /containerDefinitions\[0\]\.dnsServers/],
        ['awslogs without execution role', { containerDefinitions: [{ name: 'app', image: 'nginx', logConfiguration: { logDriver: 'awslogs' } }] }, /^Fargate requires task definition to have execution role ARN to support log driver awslogs\..*executionRoleArn/],
        [
          'awslogs without a stream prefix',
          { executionRoleArn: `arn:aws:iam::${account}:role/exec`, containerDefinitions: [{ name: 'app', image: 'nginx', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g' } } }] },
          /^Fargate requires log configuration options to include awslogs-stream-prefix to support log driver awslogs\.$/,
        ],
        [
          'awslogs with an option Docker does not know',
          { executionRoleArn: `arn:aws:iam::${account}:role/exec`, containerDefinitions: [{ name: 'app', image: 'nginx', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-stream-prefix': 'p', log_key: 'log' } } }] },
          /^Log driver awslogs disallows options: log_key$/,
        ],
        ['ECR image without execution role', { containerDefinitions: [{ name: 'app', image: `${account}.dkr.ecr.us-east-1.amazonaws.com/app:1` }] }, /^Fargate requires task definition to have execution role ARN to support ECR images\./],
        ['devices', { containerDefinitions: [{ name: 'app', image: 'nginx', linuxParameters: { devices: [{ hostPath: '/dev/fuse' }] } }] }, /linuxParameters\.devices/],
        ['capability', { containerDefinitions: [{ name: 'app', image: 'nginx', linuxParameters: { capabilities: { add: ['NET_ADMIN'] } } }] }, /capabilities\.add has 'NET_ADMIN'/],
        ['stop timeout', { containerDefinitions: [{ name: 'app', image: 'nginx', stopTimeout: 121 }] }, /containerDefinitions\[0\]\.stopTimeout from 2 to 120/],
        ['gpu', { containerDefinitions: [{ name: 'app', image: 'nginx', resourceRequirements: [{ type: 'GPU', value: '1' }] }] }, /resourceRequirements \(GPU\)/],
        ['windows below 1 vCPU', { runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2019_CORE' } }, /at least 1 vCPU/],
      ];
      for (const [title, change, message] of cases) {
        const family = `fg-no-${title.replace(/[^a-z0-9]+/gi, '-')}`;
        await rejects(register({ ...fargate(family, '256', '512'), ...change }), 'ClientException', message);
        await rejects(describeDef(family), 'ClientException', /Unable to describe task definition/);
      }
      const ptrace = await register(fargate('fg-ptrace', '256', '512', {
        containerDefinitions: [{ name: 'app', image: 'nginx', linuxParameters: { capabilities: { add: ['SYS_PTRACE'] } }, stopTimeout: 120 }],
      }));
      assert.equal(ptrace.taskDefinition?.revision, 1);
      const withRole = await register(fargate('fg-role', '512', '1 GB', {
        executionRoleArn: `arn:aws:iam::${account}:role/exec`,
        containerDefinitions: [{ name: 'app', image: `${account}.dkr.ecr.us-east-1.amazonaws.com/app:1`, logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-stream-prefix': 'app' } } }],
      }));
      assert.deepEqual(withRole.taskDefinition?.requiresAttributes?.map((attribute) => attribute.name), [
        'com.amazonaws.ecs.capability.logging-driver.awslogs',
        'ecs.capability.execution-role-awslogs',
        'com.amazonaws.ecs.capability.docker-remote-api.1.19',
        'com.amazonaws.ecs.capability.ecr-auth',
        'ecs.capability.execution-role-ecr-pull',
        'com.amazonaws.ecs.capability.docker-remote-api.1.18',
        'ecs.capability.task-eni',
      ]);
    });

    it('describes a family as its latest ACTIVE revision and refuses unknown names', async () => {
      await register(minimal('latest'));
      await register(minimal('latest', { containerDefinitions: [{ name: 'app', image: 'nginx:2', memory: 128 }] }));
      assert.equal((await describeDef('latest')).taskDefinition?.revision, 2);
      await deregister('latest:2');
      assert.equal((await describeDef('latest')).taskDefinition?.revision, 1);
      assert.equal((await describeDef('latest:2')).taskDefinition?.status, 'INACTIVE');
      for (const name of ['nothing-here', 'latest:3', 'latest:0', 'not a name', arnOf('latest', 1, 'eu-west-1')]) {
        await rejects(describeDef(name), 'ClientException', /^Unable to describe task definition\./);
      }
      // Another account's task definition: a cross-account call, which no resource policy of ECS can allow.
      await rejects(describeDef('arn:aws:ecs:us-east-1:111111111111:task-definition/latest:1'), 'AccessDeniedException', /ecs:DescribeTaskDefinition/);
      await rejects(describeDef(''), 'InvalidParameterException', /taskDefinition/);
      await rejects(describeDef('latest', ecs, ['BOGUS' as 'TAGS']), 'InvalidParameterException', /include\[0\]/);
    });
  });

  describe('RegisterTaskDefinition validation', () => {
    const app = (extra: Loose = {}): Loose => ({ name: 'app', image: 'nginx', memory: 128, ...extra });
    const db = (extra: Loose = {}): Loose => ({ name: 'db', image: 'postgres', memory: 256, ...extra });
    // `field`: ECS's message is exact, and the field at fault is in berthHelp.
    const cases: { title: string; input: Loose; error: string; message: RegExp; field?: string }[] = [
      { title: 'family missing', input: { family: undefined }, error: 'InvalidParameterException', message: /family can not be blank/ },
      { title: 'family with bad characters', input: { family: 'bad family!' }, error: 'InvalidParameterException', message: /family 'bad family!' is invalid/ },
      { title: 'no container list', input: { containerDefinitions: undefined }, error: 'InvalidParameterException', message: /containerDefinitions can not be null/ },
      { title: 'empty container list', input: { containerDefinitions: [] }, error: 'ClientException', message: /^Container list cannot be empty\.$/, field: 'containerDefinitions' },
      {
        title: 'eleven containers',
        input: { containerDefinitions: Array.from({ length: 11 }, (_, i) => ({ name: `c${i}`, image: 'nginx', memory: 32 })) },
        error: 'ClientException',
        message: /^Too many containers\.$/,
        field: 'containerDefinitions',
      },
      { title: 'container name missing', input: { containerDefinitions: [{ image: 'nginx', memory: 128 }] }, error: 'ClientException', message: /^Container\.name should not be null or empty\.$/, field: 'containerDefinitions[0].name' },
      { title: 'container name invalid', input: { containerDefinitions: [app({ name: 'my app' })] }, error: 'ClientException', message: /^Container\.name contains invalid characters\.$/, field: 'containerDefinitions[0].name' },
      { title: 'container names repeated', input: { containerDefinitions: [app(), app()] }, error: 'ClientException', message: /Container names must be unique.*containerDefinitions\[0\] and containerDefinitions\[1\]/ },
      { title: 'image missing', input: { containerDefinitions: [app({ image: undefined })] }, error: 'ClientException', message: /^Container\.image should not be null or empty\.$/, field: 'containerDefinitions[0].image' },
      { title: 'image with spaces', input: { containerDefinitions: [app({ image: 'nginx latest' })] }, error: 'ClientException', message: /^Container\.image contains invalid characters\.$/, field: 'containerDefinitions[0].image' },
      { title: 'no memory at all', input: { containerDefinitions: [app({ memory: undefined })] }, error: 'ClientException', message: /^Invalid setting for container 'app'\. At least one of 'memory' or 'memoryReservation' must be specified\.$/, field: 'containerDefinitions[0].memory' },
      {
        title: 'memory below memoryReservation',
        input: { containerDefinitions: [app({ memory: 128, memoryReservation: 256 })] },
        error: 'ClientException',
        message: /^Invalid setting for container 'app'\. 'memory' must be greater than or equal to 'memoryReservation'\.$/,
        field: 'containerDefinitions[0].memoryReservation',
      },
      { title: 'memory too small', input: { containerDefinitions: [app({ memory: 2 })] }, error: 'InvalidParameterException', message: /containerDefinitions\[0\]\.memory must be a whole number from 6/ },
      { title: 'negative cpu', input: { containerDefinitions: [app({ cpu: -1 })] }, error: 'InvalidParameterException', message: /containerDefinitions\[0\]\.cpu/ },
      { title: 'containerPort 0', input: { containerDefinitions: [app({ portMappings: [{ containerPort: 0 }] })] }, error: 'ClientException', message: /Invalid 'containerPort' setting for container 'app'.*portMappings\[0\]\.containerPort/ },
      { title: 'containerPort too high', input: { containerDefinitions: [app({ portMappings: [{ containerPort: 70000 }] })] }, error: 'ClientException', message: /portMappings\[0\]\.containerPort must be a whole number from 1 to 65535/ },
      { title: 'containerPort missing', input: { containerDefinitions: [app({ portMappings: [{ hostPort: 80 }] })] }, error: 'ClientException', message: /portMappings\[0\]\.containerPort/ },
      { title: 'hostPort too high', input: { containerDefinitions: [app({ portMappings: [{ containerPort: 80, hostPort: 70000 }] })] }, error: 'ClientException', message: /Invalid 'hostPort' setting.*portMappings\[0\]\.hostPort/ },
      { title: 'unknown protocol', input: { containerDefinitions: [app({ portMappings: [{ containerPort: 80, protocol: 'sctp' }] })] }, error: 'InvalidParameterException', message: /portMappings\[0\]\.protocol must be one of tcp, udp/ },
      { title: 'unknown appProtocol', input: { containerDefinitions: [app({ portMappings: [{ containerPort: 80, appProtocol: 'ftp' }] })] }, error: 'InvalidParameterException', message: /portMappings\[0\]\.appProtocol/ },
      { title: 'same port twice', input: { containerDefinitions: [app({ portMappings: [{ containerPort: 80 }, { containerPort: 80, hostPort: 81 }] })] }, error: 'ClientException', message: /portMappings\[1\] overlaps .*portMappings\[0\]/ },
      { title: 'bad port range', input: { containerDefinitions: [app({ portMappings: [{ containerPortRange: '9000-8000' }] })] }, error: 'ClientException', message: /portMappings\[0\]\.containerPortRange/ },
      {
        title: 'awsvpc host port differs',
        input: { networkMode: 'awsvpc', containerDefinitions: [app({ portMappings: [{ containerPort: 80, hostPort: 8080 }] })] },
        error: 'ClientException',
        message: /^When networkMode=awsvpc, the host ports and container ports in port mappings must match\.$/,
        field: 'containerDefinitions[0].portMappings[0].hostPort',
      },
      {
        title: 'host mode host port differs',
        input: { networkMode: 'host', containerDefinitions: [app({ portMappings: [{ containerPort: 80, hostPort: 8080 }] })] },
        error: 'ClientException',
        message: /When networkMode=host, the host ports/,
      },
      { title: 'ports with network mode none', input: { networkMode: 'none', containerDefinitions: [app({ portMappings: [{ containerPort: 80 }] })] }, error: 'ClientException', message: /networkMode=none.*containerDefinitions\[0\]\.portMappings/ },
      { title: 'unknown network mode', input: { networkMode: 'overlay' }, error: 'InvalidParameterException', message: /networkMode must be one of/ },
      { title: 'no essential container', input: { containerDefinitions: [app({ essential: false })] }, error: 'ClientException', message: /at least one essential container.*essential/ },
      { title: 'mount of an undeclared volume', input: { containerDefinitions: [app({ mountPoints: [{ sourceVolume: 'data', containerPath: '/d' }] })] }, error: 'ClientException', message: /containerDefinitions\[0\]\.mountPoints\[0\]\.sourceVolume 'data' is not a volume/ },
      { title: 'mount without a path', input: { volumes: [{ name: 'data' }], containerDefinitions: [app({ mountPoints: [{ sourceVolume: 'data' }] })] }, error: 'InvalidParameterException', message: /mountPoints\[0\]\.containerPath can not be blank/ },
      { title: 'volume names repeated', input: { volumes: [{ name: 'v' }, { name: 'v' }] }, error: 'ClientException', message: /Volume names must be unique.*volumes\[1\]\.name/ },
      { title: 'volume without a name', input: { volumes: [{ host: {} }] }, error: 'InvalidParameterException', message: /volumes\[0\]\.name can not be blank/ },
      { title: 'two kinds of volume', input: { volumes: [{ name: 'v', host: {}, dockerVolumeConfiguration: {} }] }, error: 'ClientException', message: /volumes\[0\] can use only one kind of volume/ },
      { title: 'docker volume scope', input: { volumes: [{ name: 'v', dockerVolumeConfiguration: { scope: 'global' } }] }, error: 'InvalidParameterException', message: /volumes\[0\]\.dockerVolumeConfiguration\.scope/ },
      { title: 'autoprovision without shared scope', input: { volumes: [{ name: 'v', dockerVolumeConfiguration: { scope: 'task', autoprovision: true } }] }, error: 'ClientException', message: /dockerVolumeConfiguration\.autoprovision/ },
      {
        title: 'EFS access point without transit encryption',
        input: { volumes: [{ name: 'v', efsVolumeConfiguration: { fileSystemId: 'fs-1', authorizationConfig: { accessPointId: 'fsap-1' } } }] },
        error: 'ClientException',
        message: /volumes\[0\]\.efsVolumeConfiguration\.transitEncryption must be ENABLED/,
      },
      { title: 'EFS without a file system', input: { volumes: [{ name: 'v', efsVolumeConfiguration: {} }] }, error: 'InvalidParameterException', message: /efsVolumeConfiguration\.fileSystemId/ },
      { title: 'volumesFrom an unknown container', input: { containerDefinitions: [app({ volumesFrom: [{ sourceContainer: 'ghost' }] })] }, error: 'ClientException', message: /volumesFrom\[0\]\.sourceContainer 'ghost'/ },
      { title: 'volumesFrom itself', input: { containerDefinitions: [app({ volumesFrom: [{ sourceContainer: 'app' }] })] }, error: 'ClientException', message: /volumesFrom\[0\]\.sourceContainer 'app' must be another container/ },
      { title: 'health check interval', input: { containerDefinitions: [app({ healthCheck: { command: ['CMD', 'true'], interval: 4 } })] }, error: 'InvalidParameterException', message: /containerDefinitions\[0\]\.healthCheck\.interval must be a whole number from 5 to 300/ },
      { title: 'health check timeout', input: { containerDefinitions: [app({ healthCheck: { command: ['CMD', 'true'], timeout: 61 } })] }, error: 'InvalidParameterException', message: /healthCheck\.timeout must be a whole number from 2 to 60/ },
      { title: 'health check retries', input: { containerDefinitions: [app({ healthCheck: { command: ['CMD', 'true'], retries: 0 } })] }, error: 'InvalidParameterException', message: /healthCheck\.retries must be a whole number from 1 to 10/ },
      { title: 'health check start period', input: { containerDefinitions: [app({ healthCheck: { command: ['CMD', 'true'], startPeriod: 301 } })] }, error: 'InvalidParameterException', message: /healthCheck\.startPeriod must be a whole number from 0 to 300/ },
      { title: 'health check without command', input: { containerDefinitions: [app({ healthCheck: { command: [] } })] }, error: 'InvalidParameterException', message: /healthCheck\.command can not be empty/ },
      { title: 'dependsOn an unknown container', input: { containerDefinitions: [app({ dependsOn: [{ containerName: 'ghost', condition: 'START' }] })] }, error: 'ClientException', message: /dependsOn\[0\]\.containerName 'ghost'/ },
      { title: 'dependsOn itself', input: { containerDefinitions: [app({ dependsOn: [{ containerName: 'app', condition: 'START' }] })] }, error: 'ClientException', message: /dependsOn\[0\]\.containerName 'app' must be another container/ },
      { title: 'dependsOn with an unknown condition', input: { containerDefinitions: [app({ dependsOn: [{ containerName: 'db', condition: 'READY' }] }), db()] }, error: 'InvalidParameterException', message: /dependsOn\[0\]\.condition must be one of/ },
      { title: 'dependsOn without a condition', input: { containerDefinitions: [app({ dependsOn: [{ containerName: 'db' }] }), db()] }, error: 'InvalidParameterException', message: /dependsOn\[0\]\.condition can not be blank/ },
      {
        title: 'HEALTHY on a container without health check',
        input: { containerDefinitions: [app({ dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }] }), db()] },
        error: 'ClientException',
        message: /containerDefinitions\[0\]\.dependsOn\[0\]: the HEALTHY condition requires container 'db' to have a healthCheck/,
      },
      {
        title: 'COMPLETE on an essential container',
        input: { containerDefinitions: [app({ dependsOn: [{ containerName: 'db', condition: 'COMPLETE' }] }), db()] },
        error: 'ClientException',
        message: /^A dependency container with SUCCESS or COMPLETE condition cannot be an essential container\.$/,
        field: 'containerDefinitions[0].dependsOn[0].condition',
      },
      {
        title: 'dependency cycle',
        input: { containerDefinitions: [app({ dependsOn: [{ containerName: 'db', condition: 'START' }] }), db({ dependsOn: [{ containerName: 'app', condition: 'START' }] })] },
        error: 'ClientException',
        message: /cycle: (app -> db -> app|db -> app -> db).*dependsOn/,
      },
      { title: 'links outside bridge mode', input: { networkMode: 'awsvpc', containerDefinitions: [app({ links: ['db'] }), db()] }, error: 'ClientException', message: /links is not supported on container when networkMode=awsvpc.*containerDefinitions\[0\]\.links/ },
      { title: 'link to an unknown container', input: { containerDefinitions: [app({ links: ['ghost:g'] })] }, error: 'ClientException', message: /containerDefinitions\[0\]\.links\[0\] 'ghost:g'/ },
      { title: 'hostname in awsvpc mode', input: { networkMode: 'awsvpc', containerDefinitions: [app({ hostname: 'web' })] }, error: 'ClientException', message: /^hostname is not supported on container when networkMode=awsvpc\.$/, field: 'containerDefinitions[0].hostname' },
      { title: 'unknown log driver', input: { containerDefinitions: [app({ logConfiguration: { logDriver: 'loki' } })] }, error: 'InvalidParameterException', message: /containerDefinitions\[0\]\.logConfiguration\.logDriver must be one of/ },
      { title: 'awsfirelens without a log router', input: { containerDefinitions: [app({ logConfiguration: { logDriver: 'awsfirelens' } })] }, error: 'ClientException', message: /logConfiguration\.logDriver awsfirelens/ },
      { title: 'unknown ulimit', input: { containerDefinitions: [app({ ulimits: [{ name: 'files', softLimit: 1, hardLimit: 2 }] })] }, error: 'InvalidParameterException', message: /containerDefinitions\[0\]\.ulimits\[0\]\.name must be one of/ },
      { title: 'ulimit soft above hard', input: { containerDefinitions: [app({ ulimits: [{ name: 'nofile', softLimit: 10, hardLimit: 5 }] })] }, error: 'ClientException', message: /ulimits\[0\]\.softLimit \(10\) can not be greater than hardLimit \(5\)/ },
      { title: 'ulimit without hard limit', input: { containerDefinitions: [app({ ulimits: [{ name: 'nofile', softLimit: 10 }] })] }, error: 'InvalidParameterException', message: /ulimits\[0\]\.hardLimit can not be null/ },
      { title: 'secret without valueFrom', input: { containerDefinitions: [app({ secrets: [{ name: 'TOKEN' }] })] }, error: 'InvalidParameterException', message: /containerDefinitions\[0\]\.secrets\[0\]\.valueFrom can not be blank/ },
      {
        title: 'secrets without an execution role',
        input: { containerDefinitions: [db(), app({ secrets: [{ name: 'TOKEN', valueFrom: `arn:aws:secretsmanager:us-east-1:${account}:secret:token` }] })] },
        error: 'ClientException',
        message: /^When you are specifying container secrets, you must also specify a value for 'executionRoleArn'\.$/,
        field: 'containerDefinitions[1].secrets',
      },
      {
        title: 'repositoryCredentials without an execution role',
        input: { containerDefinitions: [app({ repositoryCredentials: { credentialsParameter: `arn:aws:secretsmanager:us-east-1:${account}:secret:registry` } })] },
        error: 'ClientException',
        message: /^Private repository authentication requires that the task definition specify a value for executionRoleArn\.$/,
        field: 'containerDefinitions[0].repositoryCredentials',
      },
      { title: 'environment variable without name', input: { containerDefinitions: [app({ environment: [{ value: 'x' }] })] }, error: 'InvalidParameterException', message: /environment\[0\]\.name can not be blank/ },
      { title: 'environment file type', input: { containerDefinitions: [app({ environmentFiles: [{ value: 'arn:aws:s3:::b/x.env', type: 'http' }] })] }, error: 'InvalidParameterException', message: /environmentFiles\[0\]\.type must be one of s3/ },
      { title: 'unknown resource type', input: { containerDefinitions: [app({ resourceRequirements: [{ type: 'TPU', value: '1' }] })] }, error: 'InvalidParameterException', message: /resourceRequirements\[0\]\.type must be one of/ },
      { title: 'GPU count not a number', input: { containerDefinitions: [app({ resourceRequirements: [{ type: 'GPU', value: 'two' }] })] }, error: 'ClientException', message: /resourceRequirements\[0\]\.value must be a whole number of GPUs/ },
      { title: 'accelerator not declared', input: { containerDefinitions: [app({ resourceRequirements: [{ type: 'InferenceAccelerator', value: 'dev1' }] })] }, error: 'ClientException', message: /resourceRequirements\[0\]\.value 'dev1'/ },
      { title: 'unknown capability', input: { containerDefinitions: [app({ linuxParameters: { capabilities: { add: ['FLY'] } } })] }, error: 'InvalidParameterException', message: /linuxParameters\.capabilities\.add\[0\] 'FLY'/ },
      { title: 'swappiness', input: { containerDefinitions: [app({ linuxParameters: { swappiness: 101 } })] }, error: 'InvalidParameterException', message: /linuxParameters\.swappiness must be a whole number from 0 to 100/ },
      { title: 'negative stop timeout', input: { containerDefinitions: [app({ stopTimeout: -5 })] }, error: 'InvalidParameterException', message: /containerDefinitions\[0\]\.stopTimeout/ },
      { title: 'restart period', input: { containerDefinitions: [app({ restartPolicy: { enabled: true, restartAttemptPeriod: 30 } })] }, error: 'InvalidParameterException', message: /restartPolicy\.restartAttemptPeriod must be a whole number from 60 to 1800/ },
      { title: 'unknown pidMode', input: { pidMode: 'shared' }, error: 'InvalidParameterException', message: /pidMode must be one of host, task/ },
      { title: 'unknown ipcMode', input: { ipcMode: 'shared' }, error: 'InvalidParameterException', message: /ipcMode must be one of/ },
      { title: 'unknown compatibility', input: { requiresCompatibilities: ['LAMBDA'] }, error: 'InvalidParameterException', message: /requiresCompatibilities\[0\] must be one of/ },
      { title: 'distinctInstance in a task definition', input: { placementConstraints: [{ type: 'distinctInstance' }] }, error: 'ClientException', message: /placementConstraints\[0\]\.type: distinctInstance/ },
      { title: 'placement expression', input: { placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.os-type ==' }] }, error: 'InvalidParameterException', message: /placementConstraints\[0\]\.expression/ },
      { title: 'placement without expression', input: { placementConstraints: [{ type: 'memberOf' }] }, error: 'InvalidParameterException', message: /placementConstraints\[0\]\.expression can not be blank/ },
      {
        title: 'eleven placement constraints',
        input: { placementConstraints: Array.from({ length: 11 }, () => ({ type: 'memberOf', expression: 'attribute:ecs.os-type == linux' })) },
        error: 'InvalidParameterException',
        message: /placementConstraints can have at most 10 items/,
      },
      { title: 'ephemeral storage too small', input: { ephemeralStorage: { sizeInGiB: 20 } }, error: 'InvalidParameterException', message: /ephemeralStorage\.sizeInGiB must be a whole number from 21 to 200/ },
      { title: 'ephemeral storage too big', input: { ephemeralStorage: { sizeInGiB: 201 } }, error: 'InvalidParameterException', message: /ephemeralStorage\.sizeInGiB/ },
      { title: 'runtime platform', input: { runtimePlatform: { cpuArchitecture: 'MIPS' } }, error: 'InvalidParameterException', message: /runtimePlatform\.cpuArchitecture must be one of ARM64, X86_64/ },
      { title: 'task cpu not a number', input: { cpu: 'lots' }, error: 'ClientException', message: /Invalid 'cpu' setting for task.*'lots'/ },
      { title: 'task memory not a number', input: { memory: '1 TB' }, error: 'ClientException', message: /Invalid 'memory' setting for task.*'1 TB'/ },
      { title: 'container memory above the task', input: { memory: '512', containerDefinitions: [app({ memory: 1024 })] }, error: 'ClientException', message: /^The 'memory' setting for container 'app' is greater than for the task\.$/, field: 'containerDefinitions[0].memory' },
      {
        title: 'reservations above the task',
        input: { memory: '512', containerDefinitions: [app({ memory: undefined, memoryReservation: 300 }), db({ memory: undefined, memoryReservation: 300 })] },
        error: 'ClientException',
        message: /The sum of all container 'memoryReservation' values cannot be greater than the value of the task 'memory'/,
      },
      { title: 'container cpu above the task', input: { cpu: '256', containerDefinitions: [app({ cpu: 200 }), db({ cpu: 100 })] }, error: 'ClientException', message: /^The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'\.$/, field: 'containerDefinitions[*].cpu' },
      { title: 'reserved tag prefix', input: { tags: [{ key: 'aws:owner', value: 'x' }] }, error: 'InvalidParameterException', message: /tags\[0\]\.key 'aws:owner'/ },
      { title: 'proxy container unknown', input: { networkMode: 'awsvpc', proxyConfiguration: { containerName: 'envoy' } }, error: 'ClientException', message: /proxyConfiguration\.containerName 'envoy'/ },
      { title: 'proxy outside awsvpc', input: { proxyConfiguration: { containerName: 'app' } }, error: 'ClientException', message: /proxyConfiguration requires networkMode awsvpc/ },
      { title: 'port mapping name repeated', input: { containerDefinitions: [app({ portMappings: [{ containerPort: 80, name: 'web' }] }), db({ portMappings: [{ containerPort: 81, name: 'web' }] })] }, error: 'ClientException', message: /Port mapping names must be unique.*containerDefinitions\[1\]\.portMappings\[0\]/ },
      { title: 'port mapping name invalid', input: { containerDefinitions: [app({ portMappings: [{ containerPort: 80, name: '-Web' }] })] }, error: 'InvalidParameterException', message: /portMappings\[0\]\.name '-Web'/ },
      { title: 'EXTERNAL with awsvpc', input: { networkMode: 'awsvpc', requiresCompatibilities: ['EXTERNAL'] }, error: 'ClientException', message: /EXTERNAL launch type do not support network mode 'awsvpc'/ },
    ];

    for (const [index, testCase] of cases.entries()) {
      it(`refuses ${testCase.title}`, async () => {
        const family = `invalid-${index}`;
        const input = { family, containerDefinitions: [app()], ...testCase.input };
        await rejects(register(input), testCase.error, testCase.message);
        if (testCase.field !== undefined) {
          await assert.rejects(register(input), (error: Error & { berthHelp?: { field?: string } }) => {
            assert.equal(error.berthHelp?.field, testCase.field);
            return true;
          });
        }
        // Nothing is stored by a refused registration.
        await rejects(describeDef(family), 'ClientException', /Unable to describe task definition/);
      });
    }

    it('says in berthHelp which role to name when secrets have no execution role', async () => {
      const secrets = [{ name: 'TOKEN', valueFrom: `arn:aws:secretsmanager:us-east-1:${account}:secret:token` }];
      await assert.rejects(register({ family: 'no-exec-role', containerDefinitions: [app({ secrets })] }), (error: Error & { berthHelp?: { hint?: string } }) => {
        assert.match(error.berthHelp?.hint ?? '', /^Set executionRoleArn .*secretsmanager:GetSecretValue.*arn:aws:iam::<account>:role\/ecsTaskExecutionRole/);
        return true;
      });
      const registered = await register({ family: 'no-exec-role', executionRoleArn: `arn:aws:iam::${account}:role/ecsTaskExecutionRole`, containerDefinitions: [app({ secrets })] });
      assert.equal(registered.taskDefinition?.executionRoleArn, `arn:aws:iam::${account}:role/ecsTaskExecutionRole`);
    });

    it('reads JSON null as absent, and refuses null list elements (raw requests: the SDK never sends null)', async () => {
      const send = (body: unknown) => signedRequest(berth.url, { target: ecsTarget('RegisterTaskDefinition'), body: JSON.stringify(body) });
      const refused = await send({ family: 'nulls', containerDefinitions: [null] });
      assert.equal(refused.status, 400);
      assert.equal(refused.json.__type, 'SerializationException');
      assert.match(String(refused.json.message), /containerDefinitions\[0\]/);
      const accepted = await send({
        family: 'nulls',
        networkMode: null,
        compatibilities: ['FARGATE'],
        containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128, hostname: null, bogus: 1, portMappings: [{ containerPort: 80, hostPort: null }] }],
      });
      assert.equal(accepted.status, 200, JSON.stringify(accepted.json));
      const definition = (accepted.json as { taskDefinition: TaskDefinition }).taskDefinition;
      assert.equal(definition.revision, 1);
      assert.equal('networkMode' in definition, false);
      assert.equal('hostname' in (definition.containerDefinitions?.[0] ?? {}), false);
      assert.equal('bogus' in (definition.containerDefinitions?.[0] ?? {}), false, 'members the model does not define are dropped');
      assert.deepEqual(definition.compatibilities, ['EXTERNAL', 'EC2']);
      assert.deepEqual(definition.containerDefinitions?.[0]?.portMappings, [{ containerPort: 80, protocol: 'tcp' }]);
    });

    it('accepts the valid neighbours of the refused cases, starting each family at revision 1', async () => {
      const registered = await register({
        family: 'invalid-0',
        memory: '1 GB',
        cpu: '1 vCPU',
        containerDefinitions: [
          app({ memory: undefined, memoryReservation: 256, dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }, { containerName: 'db', condition: 'HEALTHY' }] }),
          db({ healthCheck: { command: ['CMD', 'pg_isready'] }, portMappings: [{ containerPortRange: '9000-9010' }] }),
          { name: 'init', image: 'busybox', essential: false },
        ],
      });
      assert.equal(registered.taskDefinition?.revision, 1);
      assert.equal(registered.taskDefinition?.memory, '1024');
      assert.deepEqual(registered.taskDefinition?.containerDefinitions?.[1]?.portMappings, [{ containerPortRange: '9000-9010', protocol: 'tcp' }]);
    });
  });

  describe('ListTaskDefinitions and ListTaskDefinitionFamilies', () => {
    let client: ECSClient;
    const list = async (input: ListTaskDefinitionsCommandInput = {}) => client.send(new ListTaskDefinitionsCommand(input));
    const families = async (input: ListTaskDefinitionFamiliesCommandInput = {}) => client.send(new ListTaskDefinitionFamiliesCommand(input));
    const region = 'ap-south-1';
    const at = (family: string, revision: number) => arnOf(family, revision, region);

    before(async () => {
      client = berth.ecs(region);
      for (const family of ['lst-a', 'lst-a', 'lst-a', 'lst-ab', 'lst-b', 'lst-b', 'other']) await register(minimal(family), client);
    });

    it('lists ACTIVE revisions by family then revision, ascending or descending', async () => {
      const all = await list();
      assert.deepEqual(all.taskDefinitionArns, [at('lst-a', 1), at('lst-a', 2), at('lst-a', 3), at('lst-ab', 1), at('lst-b', 1), at('lst-b', 2), at('other', 1)]);
      assert.equal(all.nextToken, undefined);
      const descending = await list({ sort: 'DESC' });
      assert.deepEqual(descending.taskDefinitionArns, [...(all.taskDefinitionArns ?? [])].reverse());
    });

    it('takes familyPrefix as the exact family name, as ECS does', async () => {
      assert.deepEqual((await list({ familyPrefix: 'lst-a' })).taskDefinitionArns, [at('lst-a', 1), at('lst-a', 2), at('lst-a', 3)]);
      assert.deepEqual((await list({ familyPrefix: 'lst-a', sort: 'DESC' })).taskDefinitionArns, [at('lst-a', 3), at('lst-a', 2), at('lst-a', 1)]);
      assert.deepEqual((await list({ familyPrefix: 'lst' })).taskDefinitionArns, []);
    });

    it('pages with maxResults and nextToken', async () => {
      const seen: string[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const page = await list({ maxResults: 2, ...(nextToken ? { nextToken } : {}) });
        assert.ok((page.taskDefinitionArns ?? []).length <= 2);
        seen.push(...(page.taskDefinitionArns ?? []));
        nextToken = page.nextToken;
        pages++;
      } while (nextToken);
      assert.equal(pages, 4);
      assert.deepEqual(seen, (await list()).taskDefinitionArns);
      await rejects(list({ maxResults: 0 }), 'InvalidParameterException', /maxResults/);
      await rejects(list({ maxResults: 101 }), 'InvalidParameterException', /maxResults/);
      await rejects(list({ nextToken: 'garbage' }), 'InvalidParameterException', /nextToken/);
      await rejects(list({ status: 'GONE' as 'ACTIVE' }), 'InvalidParameterException', /status must be one of/);
      await rejects(list({ sort: 'UP' as 'ASC' }), 'InvalidParameterException', /sort must be one of ASC, DESC/);
    });

    it('lists families by prefix and by whether they have an ACTIVE revision', async () => {
      assert.deepEqual((await families()).families, ['lst-a', 'lst-ab', 'lst-b', 'other']);
      assert.deepEqual((await families({ familyPrefix: 'lst-a' })).families, ['lst-a', 'lst-ab']);
      assert.deepEqual((await families({ familyPrefix: 'zzz' })).families, []);
      await deregister('lst-b:1', client);
      await deregister('lst-b:2', client);
      await deregister('lst-a:2', client);
      assert.deepEqual((await families({ status: 'ACTIVE' })).families, ['lst-a', 'lst-ab', 'other']);
      assert.deepEqual((await families({ status: 'INACTIVE' })).families, ['lst-b']);
      assert.deepEqual((await families({ status: 'ALL' })).families, ['lst-a', 'lst-ab', 'lst-b', 'other']);
      assert.deepEqual((await families({ status: 'INACTIVE', familyPrefix: 'lst-a' })).families, []);
      await rejects(families({ status: 'GONE' as 'ALL' }), 'InvalidParameterException', /status must be one of/);

      assert.deepEqual((await list({ status: 'INACTIVE' })).taskDefinitionArns, [at('lst-a', 2), at('lst-b', 1), at('lst-b', 2)]);
      assert.deepEqual((await list({ familyPrefix: 'lst-a' })).taskDefinitionArns, [at('lst-a', 1), at('lst-a', 3)]);
      await remove(['lst-b:1'], client);
      assert.deepEqual((await list({ status: 'DELETE_IN_PROGRESS' })).taskDefinitionArns, [at('lst-b', 1)]);
      assert.deepEqual((await list({ status: 'INACTIVE' })).taskDefinitionArns, [at('lst-a', 2), at('lst-b', 2)]);
    });

    it('pages families, including the INACTIVE ones', async () => {
      for (const family of ['gone-1', 'gone-2', 'gone-3']) {
        await register(minimal(family), client);
        await deregister(`${family}:1`, client);
      }
      const collect = async (input: ListTaskDefinitionFamiliesCommandInput) => {
        const seen: string[] = [];
        let nextToken: string | undefined;
        do {
          const page = await families({ ...input, maxResults: 1, ...(nextToken ? { nextToken } : {}) });
          assert.ok((page.families ?? []).length <= 1);
          seen.push(...(page.families ?? []));
          nextToken = page.nextToken;
        } while (nextToken);
        return seen;
      };
      assert.deepEqual(await collect({}), ['gone-1', 'gone-2', 'gone-3', 'lst-a', 'lst-ab', 'lst-b', 'other']);
      assert.deepEqual(await collect({ status: 'INACTIVE' }), ['gone-1', 'gone-2', 'gone-3', 'lst-b']);
      assert.deepEqual(await collect({ status: 'ACTIVE' }), ['lst-a', 'lst-ab', 'other']);
      const firstTwo = await families({ status: 'INACTIVE', maxResults: 2 });
      assert.deepEqual(firstTwo.families, ['gone-1', 'gone-2']);
      assert.ok(firstTwo.nextToken);
    });
  });

  describe('DeregisterTaskDefinition and DeleteTaskDefinitions', () => {
    it('deregisters a revision: INACTIVE, still describable, no longer the family default', async () => {
      await register(minimal('life'));
      await register(minimal('life'));
      const before = Date.now();
      const result = await deregister('life:1');
      assert.equal(result.taskDefinition?.status, 'INACTIVE');
      assert.equal(result.taskDefinition?.revision, 1);
      assert.ok(result.taskDefinition?.deregisteredAt instanceof Date);
      assert.ok(Math.abs(result.taskDefinition.deregisteredAt.getTime() - before) < 10_000);
      assert.equal((await describeDef('life:1')).taskDefinition?.status, 'INACTIVE');
      assert.equal((await describeDef('life')).taskDefinition?.revision, 2);
      const again = await deregister(arnOf('life', 1));
      assert.equal(again.taskDefinition?.status, 'INACTIVE');
      assert.deepEqual(again.taskDefinition?.deregisteredAt, result.taskDefinition.deregisteredAt);
      await deregister('life:2');
      await rejects(describeDef('life'), 'ClientException', /Unable to describe task definition/);
    });

    it('refuses to deregister without a revision, or what does not exist, in ECS\'s words', async () => {
      await register(minimal('dereg'));
      const helped = async (promise: Promise<unknown>, name: string, message: string, resource: string) => {
        await assert.rejects(promise, (error: Error & { berthHelp?: { field?: string; resource?: string } }) => {
          assert.equal(error.name, name, error.message);
          assert.equal(error.message, message);
          assert.equal(error.berthHelp?.field, 'taskDefinition');
          assert.equal(error.berthHelp?.resource, resource);
          return true;
        });
      };
      await helped(deregister('dereg'), 'ClientException', 'Revision is missing.', 'dereg');
      await helped(deregister(`arn:aws:ecs:us-east-1:${account}:task-definition/dereg`), 'ClientException', 'Revision is missing.', `arn:aws:ecs:us-east-1:${account}:task-definition/dereg`);
      await helped(deregister('dereg:foo'), 'InvalidParameterException', 'Invalid revision number. Number: foo', 'dereg:foo');
      await helped(deregister('no family here!:1'), 'ClientException', 'Unable to describe task definition.', 'no family here!:1');
      // ECS's message, word for word; the revision asked for is in berthHelp (test/api/not-found-help).
      await rejects(deregister('dereg:9'), 'ClientException', /^Unable to describe task definition\.$/);
      await rejects(deregister(''), 'InvalidParameterException', /taskDefinition can not be blank/);
      assert.equal((await describeDef('dereg:1')).taskDefinition?.status, 'ACTIVE');
    });

    it('deletes INACTIVE revisions and reports the others as failures', async () => {
      for (let i = 0; i < 3; i++) await register(minimal('del'));
      await deregister('del:2');
      await deregister('del:3');
      const before = Date.now();
      const result = await remove(['del:1', 'del:2', arnOf('del', 3), 'del:7', 'del', 'del:2']);
      assert.deepEqual(result.taskDefinitions?.map((definition) => [definition.taskDefinitionArn, definition.status]), [
        [arnOf('del', 2), 'DELETE_IN_PROGRESS'],
        [arnOf('del', 3), 'DELETE_IN_PROGRESS'],
      ]);
      const requested = result.taskDefinitions?.[0]?.deleteRequestedAt;
      assert.ok(requested instanceof Date && Math.abs(requested.getTime() - before) < 10_000);
      assert.deepEqual(result.failures, [
        { arn: arnOf('del', 1), reason: 'The specified task definition is still in ACTIVE status. Please deregister the target and try again.' },
        { arn: arnOf('del', 7), reason: 'The specified task definition does not exist. Specify a valid account, family, revision and try again.' },
        { arn: 'del', reason: 'The specified task definition identifier is invalid. Specify a valid name or ARN and try again.' },
      ]);
      // A revision pending deletion stays describable (ECS keeps it while tasks may use it) but cannot be deregistered.
      assert.equal((await describeDef('del:2')).taskDefinition?.status, 'DELETE_IN_PROGRESS');
      await rejects(deregister('del:2'), 'ClientException', /^Unable to describe task definition\.$/);
      const repeated = await remove(['del:2']);
      assert.equal(repeated.taskDefinitions?.[0]?.status, 'DELETE_IN_PROGRESS');
      assert.deepEqual(repeated.failures, []);
      assert.equal((await describeDef('del')).taskDefinition?.revision, 1);

      await rejects(remove([]), 'InvalidParameterException', /taskDefinitions/);
      await rejects(remove(Array.from({ length: 11 }, (_, i) => `del:${i + 1}`)), 'InvalidParameterException', /taskDefinitions can have at most 10 items/);
    });

    it('finds definitions for RunTask: a family is its latest ACTIVE revision, a revision pending deletion is gone', async () => {
      await register(minimal('find', { cpu: '512', memory: '1024' }));
      await register(minimal('find'));
      await deregister('find:2');
      const scope = { accountId: account, region: 'us-east-1' };
      const store = berth.server.store;
      const found = await store.read(async (tx) => ({
        family: await findTaskDefinition(tx, scope, 'find'),
        inactive: await findTaskDefinition(tx, scope, 'find:2'),
        missing: await findTaskDefinition(tx, scope, 'find:3'),
        otherRegion: await findTaskDefinition(tx, { ...scope, region: 'eu-west-1' }, 'find'),
      }));
      assert.equal(found.family?.revision, 1);
      assert.equal(found.inactive?.status, 'INACTIVE');
      assert.equal(found.missing, undefined);
      assert.equal(found.otherRegion, undefined);
      await remove(['find:2']);
      assert.equal(await store.read((tx) => findTaskDefinition(tx, scope, 'find:2')), undefined);

      const reserved = requirementsOf(found.family as TaskDefinitionRecord, undefined);
      assert.deepEqual({ cpu: reserved.cpu, memory: reserved.memory }, { cpu: 512, memory: 1024 });
      const summed = { containerDefinitions: [{ cpu: 100, memory: 300 }, { cpu: 50, memory: 512, memoryReservation: 128 }, {}] } as TaskDefinitionRecord;
      const perContainer = requirementsOf(summed, undefined);
      assert.deepEqual({ cpu: perContainer.cpu, memory: perContainer.memory }, { cpu: 150, memory: 428 });
    });
  });

  describe('regions', () => {
    it('keeps each region to itself', async () => {
      const west = berth.ecs('eu-west-1');
      await register(minimal('regional'));
      await register(minimal('regional'));
      await rejects(describeDef('regional', west), 'ClientException', /Unable to describe task definition/);
      await rejects(describeDef(arnOf('regional', 1), west), 'ClientException', /Unable to describe task definition/);
      assert.deepEqual((await west.send(new ListTaskDefinitionsCommand({ familyPrefix: 'regional' }))).taskDefinitionArns, []);
      assert.deepEqual((await west.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'regional' }))).families, []);
      await rejects(deregister(arnOf('regional', 1), west), 'ClientException', /^Unable to describe task definition\.$/);
      const own = await register(minimal('regional'), west);
      assert.equal(own.taskDefinition?.revision, 1);
      assert.equal(own.taskDefinition?.taskDefinitionArn, arnOf('regional', 1, 'eu-west-1'));
      assert.equal((await describeDef('regional')).taskDefinition?.revision, 2);
    });
  });
});
