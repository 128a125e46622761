/**
 * SigV4 verification for both forms AWS accepts: the Authorization header and the presigned query.
 *
 * We parse what the client claims (credential scope, signed headers, date), rebuild the request with
 * exactly the headers it signed, and let the maintained signer compute what the signature must be.
 * Nothing here re-implements the canonicalisation rules.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { ApiError } from '../core/errors.js';
import type { CredentialRecord } from '../store/types.js';

/** SHA-256 from Node's own crypto, in the shape the signer takes. */
const Sha256 = Hash.bind(null, 'sha256');

export const algorithm = 'AWS4-HMAC-SHA256';
const maxClockSkewMs = 15 * 60 * 1000;
const maxPresignedExpirySeconds = 7 * 24 * 60 * 60;

export interface SignedRequest {
  method: string;
  /** Path without the query string, as sent (percent-encoded). */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface VerifiedIdentity {
  credential: CredentialRecord;
  region: string;
  service: string;
}

export type CredentialLookup = (accessKeyId: string) => Promise<CredentialRecord | undefined>;

interface Claim {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  presignedExpiresSeconds?: number;
}

const missingToken = () => new ApiError('MissingAuthenticationTokenException', 'Missing Authentication Token', 400);
const incomplete = (message: string) => new ApiError('IncompleteSignatureException', message, 400);
const invalid = (message: string) => new ApiError('InvalidSignatureException', message, 400);
const mismatch = () =>
  invalid(
    'The request signature we calculated does not match the signature you provided. ' +
      'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );

function header(request: SignedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function parseCredential(credential: string): Pick<Claim, 'accessKeyId' | 'date' | 'region' | 'service'> {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || parts.some((part) => part.length === 0)) {
    throw incomplete(
      `Credential should be scoped to a valid region and service, in the form <access key>/<yyyymmdd>/<region>/<service>/aws4_request; got '${credential}'.`,
    );
  }
  const [accessKeyId, date, region, service] = parts as [string, string, string, string];
  return { accessKeyId, date, region, service };
}

function claimFromHeader(request: SignedRequest, authorization: string): Claim {
  if (!authorization.startsWith(`${algorithm} `)) {
    throw incomplete(`Authorization header must use the ${algorithm} algorithm.`);
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(algorithm.length + 1).split(',')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  for (const required of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!fields.get(required)) {
      throw incomplete(`Authorization header requires '${required}' parameter. Authorization=${authorization}`);
    }
  }
  const amzDate = header(request, 'x-amz-date');
  if (!amzDate) throw incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  return {
    ...parseCredential(fields.get('Credential') as string),
    signedHeaders: (fields.get('SignedHeaders') as string).split(';'),
    signature: fields.get('Signature') as string,
    amzDate,
  };
}

function claimFromQuery(query: URLSearchParams): Claim {
  if (query.get('X-Amz-Algorithm') !== algorithm) {
    throw incomplete(`X-Amz-Algorithm must be ${algorithm}.`);
  }
  for (const required of ['X-Amz-Credential', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Expires']) {
    if (!query.get(required)) throw incomplete(`Presigned request requires the '${required}' query parameter.`);
  }
  const expires = Number(query.get('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > maxPresignedExpirySeconds) {
    throw incomplete(`X-Amz-Expires must be a whole number of seconds from 1 to ${maxPresignedExpirySeconds}.`);
  }
  return {
    ...parseCredential(query.get('X-Amz-Credential') as string),
    signedHeaders: (query.get('X-Amz-SignedHeaders') as string).split(';'),
    signature: query.get('X-Amz-Signature') as string,
    amzDate: query.get('X-Amz-Date') as string,
    presignedExpiresSeconds: expires,
  };
}

function parseAmzDate(amzDate: string): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!match) throw incomplete(`X-Amz-Date must be in the form yyyyMMddTHHmmssZ; got '${amzDate}'.`);
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}

function checkTime(claim: Claim, signedAt: Date, now: Date): void {
  if (claim.presignedExpiresSeconds !== undefined) {
    const expiresAt = signedAt.getTime() + claim.presignedExpiresSeconds * 1000;
    if (now.getTime() > expiresAt) throw new ApiError('AccessDeniedException', 'Request has expired.', 403);
    if (signedAt.getTime() - now.getTime() > maxClockSkewMs) throw invalid('Request is not yet valid: X-Amz-Date is in the future.');
    return;
  }
  const skew = now.getTime() - signedAt.getTime();
  if (Math.abs(skew) > maxClockSkewMs) {
    const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const edge = new Date(now.getTime() - Math.sign(skew) * maxClockSkewMs);
    throw invalid(
      skew > 0
        ? `Signature expired: ${claim.amzDate} is now earlier than ${stamp(edge)} (${stamp(now)} - 15 min.)`
        : `Signature not yet current: ${claim.amzDate} is still later than ${stamp(edge)} (${stamp(now)} + 15 min.)`,
    );
  }
}

function payloadHashCheck(request: SignedRequest): void {
  const claimed = header(request, 'x-amz-content-sha256');
  if (claimed === undefined) return;
  if (claimed === 'UNSIGNED-PAYLOAD') {
    throw invalid('x-amz-content-sha256 must be the SHA-256 of the payload; UNSIGNED-PAYLOAD is not accepted by this API.');
  }
  const actual = createHash('sha256').update(request.body).digest('hex');
  if (claimed.toLowerCase() !== actual) {
    throw new ApiError(
      'XAmzContentSHA256Mismatch',
      `The provided 'x-amz-content-sha256' header does not match what was computed: ${actual}.`,
      400,
    );
  }
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The service a request claims in its credential scope, read without verifying anything: the edge
 * uses it only to answer in the protocol that service's clients parse, before (and whether or not)
 * the signature checks out.
 */
export function claimedService(request: Pick<SignedRequest, 'headers' | 'query'>): string | undefined {
  const authorization = header(request as SignedRequest, 'authorization');
  const credential = authorization ? /Credential=([^,\s]+)/.exec(authorization)?.[1] : request.query.get('X-Amz-Credential');
  const parts = credential?.split('/');
  return parts?.length === 5 && parts[3] ? parts[3] : undefined;
}

const unrecognized = () => new ApiError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400);

/**
 * Temporary credentials (STS) are valid only with their session token and only until they expire;
 * long-term keys take no token. Once expired, AWS answers ExpiredToken (its words, no full stop)
 * rather than "invalid", so an SDK knows to fetch new credentials.
 */
function checkSessionToken(credential: CredentialRecord, token: string | undefined, now: Date): void {
  if (credential.sessionToken === undefined) {
    if (token !== undefined && token !== '') throw unrecognized();
    return;
  }
  if (token === undefined || !sameSignature(credential.sessionToken, token)) throw unrecognized();
  if (credential.session && now.getTime() >= credential.session.expiresAt * 1000) {
    throw new ApiError('ExpiredTokenException', 'The security token included in the request is expired', 400);
  }
}

interface CheckedClaim {
  claim: Claim;
  credential: CredentialRecord;
  signedAt: Date;
  presigned: boolean;
}

/**
 * Everything that can be checked before the body arrives: the claim's form, which headers it
 * signs, the access key and the time. What fails here fails whatever the body would be.
 */
async function checkClaim(request: Omit<SignedRequest, 'body'>, lookup: CredentialLookup, now: Date): Promise<CheckedClaim> {
  const authorization = header(request as SignedRequest, 'authorization');
  const presigned = request.query.has('X-Amz-Signature') || request.query.has('X-Amz-Credential');
  if (!authorization && !presigned) throw missingToken();
  const claim = authorization ? claimFromHeader(request as SignedRequest, authorization) : claimFromQuery(request.query);

  const signedAt = parseAmzDate(claim.amzDate);
  if (claim.amzDate.slice(0, 8) !== claim.date) {
    throw invalid(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${claim.date}' != '${claim.amzDate.slice(0, 8)}', from '${claim.amzDate}'.`);
  }
  if (!claim.signedHeaders.includes('host')) throw invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  // The target names the operation: left unsigned, a captured request could be replayed as another one.
  if (header(request as SignedRequest, 'x-amz-target') !== undefined && !claim.signedHeaders.includes('x-amz-target')) {
    throw invalid("'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.");
  }

  const credential = await lookup(claim.accessKeyId);
  // An Inactive access key is refused as AWS refuses it: with the same words as an unknown one.
  if (!credential || credential.status === 'Inactive') throw unrecognized();
  checkSessionToken(credential, presigned ? (request.query.get('X-Amz-Security-Token') ?? undefined) : header(request as SignedRequest, 'x-amz-security-token'), now);
  checkTime(claim, signedAt, now);
  return { claim, credential, signedAt, presigned };
}

/** The header-only checks of `verifySigV4`, for a request whose body has not been read yet. */
export async function precheckSigV4(request: Omit<SignedRequest, 'body'>, lookup: CredentialLookup, now: Date): Promise<VerifiedIdentity> {
  const { claim, credential } = await checkClaim(request, lookup, now);
  return { credential, region: claim.region, service: claim.service };
}

/** Verifies a request's SigV4 signature and returns who signed it and for which region and service. */
export async function verifySigV4(request: SignedRequest, lookup: CredentialLookup, now: Date): Promise<VerifiedIdentity> {
  const { claim, credential, signedAt, presigned } = await checkClaim(request, lookup, now);
  if (!presigned) payloadHashCheck(request);

  const headers: Record<string, string> = {};
  for (const name of claim.signedHeaders) {
    const value = header(request, name);
    if (value === undefined) throw invalid(`The header '${name}' is listed in SignedHeaders but is not in the request.`);
    headers[name] = value;
  }
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of request.query) {
    if (presigned && key === 'X-Amz-Signature') continue;
    const existing = query[key];
    query[key] = existing === undefined ? value : ([] as string[]).concat(existing, value);
  }
  const rebuilt = new HttpRequest({
    method: request.method,
    protocol: 'http:',
    hostname: headers.host ?? '',
    path: safeDecodePath(request.path),
    query,
    headers,
    body: request.body.length > 0 ? request.body : undefined,
  });
  const signer = new SignatureV4({
    credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey },
    region: claim.region,
    service: claim.service,
    sha256: Sha256,
    // Sign exactly what the client signed; never add a payload-hash header it did not send.
    applyChecksum: false,
  });
  const signableHeaders = new Set(claim.signedHeaders);
  let expected: string | undefined;
  if (presigned) {
    const signed = await signer.presign(rebuilt, {
      signingDate: signedAt,
      expiresIn: claim.presignedExpiresSeconds,
      signableHeaders,
      unhoistableHeaders: new Set(Object.keys(headers)),
    });
    const value = signed.query?.['X-Amz-Signature'];
    expected = typeof value === 'string' ? value : undefined;
  } else {
    const signed = await signer.sign(rebuilt, { signingDate: signedAt, signableHeaders });
    expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization ?? ''))?.[1];
  }
  if (!expected || !sameSignature(expected, claim.signature)) throw mismatch();
  return { credential, region: claim.region, service: claim.service };
}

function safeDecodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
