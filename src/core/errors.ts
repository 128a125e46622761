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

export interface SerializedError {
  statusCode: number;
  code: string;
  message: string;
  /** Modelled members of the exception besides its message. */
  fields?: Record<string, unknown>;
}

const exceptionInternals = new Set(['name', 'message', 'stack', 'cause']);

/** The members a generated exception class copied from its options, e.g. lastValidByteReceived. */
function modelledFields(error: ServiceException): Record<string, unknown> | undefined {
  const entries = Object.entries(error).filter(([key, value]) => !key.startsWith('$') && !exceptionInternals.has(key) && value !== undefined);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** Maps anything thrown by an operation to the AWS error shape; unknown failures become a 500 ServerException-style error without internals. */
export function toSerializedError(error: unknown, internalCode = 'InternalFailure'): SerializedError {
  if (error instanceof ApiError) {
    return { statusCode: error.statusCode, code: error.code, message: error.message };
  }
  if (error instanceof ServiceException) {
    const statusCode = error.$metadata?.httpStatusCode ?? (error.$fault === 'server' ? 500 : 400);
    const fields = modelledFields(error);
    return { statusCode, code: error.name, message: error.message, ...(fields ? { fields } : {}) };
  }
  return {
    statusCode: 500,
    code: internalCode,
    message: 'The server encountered an internal error. The failure was logged with this request id.',
  };
}
