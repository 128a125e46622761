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
  /** Default POST. */
  method?: string;
  /** Path and query; default "/". */
  path?: string;
  /** Default application/x-amz-json-1.1. */
  contentType?: string;
  region?: string;
  service?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  signingDate?: Date;
  extraHeaders?: Record<string, string>;
  /** Change the request after signing (to forge or break it). */
  tamper?: (request: { headers: Record<string, string>; body: string }) => void;
}

export interface WireResponse {
  status: number;
  json: Record<string, unknown>;
  headers: Headers;
  /** The body as sent, for bodies that are not JSON (XML, CBOR). */
  bytes: Buffer;
}

export async function signedRequest(url: string, options: WireOptions = {}): Promise<WireResponse> {
  const endpoint = new URL(url);
  const method = options.method ?? 'POST';
  const body = options.body ?? (method === 'GET' ? '' : '{}');
  const target = new URL(options.path ?? '/', url);
  const request = new HttpRequest({
    method,
    protocol: 'http:',
    hostname: endpoint.hostname,
    port: Number(endpoint.port),
    path: target.pathname,
    query: Object.fromEntries(target.searchParams),
    headers: {
      host: endpoint.host,
      'content-type': options.contentType ?? 'application/x-amz-json-1.1',
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
  return rawRequest(`${url}${target.pathname}${target.search}`, sent.headers, sent.body, method);
}

export async function presignedRequest(url: string, options: { target: string; body: string; expiresIn: number; signingDate?: Date }) {
  const endpoint = new URL(url);
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: endpoint.hostname,
    port: Number(endpoint.port),
    path: '/',
    // The target names the operation, so it is signed (kept a header, not hoisted into the query).
    headers: { host: endpoint.host, 'x-amz-target': options.target },
    body: options.body,
  });
  const signer = new SignatureV4({ credentials: testCredentials, region: 'us-east-1', service: 'ecs', sha256: Sha256 });
  const presigned = await signer.presign(request, {
    expiresIn: options.expiresIn,
    unhoistableHeaders: new Set(['x-amz-target']),
    ...(options.signingDate ? { signingDate: options.signingDate } : {}),
  });
  const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
  return rawRequest(`${url}/?${query}`, { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': options.target }, options.body);
}

export async function rawRequest(url: string, headers: Record<string, string>, body: string, method = 'POST'): Promise<WireResponse> {
  const response = await fetch(url, { method, headers, ...(method === 'GET' || method === 'HEAD' ? {} : { body }) });
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { raw: text };
  }
  return { status: response.status, json, headers: response.headers, bytes };
}

/**
 * The request line and headers of a request signed for `body`, as raw HTTP, to be written on a
 * socket by a test that controls how (and whether) the body follows. `contentLength` may lie.
 */
export async function signedHead(url: string, target: string, body: string, contentLength = Buffer.byteLength(body)): Promise<string> {
  const endpoint = new URL(url);
  const signer = new SignatureV4({ credentials: testCredentials, region: 'us-east-1', service: 'ecs', sha256: Sha256, applyChecksum: false });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: endpoint.hostname,
      port: Number(endpoint.port),
      path: '/',
      headers: { host: endpoint.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
      body,
    }),
  );
  const lines = Object.entries(signed.headers).map(([name, value]) => `${name}: ${value}`);
  return `POST / HTTP/1.1\r\n${lines.join('\r\n')}\r\ncontent-length: ${contentLength}\r\nconnection: close\r\n\r\n`;
}

export const ecsTarget = (operation: string) => `AmazonEC2ContainerServiceV20141113.${operation}`;
