/**
 * Which account's registry a /v2/ request addresses. ECR gives each account its own registry host,
 * `<account>.dkr.ecr.<region>.amazonaws.com`; Berth serves every account at one endpoint, so a
 * request whose Host has that form (`<account>.dkr.ecr.<region>.` and any domain, e.g.
 * `111122223333.dkr.ecr.us-east-1.localhost:4566`) addresses that account's registry, and any other
 * Host the registry of the token's own account. Reaching another account's repositories is then
 * up to authorization: its repository policy must allow the caller.
 */
import type { RegistryScope } from '../repositories.js';
import { RegistryError } from '../errors.js';
import type { RegistryIdentity } from '../tokens.js';

const accountHost = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\./;

export function targetRegistry(host: string | undefined, identity: RegistryIdentity): RegistryScope {
  const named = accountHost.exec(host ?? '');
  if (!named) return { accountId: identity.accountId, region: identity.region };
  const [, accountId, region] = named as unknown as [string, string, string];
  if (region !== identity.region) {
    // A token is bound to the region it was issued in, as ECR's are.
    throw new RegistryError('UNAUTHORIZED', `the registry token was issued for ${identity.region}, not ${region}: log in with \`aws ecr get-login-password --region ${region}\``);
  }
  return { accountId, region };
}
