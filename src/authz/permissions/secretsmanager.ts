/**
 * Secrets Manager's permissions (Service Authorization Reference, "AWS Secrets Manager"): every
 * operation on one secret is checked on the secret's ARN (the full ARN with its random suffix: a
 * secret named by name is looked up), CreateSecret on the ARN-to-be (name and a `??????` suffix,
 * as AWS documents policies should match it), ListSecrets on `*`. Tags set are
 * aws:RequestTag/aws:TagKeys; the secret's own tags aws:ResourceTag/secretsmanager:ResourceTag.
 */
import { Arn } from '../../core/arn.js';
import type { Scope } from '../../core/principal.js';
import { on, onAny, requestTagKeys, resourceTagKeys, tagKeysOf, text, type Keys, type Permission, type PermissionOf, type PermissionTable } from './types.js';

const secretArn = (scope: Scope, name: string) => new Arn('secretsmanager', scope.region, scope.accountId, `secret:${name}`).toString();

/** The secret a SecretId names: an ARN as given, a name through the store (unknown names keep the name form). */
function onSecret(scope: Scope, secretId: unknown, keys: Keys = {}): Permission {
  const id = text(secretId);
  if (id === undefined) return on([], keys);
  // The secret's full ARN (a name is looked up) and its tags as aws:ResourceTag/secretsmanager:ResourceTag keys.
  return {
    ...on([id.startsWith('arn:') ? id : secretArn(scope, id)], keys),
    resolve: async (tx) => {
      const record = id.startsWith('arn:') ? await tx.secrets.get(id) : await tx.secrets.findByName(scope.accountId, scope.region, id);
      return record ? { resources: [record.arn], keys: resourceTagKeys('secretsmanager', record.tags, 'Key', 'Value') } : {};
    },
  };
}

const bySecretId: PermissionOf = (input, scope) => onSecret(scope, input.SecretId);

export const secretsManagerPermissions: PermissionTable = {
  CreateSecret: (input, scope) => on([secretArn(scope, `${text(input.Name) ?? ''}-??????`)], requestTagKeys(input.Tags, 'Key', 'Value')),
  DescribeSecret: bySecretId,
  UpdateSecret: bySecretId,
  GetSecretValue: bySecretId,
  PutSecretValue: bySecretId,
  DeleteSecret: bySecretId,
  RestoreSecret: bySecretId,
  ListSecrets: onAny,
  TagResource: (input, scope) => onSecret(scope, input.SecretId, requestTagKeys(input.Tags, 'Key', 'Value')),
  UntagResource: (input, scope) => onSecret(scope, input.SecretId, tagKeysOf(input.TagKeys)),
  // Resource policies (Put/Get/Delete/ValidateResourcePolicy), on the secret.
  PutResourcePolicy: bySecretId,
  GetResourcePolicy: bySecretId,
  DeleteResourcePolicy: bySecretId,
  ValidateResourcePolicy: (input, scope) => (text(input.SecretId) !== undefined ? onSecret(scope, input.SecretId) : on([])),
};
