/**
 * `requiresAttributes`: the container instance attributes a task of this definition needs, derived
 * from the features the definition uses. Placement requires every one of them on the instance, and
 * the names are those the Amazon ECS container agent registers, so a real agent's instance matches.
 *
 * Berth derives this subset (ECS's own list is longer and partly undocumented):
 *
 * | feature used                                           | attribute                                                   |
 * |--------------------------------------------------------|-------------------------------------------------------------|
 * | logConfiguration, dockerLabels or ulimits              | com.amazonaws.ecs.capability.docker-remote-api.1.18         |
 * | the log driver D                                       | com.amazonaws.ecs.capability.logging-driver.D               |
 * | the awslogs log driver                                 | com.amazonaws.ecs.capability.docker-remote-api.1.19         |
 * | awslogs with an executionRoleArn                       | ecs.capability.execution-role-awslogs                       |
 * | an Amazon ECR image                                    | com.amazonaws.ecs.capability.ecr-auth                       |
 * | an Amazon ECR image with an executionRoleArn           | ecs.capability.execution-role-ecr-pull                      |
 * | taskRoleArn                                            | com.amazonaws.ecs.capability.task-iam-role                  |
 * | taskRoleArn, networkMode host                          | com.amazonaws.ecs.capability.task-iam-role-network-host     |
 * | networkMode awsvpc                                     | ecs.capability.task-eni                                     |
 * | privileged                                             | com.amazonaws.ecs.capability.privileged-container           |
 * | healthCheck                                            | ecs.capability.container-health-check                       |
 * | dependsOn, startTimeout or stopTimeout                 | ecs.capability.container-ordering                           |
 * | linuxParameters.initProcessEnabled                     | com.amazonaws.ecs.capability.docker-remote-api.1.25         |
 * | secrets from SSM / Secrets Manager                     | ecs.capability.secrets.ssm / .asm .environment-variables    |
 * | repositoryCredentials                                  | com.amazonaws.ecs.capability.private-registry-authentication.secretsmanager |
 * | environmentFiles                                       | ecs.capability.env-files.s3                                 |
 * | firelensConfiguration of type T                        | ecs.capability.firelens.T                                   |
 * | EFS volume / with an access point or IAM authorization | ecs.capability.efs / ecs.capability.efsAuth                 |
 * | FSx for Windows File Server volume                     | ecs.capability.fsxWindowsFileServer                         |
 * | Docker volume with driver D (default local)            | ecs.capability.docker-plugin.D                              |
 * | proxyConfiguration                                     | ecs.capability.aws-appmesh                                  |
 * | containerPortRange                                     | ecs.capability.container-port-range                         |
 */
import type { Attribute } from '@aws-sdk/client-ecs';
import type { Wire } from '../../core/wire.js';
import { ecrImage, nonEmpty, type Draft } from './model.js';

const remoteApi = (version: string) => `com.amazonaws.ecs.capability.docker-remote-api.${version}`;

export function requiredAttributesOf(draft: Draft): Wire<Attribute>[] {
  const { input, containers } = draft;
  const names: string[] = [];
  const need = (name: string) => {
    if (!names.includes(name)) names.push(name);
  };
  const executionRole = input.executionRoleArn !== undefined;

  for (const container of containers) {
    const driver = container.logConfiguration?.logDriver;
    if (driver !== undefined) need(`com.amazonaws.ecs.capability.logging-driver.${driver}`);
    if (driver === 'awslogs') {
      if (executionRole) need('ecs.capability.execution-role-awslogs');
      need(remoteApi('1.19'));
    }
    if (container.image !== undefined && ecrImage.test(container.image)) {
      need('com.amazonaws.ecs.capability.ecr-auth');
      if (executionRole) need('ecs.capability.execution-role-ecr-pull');
    }
    if (driver !== undefined || container.dockerLabels !== undefined || nonEmpty(container.ulimits)) need(remoteApi('1.18'));
    if (container.linuxParameters?.initProcessEnabled === true) need(remoteApi('1.25'));
    if (container.privileged === true) need('com.amazonaws.ecs.capability.privileged-container');
    if (container.healthCheck) need('ecs.capability.container-health-check');
    if (nonEmpty(container.dependsOn) || container.startTimeout !== undefined || container.stopTimeout !== undefined) {
      need('ecs.capability.container-ordering');
    }
    for (const secret of container.secrets ?? []) {
      need(secret.valueFrom?.startsWith('arn:') && secret.valueFrom.includes(':secretsmanager:')
        ? 'ecs.capability.secrets.asm.environment-variables'
        : 'ecs.capability.secrets.ssm.environment-variables');
    }
    if (container.repositoryCredentials) need('com.amazonaws.ecs.capability.private-registry-authentication.secretsmanager');
    if (nonEmpty(container.environmentFiles)) need('ecs.capability.env-files.s3');
    if (container.firelensConfiguration?.type) need(`ecs.capability.firelens.${container.firelensConfiguration.type}`);
    if ((container.portMappings ?? []).some((mapping) => mapping.containerPortRange !== undefined)) need('ecs.capability.container-port-range');
  }
  if (input.taskRoleArn !== undefined) need('com.amazonaws.ecs.capability.task-iam-role');
  if (input.taskRoleArn !== undefined && draft.networkMode === 'host') need('com.amazonaws.ecs.capability.task-iam-role-network-host');
  if (draft.networkMode === 'awsvpc') need('ecs.capability.task-eni');
  for (const volume of draft.volumes) {
    const efs = volume.efsVolumeConfiguration;
    if (efs) {
      need('ecs.capability.efs');
      if (efs.authorizationConfig?.accessPointId !== undefined || efs.authorizationConfig?.iam === 'ENABLED') need('ecs.capability.efsAuth');
    }
    if (volume.fsxWindowsFileServerVolumeConfiguration) need('ecs.capability.fsxWindowsFileServer');
    if (volume.dockerVolumeConfiguration) need(`ecs.capability.docker-plugin.${volume.dockerVolumeConfiguration.driver ?? 'local'}`);
  }
  if (input.proxyConfiguration) need('ecs.capability.aws-appmesh');
  return names.map((name) => ({ name }));
}
