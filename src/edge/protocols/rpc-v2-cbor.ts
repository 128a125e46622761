/**
 * Smithy RPC v2 CBOR (CloudWatch's newest protocol, among others): POST
 * /service/<ServiceName>/operation/<Operation> with the header `smithy-protocol: rpc-v2-cbor` and a
 * CBOR body; errors are a CBOR map {__type, message} with the same header on the answer.
 */
import { cbor } from '@smithy/core/cbor';
import { toSerializedError } from '../../core/errors.js';
import type { ProtocolResponse } from './response.js';

export const rpcV2CborHeader = 'smithy-protocol';
export const rpcV2CborValue = 'rpc-v2-cbor';

/** "/service/GraniteServiceVersion20100801/operation/ListMetrics" → the service and operation names. */
export function rpcV2CborOperationOf(path: string): { service: string; operation: string } | undefined {
  const match = /^\/service\/([^/]+)\/operation\/([^/]+)$/.exec(path);
  return match ? { service: match[1] as string, operation: match[2] as string } : undefined;
}

export function rpcV2CborError(error: unknown): ProtocolResponse {
  const serialized = toSerializedError(error);
  return {
    statusCode: serialized.statusCode,
    contentType: 'application/cbor',
    headers: { [rpcV2CborHeader]: rpcV2CborValue },
    body: cbor.serialize({ __type: serialized.code, message: serialized.message, ...(serialized.help ? { berthHelp: serialized.help } : {}) }),
  };
}
