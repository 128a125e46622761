/**
 * GetSessionToken: temporary credentials for the IAM user (or root) whose long-term key asks, for
 * 900 seconds to 36 hours, 12 hours by default (root: at most one hour, longer asks are cut to it). AWS refuses it to
 * temporary credentials of any kind. Berth has no MFA, so SerialNumber and TokenCode are refused,
 * and the credentials it issues may not call IAM (session-restrictions.ts).
 */
import type { GetSessionTokenRequest, GetSessionTokenResponse } from '@aws-sdk/client-sts';
import { ApiError, withHelp } from '../core/errors.js';
import type { RequestContext } from '../core/request-context.js';
import type { Store } from '../store/types.js';
import { credentialsOf, issueUserSession } from './session-credentials.js';
import { checkRange, notSupported } from './validate.js';

const userMaxSeconds = 129_600;
const rootMaxSeconds = 3_600;
const defaultSeconds = 43_200;

export async function getSessionToken(store: Store, input: GetSessionTokenRequest, ctx: RequestContext): Promise<GetSessionTokenResponse> {
  if (input.SerialNumber !== undefined || input.TokenCode !== undefined) {
    throw notSupported(input.SerialNumber !== undefined ? 'SerialNumber' : 'TokenCode', 'Berth has no MFA devices: call GetSessionToken without SerialNumber and TokenCode.');
  }
  if (input.MinimumSessionTokenSize !== undefined) throw notSupported('MinimumSessionTokenSize', "Berth's session tokens have one size.");
  if (input.DurationSeconds !== undefined) checkRange('durationSeconds', input.DurationSeconds, 900, userMaxSeconds);
  if (ctx.principal.session !== undefined) {
    throw withHelp(new ApiError('AccessDenied', 'Cannot call GetSessionToken with session credentials', 403), {
      hint: 'Call GetSessionToken with a long-term access key (AKIA…).',
    });
  }
  // As AWS does, a longer duration asked by root is cut to root's hour rather than refused.
  const asked = input.DurationSeconds ?? defaultSeconds;
  const duration = ctx.principal.isRoot ? Math.min(asked, rootMaxSeconds) : asked;
  const issued = await store.write(async (tx) => {
    // The key's own record: a user's key carries the user's unique id, which the session keeps.
    const owner = await tx.credentials.get(ctx.principal.accessKeyId);
    if (!owner) throw new ApiError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
    return issueUserSession(tx, owner, duration, ctx.now);
  });
  return { Credentials: credentialsOf(issued) };
}
