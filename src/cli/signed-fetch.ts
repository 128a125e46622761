/** A SigV4-signed HTTP call from the CLI to a running Berth, with the same signer the AWS SDKs use. */
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** SHA-256 from Node's own crypto, in the shape the signer takes. */
const Sha256 = Hash.bind(null, 'sha256');

export interface CliCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export async function signedFetch(
  endpoint: string,
  path: string,
  options: { credentials: CliCredentials; region: string; service: string; body?: string; headers?: Record<string, string> },
): Promise<Response> {
  const url = new URL(path, endpoint);
  const request = new HttpRequest({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    // The query is signed too.
    query: Object.fromEntries(url.searchParams),
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', ...(options.headers ?? {}) },
    body: options.body ?? '',
  });
  const signer = new SignatureV4({ credentials: options.credentials, region: options.region, service: options.service, sha256: Sha256 });
  const signed = await signer.sign(request);
  const { host: _host, ...headers } = signed.headers;
  return fetch(url, { method: 'POST', headers, body: options.body ?? '' });
}
