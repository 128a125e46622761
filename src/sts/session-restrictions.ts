/**
 * What credentials from GetSessionToken may not do, whatever the policies say. AWS refuses every
 * IAM call made with them unless the session was obtained with MFA, and answers as if the token
 * were unknown; Berth has no MFA, so such sessions never call IAM. (Of STS they may call
 * AssumeRole and GetCallerIdentity; GetSessionToken refuses session credentials itself.)
 */
import { ApiError, withHelp } from '../core/errors.js';
import type { Principal } from '../core/principal.js';

export function refuseOutsideSession(principal: Principal, action: string): void {
  if (principal.session?.type !== 'SessionToken') return;
  if (action.startsWith('iam:')) {
    throw withHelp(new ApiError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403), {
      hint: `Credentials from GetSessionToken may call IAM only when obtained with MFA, which Berth does not offer. Call ${action} with the long-term access key instead.`,
    });
  }
}
