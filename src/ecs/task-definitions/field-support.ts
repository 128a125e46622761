/**
 * What Berth does with each field of a task definition (RegisterTaskDefinition's request), of
 * RunTask's and StartTask's `overrides` and of their own members: honoured, or refused at launch.
 * The single source of truth; `refusals.ts` applies it, and a unit test walks the AWS SDK's schema
 * of these shapes so that no member, including one added to the model later, goes unclassified.
 *
 * Registration accepts everything AWS accepts (so Terraform, CloudFormation and the CLI register
 * the same definitions and describe returns them); RunTask, StartTask, CreateService and an
 * UpdateService that changes the task definition refuse a definition (or overrides) that uses a
 * refused field, with UnsupportedFeatureException. A field left out, set to an empty list or to
 * AWS's default is not used. A key covers its whole subtree.
 *
 * | field (`[]` = each item)                     | Berth                                                        |
 * |----------------------------------------------|--------------------------------------------------------------|
 * | family, tags, requiresCompatibilities         | honoured: naming, services' tag propagation, launch checks   |
 * | networkMode                                   | honoured: bridge, host, none, awsvpc (agent)                 |
 * | cpu, memory                                   | honoured: placement, and hard limits of the task's cgroup    |
 * | placementConstraints                          | honoured: placement (memberOf)                               |
 * | executionRoleArn                              | honoured: assumed as ecs-tasks; pulls from Berth's registry, |
 * |                                               | secrets and repositoryCredentials use its permissions (and   |
 * |                                               | registration refuses them without it, as ECS does)           |
 * | ephemeralStorage                              | honoured: not a cap; tasks write to the host's disk          |
 * | runtimePlatform.operatingSystemFamily         | LINUX honoured; WINDOWS_* refused                            |
 * | runtimePlatform.cpuArchitecture               | honoured: placement on EC2/EXTERNAL; FARGATE refuses a mismatch at the host |
 * | taskRoleArn                                   | honoured: its credentials on 169.254.170.2 (agent)           |
 * | pidMode, ipcMode                              | host (and ipcMode none) honoured; task refused               |
 * | proxyConfiguration, inferenceAccelerators     | refused                                                      |
 * | enableFaultInjection                          | refused when true                                            |
 * | volumes[]: name, host, dockerVolumeConfiguration | honoured: bind mounts, Docker volumes (agent)             |
 * | volumes[]: efs…, fsxWindows…, s3files…, configuredAtLaunch | refused                                         |
 * | containerDefinitions[]: name, image, cpu, memory, memoryReservation, portMappings, essential,
 * |   entryPoint, command, environment, mountPoints, volumesFrom, linuxParameters (all members),
 * |   dependsOn, stopTimeout, hostname, user, workingDirectory, disableNetworking, privileged,
 * |   readonlyRootFilesystem, dnsServers, dnsSearchDomains, extraHosts, dockerSecurityOptions,
 * |   interactive, pseudoTerminal, dockerLabels, ulimits, healthCheck, repositoryCredentials,
 * |   systemControls (awsvpc: net.* on the task's network namespace)
 * |                                               | honoured: Docker create options (agent)                      |
 * | containerDefinitions[].secrets                | honoured from Secrets Manager ARNs and SSM parameters, read  |
 * |                                               | with the execution role (registration requires one)          |
 * | containerDefinitions[].logConfiguration       | json-file, syslog, journald, gelf, fluentd, splunk honoured  |
 * |                                               | (passed to Docker), awslogs (agent-collected); awsfirelens, secretOptions refused |
 * | containerDefinitions[].versionConsistency     | disabled honoured: each task pulls the tag as it stands;      |
 * |                                               | enabled, the default, counts as unset (tags are not pinned)  |
 * | containerDefinitions[]: links, startTimeout, environmentFiles, restartPolicy (enabled),
 * |   firelensConfiguration, credentialSpecs, resourceRequirements
 * |                                               | refused                                                      |
 * | overrides: containerOverrides[] name, command, environment, cpu, memory, memoryReservation;
 * |   cpu, memory, executionRoleArn, taskRoleArn, ephemeralStorage | honoured                              |
 * | overrides: containerOverrides[] environmentFiles, resourceRequirements;
 * |   inferenceAcceleratorOverrides              | refused                                                      |
 * | RunTask/StartTask: enableExecuteCommand (true), volumeConfigurations | refused                              |
 * | RunTask/StartTask: every other member         | honoured (`launchInputFields`)                               |
 */
import { dockerLogDrivers } from '../../agent-channel-protocol/log-drivers.js';
import { isAwslogsProblem, parseAwslogsOptions } from '../../agent-channel-protocol/awslogs.js';
import { parseSecretReference } from '../agent-channel/container-secrets.js';
import { isParameterReference } from '../../ssm/resolve.js';

