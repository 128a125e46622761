import type { FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import { isValidRegion, type Principal, type Scope } from '../core/principal.js';
import type { Store } from '../store/types.js';
import { verifySigV4 } from './sigv4.js';

export interface Authenticated {
  principal: Principal;
  scope: Scope;
  service: string;
}

/** Verifies the request's signature against stored credentials; nothing unsigned gets past this. */
export async function authenticate(request: FastifyRequest, store: Store, now: Date): Promise<Authenticated> {
  const url = new URL(request.url, 'http://berth.invalid');
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const verified = await verifySigV4(
    { method: request.method, path: url.pathname, query: url.searchParams, headers: request.headers, body },
    (accessKeyId) => store.read((tx) => tx.credentials.get(accessKeyId)),
    now,
  );
  if (!isValidRegion(verified.region)) {
    throw new ApiError('InvalidSignatureException', `The credential scope names an invalid region: '${verified.region}'.`);
  }
  const { credential } = verified;
  return {
    principal: {
      accountId: credential.accountId,
      accessKeyId: credential.accessKeyId,
      arn: credential.principalArn,
      isRoot: credential.isRoot,
    },
    scope: { accountId: credential.accountId, region: verified.region },
    service: verified.service,
  };
}
