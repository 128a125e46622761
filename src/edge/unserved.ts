/**
 * Answers for requests no route of Berth serves: AWS services Berth does not implement yet (IAM,
 * CloudWatch, …), and served services reached through a protocol they are not served over.
 *
 * The answer must be in the envelope the calling client parses, or the AWS CLI reports "unable to
 * parse" instead of the reason. The request's shape names the protocol (X-Amz-Target → AWS JSON,
 * `Action=` → Query, smithy-protocol → RPC v2 CBOR); for REST services, where nothing in the request
 * names it, the service the credential scope claims does. The signature is verified first, as for
 * every API call: an unsigned or badly signed request gets the authentication error, in that envelope.
 */
import type { FastifyRequest } from 'fastify';
import { assertNever } from '../core/assert-never.js';
import { ApiError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import { authenticate, type AuthDeps } from './authenticate.js';
import { awsServices, describeService, listTitles } from './aws-services.js';
import { jsonError } from './protocols/aws-json.js';
import { queryError, queryRequestOf } from './protocols/aws-query.js';
import { ec2Error } from './protocols/ec2-query.js';
import type { ProtocolResponse } from './protocols/response.js';
import { restJsonError } from './protocols/rest-json.js';
import { restXmlError } from './protocols/rest-xml.js';
import { rpcV2CborError, rpcV2CborHeader, rpcV2CborOperationOf, rpcV2CborValue } from './protocols/rpc-v2-cbor.js';
import { claimedService } from './sigv4.js';

export interface ServedService {
  signingName: string;
  protocol: 'awsJson' | 'awsQuery';
}

export type RequestShape =
  | { protocol: 'awsJson'; jsonVersion: '1.0' | '1.1'; target: string }
  | { protocol: 'awsQuery'; action: string }
  | { protocol: 'ec2Query'; action: string }
  | { protocol: 'rpcV2Cbor'; operation: string }
  | { protocol: 'restJson' }
  | { protocol: 'restXml'; style: 's3' | 'wrapped' };

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** Which protocol a request speaks; `signingName` is the service its credential scope claims, if any. */
export function shapeOf(request: FastifyRequest, signingName: string | undefined): RequestShape {
  const contentType = headerOf(request, 'content-type')?.toLowerCase() ?? '';
  const target = headerOf(request, 'x-amz-target');
  if (target !== undefined || contentType.startsWith('application/x-amz-json')) {
    return { protocol: 'awsJson', jsonVersion: contentType.startsWith('application/x-amz-json-1.0') ? '1.0' : '1.1', target: target ?? '' };
  }
  const url = new URL(request.url, 'http://berth.invalid');
  const rpc = rpcV2CborOperationOf(url.pathname);
  if (headerOf(request, rpcV2CborHeader) === rpcV2CborValue || (rpc && contentType.startsWith('application/cbor'))) {
    return { protocol: 'rpcV2Cbor', operation: rpc?.operation ?? '' };
  }
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const query = queryRequestOf({ method: request.method, contentType, body, query: url.searchParams });
  if (query) return { protocol: signingName === 'ec2' ? 'ec2Query' : 'awsQuery', action: query.action };
  const rest = signingName ? awsServices.get(signingName)?.rest : undefined;
  if (rest === 's3' || rest === 'xml') return { protocol: 'restXml', style: rest === 's3' ? 's3' : 'wrapped' };
  return { protocol: 'restJson' };
}

/** The request's operation as its protocol names it, for messages. */
function operationOf(shape: RequestShape, request: FastifyRequest): string {
  switch (shape.protocol) {
    case 'awsJson':
      return `X-Amz-Target '${shape.target}'`;
    case 'awsQuery':
    case 'ec2Query':
      return `Action '${shape.action}'`;
    case 'rpcV2Cbor':
      return `operation '${shape.operation}'`;
    case 'restJson':
    case 'restXml':
      return `${request.method} ${request.url.split('?')[0]}`;
    default:
      return assertNever(shape, 'request shape');
  }
}

/** The error an authenticated request for something Berth does not serve gets. */
export function notServed(shape: RequestShape, request: FastifyRequest, signingName: string, served: readonly ServedService[]): ApiError {
  const rest = shape.protocol === 'restJson' || shape.protocol === 'restXml';
  const code = shape.protocol === 'awsQuery' || shape.protocol === 'ec2Query' ? 'InvalidAction' : 'UnknownOperationException';
  const status = rest ? 404 : 400;
  const service = served.find((candidate) => candidate.signingName === signingName);
  if (!service) {
    // A service served over two protocols (CloudWatch: JSON and Query) is named once.
    return new ApiError(code, `Berth does not serve ${describeService(signingName)} yet; it serves ${listTitles([...new Set(served.map((each) => each.signingName))])}.`, status);
  }
  const protocols = new Set(served.filter((candidate) => candidate.signingName === signingName).map((candidate) => candidate.protocol));
  if (shape.protocol === 'awsJson' && protocols.has('awsJson')) {
    return new ApiError(
      code,
      shape.target ? `No service of Berth answers X-Amz-Target '${shape.target}'.` : 'The request has no X-Amz-Target header naming an operation.',
      status,
    );
  }
  const json = 'the AWS JSON protocol (POST / with an X-Amz-Target header)';
  const query = 'the AWS Query protocol (POST / with a form-encoded Action)';
  const how = protocols.size > 1 ? `${json} and ${query}` : service.protocol === 'awsJson' ? `${json.replace(' (', ' only (')}` : `${query.replace(' (', ' only (')}`;
  return new ApiError(code, `Berth serves ${describeService(signingName)} over ${how}; it does not answer ${operationOf(shape, request)}.`, status);
}

/** The error in the envelope of the request's protocol. */
export function renderError(shape: RequestShape, error: unknown, requestId: string): ProtocolResponse {
  switch (shape.protocol) {
    case 'awsJson':
      return jsonError({ jsonVersion: shape.jsonVersion }, error);
    case 'awsQuery':
      return queryError(error, requestId);
    case 'ec2Query':
      return ec2Error(error, requestId);
    case 'rpcV2Cbor':
      return rpcV2CborError(error);
    case 'restJson':
      return restJsonError(error);
    case 'restXml':
      return restXmlError(error, requestId, shape.style);
    default:
      return assertNever(shape, 'request shape');
  }
}

export interface UnservedDeps {
  auth: AuthDeps;
  clock: Clock;
  /** The services this edge serves: their signing names and protocols. */
  served: readonly ServedService[];
}

/** Verifies the request, then answers that Berth does not serve it; any failure comes back in the request's protocol. */
export async function answerUnserved(request: FastifyRequest, deps: UnservedDeps): Promise<{ response: ProtocolResponse; error: unknown }> {
  const url = new URL(request.url, 'http://berth.invalid');
  const shape = shapeOf(request, claimedService({ headers: request.headers, query: url.searchParams }));
  let error: unknown;
  try {
    const auth = await authenticate(request, deps.auth, deps.clock.now());
    error = notServed(shape, request, auth.service, deps.served);
  } catch (thrown) {
    error = thrown;
  }
  return { response: renderError(shape, error, request.id), error };
}