/** Why a use is refused and what the user can do instead. */
export interface Refusal {
  reason: string;
  hint: string;
}

export interface FieldRule {
  /** Where Berth honours the field (or the values `refusedValue` lets through). */
  honoured?: string;
  /** Refused whenever used. */
  refused?: Refusal;
  /** Refused value by value: the refusal of one value, or undefined when Berth honours it. */
  refusedValue?: (value: unknown) => Refusal | undefined;
  /** AWS's default: a field set to it is not used. */
  default?: unknown;
  /** The message names the value too (enumerations, not free text). */
  showValue?: boolean;
}

const notYet = (reason: string, hint: string): Refusal => ({ reason, hint });
const remove = (field: string) => `Remove ${field} from the task definition.`;

const agent = 'the agent, in the container Docker creates';

const containerFields: Record<string, FieldRule> = {
  name: { honoured: 'the container name, labels and overrides' },
  image: { honoured: 'the agent pulls and runs it' },
  repositoryCredentials: { honoured: 'the control plane resolves the secret with the execution role (required at registration); the agent pulls with it' },
  cpu: { honoured: 'CPU shares, and placement' },
  memory: { honoured: 'the hard memory limit, and placement' },
  memoryReservation: { honoured: 'the soft memory limit, and placement' },
  links: { refused: notYet('Docker links are not set up between a task\'s containers', 'Remove links; in bridge mode reach the other container through a published port, or use networkMode awsvpc, where the task\'s containers share localhost.') },
  portMappings: { honoured: 'published ports (bridge), networkBindings, placement; name and appProtocol are described only, as for Service Connect' },
  essential: { honoured: 'the task stops when an essential container exits' },
  restartPolicy: {
    honoured: 'enabled false (the default) is what Berth does',
    refusedValue: (value) =>
      (value as { enabled?: boolean } | undefined)?.enabled === true
        ? notYet('containers are not restarted in place', 'Remove restartPolicy or set enabled to false; a service replaces a task whose essential container exits.')
        : undefined,
  },
  entryPoint: { honoured: agent },
  command: { honoured: agent },
  environment: { honoured: agent },
  environmentFiles: { refused: notYet('environment files are not read from Amazon S3', 'Put the variables in environment (or secrets) instead.') },
  mountPoints: { honoured: agent },
  volumesFrom: { honoured: agent },
  linuxParameters: { honoured: `${agent}: capabilities, devices, init, shm size, tmpfs, swap` },
  secrets: { honoured: 'the control plane resolves each secret with the execution role (required at registration) when it gives the task to the agent; environment variables' },
  'secrets[].valueFrom': {
    honoured: 'Secrets Manager secret ARNs, with ECS\'s optional json-key, version-stage and version-id; SSM parameter names and ARNs',
    refusedValue: (value) =>
      typeof value === 'string' && parseSecretReference(value) === undefined && !isParameterReference(value)
        ? notYet(
            'valueFrom names neither a Secrets Manager secret (arn:aws:secretsmanager:…) nor an SSM parameter (its name, or arn:aws:ssm:<region>:<account>:parameter/<name>)',
            'Set valueFrom to the secret\'s ARN, or to the parameter\'s name or ARN.',
          )
        : undefined,
  },
  dependsOn: { honoured: 'the agent orders start and stop: START, COMPLETE, SUCCESS, HEALTHY' },
  startTimeout: { refused: notYet('the agent waits for dependencies without a time limit', 'Remove startTimeout.') },
  stopTimeout: { honoured: 'SIGTERM, then SIGKILL after it' },
  // enabled is AWS's default, so it counts as unset; Berth does not pin a deployment's tags to digests.
  versionConsistency: { honoured: 'disabled is what Berth does: each task pulls the image tag as it stands', default: 'enabled' },
  hostname: { honoured: agent },
  user: { honoured: agent },
  workingDirectory: { honoured: agent },
  disableNetworking: { honoured: agent },
  privileged: { honoured: agent },
  readonlyRootFilesystem: { honoured: agent },
  dnsServers: { honoured: `${agent}; in awsvpc, on the task's network namespace (its pause container)` },
  dnsSearchDomains: { honoured: `${agent}; in awsvpc, on the task's network namespace (its pause container)` },
  extraHosts: { honoured: agent },
  dockerSecurityOptions: { honoured: agent },
  interactive: { honoured: agent },
  pseudoTerminal: { honoured: agent },
  dockerLabels: { honoured: agent },
  ulimits: { honoured: agent },
  logConfiguration: {
    honoured: 'the agent passes the driver and its options to Docker; awslogs options are read by the agent',
    refusedValue: (value) => {
      const log = value as { logDriver?: string; options?: Record<string, string> };
      if (log.logDriver !== 'awslogs') return undefined;
      const parsed = parseAwslogsOptions(log.options);
      return isAwslogsProblem(parsed) && parsed.notYet ? notYet(parsed.problem, `Remove options.${parsed.option}.`) : undefined;
    },
  },
  'logConfiguration.logDriver': {
    honoured: `${dockerLogDrivers.join(', ')}: Docker's own drivers; awslogs: the agent collects the output into CloudWatch Logs`,
    showValue: true,
    refusedValue: (value) =>
      typeof value === 'string' && value !== 'awslogs' && !dockerLogDrivers.includes(value)
        ? notYet('FireLens log routing is not set up', `Use awslogs, json-file (then docker logs), or one of Docker's drivers that ships logs: ${dockerLogDrivers.filter((driver) => driver !== 'json-file').join(', ')}.`)
        : undefined,
  },
  'logConfiguration.options': { honoured: 'the driver\'s options, passed to Docker' },
  'logConfiguration.secretOptions': { refused: notYet('log driver options are not read from secrets', 'Put the option in logConfiguration.options instead.') },
  healthCheck: { honoured: 'Docker health checks, with ECS\'s defaults' },
  systemControls: { honoured: 'Docker sysctls; in awsvpc, net.* go to the task\'s network namespace (its pause container)' },
  resourceRequirements: { refused: notYet('GPUs and inference accelerators are not given to containers', 'Remove resourceRequirements.') },
  firelensConfiguration: { refused: notYet('FireLens log routers are not set up', 'Remove firelensConfiguration; use a logConfiguration with one of Docker\'s log drivers.') },
  credentialSpecs: { refused: notYet('Active Directory credential specs are not supported', 'Remove credentialSpecs.') },
};

