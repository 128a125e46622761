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
import type { ContextLookup } from './context.js';
import { inCidr, parseAddress, parseCidr } from './ip.js';
import { arnSegments, compileArnPattern, compileWildcard, resourceName } from './patterns.js';
import { compileTemplate, escapeText, hasVariables, templateToPattern } from './variables.js';

/**
 * A policy value compiled once: whether a request value matches it, for a positive base operator.
 * Policy-side parsing (numbers, dates, CIDR blocks, wildcard patterns) happens here, not per request.
 */
type Compile = (policyValue: string) => (requestValue: string) => boolean;

interface BaseOperator {
  compile: Compile;
  negated: boolean;
  /** Policy values are wildcard patterns (StringLike, ArnLike): variables resolve to literal text. */
  wildcard?: boolean;
}

const never = () => false;

const number = (text: string): number | undefined => {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim())) return undefined;
  return Number(text);
};
const numeric =
  (test: (a: number, b: number) => boolean): Compile =>
  (policy) => {
    const b = number(policy);
    if (b === undefined) return never;
    return (request) => {
      const a = number(request);
      return a !== undefined && test(a, b);
    };
  };

/** ISO 8601 dates and times, or epoch seconds. */
const date = (text: string): number | undefined => {
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
};
const dated =
  (test: (a: number, b: number) => boolean): Compile =>
  (policy) => {
    const b = date(policy);
    if (b === undefined) return never;
    return (request) => {
      const a = date(request);
      return a !== undefined && test(a, b);
    };
  };

const like: Compile = (policy) => {
  const match = compileWildcard(policy, false);
  return (request) => match(escapeText(request));
};

/** ArnLike and ArnEquals are the same operator in IAM: segment by segment, wildcards allowed. */
const arnLike: Compile = (policy) => {
  const match = compileArnPattern(policy);
  if (!arnSegments(policy)) return never;
  return (request) => match(resourceName(escapeText(request)));
};

const ipAddress: Compile = (policy) => {
  const block = parseCidr(policy);
  if (!block) return never;
  return (request) => {
    const address = parseAddress(request);
    return address !== undefined && inCidr(address, block);
  };
};

const base64 = (text: string) => Buffer.from(text, 'base64').toString('base64');

const exact: Compile = (policy) => (request) => request === policy;
const ignoringCase: Compile = (policy) => {
  const folded = policy.toLowerCase();
  return (request) => request.toLowerCase() === folded;
};
const bool: Compile = (policy) => {
  const folded = policy.toLowerCase();
  if (folded !== 'true' && folded !== 'false') return never;
  return (request) => request.toLowerCase() === folded;
};
const binary: Compile = (policy) => {
  const canonical = base64(policy);
  return (request) => request.length > 0 && base64(request) === canonical;
};

const pair = (positive: string, negative: string, compile: Compile, wildcard = false): [string, BaseOperator][] => [
  [positive, { compile, negated: false, wildcard }],
  [negative, { compile, negated: true, wildcard }],
];

const baseOperators = new Map<string, BaseOperator>([
  ...pair('StringEquals', 'StringNotEquals', exact),
  ...pair('StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', ignoringCase),
  ...pair('StringLike', 'StringNotLike', like, true),
  ...pair('NumericEquals', 'NumericNotEquals', numeric((a, b) => a === b)),
  ['NumericLessThan', { compile: numeric((a, b) => a < b), negated: false }],
  ['NumericLessThanEquals', { compile: numeric((a, b) => a <= b), negated: false }],
  ['NumericGreaterThan', { compile: numeric((a, b) => a > b), negated: false }],
  ['NumericGreaterThanEquals', { compile: numeric((a, b) => a >= b), negated: false }],
  ...pair('DateEquals', 'DateNotEquals', dated((a, b) => a === b)),
  ['DateLessThan', { compile: dated((a, b) => a < b), negated: false }],
  ['DateLessThanEquals', { compile: dated((a, b) => a <= b), negated: false }],
  ['DateGreaterThan', { compile: dated((a, b) => a > b), negated: false }],
  ['DateGreaterThanEquals', { compile: dated((a, b) => a >= b), negated: false }],
  ['Bool', { compile: bool, negated: false }],
  ['BinaryEquals', { compile: binary, negated: false }],
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

export function compileClause(operatorName: string, conditionKey: string, values: readonly string[], substitute: boolean): CompiledClause {
  // Condition key names are case-insensitive; the request's keys are stored lower-cased.
  const key = conditionKey.toLowerCase();
  const operator = parseOperator(operatorName);
  if (!operator) return () => false; // unreachable for parsed documents
  if (operator.base === 'Null') {
    const wantAbsent = values.map((v) => v.toLowerCase() === 'true');
    return (lookup) => {
      const present = (lookup(key)?.length ?? 0) > 0;
      return wantAbsent.some((absent) => absent !== present);
    };
  }
  const { compile, negated, wildcard } = operator.base;
  type Test = (requestValue: string) => boolean;
  const fixed: Test[] | undefined = substitute && values.some(hasVariables) ? undefined : values.map(compile);
  const templates = fixed ? [] : values.map(compileTemplate);
  /** The policy values for this request, compiled; variables that cannot be resolved drop their value. */
  const policyValues = (lookup: ContextLookup): Test[] => {
    if (fixed) return fixed;
    const resolved: Test[] = [];
    for (const template of templates) {
      const parts = template(lookup);
      if (!parts) continue;
      resolved.push(compile(wildcard ? templateToPattern(parts) : parts.map((p) => ('literal' in p ? p.literal : p.pattern)).join('')));
    }
    return resolved;
  };
  const matchesAny = (requestValue: string, wanted: Test[]) => {
    for (const test of wanted) if (test(requestValue)) return true;
    return false;
  };
  // A request value passes the base operator: matches some policy value, or for a negated operator none.
  const passes = (requestValue: string, wanted: Test[]) => matchesAny(requestValue, wanted) !== negated;

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
