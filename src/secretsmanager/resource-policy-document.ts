/**
 * A secret's resource policy: the IAM policy grammar for a resource policy (Principal required,
 * parsed by src/iam/policy), and the check BlockPublicPolicy makes.
 *
 * Broad access, as Secrets Manager's check finds it: an Allow statement whose Principal is
 * everyone (`"*"`, `{"AWS": "*"}`) or that uses NotPrincipal, unless a condition pins the caller
 * (or the calling service's source) down to a named account, organization, principal or network:
 * aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:userid,
 * aws:username, aws:SourceAccount, aws:SourceArn, aws:SourceOwner, aws:SourceVpc, aws:SourceVpce,
 * aws:SourceIp, with a positive operator (StringEquals, StringLike, ArnEquals, ArnLike, IpAddress,
 * not the …IfExists forms, which let a request without the key through) and no value that is only
 * a wildcard.
 */
import { InvalidParameterException, MalformedPolicyDocumentException, PublicPolicyException } from '@aws-sdk/client-secrets-manager';
import { modelled, withHelp } from '../core/errors.js';
import { parseAndCompile, PolicyDocumentError, policySize, type CompiledPolicy } from '../iam/policy/index.js';
import type { Statement } from '../iam/policy/index.js';

/** Secrets Manager's limit on ResourcePolicy, in characters. */
const maxPolicyLength = 20480;

export const publicPolicyMessage = 'The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret.';

export function parseSecretPolicy(text: string): CompiledPolicy {
  if (text.length > maxPolicyLength || policySize(text) === 0) {
    throw withHelp(modelled(InvalidParameterException, 'The parameter ResourcePolicy is not valid.'), { field: 'ResourcePolicy', hint: `A resource policy has 1 to ${maxPolicyLength} characters.` });
  }
  try {
    return parseAndCompile(text, { kind: 'resource', checkResourceFormat: false });
  } catch (error) {
    if (error instanceof PolicyDocumentError) {
      throw withHelp(modelled(MalformedPolicyDocumentException, 'This policy has invalid syntax.'), { field: 'ResourcePolicy', hint: `${error.message} ${error.detail}` });
    }
    throw error;
  }
}

const pinningKeys = new Set(
  ['aws:PrincipalAccount', 'aws:PrincipalArn', 'aws:PrincipalOrgID', 'aws:PrincipalOrgPaths', 'aws:userid', 'aws:username', 'aws:SourceAccount', 'aws:SourceArn', 'aws:SourceOwner', 'aws:SourceVpc', 'aws:SourceVpce', 'aws:SourceIp'].map(
    (key) => key.toLowerCase(),
  ),
);
const pinningOperators = /^(ForAnyValue:|ForAllValues:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike|IpAddress)$/;

function pinsCaller(statement: Statement): boolean {
  return statement.conditions.some(
    (clause) =>
      pinningKeys.has(clause.key.toLowerCase()) &&
      pinningOperators.test(clause.operator) &&
      !clause.operator.startsWith('ForAllValues:') &&
      clause.values.every((value) => !/^[*?]*$/.test(value) && value !== '0.0.0.0/0' && value !== '::/0'),
  );
}

function grantsEveryone(statement: Statement): boolean {
  if (statement.notPrincipal) return true;
  const principal = statement.principal;
  if (!principal) return false;
  return principal.everyone || (principal.byType.AWS ?? []).includes('*');
}

/** The statements that give broad access: what BlockPublicPolicy refuses. */
export function broadAccessStatements(policy: CompiledPolicy): Statement[] {
  return policy.document.statements.filter((statement) => statement.effect === 'Allow' && grantsEveryone(statement) && !pinsCaller(statement));
}

/** PublicPolicyException naming the statement at fault in Berth's help. */
export function publicPolicy(statements: readonly Statement[]): Error {
  const named = statements.map((statement) => (statement.sid ? `"${statement.sid}"` : `number ${statement.index + 1}`)).join(', ');
  return withHelp(modelled(PublicPolicyException, publicPolicyMessage), {
    field: 'ResourcePolicy',
    hint: `Statement ${named} allows any principal. Name the principals, or add a condition such as {"StringEquals": {"aws:PrincipalAccount": "<account id>"}}.`,
  });
}