const volumeFields: Record<string, FieldRule> = {
  name: { honoured: 'the agent, referenced by mountPoints' },
  host: { honoured: 'a bind mount of sourcePath, or a task scratch volume' },
  dockerVolumeConfiguration: { honoured: 'Docker volumes of task or shared scope, with driver, options and labels' },
  efsVolumeConfiguration: { refused: notYet('Amazon EFS volumes are not mounted', 'Use a Docker volume (dockerVolumeConfiguration, e.g. driver local with NFS options) or a host volume.') },
  fsxWindowsFileServerVolumeConfiguration: { refused: notYet('FSx for Windows File Server volumes are not mounted', 'Use a Docker volume or a host volume.') },
  s3filesVolumeConfiguration: { refused: notYet('Amazon S3 Files volumes are not mounted', 'Use a Docker volume or a host volume.') },
  configuredAtLaunch: { default: false, refused: notYet('volumes configured at launch (Amazon EBS) are not supported', 'Use a Docker volume or a host volume, and set configuredAtLaunch to false.') },
};

const taskFields: Record<string, FieldRule> = {
  family: { honoured: 'the task definition\'s name' },
  taskRoleArn: { honoured: 'the agent serves the role\'s credentials to the task\'s containers on 169.254.170.2 (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)' },
  executionRoleArn: { honoured: 'assumed for the task: the identity of its pulls from Berth\'s registry and of its awslogs output\'s PutLogEvents, and what its secrets and repositoryCredentials may read' },
  networkMode: { honoured: 'the agent: bridge, host, none, awsvpc', showValue: true },
  placementConstraints: { honoured: 'placement (memberOf)' },
  requiresCompatibilities: { honoured: 'compatibilities, checked at registration and launch' },
  cpu: { honoured: 'placement, and the task\'s hard limit' },
  memory: { honoured: 'placement, and the task\'s hard limit' },
  tags: { honoured: 'tags of the definition, propagated to a service\'s tasks with propagateTags TASK_DEFINITION' },
  pidMode: {
    honoured: 'host: the containers share the host\'s PID namespace',
    showValue: true,
    refusedValue: (value) =>
      value === 'task' ? notYet('the task\'s containers are not put in one shared PID namespace', 'Remove pidMode, or use host.') : undefined,
  },
  ipcMode: {
    honoured: 'host and none: Docker\'s IPC modes of those names',
    showValue: true,
    refusedValue: (value) =>
      value === 'task' ? notYet('the task\'s containers are not put in one shared IPC namespace', 'Remove ipcMode, or use host or none.') : undefined,
  },
  proxyConfiguration: { refused: notYet('App Mesh proxies are not configured', 'Remove proxyConfiguration.') },
  inferenceAccelerators: { refused: notYet('Elastic Inference accelerators are not attached', 'Remove inferenceAccelerators.') },
  ephemeralStorage: { honoured: 'not a cap: a task writes to its host\'s disk, which Berth does not divide' },
  runtimePlatform: { honoured: 'described' },
  'runtimePlatform.operatingSystemFamily': {
    honoured: 'LINUX: Berth runs Linux containers',
    showValue: true,
    refusedValue: (value) =>
      typeof value === 'string' && value !== 'LINUX'
        ? notYet('Berth runs Linux containers only', 'Use operatingSystemFamily LINUX with a Linux image.')
        : undefined,
  },
  'runtimePlatform.cpuArchitecture': { honoured: 'placement on instances of that ecs.cpu-architecture; a FARGATE host of another architecture stops the task' },
  enableFaultInjection: { default: false, refused: notYet('fault injection endpoints are not served', 'Set enableFaultInjection to false.') },
};

