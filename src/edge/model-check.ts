/**
 * Checks a parsed JSON request against the operation's input shape from the service model
 * (the AWS SDK's runtime schema), so a wrong type is answered before any handler runs.
 * AWS answers these with SerializationException and an opaque Java class name; we name the field.
 */
import { NormalizedSchema } from '@smithy/core/schema';
import { ApiError, withHelp } from '../core/errors.js';
import type { Operation } from './protocols/operation.js';

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function fail(path: string, expected: string, value: unknown): never {
  throw new ApiError('SerializationException', `Invalid value for '${path}': expected ${expected}, got ${kindOf(value)}.`);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks `value` against `schema` and returns it with null members removed: in the AWS JSON
 * protocols a null member means the member is absent, so handlers never see null.
 */
export function checkShape(value: unknown, schema: NormalizedSchema, path: string): unknown {
  if (schema.isStructSchema() || schema.isUnionSchema()) {
    if (!isPlainObject(value)) fail(path, 'an object', value);
    const members = new Map<string, NormalizedSchema>();
    for (const [name, member] of schema.structIterator()) members.set(name, member);
    const cleaned: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value)) {
      if (item === null || item === undefined) continue;
      const member = members.get(name);
      // Members the model does not know are dropped, as AWS ignores them.
      if (member) cleaned[name] = checkShape(item, member, path ? `${path}.${name}` : name);
    }
    return cleaned;
  }
  if (schema.isListSchema()) {
    if (!Array.isArray(value)) fail(path, 'a list', value);
    const element = schema.getValueSchema();
    return value.map((item, index) => {
      if (item === null || item === undefined) fail(`${path}[${index}]`, 'a value', item);
      return checkShape(item, element, `${path}[${index}]`);
    });
  }
  if (schema.isMapSchema()) {
    if (!isPlainObject(value)) fail(path, 'a map of keys to values', value);
    const element = schema.getValueSchema();
    const cleaned: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === null || item === undefined) continue;
      cleaned[key] = checkShape(item, element, `${path}.${key}`);
    }
    return cleaned;
  }
  if (schema.isDocumentSchema()) return value;
  if (schema.isBooleanSchema()) {
    if (typeof value !== 'boolean') fail(path, 'a boolean', value);
    return value;
  }
  if (schema.isNumericSchema() || schema.isBigIntegerSchema() || schema.isBigDecimalSchema()) {
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'a number', value);
    return value;
  }
  if (schema.isTimestampSchema()) {
    if (typeof value !== 'number' && typeof value !== 'string') fail(path, 'a timestamp (epoch seconds)', value);
    return value;
  }
  if (schema.isStringSchema() || schema.isBlobSchema()) {
    if (typeof value !== 'string') fail(path, 'a string', value);
  }
  return value;
}

export function checkInput(value: unknown, schema: NormalizedSchema): Record<string, unknown> {
  if (!isPlainObject(value)) {
    throw new ApiError('SerializationException', `The request body must be a JSON object, got ${kindOf(value)}.`);
  }
  return checkShape(value, schema, '') as Record<string, unknown>;
}

/**
 * The members a structure requires. The SDK's static schemas list required members first and
 * record how many there are (the structure's seventh slot), rather than as a member trait.
 */
export function requiredMembers(schema: NormalizedSchema): ReadonlySet<string> {
  const struct = schema.getSchema() as unknown;
  if (!Array.isArray(struct) || !Array.isArray(struct[4])) return new Set();
  const count = typeof struct[6] === 'number' ? struct[6] : 0;
  return new Set((struct[4] as string[]).slice(0, count));
}

const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

/**
 * For the Query services (IAM, ELBv2), whose models mark required members by count rather than a
 * trait: the first required member missing anywhere in the input, AWS's way (ValidationError):
 * `1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null`.
 */
export function checkRequired(value: unknown, schema: NormalizedSchema, path = ''): void {
  if (schema.isStructSchema()) {
    const record = (value ?? {}) as Record<string, unknown>;
    const required = requiredMembers(schema);
    for (const [member, memberSchema] of schema.structIterator()) {
      const memberPath = path ? `${path}.${lowerFirst(member)}` : lowerFirst(member);
      const item = record[member];
      if (item === undefined) {
        if (required.has(member)) {
          throw withHelp(new ApiError('ValidationError', `1 validation error detected: Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`), { field: member });
        }
        continue;
      }
      checkRequired(item, memberSchema, memberPath);
    }
    return;
  }
  if (schema.isListSchema() && Array.isArray(value)) {
    value.forEach((item, index) => checkRequired(item, schema.getValueSchema(), `${path}.${index + 1}.member`));
  }
}

/** `service`, each of whose operations checks the members its model requires (checkRequired) before its handler runs. */
export function checkingRequired<S extends { operations: Map<string, Operation> }>(service: S): S {
  for (const operation of service.operations.values()) {
    const handler = operation.handler;
    operation.handler = async (input, context) => {
      checkRequired(input, operation.input);
      return handler(input, context);
    };
  }
  return service;
}
