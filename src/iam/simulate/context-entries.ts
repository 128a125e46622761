/**
 * The simulator's ContextEntries: condition keys the caller supplies, each with its type. A value
 * must read as its type (a number, a boolean, an IP address or CIDR block, a date, base64), and a
 * single-valued type takes exactly one value; the list types take any number. The evaluator reads
 * every key as strings, so typed values are only checked here, not converted.
 */
import type { ContextEntry } from '@aws-sdk/client-iam';
import { withHelp } from '../../core/errors.js';
import type { ContextValue } from '../policy/index.js';
import { parseAddress, parseCidr } from '../policy/ip.js';
import { invalidInput } from '../errors.js';

const types = ['string', 'stringList', 'numeric', 'numericList', 'boolean', 'booleanList', 'ip', 'ipList', 'binary', 'binaryList', 'date', 'dateList'] as const;
type KeyType = (typeof types)[number];
type Scalar = 'string' | 'numeric' | 'boolean' | 'ip' | 'binary' | 'date';

const scalarOf = (type: KeyType): Scalar => type.replace(/List$/, '') as Scalar;

const readsAs: Record<Scalar, (value: string) => boolean> = {
  string: () => true,
  numeric: (value) => value.trim() !== '' && Number.isFinite(Number(value)),
  boolean: (value) => /^(true|false)$/i.test(value),
  ip: (value) => parseAddress(value) !== undefined || parseCidr(value) !== undefined,
  binary: (value) => /^[A-Za-z0-9+/]*={0,2}$/.test(value) && value.length % 4 === 0,
  date: (value) => /^\d+$/.test(value) || !Number.isNaN(Date.parse(value)),
};

/** The keys of `entries`, by name, ready for the request context; throws InvalidInput for a value that does not read as its type. */
export function contextKeysOf(entries: readonly ContextEntry[] | undefined): Record<string, ContextValue> {
  const keys: Record<string, ContextValue> = {};
  (entries ?? []).forEach((entry, index) => {
    const field = `ContextEntries.member.${index + 1}`;
    const name = entry.ContextKeyName;
    if (name === undefined || name.length < 5 || name.length > 256) {
      throw withHelp(invalidInput(`Invalid context key name: ${name ?? ''}`), { field: `${field}.ContextKeyName`, hint: 'A context key name has 5 to 256 characters and its service prefix, e.g. aws:SourceIp or ecs:cluster.' });
    }
    const type = entry.ContextKeyType as KeyType | undefined;
    if (type === undefined || !types.includes(type)) {
      throw withHelp(invalidInput(`Invalid context key type for ${name}: ${String(type ?? '')}`), { field: `${field}.ContextKeyType`, hint: `One of: ${types.join(', ')}.` });
    }
    const values = entry.ContextKeyValues ?? [];
    if (!type.endsWith('List') && values.length !== 1) {
      throw withHelp(invalidInput(`Context key ${name} of type ${type} takes exactly one value; ${values.length} given.`), { field: `${field}.ContextKeyValues`, hint: `Use the type ${type}List for several values.` });
    }
    const scalar = scalarOf(type);
    for (const value of values) {
      if (!readsAs[scalar](value)) throw withHelp(invalidInput(`Invalid value for context key ${name} of type ${type}: ${value}`), { field: `${field}.ContextKeyValues` });
    }
    // Booleans compare in lower case, as the Bool operator reads them.
    const normalised = scalar === 'boolean' ? values.map((value) => value.toLowerCase()) : values;
    keys[name] = type.endsWith('List') ? normalised : normalised[0]!;
  });
  return keys;
}
