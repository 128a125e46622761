/**
 * The STS API over the AWS Query protocol, signed for the service name `sts` at Berth's one
 * endpoint. GetCallerIdentity answers who the caller's credentials belong to, as AWS shapes it.
 */
import * as stsModel from '@aws-sdk/client-sts';
import type { GetCallerIdentityResponse } from '@aws-sdk/client-sts';
import type { RequestContext } from '../core/request-context.js';
import { defineQueryService, type QueryService } from '../edge/protocols/aws-query.js';
import { userIdOf } from './user-id.js';

export const stsVersion = '2011-06-15';

export function stsService(): QueryService {
  return defineQueryService(
    stsModel as Record<string, unknown>,
    { id: 'sts', signingName: 'sts', version: stsVersion, xmlNamespace: `https://sts.amazonaws.com/doc/${stsVersion}/` },
    {
      async GetCallerIdentity(_input: Record<string, never>, ctx: RequestContext): Promise<GetCallerIdentityResponse> {
        return { UserId: userIdOf(ctx.principal), Account: ctx.principal.accountId, Arn: ctx.principal.arn };
      },
    },
  );
}
