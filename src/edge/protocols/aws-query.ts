/**
 * The AWS Query protocol (STS, IAM, Elastic Load Balancing, SNS, CloudFormation, …): the operation is
 * the form parameter `Action` (with `Version`), sent form-encoded in a POST body or in the query
 * string of a GET; answers are XML. Errors:
 *
 *   <ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>…</Message></Error>
 *   <RequestId>…</RequestId></ErrorResponse>
 *
 * Only the envelope lives here so far; operations served over Query will plug in beside it.
 */
import { toSerializedError } from '../../core/errors.js';
import type { ProtocolResponse } from './response.js';
import { escapeXml } from './xml.js';

export interface QueryRequest {
  /** The `Action` parameter: the operation's name. */
  action: string;
  version?: string;
}

const formContentType = 'application/x-www-form-urlencoded';

/** The Query request a request carries, if it is one: `Action` in a form-encoded POST body or in the URL's query. */
export function queryRequestOf(request: { method: string; contentType: string | undefined; body: Buffer; query: URLSearchParams }): QueryRequest | undefined {
  const params =
    request.method === 'POST' && (request.contentType ?? '').toLowerCase().startsWith(formContentType)
      ? new URLSearchParams(request.body.toString('utf8'))
      : request.query;
  const action = params.get('Action');
  if (!action) return undefined;
  const version = params.get('Version');
  return { action, ...(version ? { version } : {}) };
}

/**
 * The edge's authentication errors carry the AWS JSON protocol's codes; Query services name the same
 * failures differently, and clients compare these codes (botocore refreshes clock skew on
 * SignatureDoesNotMatch, for one).
 */
const queryCodes: Record<string, string> = {
  MissingAuthenticationTokenException: 'MissingAuthenticationToken',
  IncompleteSignatureException: 'IncompleteSignature',
  InvalidSignatureException: 'SignatureDoesNotMatch',
  UnrecognizedClientException: 'InvalidClientTokenId',
};

export function queryCode(code: string): string {
  return queryCodes[code] ?? code;
}

export function queryError(error: unknown, requestId: string): ProtocolResponse {
  const serialized = toSerializedError(error, 'InternalFailure');
  const type = serialized.statusCode >= 500 ? 'Receiver' : 'Sender';
  return {
    statusCode: serialized.statusCode,
    contentType: 'text/xml',
    body:
      '<ErrorResponse><Error>' +
      `<Type>${type}</Type><Code>${escapeXml(queryCode(serialized.code))}</Code><Message>${escapeXml(serialized.message)}</Message>` +
      `</Error><RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`,
  };
}
