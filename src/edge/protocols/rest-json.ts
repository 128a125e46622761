/**
 * The REST-JSON protocol (Lambda, EFS, Cloud Map's HTTP side, …): the operation is the method and
 * path; errors are a JSON body with `message`, the code in the `x-amzn-errortype` header (and, for
 * clients that read it from the body, `__type`).
 */
import { toSerializedError } from '../../core/errors.js';
import type { ProtocolResponse } from './response.js';

export function restJsonError(error: unknown): ProtocolResponse {
  const serialized = toSerializedError(error);
  return {
    statusCode: serialized.statusCode,
    contentType: 'application/json',
    headers: { 'x-amzn-errortype': serialized.code },
    body: JSON.stringify({ __type: serialized.code, message: serialized.message, ...(serialized.help ? { berthHelp: serialized.help } : {}) }),
  };
}
