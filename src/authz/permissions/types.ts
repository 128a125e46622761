/**
 * The permission table: for each operation Berth serves, what IAM checks before it runs, as AWS's
 * Service Authorization Reference lists it. Each service has one table, operation name → a pure
 * function of the operation's input and the caller's scope (account, region) answering:
 *
 *   resources  the ARN(s) the action is checked against, built from the input's names in the
 *              caller's account and region; `*` for actions without resource-level permissions.
 *              Every one of them must be allowed (DescribeServices on three services is three checks).
 *   keys       the condition keys the request supplies: aws:RequestTag/<k>, aws:TagKeys,
 *              ecs:cluster, ecs:task-definition, …
 *   resolve    what only the store knows, read at authorization time: a secret named without its
 *              ARN suffix, the latest revision of a task definition named by family, the tags of
 *              the resources (aws:ResourceTag/<k>), each resource's own.
 *   passRoles  the roles the operation hands to a service (iam:PassRole with iam:PassedToService).
 *
 * The action is `<signing name>:<operation>` unless `action` says otherwise.
 */
import type { Scope } from '../../core/principal.js';
import type { ContextValue } from '../../iam/policy/index.js';
import type { StoreTx } from '../../store/types.js';

export type Keys = Record<string, ContextValue>;

export interface Permission {
  action?: string;
  resources: string[];
  keys?: Keys;
  /**
   * Store lookups that replace `resources` or add keys (the input named something only the store
   * can turn into an ARN; a resource's tags), for the whole call or per resource.
   */
  resolve?: (tx: StoreTx) => Promise<{ resources?: string[]; keys?: Keys; resourceKeys?: Record<string, Keys> }>;
  /** iam:PassRole checks: the roles handed over, to whom, read from the input or the store. */
  passRoles?: (tx: StoreTx) => Promise<PassedRoles>;
}

export interface PassedRoles {
  roleArns: string[];
  /** The service principal the roles are passed to (iam:PassedToService). */
  passedTo: string;
}

export type Input = Record<string, unknown>;
/** `caller` is the principal's ARN: IAM operations without a UserName act on the caller's own user. */
export type PermissionOf = (input: Input, scope: Scope, caller?: string) => Permission;
export type PermissionTable = Readonly<Record<string, PermissionOf>>;

export const anyResource: Permission = { resources: ['*'] };
export const onAny: PermissionOf = () => anyResource;

export const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
export const texts = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

/**
 * aws:RequestTag/<key> and aws:TagKeys of the tags a request sets, in the member and key names
 * the service uses (ECS `key`/`value`, Secrets Manager `Key`/`Value`, IAM `Key`/`Value`).
 */
export function requestTagKeys(tags: unknown, keyName = 'key', valueName = 'value'): Keys {
  if (!Array.isArray(tags) || tags.length === 0) return {};
  const keys: Keys = {};
  const names: string[] = [];
  for (const tag of tags as Record<string, unknown>[]) {
    const key = text(tag?.[keyName]);
    if (key === undefined) continue;
    names.push(key);
    keys[`aws:RequestTag/${key}`] = typeof tag[valueName] === 'string' ? (tag[valueName] as string) : '';
  }
  keys['aws:TagKeys'] = names;
  return keys;
}

/**
 * aws:ResourceTag/<key> (and the service's own `<prefix>:ResourceTag/<key>`) of the tags a
 * resource carries, read by a table's `resolve` where the record is one lookup away.
 */
export function resourceTagKeys(prefix: string, tags: readonly Record<string, unknown>[] | undefined, keyName = 'key', valueName = 'value'): Keys {
  const keys: Keys = {};
  for (const tag of tags ?? []) {
    const key = text(tag[keyName]);
    if (key === undefined) continue;
    const value = typeof tag[valueName] === 'string' ? (tag[valueName] as string) : '';
    keys[`aws:ResourceTag/${key}`] = value;
    keys[`${prefix}:ResourceTag/${key}`] = value;
  }
  return keys;
}

/** aws:TagKeys of an untag request's key list. */
export function tagKeysOf(keys: unknown): Keys {
  const names = texts(keys);
  return names.length > 0 ? { 'aws:TagKeys': names } : {};
}

/** A permission on the given ARNs, `*` when there are none to name. */
export function on(resources: (string | undefined)[], keys?: Keys): Permission {
  const named = resources.filter((resource): resource is string => resource !== undefined);
  return { resources: named.length > 0 ? named : ['*'], ...(keys && Object.keys(keys).length > 0 ? { keys } : {}) };
}
