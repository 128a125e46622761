/**
 * Condition operators, as IAM evaluates them.
 *
 * A condition block maps operators to keys to values. Within one key the values are ORed; keys
 * under an operator and operators in a block are ANDed. An operator name is
 *   [ForAllValues:|ForAnyValue:] <base> [IfExists]
 * Base operators come in positive/negated pairs (StringEquals/StringNotEquals, …): a negated
 * operator is true exactly when its positive twin is false, including when the key is absent
 * (IAM: "the condition is true" for a negated operator on a missing key).
 *
 *   single-valued   true when any request value matches any policy value (positive operators).
 *   ForAnyValue:    true when at least one request value passes the base operator against the
 *                   policy values; false when the key is absent or empty.
 *   ForAllValues:   true when every request value passes; true when the key is absent or empty.
 *   …IfExists       true when the key is absent; otherwise as without the suffix.
 *   Null            "true": the key is absent; "false": present.
 *
 * Policy values may hold policy variables (2012-10-17); they are resolved per request.
 */
import { matchesWildcard } from '../../core/wildcard.js';
import type { ContextLookup } from './context.js';
import { inCidr, parseAddress, parseCidr } from './ip.js';
import { arnSegments } from './patterns.js';
import { escapeText, hasVariables, resolveTemplate, templateToPattern } from './variables.js';

/** Whether one request value matches one policy value, for a positive base operator. */
type Compare = (requestValue: string, policyValue: string) => boolean;

interface BaseOperator {
  compare: Compare;
  negated: boolean;
  /** Policy values are wildcard patterns (StringLike, ArnLike): variables resolve to literal text. */
  wildcard?: boolean;
}

const number = (text: string): number | undefined => {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim())) return undefined;
  return Number(text);
};
const numeric =
  (test: (a: number, b: number) => boolean): Compare =>
  (request, policy) => {
    const a = number(request);
    const b = number(policy);
    return a !== undefined && b !== undefined && test(a, b);
  };

/** ISO 8601 dates and times, or epoch seconds. */
const date = (text: string): number | undefined => {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
};
const dated =
  (test: (a: number, b: number) => boolean): Compare =>
  (request, policy) => {
    const a = date(request);
    const b = date(policy);
    return a !== undefined && b !== undefined && test(a, b);
  };

const like = (request: string, policy: string) => matchesWildcard(policy, escapeText(request), { questionMark: true });

/** ArnLike and ArnEquals are the same operator in IAM: segment by segment, wildcards allowed. */
const arnLike: Compare = (request, policy) => {
  const want = arnSegments(policy);
  const got = arnSegments(request);
  if (!want || !got) return false;
  for (let i = 0; i < 5; i++) if (!like(got[i]!, want[i]!)) return false;
  return true;
};

const ipAddress: Compare = (request, policy) => {
  const address = parseAddress(request);
  const block = parseCidr(policy);
  return address !== undefined && block !== undefined && inCidr(address, block);
};

const base64 = (text: string) => Buffer.from(text, 'base64').toString('base64');

const pair = (positive: string, negative: string, compare: Compare, wildcard = false): [string, BaseOperator][] => [
  [positive, { compare, negated: false, wildcard }],
  [negative, { compare, negated: true, wildcard }],
];

