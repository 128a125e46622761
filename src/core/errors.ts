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

/** Builds a modelled error: `throw modelled(ClusterNotFoundException, 'Cluster not found.')`. */
export function modelled(errorClass: ModelledErrorClass, message: string): ServiceException {
  return new errorClass({ message, $metadata: {} });
}

export interface SerializedError {
  statusCode: number;
  code: string;
  message: string;
}

/** Maps anything thrown by an operation to the AWS error shape; unknown failures become a 500 ServerException-style error without internals. */
export function toSerializedError(error: unknown, internalCode = 'InternalFailure'): SerializedError {
  if (error instanceof ApiError) {
    return { statusCode: error.statusCode, code: error.code, message: error.message };
  }
  if (error instanceof ServiceException) {
    const statusCode = error.$metadata?.httpStatusCode ?? (error.$fault === 'server' ? 500 : 400);
    return { statusCode, code: error.name, message: error.message };
  }
  return {
    statusCode: 500,
    code: internalCode,
    message: 'The server encountered an internal error. The failure was logged with this request id.',
  };
}
