/**
 * The IAM API over the AWS Query protocol, signed as `iam`, version 2010-05-08. IAM is a global
 * service: the SDKs and the CLI sign it for us-east-1, and its entities belong to the account,
 * not to a region. Every operation first checks the members the model requires, then its own
 * input, then looks entities up, as IAM does.
 *
 * Later work reads what this module stores: policy evaluation reads a principal's policies (see
 * account-details.ts for the shape of "everything an account holds"), AssumeRole reads a role's
 * trust policy and maximum session duration.
 */
import * as iamModel from '@aws-sdk/client-iam';
import { defineQueryService, type QueryService } from '../edge/protocols/aws-query.js';
import { checkingRequired } from '../edge/model-check.js';
import { accessKeyOperations } from './access-keys.js';
import { accountDetailOperations } from './account-details.js';
import { contextKeyOperations } from './context-keys.js';
import type { IamDeps } from './deps.js';
import { groupOperations } from './groups.js';
import { identityPolicyOperations } from './identity-policies.js';
import { instanceProfileOperations } from './instance-profiles.js';
import { managedPolicyOperations } from './managed-policies.js';
import { permissionsBoundaryOperations } from './permissions-boundaries.js';
import { roleOperations } from './roles.js';
import { simulateOperations } from './simulate-policies.js';
import { taggingOperations } from './tagging.js';
import { userOperations } from './users.js';

export const iamVersion = '2010-05-08';

export function iamService(deps: IamDeps): QueryService {
  const service = defineQueryService(
    iamModel as Record<string, unknown>,
    { id: 'iam', signingName: 'iam', version: iamVersion, xmlNamespace: `https://iam.amazonaws.com/doc/${iamVersion}/` },
    {
      ...userOperations(deps),
      ...accessKeyOperations(deps),
      ...groupOperations(deps),
      ...roleOperations(deps),
      ...identityPolicyOperations(deps),
      ...managedPolicyOperations(deps),
      ...permissionsBoundaryOperations(deps),
      ...instanceProfileOperations(deps),
      ...accountDetailOperations(deps),
      ...taggingOperations(deps),
      ...simulateOperations(deps),
      ...contextKeyOperations(deps),
    },
  );
  return checkingRequired(service);
}
