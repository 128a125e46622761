import type { FastifyRequest } from 'fastify';
import { ApiError, withHelp } from '../core/errors.js';
import type { Principal, Scope } from '../core/principal.js';
import type { RegionSet } from '../core/regions.js';
import type { Store } from '../store/types.js';
import { keyUseDue, recordKeyUse } from './key-use.js';
import { precheckSigV4, verifySigV4, type VerifiedIdentity } from './sigv4.js';

export interface Authenticated {
  principal: Principal;
  scope: Scope;
  service: string;
}

export interface AuthDeps {
  store: Store;
  /** The regions a credential scope may name. */
  regions: RegionSet;
}

function lookupIn(deps: AuthDeps) {
  return (accessKeyId: string) => deps.store.read((tx) => tx.credentials.get(accessKeyId));
}

/** Verifies the request's signature against stored credentials; nothing unsigned gets past this. */
export async function authenticate(request: FastifyRequest, deps: AuthDeps, now: Date): Promise<Authenticated> {
  const url = new URL(request.url, 'http://berth.invalid');
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const verified = await verifySigV4({ method: request.method, path: url.pathname, query: url.searchParams, headers: request.headers, body }, lookupIn(deps), now);
  const result = authenticated(verified, deps);
  // GetAccessKeyLastUsed's answer: written at most once an hour per key (key-use.ts).
  if (keyUseDue(verified.credential.lastUsed, Math.floor(now.getTime() / 1000))) {
    await recordKeyUse(deps.store, verified.credential.accessKeyId, verified.service, verified.region, now);
  }
  return result;
}

/**
 * The checks `authenticate` can make before the body is read (everything but the payload hash and
 * the signature itself): a request that fails them is answered without waiting for its body.
 */
export async function preauthenticate(request: FastifyRequest, deps: AuthDeps, now: Date): Promise<Authenticated> {
  const url = new URL(request.url, 'http://berth.invalid');
  const verified = await precheckSigV4({ method: request.method, path: url.pathname, query: url.searchParams, headers: request.headers }, lookupIn(deps), now);
  return authenticated(verified, deps);
}

function authenticated(verified: VerifiedIdentity, deps: AuthDeps): Authenticated {
  if (!deps.regions.has(verified.region)) {
    // AWS JSON services' words, trailing space included, for a scope naming a region they do not serve.
    throw withHelp(new ApiError('InvalidSignatureException', 'Credential should be scoped to a valid region. '), {
      field: 'credential scope',
      resource: verified.region,
      hint: `'${verified.region}' is not an AWS region. Sign for one (e.g. us-east-1), or start Berth with --extra-regions ${verified.region} to accept it.`,
    });
  }
  const { credential } = verified;
  return {
    principal: {
      accountId: credential.accountId,
      accessKeyId: credential.accessKeyId,
      arn: credential.principalArn,
      isRoot: credential.isRoot,
      ...(credential.principalId !== undefined ? { uniqueId: credential.principalId } : {}),
      ...(credential.session !== undefined ? { session: credential.session } : {}),
    },
    scope: { accountId: credential.accountId, region: verified.region },
    service: verified.service,
  };
}
