/** Small valid records for the store conformance suite, one builder per table kind. */
import type { CertificateRecord } from '../../src/store/contract/acm.js';
import type {
  ClusterRecord,
  ContainerInstanceRecord,
  SecretRecord,
  ServiceDeploymentRecord,
  ServiceRecord,
  ServiceRevisionRecord,
  TaskDefinitionRecord,
  TaskRecord,
} from '../../src/store/types.js';
import type { RepositoryRecord } from '../../src/store/contract/registry.js';

export const account = '000000000000';
export const region = 'us-east-1';
export const clusterArn = (name: string) => `arn:aws:ecs:${region}:${account}:cluster/${name}`;

export function cluster(name: string, status = 'ACTIVE'): ClusterRecord {
  return { clusterArn: clusterArn(name), clusterName: name, status, tags: [] };
}

export function taskDefinition(family: string, revision: number, status: TaskDefinitionRecord['status'] = 'ACTIVE'): TaskDefinitionRecord {
  return {
    taskDefinitionArn: `arn:aws:ecs:${region}:${account}:task-definition/${family}:${revision}`,
    family,
    revision,
    status,
    tags: [],
    containerDefinitions: [{ name: 'app', image: 'busybox' }],
  };
}

export function containerInstance(clusterName: string, id: string): ContainerInstanceRecord {
  return {
    containerInstanceArn: `arn:aws:ecs:${region}:${account}:container-instance/${clusterName}/${id}`,
    clusterArn: clusterArn(clusterName),
    status: 'ACTIVE',
    agentConnected: true,
    version: 1,
    tags: [],
  };
}

export function task(clusterName: string, id: string, overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    taskArn: `arn:aws:ecs:${region}:${account}:task/${clusterName}/${id}`,
    clusterArn: clusterArn(clusterName),
    taskDefinitionArn: `arn:aws:ecs:${region}:${account}:task-definition/web:1`,
    lastStatus: 'PENDING',
    desiredStatus: 'RUNNING',
    launchType: 'EC2',
    group: 'family:web',
    version: 1,
    tags: [],
    ...overrides,
  };
}

export function service(clusterName: string, name: string): ServiceRecord {
  return {
    serviceArn: `arn:aws:ecs:${region}:${account}:service/${clusterName}/${name}`,
    serviceName: name,
    clusterArn: clusterArn(clusterName),
    status: 'ACTIVE',
    desiredCount: 1,
    schedulingStrategy: 'REPLICA',
    createdAt: 1_700_000_000,
    deployments: [],
    events: [],
    tags: [],
    version: 0,
  };
}

export function serviceDeployment(owner: ServiceRecord, id: string, createdAt: number): ServiceDeploymentRecord {
  return {
    serviceDeploymentArn: `arn:aws:ecs:${region}:${account}:service-deployment/${owner.serviceName}/${id}`,
    serviceArn: owner.serviceArn,
    clusterArn: owner.clusterArn,
    status: 'SUCCESSFUL',
    createdAt,
  };
}

export function serviceRevision(owner: ServiceRecord, id: string): ServiceRevisionRecord {
  return {
    serviceRevisionArn: `arn:aws:ecs:${region}:${account}:service-revision/${owner.serviceName}/${id}`,
    serviceArn: owner.serviceArn,
    clusterArn: owner.clusterArn,
    taskDefinition: `arn:aws:ecs:${region}:${account}:task-definition/web:1`,
    createdAt: 1_700_000_000,
  };
}

export function secret(name: string): SecretRecord {
  return {
    arn: `arn:aws:secretsmanager:${region}:${account}:secret:${name}-AbCdEf`,
    name,
    accountId: account,
    region,
    tags: [],
    versions: [{ versionId: 'v1', stages: ['AWSCURRENT'], createdDate: 1_700_000_000 }],
    createdDate: 1_700_000_000,
    lastChangedDate: 1_700_000_000,
  };
}

export function certificate(id: string): CertificateRecord {
  return {
    arn: `arn:aws:acm:${region}:${account}:certificate/${id}`,
    accountId: account,
    region,
    certificatePem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    domainName: `${id}.example.test`,
    subjectAlternativeNames: [`${id}.example.test`],
    subject: `CN=${id}.example.test`,
    issuer: 'Example',
    serial: '01',
    keyAlgorithm: 'RSA_2048',
    signatureAlgorithm: 'SHA256WITHRSA',
    notBefore: 1_700_000_000,
    notAfter: 1_800_000_000,
    createdAt: 1_700_000_000,
    importedAt: 1_700_000_000,
    tags: [],
  };
}

export function repository(name: string): RepositoryRecord {
  return {
    arn: `arn:aws:ecr:${region}:${account}:repository/${name}`,
    accountId: account,
    region,
    name,
    registryId: account,
    createdAt: 1_700_000_000,
    imageTagMutability: 'MUTABLE',
    scanOnPush: false,
    encryptionConfiguration: { encryptionType: 'AES256' },
    tags: [],
  };
}