const baseOperators = new Map<string, BaseOperator>([
  ...pair('StringEquals', 'StringNotEquals', (a, b) => a === b),
  ...pair('StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', (a, b) => a.toLowerCase() === b.toLowerCase()),
  ...pair('StringLike', 'StringNotLike', like, true),
  ...pair('NumericEquals', 'NumericNotEquals', numeric((a, b) => a === b)),
  ['NumericLessThan', { compare: numeric((a, b) => a < b), negated: false }],
  ['NumericLessThanEquals', { compare: numeric((a, b) => a <= b), negated: false }],
  ['NumericGreaterThan', { compare: numeric((a, b) => a > b), negated: false }],
  ['NumericGreaterThanEquals', { compare: numeric((a, b) => a >= b), negated: false }],
  ...pair('DateEquals', 'DateNotEquals', dated((a, b) => a === b)),
  ['DateLessThan', { compare: dated((a, b) => a < b), negated: false }],
  ['DateLessThanEquals', { compare: dated((a, b) => a <= b), negated: false }],
  ['DateGreaterThan', { compare: dated((a, b) => a > b), negated: false }],
  ['DateGreaterThanEquals', { compare: dated((a, b) => a >= b), negated: false }],
  ['Bool', { compare: (a, b) => a.toLowerCase() === b.toLowerCase() && (b.toLowerCase() === 'true' || b.toLowerCase() === 'false'), negated: false }],
  ['BinaryEquals', { compare: (a, b) => base64(a) === base64(b) && a.length > 0, negated: false }],
  ...pair('IpAddress', 'NotIpAddress', ipAddress),
  ...pair('ArnEquals', 'ArnNotEquals', arnLike, true),
  ...pair('ArnLike', 'ArnNotLike', arnLike, true),
]);

type SetOperator = 'ForAllValues' | 'ForAnyValue' | undefined;

export interface ParsedOperator {
  name: string;
  set: SetOperator;
  ifExists: boolean;
  base: BaseOperator | 'Null';
}

/** The parts of an operator name, or undefined when IAM has no such operator. */
export function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name;
  let set: SetOperator;
  for (const prefix of ['ForAllValues', 'ForAnyValue'] as const) {
    if (rest.startsWith(`${prefix}:`)) {
      set = prefix;
      rest = rest.slice(prefix.length + 1);
    }
  }
  if (rest === 'Null') return set === undefined ? { name, set, ifExists: false, base: 'Null' } : undefined;
  const ifExists = rest.endsWith('IfExists');
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  const base = baseOperators.get(rest);
  return base ? { name, set, ifExists, base } : undefined;
}

export const isConditionOperator = (name: string): boolean => parseOperator(name) !== undefined;

/** One compiled (operator, key, values) clause: evaluate it against a request's keys. */
export type CompiledClause = (lookup: ContextLookup) => boolean;

export function compileClause(operatorName: string, key: string, values: readonly string[], substitute: boolean): CompiledClause {
  const operator = parseOperator(operatorName);
  if (!operator) return () => false; // unreachable for parsed documents
  if (operator.base === 'Null') {
    const wantAbsent = values.map((v) => v.toLowerCase() === 'true');
    return (lookup) => {
      const present = (lookup(key)?.length ?? 0) > 0;
      return wantAbsent.some((absent) => absent !== present);
    };
  }
  const { compare, negated, wildcard } = operator.base;
  const variable = substitute && values.some(hasVariables);
  /** The policy values for this request; variables that cannot be resolved drop their value. */
  const policyValues = (lookup: ContextLookup): string[] => {
    if (!variable) return values as string[];
    const resolved: string[] = [];
    for (const value of values) {
      const parts = resolveTemplate(value, lookup);
      if (!parts) continue;
      resolved.push(wildcard ? templateToPattern(parts) : parts.map((p) => ('literal' in p ? p.literal : p.pattern)).join(''));
    }
    return resolved;
  };
  const matchesAny = (requestValue: string, wanted: string[]) => {
    for (const policyValue of wanted) if (compare(requestValue, policyValue)) return true;
    return false;
  };
  // A request value passes the base operator: matches some policy value, or for a negated operator none.
  const passes = (requestValue: string, wanted: string[]) => matchesAny(requestValue, wanted) !== negated;

  return (lookup) => {
    const got = lookup(key);
    const absent = got === undefined || got.length === 0;
    if (absent && operator.ifExists) return true;
    switch (operator.set) {
      case 'ForAllValues': {
        if (absent) return true;
        const wanted = policyValues(lookup);
        return got.every((value) => passes(value, wanted));
      }
      case 'ForAnyValue': {
        if (absent) return false;
        const wanted = policyValues(lookup);
        return got.some((value) => passes(value, wanted));
      }
      case undefined: {
        if (absent) return negated;
        const wanted = policyValues(lookup);
        const anyMatch = got.some((value) => matchesAny(value, wanted));
        return anyMatch !== negated;
      }
    }
  };
}
