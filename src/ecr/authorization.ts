/** GetAuthorizationToken: a registry password for the caller, as docker login takes it. */
import type { GetAuthorizationTokenRequest, GetAuthorizationTokenResponse } from '@aws-sdk/client-ecr';
import { epochSeconds, type Wire } from '../core/wire.js';
import type { RequestContext } from '../core/request-context.js';
import { tokenLifetimeSeconds } from '../registry/tokens.js';
import type { EcrDeps } from './deps.js';
import { checkRegistryId } from './access.js';

export function authorizationOperations(deps: EcrDeps) {
  return {
    async GetAuthorizationToken(input: Wire<GetAuthorizationTokenRequest>, ctx: RequestContext): Promise<Wire<GetAuthorizationTokenResponse>> {
      for (const registryId of input.registryIds ?? []) checkRegistryId(registryId, ctx);
      const now = epochSeconds(ctx.now);
      // A token issued to temporary credentials expires with them at the latest.
      const session = ctx.principal.session;
      const lifetime = session ? Math.max(0, Math.min(tokenLifetimeSeconds, session.expiresAt - Math.floor(now))) : tokenLifetimeSeconds;
      const { password, expiresAt } = await deps.registry.tokens.issue(
        { accountId: ctx.scope.accountId, region: ctx.scope.region, principalArn: ctx.principal.arn, accessKeyId: ctx.principal.accessKeyId },
        now,
        lifetime,
      );
      return {
        authorizationData: [
          { authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'), expiresAt, proxyEndpoint: deps.registry.endpoint },
        ],
      };
    },
  };
}
