/**
 * An input for any operation of a service model with every required member filled (recursively)
 * with a placeholder of the member's type: enough for the edge to read it and authorize the call.
 * Members that hold ARNs get an ARN of the service in the test account, so the resource the
 * permission table derives is an ARN as a real call's would be.
 */
import type { NormalizedSchema } from '@smithy/core/schema';
import { requiredMembers } from '../../src/edge/model-check.js';

export function placeholderInput(schema: NormalizedSchema, service: string, accountId: string): Record<string, unknown> {
  return placeholderOf(schema, service, accountId, '') as Record<string, unknown>;
}

function placeholderOf(schema: NormalizedSchema, service: string, accountId: string, name: string): unknown {
  if (schema.isStructSchema() || schema.isUnionSchema()) {
    const value: Record<string, unknown> = {};
    const required = requiredMembers(schema);
    for (const [member, memberSchema] of schema.structIterator()) {
      if (required.has(member)) value[member] = placeholderOf(memberSchema, service, accountId, member);
    }
    return value;
  }
  if (schema.isListSchema()) return [placeholderOf(schema.getValueSchema(), service, accountId, name.replace(/s$/, ''))];
  if (schema.isMapSchema()) return {};
  if (schema.isBooleanSchema()) return false;
  if (schema.isNumericSchema()) return 1;
  if (schema.isTimestampSchema()) return new Date(0);
  if (schema.isBlobSchema()) return new Uint8Array([1]);
  if (schema.isDocumentSchema()) return {};
  if (/arns?$/i.test(name)) return service === 'iam' ? `arn:aws:iam::${accountId}:policy/placeholder` : `arn:aws:${service}:us-east-1:${accountId}:placeholder/placeholder`;
  return 'placeholder';
}
