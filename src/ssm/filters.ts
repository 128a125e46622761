/**
 * ParameterFilters (ParameterStringFilter: Key, Option, Values) and DescribeParameters' older
 * Filters (ParametersFilter: Key, Values), checked against the keys and options each operation
 * takes, and compiled to a test on a parameter. A Label filter tests the versions' labels; a
 * `tag:<key>` filter the tags (any value when Values is absent).
 */
import type { ParametersFilter, ParameterStringFilter } from '@aws-sdk/client-ssm';
import type { Wire } from '../core/wire.js';
import type { SsmParameter, SsmParameterVersion } from '../store/types.js';
import { constraintFailed, invalidFilterKey, invalidFilterOption, invalidFilterValue, validation } from './errors.js';

export interface Candidate {
  parameter: SsmParameter;
  versions: SsmParameterVersion[];
}

export type ParameterTest = (candidate: Candidate) => boolean;

const options: Record<string, { allowed: readonly string[]; fallback: string }> = {
  Name: { allowed: ['Equals', 'BeginsWith', 'Contains'], fallback: 'Equals' },
  Path: { allowed: ['Recursive', 'OneLevel'], fallback: 'OneLevel' },
  Type: { allowed: ['Equals'], fallback: 'Equals' },
  KeyId: { allowed: ['Equals'], fallback: 'Equals' },
  Tier: { allowed: ['Equals'], fallback: 'Equals' },
  DataType: { allowed: ['Equals'], fallback: 'Equals' },
  Label: { allowed: ['Equals'], fallback: 'Equals' },
};

/** Whether `name` lies under `path` (`/` is the root): directly, or at any depth when recursive. */
export function isUnder(name: string, path: string, recursive: boolean): boolean {
  const prefix = path === '/' ? '/' : `${path.replace(/\/+$/, '')}/`;
  if (!name.startsWith(prefix) || name.length === prefix.length) return false;
  return recursive || !name.slice(prefix.length).includes('/');
}

function compileOne(key: string, option: string, values: readonly string[]): ParameterTest {
  const set = new Set(values);
  if (key.startsWith('tag:')) {
    const tagKey = key.slice(4);
    return ({ parameter }) => parameter.tags.some((tag) => tag.Key === tagKey && (values.length === 0 || set.has(tag.Value)));
  }
  switch (key) {
    case 'Name':
      // Names are compared as given and without their leading slash, as Parameter Store does.
      return ({ parameter }) => {
        const names = [parameter.name, parameter.name.replace(/^\//, '')];
        return values.some((value) => {
          const wanted = value.replace(/^\//, '');
          const bare = names[1]!;
          return option === 'BeginsWith' ? bare.startsWith(wanted) : option === 'Contains' ? bare.includes(wanted) : bare === wanted;
        });
      };
    case 'Path':
      return ({ parameter }) => values.some((path) => isUnder(parameter.name, path, option === 'Recursive'));
    case 'Type':
      return ({ parameter }) => set.has(parameter.type);
    case 'KeyId':
      return ({ parameter }) => parameter.keyId !== undefined && set.has(parameter.keyId);
    case 'Tier':
      return ({ parameter }) => set.has(parameter.tier);
    case 'DataType':
      return ({ parameter }) => set.has(parameter.dataType);
    default:
      return ({ versions }) => versions.some((version) => version.labels.some((label) => set.has(label)));
  }
}

/** ParameterFilters, for an operation that takes `keys` (and `tag:<key>` when `tags`). */
export function compileParameterFilters(filters: readonly Wire<ParameterStringFilter>[] | undefined, keys: readonly string[], tags: boolean): ParameterTest[] {
  return (filters ?? []).map((filter, index) => {
    const key = filter.Key;
    if (key === undefined) throw constraintFailed(`parameterFilters.${index + 1}.member.key`, undefined, 'not be null');
    const isTag = key.startsWith('tag:') && key.length > 4;
    if (!(keys.includes(key) || (tags && isTag))) {
      throw invalidFilterKey(`The following filter key is not valid: ${key}. Valid filter keys include: [${[...keys, ...(tags ? ['tag:<key>'] : [])].join(', ')}].`);
    }
    const rule = options[key];
    const option = filter.Option ?? rule?.fallback ?? 'Equals';
    if (rule ? !rule.allowed.includes(option) : option !== 'Equals') {
      throw invalidFilterOption(`The following filter option is not valid: ${option}. Valid options include: [${(rule?.allowed ?? ['Equals']).join(', ')}].`);
    }
    const values = filter.Values ?? [];
    if (values.length === 0 && !isTag) throw invalidFilterValue(`The following filter values are missing : null for filter key ${key}.`);
    if (values.length > 50) throw constraintFailed(`parameterFilters.${index + 1}.member.values`, undefined, 'have length less than or equal to 50');
    for (const value of values) if (value.length < 1 || value.length > 1024) throw invalidFilterValue(`The following filter value is not valid: ${value}.`);
    return compileOne(key, option, values);
  });
}

/** DescribeParameters' Filters: Name (names beginning with a value), Type, KeyId. */
export function compileLegacyFilters(filters: readonly Wire<ParametersFilter>[] | undefined): ParameterTest[] {
  return (filters ?? []).map((filter, index) => {
    const key = filter.Key ?? '';
    if (!['Name', 'Type', 'KeyId'].includes(key)) throw constraintFailed(`filters.${index + 1}.member.key`, key, 'satisfy enum value set: [Name, Type, KeyId]');
    const values = filter.Values ?? [];
    if (values.length === 0) throw invalidFilterValue(`The following filter values are missing : null for filter key ${key}.`);
    return compileOne(key, key === 'Name' ? 'BeginsWith' : 'Equals', values);
  });
}

export function bothFilterForms(): Error {
  return validation('You can use either Filters or ParameterFilters in a single request.');
}
