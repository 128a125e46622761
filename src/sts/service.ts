/**
 * The STS API over the AWS Query protocol, signed for the service name `sts` at Berth's one
 * endpoint. GetCallerIdentity answers who the caller's credentials belong to, as AWS shapes it;
 * AssumeRole (assume-role.ts) and GetSessionToken (session-token.ts) issue temporary credentials.
 *
 * AssumeRole and GetSessionToken authorize themselves: AssumeRole evaluates the role's trust
 * policy together with the caller's policies, which the edge's generic step cannot, and
 * GetSessionToken needs no permission in AWS (only its own rules on who may call it).
 */
import * as stsModel from '@aws-sdk/client-sts';
import type { AssumeRoleRequest, GetCallerIdentityResponse, GetSessionTokenRequest } from '@aws-sdk/client-sts';
import type { RequestContext } from '../core/request-context.js';
import { defineQueryService, type QueryService } from '../edge/protocols/aws-query.js';
import type { Store } from '../store/types.js';
import { assumeRole } from './assume-role.js';
import { getSessionToken } from './session-token.js';
import { userIdOf } from './user-id.js';

export const stsVersion = '2011-06-15';

export interface StsDeps {
  store: Store;
}

export function stsService(deps: StsDeps): QueryService {
  return defineQueryService(
    stsModel as Record<string, unknown>,
    { id: 'sts', signingName: 'sts', version: stsVersion, xmlNamespace: `https://sts.amazonaws.com/doc/${stsVersion}/` },
    {
      async GetCallerIdentity(_input: Record<string, never>, ctx: RequestContext): Promise<GetCallerIdentityResponse> {
        return { UserId: userIdOf(ctx.principal), Account: ctx.principal.accountId, Arn: ctx.principal.arn };
      },
      AssumeRole: (input: AssumeRoleRequest, ctx: RequestContext) => assumeRole(deps.store, input, ctx),
      GetSessionToken: (input: GetSessionTokenRequest, ctx: RequestContext) => getSessionToken(deps.store, input, ctx),
    },
    { authorizesItself: ['AssumeRole', 'GetSessionToken'] },
  );
}
