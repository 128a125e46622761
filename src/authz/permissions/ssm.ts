/**
 * Systems Manager Parameter Store's permissions (Service Authorization Reference, "AWS Systems
 * Manager"): each parameter operation on the parameter's ARN (`parameter/<name>`, a hierarchical
 * name's leading slash not doubled; a version or label selector is not part of it), GetParameters
 * and DeleteParameters on each name, GetParametersByPath on the path's ARN, DescribeParameters on
 * `*`; the tag operations on the parameter their ResourceId names, with the tags as
 * aws:RequestTag/aws:TagKeys.
 */
import type { Scope } from '../../core/principal.js';
import { parameterArn, splitSelector } from '../../ssm/names.js';
import { on, onAny, requestTagKeys, tagKeysOf, text, texts, type Keys, type Permission, type PermissionOf, type PermissionTable } from './types.js';

/** The ARN a parameter reference (name or ARN, with an optional `:version` or `:label`) names. */
function arnOf(scope: Scope, reference: string): string {
  const { reference: bare } = splitSelector(reference);
  return bare.startsWith('arn:') ? bare : parameterArn(scope, bare);
}

const onParameters = (scope: Scope, references: string[], keys: Keys = {}): Permission => on(references.map((reference) => arnOf(scope, reference)), keys);
const byName: PermissionOf = (input, scope) => onParameters(scope, [text(input.Name)].filter((name): name is string => name !== undefined));
const byNames: PermissionOf = (input, scope) => onParameters(scope, texts(input.Names));
const byResourceId = (keysOf: (input: Record<string, unknown>) => Keys): PermissionOf => (input, scope) =>
  onParameters(scope, [text(input.ResourceId)].filter((id): id is string => id !== undefined), keysOf(input));

export const ssmPermissions: PermissionTable = {
  PutParameter: (input, scope) => onParameters(scope, [text(input.Name)].filter((name): name is string => name !== undefined), requestTagKeys(input.Tags, 'Key', 'Value')),
  GetParameter: byName,
  GetParameters: byNames,
  DeleteParameter: byName,
  DeleteParameters: byNames,
  GetParametersByPath: (input, scope) => onParameters(scope, [text(input.Path)].filter((path): path is string => path !== undefined)),
  DescribeParameters: onAny,
  GetParameterHistory: byName,
  LabelParameterVersion: byName,
  UnlabelParameterVersion: byName,
  AddTagsToResource: byResourceId((input) => requestTagKeys(input.Tags, 'Key', 'Value')),
  RemoveTagsFromResource: byResourceId((input) => tagKeysOf(input.TagKeys)),
  ListTagsForResource: byResourceId(() => ({})),
};
