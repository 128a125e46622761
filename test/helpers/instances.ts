import { RegisterContainerInstanceCommand, type ECSClient } from '@aws-sdk/client-ecs';

export interface InstanceSpec {
  cluster: string;
  instanceId?: string;
  availabilityZone?: string;
  instanceType?: string;
  cpu?: number;
  memory?: number;
  ports?: string[];
  gpus?: string[];
  attributes?: { name: string; value?: string }[];
}

/** Registers a container instance the way an agent does, with an EC2-style identity document. */
export async function registerInstance(ecs: ECSClient, spec: InstanceSpec) {
  const identity = {
    instanceId: spec.instanceId ?? `i-${Math.random().toString(16).slice(2, 19).padEnd(17, '0')}`,
    availabilityZone: spec.availabilityZone ?? 'us-east-1a',
    instanceType: spec.instanceType ?? 't3.large',
  };
  const result = await ecs.send(
    new RegisterContainerInstanceCommand({
      cluster: spec.cluster,
      instanceIdentityDocument: JSON.stringify(identity),
      totalResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: spec.cpu ?? 2048 },
        { name: 'MEMORY', type: 'INTEGER', integerValue: spec.memory ?? 4096 },
        { name: 'PORTS', type: 'STRINGSET', stringSetValue: spec.ports ?? ['22', '51678'] },
        { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
        ...(spec.gpus ? [{ name: 'GPU', type: 'STRINGSET', stringSetValue: spec.gpus }] : []),
      ],
      versionInfo: { agentVersion: '1.80.0', dockerVersion: '20.10.24' },
      ...(spec.attributes ? { attributes: spec.attributes } : {}),
    }),
  );
  return result.containerInstance!;
}
