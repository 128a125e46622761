/**
 * Errors that cross the API edge.
 *
 * Modelled service errors (ClusterNotFoundException, …) are the AWS SDK's own exception classes,
 * so their names and fault types come from the service model. `ApiError` covers the protocol-level
 * errors AWS answers for every service (authentication, serialization, unknown operation), which
 * no single service model declares.
 */
import { ServiceException } from '@smithy/core/client';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = code;
  }
}

/** The constructor shape every generated SDK exception class has. */
export type ModelledErrorClass = new (options: { message: string; $metadata: object }) => ServiceException;

/**
 * Builds a modelled error: `throw modelled(ClusterNotFoundException, 'Cluster not found.')`.
 * `fields` are the exception's own modelled members (InvalidLayerPartException's
 * lastValidByteReceived, …); they travel in the error body beside the message.
 */
export function modelled(errorClass: ModelledErrorClass, message: string, fields: Record<string, unknown> = {}): ServiceException {
  return new (errorClass as new (options: object) => ServiceException)({ ...fields, message, $metadata: {} });
}

/**
 * Berth's own help beside an AWS error: which input field is at fault and what to do next.
 * AWS's `message` stays exactly AWS's words (clients and test suites compare it); the help travels
 * in an extra member of the error body, `berthHelp`, that the AWS SDKs and CLIs ignore.
 *
 *   throw withHelp(modelled(ClusterNotFoundException, 'Cluster not found.'), {
 *     resource: 'prod', hint: "Create it first: aws ecs create-cluster --cluster-name prod" });
 *   → {"__type":"ClusterNotFoundException","message":"Cluster not found.","berthHelp":{"resource":"prod","hint":"Create it …"}}
 */
export interface ErrorHelp {
  /** The path of the input field at fault, e.g. `containerDefinitions[0].secrets`. */
  field?: string;
  /** The resource the error is about, as the caller named it. */
  resource?: string;
  /** What to do next. */
  hint?: string;
}

const helpKey = Symbol('berth.errorHelp');

/** Attaches help to an error (ApiError or a modelled SDK exception) and returns the same error. */
export function withHelp<E extends Error>(error: E, help: ErrorHelp): E {
  Object.defineProperty(error, helpKey, { value: help, enumerable: false, configurable: true });
  return error;
}

export function helpOf(error: unknown): ErrorHelp | undefined {
  return error instanceof Error ? ((error as unknown as Record<symbol, ErrorHelp | undefined>)[helpKey]) : undefined;
}

export interface SerializedError {
  statusCode: number;
  code: string;
  message: string;
  /** Modelled members of the exception besides its message. */
  fields?: Record<string, unknown>;
  /** Berth's help, sent as the extra member `berthHelp`. */
  help?: ErrorHelp;
}

const exceptionInternals = new Set(['name', 'message', 'stack', 'cause']);

/** The members a generated exception class copied from its options, e.g. lastValidByteReceived. */
function modelledFields(error: ServiceException): Record<string, unknown> | undefined {
  const entries = Object.entries(error).filter(([key, value]) => !key.startsWith('$') && !exceptionInternals.has(key) && value !== undefined);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/**
 * A failure that says nothing about the request and may well not happen again: a store write that
 * kept meeting concurrent changes (StoreConflict marks itself `transient`). The edge answers it as
 * the service's retryable server error, which the AWS SDKs retry on their own.
 */
export function isTransient(error: unknown): boolean {
  return error instanceof Error && (error as { transient?: unknown }).transient === true;
}

export const transientMessage = 'The request conflicted with concurrent changes to the same resources. Retry the request.';

/** Maps anything thrown by an operation to the AWS error shape; unknown failures become a 500 ServerException-style error without internals. */
export function toSerializedError(error: unknown, internalCode = 'InternalFailure'): SerializedError {
  const help = helpOf(error);
  if (error instanceof ApiError) {
    return { statusCode: error.statusCode, code: error.code, message: error.message, ...(help ? { help } : {}) };
  }
  if (error instanceof ServiceException) {
    const statusCode = error.$metadata?.httpStatusCode ?? (error.$fault === 'server' ? 500 : 400);
    const fields = modelledFields(error);
    return { statusCode, code: error.name, message: error.message, ...(fields ? { fields } : {}), ...(help ? { help } : {}) };
  }
  if (isTransient(error)) return { statusCode: 500, code: internalCode, message: transientMessage };
  return {
    statusCode: 500,
    code: internalCode,
    message: 'The server encountered an internal error. The failure was logged with this request id.',
  };
}
