/** Hand-built signed requests, for tests that are about the wire itself (signatures, malformed bodies). */
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { testCredentials } from './berth.js';

/** SHA-256 from Node's own crypto, in the shape the signer takes. */
const Sha256 = Hash.bind(null, 'sha256');

export interface WireOptions {
  target?: string;
  body?: string;
  region?: string;
  service?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  signingDate?: Date;
  extraHeaders?: Record<string, string>;
  /** Change the request after signing (to forge or break it). */
  tamper?: (request: { headers: Record<string, string>; body: string }) => void;
}

export async function signedRequest(url: string, options: WireOptions = {}): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const endpoint = new URL(url);
  const body = options.body ?? '{}';
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: endpoint.hostname,
    port: Number(endpoint.port),
    path: '/',
    headers: {
      host: endpoint.host,
      'content-type': 'application/x-amz-json-1.1',
      ...(options.target ? { 'x-amz-target': options.target } : {}),
      ...(options.extraHeaders ?? {}),
    },
    body,
  });
  const signer = new SignatureV4({
    credentials: options.credentials ?? testCredentials,
    region: options.region ?? 'us-east-1',
    service: options.service ?? 'ecs',
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(request, options.signingDate ? { signingDate: options.signingDate } : {});
  const headers = { ...(signed.headers as Record<string, string>) };
  delete headers.host;
  const sent = { headers, body };
  options.tamper?.(sent);
  return rawRequest(url, sent.headers, sent.body);
}

export async function presignedRequest(url: string, options: { target: string; body: string; expiresIn: number; signingDate?: Date }) {
  const endpoint = new URL(url);
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: endpoint.hostname,
    port: Number(endpoint.port),
    path: '/',
    headers: { host: endpoint.host },
    body: options.body,
  });
  const signer = new SignatureV4({ credentials: testCredentials, region: 'us-east-1', service: 'ecs', sha256: Sha256 });
  const presigned = await signer.presign(request, { expiresIn: options.expiresIn, ...(options.signingDate ? { signingDate: options.signingDate } : {}) });
  const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
  return rawRequest(`${url}/?${query}`, { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': options.target }, options.body);
}

export async function rawRequest(url: string, headers: Record<string, string>, body: string) {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { raw: text };
  }
  return { status: response.status, json, headers: response.headers };
}

export const ecsTarget = (operation: string) => `AmazonEC2ContainerServiceV20141113.${operation}`;
