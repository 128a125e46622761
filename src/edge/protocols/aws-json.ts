/**
 * The AWS JSON 1.0 / 1.1 protocol: POST / with X-Amz-Target "<prefix>.<Operation>", a JSON body in,
 * a JSON body out; errors as {"__type": code, "message": text}. One module owns the envelope;
 * handlers receive a checked input object and a context.
 */
import { ApiError, isTransient, modelled, toSerializedError, transientMessage, type ModelledErrorClass } from '../../core/errors.js';
import { checkInput } from '../model-check.js';
import { operationsOf, serverFaultOf, type Handler, type Operation, type OperationOptions, type ServiceIdentity } from './operation.js';
import type { ProtocolResponse } from './response.js';

export type JsonHandler = Handler;
export type JsonOperation = Operation;

export interface JsonService extends ServiceIdentity {
  protocol: 'awsJson';
  targetPrefix: string;
  jsonVersion: '1.0' | '1.1';
  operations: Map<string, Operation>;
  /** The model's server-fault exception (ECS's ServerException, …), for failures worth retrying. */
  serverFault?: ModelledErrorClass;
  /**
   * For a service that moved from Query to JSON keeping its clients' error codes (CloudWatch): each
   * modelled exception's Query code, sent in `x-amzn-query-error` as "Code;Sender", which the SDKs read
   * under the model's awsQueryCompatible trait.
   */
  queryErrorCodes?: ReadonlyMap<string, { code: string; statusCode: number }>;
}

export interface JsonResponse {
  statusCode: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
  errorCode?: string;
}

/** Builds a service from handlers named after the model's operations (see `operationsOf`). */
export function defineJsonService(
  model: Record<string, unknown>,
  service: Omit<JsonService, 'operations' | 'protocol'>,
  handlers: Record<string, JsonHandler>,
  options: OperationOptions = {},
): JsonService {
  const serverFault = serverFaultOf(model);
  return { ...service, protocol: 'awsJson', operations: operationsOf(model, service.id, handlers, options), ...(serverFault ? { serverFault } : {}) };
}

export function operationNameOf(service: JsonService, target: string): string | undefined {
  return target.startsWith(`${service.targetPrefix}.`) ? target.slice(service.targetPrefix.length + 1) : undefined;
}

export function jsonContentType(service: Pick<JsonService, 'jsonVersion'>): string {
  return `application/x-amz-json-${service.jsonVersion}`;
}

export function jsonError(service: Pick<JsonService, 'jsonVersion' | 'serverFault' | 'queryErrorCodes'>, error: unknown): JsonResponse {
  const serialized = toSerializedError(isTransient(error) && service.serverFault ? modelled(service.serverFault, transientMessage) : error);
  const queryCode = service.queryErrorCodes ? (service.queryErrorCodes.get(serialized.code)?.code ?? serialized.code) : undefined;
  return {
    statusCode: serialized.statusCode,
    errorCode: serialized.code,
    ...(queryCode ? { headers: { 'x-amzn-query-error': `${queryCode};${serialized.statusCode >= 500 ? 'Receiver' : 'Sender'}` } } : {}),
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

/** The operation an X-Amz-Target names; UnknownOperationException when the service has none by that name. */
export function jsonOperationOf(service: JsonService, target: string): Operation {
  const name = operationNameOf(service, target) ?? '';
  const operation = service.operations.get(name);
  if (!operation) {
    throw new ApiError('UnknownOperationException', `${name || '(none)'} is not an operation of ${service.targetPrefix} that Berth supports.`);
  }
  return operation;
}

/** The request body, checked against the operation's input shape. */
export function jsonInputOf(operation: Operation, body: Buffer): Record<string, unknown> {
  return checkInput(parseBody(body), operation.input);
}

export function jsonResponse(service: Pick<JsonService, 'jsonVersion'>, output: unknown): ProtocolResponse {
  return { statusCode: 200, contentType: jsonContentType(service), body: JSON.stringify(output ?? {}) };
}
