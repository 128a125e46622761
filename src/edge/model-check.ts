/**
 * Checks a parsed JSON request against the operation's input shape from the service model
 * (the AWS SDK's runtime schema), so a wrong type is answered before any handler runs.
 * AWS answers these with SerializationException and an opaque Java class name; we name the field.
 */
import { NormalizedSchema } from '@smithy/core/schema';
import { ApiError } from '../core/errors.js';

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

export function checkShape(value: unknown, schema: NormalizedSchema, path: string): void {
  if (value === null || value === undefined) return; // JSON null means "absent" in the AWS JSON protocols
  if (schema.isStructSchema() || schema.isUnionSchema()) {
    if (!isPlainObject(value)) fail(path, 'an object', value);
    for (const [name, member] of schema.structIterator()) {
      if (name in value) checkShape(value[name], member, path ? `${path}.${name}` : name);
    }
    return;
  }
  if (schema.isListSchema()) {
    if (!Array.isArray(value)) fail(path, 'a list', value);
    const element = schema.getValueSchema();
    value.forEach((item, index) => checkShape(item, element, `${path}[${index}]`));
    return;
  }
  if (schema.isMapSchema()) {
    if (!isPlainObject(value)) fail(path, 'a map of keys to values', value);
    const element = schema.getValueSchema();
    for (const [key, item] of Object.entries(value)) checkShape(item, element, `${path}.${key}`);
    return;
  }
  if (schema.isDocumentSchema()) return;
  if (schema.isBooleanSchema()) {
    if (typeof value !== 'boolean') fail(path, 'a boolean', value);
    return;
  }
  if (schema.isNumericSchema() || schema.isBigIntegerSchema() || schema.isBigDecimalSchema()) {
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'a number', value);
    return;
  }
  if (schema.isTimestampSchema()) {
    if (typeof value !== 'number' && typeof value !== 'string') fail(path, 'a timestamp (epoch seconds)', value);
    return;
  }
  if (schema.isStringSchema() || schema.isBlobSchema()) {
    if (typeof value !== 'string') fail(path, 'a string', value);
  }
}

export function checkInput(value: unknown, schema: NormalizedSchema): Record<string, unknown> {
  if (!isPlainObject(value)) {
    throw new ApiError('SerializationException', `The request body must be a JSON object, got ${kindOf(value)}.`);
  }
  checkShape(value, schema, '');
  return value;
}
