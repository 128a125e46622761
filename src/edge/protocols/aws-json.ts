/**
 * The AWS JSON 1.0 / 1.1 protocol: POST / with X-Amz-Target "<prefix>.<Operation>", a JSON body in,
 * a JSON body out; errors as {"__type": code, "message": text}. One module owns the envelope;
 * handlers receive a checked input object and a context.
 */
import { NormalizedSchema } from '@smithy/core/schema';
import type { StaticOperationSchema } from '@smithy/types';
import { ApiError, toSerializedError } from '../../core/errors.js';
import type { RequestContext } from '../../core/request-context.js';
import { checkInput } from '../model-check.js';

export type JsonHandler = (input: never, context: RequestContext) => Promise<unknown>;

export interface JsonOperation {
  name: string;
  input: NormalizedSchema;
  handler: (input: Record<string, unknown>, context: RequestContext) => Promise<unknown>;
}

export interface JsonService {
  /** Short name for logs and the health endpoint, e.g. "ecs". */
  id: string;
  /** The service name clients put in their SigV4 credential scope. */
  signingName: string;
  targetPrefix: string;
  jsonVersion: '1.0' | '1.1';
  operations: Map<string, JsonOperation>;
}

export interface JsonResponse {
  statusCode: number;
  contentType: string;
  body: string;
}

/**
 * Builds a service from handlers named after the model's operations. Each name must exist in the SDK
 * module as an operation schema (`<Name>$`), so a typo fails at start-up rather than at request time.
 */
export function defineJsonService(
  model: Record<string, unknown>,
  service: Omit<JsonService, 'operations'>,
  handlers: Record<string, JsonHandler>,
): JsonService {
  const operations = new Map<string, JsonOperation>();
  for (const [name, handler] of Object.entries(handlers)) {
    const schema = model[`${name}$`] as StaticOperationSchema | undefined;
    if (!Array.isArray(schema) || schema[0] !== 9) throw new Error(`${service.id}: ${name} is not an operation of the service model`);
    const inputRef = schema[4] as unknown;
    const input = NormalizedSchema.of((typeof inputRef === 'function' ? inputRef() : inputRef) as never);
    operations.set(name, { name, input, handler: handler as JsonOperation['handler'] });
  }
  return { ...service, operations };
}

export function operationNameOf(service: JsonService, target: string): string | undefined {
  return target.startsWith(`${service.targetPrefix}.`) ? target.slice(service.targetPrefix.length + 1) : undefined;
}

export function jsonContentType(service: Pick<JsonService, 'jsonVersion'>): string {
  return `application/x-amz-json-${service.jsonVersion}`;
}

export function jsonError(service: Pick<JsonService, 'jsonVersion'>, error: unknown): JsonResponse {
  const serialized = toSerializedError(error);
  return {
    statusCode: serialized.statusCode,
    contentType: jsonContentType(service),
    body: JSON.stringify({ ...serialized.fields, __type: serialized.code, message: serialized.message, ...(serialized.help ? { berthHelp: serialized.help } : {}) }),
  };
}

function parseBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (cause) {
    throw new ApiError('SerializationException', `The request body is not valid JSON: ${(cause as Error).message}`, 400, { cause });
  }
}

export async function invokeJson(service: JsonService, operationName: string, body: Buffer, context: RequestContext): Promise<JsonResponse> {
  const operation = service.operations.get(operationName);
  if (!operation) {
    throw new ApiError(
      'UnknownOperationException',
      `${operationName || '(none)'} is not an operation of ${service.targetPrefix} that Berth supports.`,
    );
  }
  const input = checkInput(parseBody(body), operation.input);
  const output = await operation.handler(input, context);
  return { statusCode: 200, contentType: jsonContentType(service), body: JSON.stringify(output ?? {}) };
}