const overrideFields: Record<string, FieldRule> = {
  'containerOverrides[].name': { honoured: 'names the container overridden' },
  'containerOverrides[].command': { honoured: agent },
  'containerOverrides[].environment': { honoured: agent },
  'containerOverrides[].environmentFiles': { refused: notYet('environment files are not read from Amazon S3', 'Put the variables in the override\'s environment instead.') },
  'containerOverrides[].cpu': { honoured: 'CPU shares, and placement' },
  'containerOverrides[].memory': { honoured: 'the hard memory limit, and placement' },
  'containerOverrides[].memoryReservation': { honoured: 'the soft memory limit, and placement' },
  'containerOverrides[].resourceRequirements': { refused: notYet('GPUs and inference accelerators are not given to containers', 'Remove resourceRequirements from the override.') },
  cpu: { honoured: 'placement, and the task\'s hard limit' },
  memory: { honoured: 'placement, and the task\'s hard limit' },
  executionRoleArn: { honoured: 'assumed for the task: the identity of its pulls from Berth\'s registry and of its awslogs output\'s PutLogEvents, and what its secrets and repositoryCredentials may read' },
  taskRoleArn: { honoured: 'the agent serves the role\'s credentials to the task\'s containers on 169.254.170.2 (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)' },
  inferenceAcceleratorOverrides: { refused: notYet('Elastic Inference accelerators are not attached', 'Remove inferenceAcceleratorOverrides.') },
  ephemeralStorage: { honoured: 'not a cap: a task writes to its host\'s disk, which Berth does not divide' },
};

const prefixed = (prefix: string, rules: Record<string, FieldRule>) =>
  Object.fromEntries(Object.entries(rules).map(([path, rule]) => [`${prefix}${path}`, rule]));

/** Field path (`[]` for each item of a list) → what Berth does with it. */
export const taskDefinitionFields: Readonly<Record<string, FieldRule>> = {
  ...taskFields,
  ...prefixed('containerDefinitions[].', containerFields),
  ...prefixed('volumes[].', volumeFields),
};

/** RunTask's and StartTask's `overrides`, under the path `overrides.`. */
export const overrideFieldsByPath: Readonly<Record<string, FieldRule>> = prefixed('overrides.', overrideFields);

/**
 * RunTask's and StartTask's own members. Those that would reach the containers but that Berth does
 * not honour are refused before anything is looked up.
 */
export const launchInputFields: Readonly<Record<string, FieldRule>> = {
  taskDefinition: { honoured: 'the definition the task runs' },
  cluster: { honoured: 'the cluster the task runs in' },
  count: { honoured: 'RunTask: the number of tasks' },
  containerInstances: { honoured: 'StartTask: the instances the tasks go to' },
  capacityProviderStrategy: { honoured: 'RunTask: FARGATE and FARGATE_SPOT providers split the tasks' },
  launchType: { honoured: 'RunTask: EC2, EXTERNAL or FARGATE' },
  networkConfiguration: { honoured: 'awsvpc: the task\'s network interface attachment' },
  overrides: { honoured: 'see the overrides. rules' },
  placementConstraints: { honoured: 'RunTask: placement' },
  placementStrategy: { honoured: 'RunTask: placement' },
  platformVersion: { honoured: 'RunTask: recorded and described for FARGATE' },
  group: { honoured: 'the task group, for placement and describe' },
  startedBy: { honoured: 'described; ListTasks filters on it' },
  tags: { honoured: 'the task\'s tags' },
  propagateTags: { honoured: 'TASK_DEFINITION copies the definition\'s tags to the task; SERVICE is refused, as in ECS' },
  enableECSManagedTags: { honoured: 'the aws:ecs:clusterName tag' },
  referenceId: { honoured: 'accepted; ECS returns it in no response either' },
  clientToken: { honoured: 'RunTask: idempotency' },
  enableExecuteCommand: { default: false, refused: notYet('ECS Exec (the SSM agent in the containers) is not served', 'Leave enableExecuteCommand out (or false) and use docker exec on the container\'s host.') },
  volumeConfigurations: {
    refused: notYet('volumes configured at launch (Amazon EBS) are not attached', 'Use a Docker volume (dockerVolumeConfiguration) or a host volume in the task definition.'),
  },
};
