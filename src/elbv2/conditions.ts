/**
 * Rule conditions, checked as AWS checks them, in both the legacy form (`Field` + `Values`, for
 * host-header and path-pattern) and the `*Config` forms, and kept in the form AWS describes them
 * (the legacy form answers with both).
 *
 * Limits: each field at most once per rule, except http-header and query-string; at most 5
 * condition values per rule in all (AWS's "match evaluations").
 */
import { isIP } from 'node:net';
import type { RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ElbCondition } from '../store/contract/elbv2.js';
import { validationError } from './errors.js';

const fields = ['host-header', 'path-pattern', 'http-header', 'http-request-method', 'query-string', 'source-ip'];
const repeatable = new Set(['http-header', 'query-string']);
export const conditionValueQuota = 5;

const configName: Record<string, keyof RuleCondition> = {
  'host-header': 'HostHeaderConfig',
  'path-pattern': 'PathPatternConfig',
  'http-header': 'HttpHeaderConfig',
  'http-request-method': 'HttpRequestMethodConfig',
  'query-string': 'QueryStringConfig',
  'source-ip': 'SourceIpConfig',
};

function checkEach(values: readonly string[], field: string, max: number, pattern: RegExp, what: string): void {
  if (values.length === 0) throw validationError(`A '${field}' condition must have at least one value`, { field: 'Conditions' });
  for (const value of values) {
    if (value.length < 1 || value.length > max) throw validationError(`The '${field}' condition value '${value}' must be between 1 and ${max} characters long`, { field: 'Conditions' });
    if (!pattern.test(value)) throw validationError(`The '${field}' condition value '${value}' ${what}`, { field: 'Conditions' });
  }
}

function validCidr(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  if (rest.length > 0 || address === undefined || bits === undefined || !/^\d+$/.test(bits)) return false;
  const family = isIP(address);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}

/** One condition checked, in its described form, with how many values it counts toward the limit. */
function conditionOf(condition: RuleCondition): { condition: ElbCondition; values: number } {
  const field = condition.Field;
  if (field === undefined || !fields.includes(field)) {
    throw validationError(`Condition field '${field ?? ''}' must be one of [${fields.join(', ')}]`, { field: 'Conditions.Field' });
  }
  const configKey = configName[field] as keyof RuleCondition;
  const config = condition[configKey] as { Values?: unknown[] } | undefined;
  const legacy = condition.Values;
  if (legacy !== undefined && field !== 'host-header' && field !== 'path-pattern') {
    throw validationError(`The '${field}' condition must be specified with ${configKey}, not Values`, { field: 'Conditions.Values' });
  }
  if (legacy !== undefined && config !== undefined && JSON.stringify(legacy) !== JSON.stringify(config.Values ?? [])) {
    throw validationError(`You cannot specify different Values and ${configKey} values for a '${field}' condition`, { field: 'Conditions' });
  }
  if (legacy === undefined && config === undefined) throw validationError(`A '${field}' condition must have ${configKey}`, { field: `Conditions.${configKey}` });
  switch (field) {
    case 'host-header':
    case 'path-pattern': {
      const values = (legacy ?? (config?.Values as string[] | undefined) ?? []) as string[];
      if (field === 'host-header') checkEach(values, field, 128, /^[A-Za-z0-9\-.*?]+$/, 'can only contain A-Z, a-z, 0-9, - . * ?');
      else checkEach(values, field, 128, /^[A-Za-z0-9_\-.$/~"'@:+&*?]+$/, `can only contain A-Z, a-z, 0-9, _ - . $ / ~ " ' @ : + & * ?`);
      return { condition: { Field: field, Values: values, [configKey]: { Values: values } }, values: values.length };
    }
    case 'http-header': {
      const header = condition.HttpHeaderConfig ?? {};
      const name = header.HttpHeaderName ?? '';
      if (!/^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,40}$/.test(name)) throw validationError(`HTTP header name '${name}' is not valid`, { field: 'Conditions.HttpHeaderConfig.HttpHeaderName' });
      const values = header.Values ?? [];
      checkEach(values, field, 128, /^[\x20-\x7e]+$/, 'can only contain printable ASCII characters');
      return { condition: { Field: field, HttpHeaderConfig: { HttpHeaderName: name, Values: values } }, values: values.length };
    }
    case 'http-request-method': {
      const values = condition.HttpRequestMethodConfig?.Values ?? [];
      checkEach(values, field, 40, /^[A-Z_-]+$/, 'can only contain A-Z, - and _');
      return { condition: { Field: field, HttpRequestMethodConfig: { Values: values } }, values: values.length };
    }
    case 'query-string': {
      const pairs = condition.QueryStringConfig?.Values ?? [];
      if (pairs.length === 0) throw validationError(`A '${field}' condition must have at least one value`, { field: 'Conditions' });
      const kept = pairs.map((pair) => {
        if (pair.Value === undefined || pair.Value.length === 0) throw validationError('A query string condition value must have a Value', { field: 'Conditions.QueryStringConfig.Values.Value' });
        for (const text of [pair.Key, pair.Value]) {
          if (text !== undefined && text.length > 128) throw validationError(`The '${field}' condition value '${text}' must be between 1 and 128 characters long`, { field: 'Conditions' });
        }
        return { ...(pair.Key !== undefined ? { Key: pair.Key } : {}), Value: pair.Value };
      });
      return { condition: { Field: field, QueryStringConfig: { Values: kept } }, values: kept.length };
    }
    default: {
      const values = condition.SourceIpConfig?.Values ?? [];
      if (values.length === 0) throw validationError(`A '${field}' condition must have at least one value`, { field: 'Conditions' });
      for (const value of values) if (!validCidr(value)) throw validationError(`The source IP '${value}' is not a valid CIDR block`, { field: 'Conditions.SourceIpConfig.Values' });
      return { condition: { Field: field, SourceIpConfig: { Values: values } }, values: values.length };
    }
  }
}

export function checkConditions(conditions: readonly RuleCondition[]): ElbCondition[] {
  const seen = new Set<string>();
  let values = 0;
  const checked = conditions.map((condition) => {
    const result = conditionOf(condition);
    const field = condition.Field as string;
    if (seen.has(field) && !repeatable.has(field)) throw validationError(`A rule can only have one '${field}' condition`, { field: 'Conditions' });
    seen.add(field);
    values += result.values;
    return result.condition;
  });
  if (values > conditionValueQuota) throw validationError(`A rule can only have '${conditionValueQuota}' condition values`, { field: 'Conditions' });
  return checked;
}
