/** Task definitions and service inputs shared by the service API tests. */
import { RegisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';

export const account = '000000000000';
export const serviceArn = (cluster: string, name: string) => `arn:aws:ecs:us-east-1:${account}:service/${cluster}/${name}`;
export const awsvpc = { awsvpcConfiguration: { subnets: ['subnet-local'], assignPublicIp: 'ENABLED' as const } };
export const targetGroupArn = `arn:aws:elasticloadbalancing:us-east-1:${account}:targetgroup/web/0123456789abcdef`;

/**
 * web: bridge, container "web" on port 80 (EC2 and EXTERNAL only).
 * fg: awsvpc at a Fargate size, container "app" on port 8080 (EC2 and FARGATE).
 */
export async function registerServiceDefinitions(ecs: ECSClient): Promise<void> {
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64, portMappings: [{ containerPort: 80 }] }],
    }),
  );
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'fg',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'app', image: 'busybox', portMappings: [{ containerPort: 8080 }] }],
    }),
  );
}
