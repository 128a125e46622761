import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegisterTaskDefinitionRequest$, RunTaskRequest$, StartTaskRequest$, TaskOverride$ } from '@aws-sdk/client-ecs';
import { launchInputFields, overrideFieldsByPath, taskDefinitionFields, type FieldRule } from '../../../src/ecs/task-definitions/field-support.js';
import { unsupportedUses } from '../../../src/ecs/task-definitions/refusals.js';
import type { TaskDefinitionRecord } from '../../../src/store/types.js';

/**
 * Every member of the SDK's schema, as a path: `containerDefinitions[].secrets[].valueFrom`.
 * Static schemas are arrays: [3 (structure) or 4 (union), namespace, name, traits, member names,
 * member schemas], [1 (list), namespace, name, traits, member], [2 (map), …, key, value]; a member
 * schema may be a function returning one, or [schema, traits]; numbers are simple types.
 */
function leafPaths(schema: unknown, path: string, out: string[]): string[] {
  let resolved = schema;
  while (typeof resolved === 'function' || (Array.isArray(resolved) && typeof resolved[0] === 'function')) {
    resolved = typeof resolved === 'function' ? (resolved as () => unknown)() : (resolved as unknown[])[0];
  }
  if (!Array.isArray(resolved)) {
    out.push(path);
    return out;
  }
  const [kind] = resolved as number[];
  if (kind === 3 || kind === 4) {
    const names = resolved[4] as string[];
    const members = resolved[5] as unknown[];
    names.forEach((name, index) => leafPaths(members[index], path === '' ? name : `${path}.${name}`, out));
  } else if (kind === 1) leafPaths(resolved[4], `${path}[]`, out);
  else out.push(path);
  return out;
}

const covers = (key: string, path: string) => path === key || path.startsWith(`${key}.`) || path.startsWith(`${key}[]`);

function checkClassification(rules: Readonly<Record<string, FieldRule>>, leaves: string[]): void {
  const unclassified = leaves.filter((leaf) => !Object.keys(rules).some((key) => covers(key, leaf)));
  assert.deepEqual(unclassified, [], 'members of the ECS model that field-support.ts does not classify');
  const stale = Object.keys(rules).filter((key) => !leaves.some((leaf) => covers(key, leaf)));
  assert.deepEqual(stale, [], 'field-support.ts keys that name no member of the ECS model');
  for (const [key, rule] of Object.entries(rules)) {
    const verdicts = [rule.honoured !== undefined, rule.refused !== undefined].filter(Boolean).length;
    assert.equal(verdicts, 1, `${key}: a rule is either honoured or refused`);
    if (rule.refusedValue) assert.ok(rule.honoured, `${key}: a field refused value by value says which values are honoured`);
  }
}

describe('every task definition and override field is classified', () => {
  it('RegisterTaskDefinition: every member of the request, nested shapes included', () => {
    const leaves = leafPaths(RegisterTaskDefinitionRequest$, '', []);
    assert.ok(leaves.includes('containerDefinitions[].logConfiguration.logDriver'), 'the schema walk reaches nested members');
    assert.ok(leaves.length > 100);
    checkClassification(taskDefinitionFields, leaves);
  });

  it('RunTask and StartTask overrides', () => {
    const leaves = leafPaths(TaskOverride$, 'overrides', []);
    assert.ok(leaves.includes('overrides.containerOverrides[].environment[].name'));
    checkClassification(overrideFieldsByPath, leaves);
  });

  it('RunTask and StartTask members (overrides are classified above)', () => {
    const members = (schema: unknown) => (schema as unknown[])[4] as string[];
    const names = [...new Set([...members(RunTaskRequest$), ...members(StartTaskRequest$)])];
    assert.ok(names.includes('volumeConfigurations') && names.includes('containerInstances'));
    checkClassification(launchInputFields, names);
  });
});

describe('unsupportedUses', () => {
  const definition = (extra: Record<string, unknown>, container: Record<string, unknown> = {}): TaskDefinitionRecord =>
    ({
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1',
      family: 'web',
      revision: 1,
      status: 'ACTIVE',
      tags: [],
      containerDefinitions: [{ name: 'web', image: 'busybox', environment: [], mountPoints: [], systemControls: [], ...container }],
      volumes: [],
      enableFaultInjection: false,
      ...extra,
    }) as TaskDefinitionRecord;
  const fields = (record: TaskDefinitionRecord, overrides?: object) => unsupportedUses(record, overrides).map((use) => (use.shown ? `${use.field} ${use.shown}` : use.field));

  it('a definition using only honoured fields, defaults and empty lists uses nothing refused', () => {
    const record = definition(
      { networkMode: 'awsvpc', pidMode: 'host', ipcMode: 'none', ephemeralStorage: { sizeInGiB: 21 }, runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' } },
      {
        versionConsistency: 'enabled',
        restartPolicy: { enabled: false },
        links: [],
        logConfiguration: { logDriver: 'json-file', options: { 'max-size': '1m' } },
        secrets: [{ name: 'TOKEN', valueFrom: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:api-token-AbCdEf:token::' }],
        linuxParameters: { initProcessEnabled: true, capabilities: { add: ['NET_ADMIN'] } },
      },
    );
    assert.deepEqual(fields(record, { containerOverrides: [{ name: 'web', environment: [], command: ['true'] }], cpu: '512' }), []);
  });

  it('names each refused field, with the value where it is an enumeration', () => {
    const record = definition(
      { taskRoleArn: 'arn:aws:iam::000000000000:role/app', proxyConfiguration: { containerName: 'web' }, pidMode: 'task', enableFaultInjection: true, volumes: [{ name: 'data', efsVolumeConfiguration: { fileSystemId: 'fs-1' } }] },
      {
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g', 'awslogs-endpoint': 'http://127.0.0.1:1' } },
        secrets: [
          { name: 'A', valueFrom: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:a' },
          { name: 'B', valueFrom: 'arn:aws:ssm:us-east-1:000000000000:parameter/b' },
          { name: 'C', valueFrom: 'plain-name' },
          { name: 'D', valueFrom: 'arn:aws:s3:::config/d' },
        ],
        restartPolicy: { enabled: true },
        startTimeout: 30,
      },
    );
    assert.deepEqual(fields(record).sort(), [
      'containerDefinitions[0].logConfiguration',
      'containerDefinitions[0].restartPolicy',
      'containerDefinitions[0].secrets[3].valueFrom',
      'containerDefinitions[0].startTimeout',
      'enableFaultInjection',
      'pidMode task',
      'proxyConfiguration',
      'volumes[0].efsVolumeConfiguration',
    ]);
  });

  it('overrides: refused members are named under overrides.', () => {
    const overrides = { taskRoleArn: 'arn:aws:iam::000000000000:role/x', inferenceAcceleratorOverrides: [{ deviceName: 'd' }], containerOverrides: [{ name: 'web', environmentFiles: [{ type: 's3', value: 'arn:aws:s3:::b/k.env' }] }] };
    assert.deepEqual(fields(definition({}), overrides).sort(), ['overrides.containerOverrides[0].environmentFiles', 'overrides.inferenceAcceleratorOverrides']);
  });
});
