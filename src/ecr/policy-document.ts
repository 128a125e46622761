/**
 * Repository policies: the IAM policy grammar a resource policy must follow, and the lock-out check
 * SetRepositoryPolicy's `force` overrides. Berth stores policies but does not enforce them yet.
 */
import { withHelp } from '../core/errors.js';
import { matchesWildcard } from '../core/wildcard.js';
import { constraintFailed } from './errors.js';

type Statement = Record<string, unknown>;

const statementKeys = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const principalKeys = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const actionPattern = /^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/;

/** ECR's message says only that the policy is invalid; what is wrong with it goes in Berth's help. */
const invalid = (reason: string) =>
  withHelp(constraintFailed('PolicyText', 'Invalid repository policy provided'), { field: 'policyText', hint: `The policy is invalid: ${reason}.` });

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function strings(value: unknown, at: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((item) => typeof item !== 'string')) throw invalid(`${at} must be a string or a non-empty list of strings`);
  return list as string[];
}

function checkPrincipal(value: unknown, at: string): void {
  if (value === '*') return;
  if (!isObject(value) || Object.keys(value).length === 0) throw invalid(`${at} must be "*" or an object such as {"AWS": "arn:aws:iam::123456789012:root"}`);
  for (const [key, entry] of Object.entries(value)) {
    if (!principalKeys.has(key)) throw invalid(`${at} has '${key}'; principals are AWS, Service, Federated or CanonicalUser`);
    strings(entry, `${at}.${key}`);
  }
}

function checkStatement(statement: unknown, at: string): void {
  if (!isObject(statement)) throw invalid(`${at} must be an object`);
  const unknown = Object.keys(statement).find((key) => !statementKeys.has(key));
  if (unknown) throw invalid(`${at} has the unknown element '${unknown}'`);
  if (statement.Sid !== undefined && typeof statement.Sid !== 'string') throw invalid(`${at}.Sid must be a string`);
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') throw invalid(`${at}.Effect must be "Allow" or "Deny"`);
  if ((statement.Principal === undefined) === (statement.NotPrincipal === undefined)) throw invalid(`${at} needs exactly one of Principal and NotPrincipal`);
  checkPrincipal(statement.Principal ?? statement.NotPrincipal, `${at}.${statement.Principal !== undefined ? 'Principal' : 'NotPrincipal'}`);
  if ((statement.Action === undefined) === (statement.NotAction === undefined)) throw invalid(`${at} needs exactly one of Action and NotAction`);
  const actionField = statement.Action !== undefined ? 'Action' : 'NotAction';
  for (const action of strings(statement[actionField], `${at}.${actionField}`)) {
    if (!actionPattern.test(action)) throw invalid(`${at}.${actionField} '${action}' is not an action such as "ecr:BatchGetImage" or "ecr:*"`);
  }
  if (statement.Resource !== undefined) strings(statement.Resource, `${at}.Resource`);
  if (statement.NotResource !== undefined) strings(statement.NotResource, `${at}.NotResource`);
  if (statement.Condition !== undefined && (!isObject(statement.Condition) || !Object.values(statement.Condition).every(isObject))) {
    throw invalid(`${at}.Condition must map condition operators to objects of condition keys`);
  }
}

/** The policy's statements, once the document follows the grammar. */
export function parsePolicy(text: string): Statement[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw invalid(`not valid JSON (${(cause as Error).message})`);
  }
  if (!isObject(document)) throw invalid('the policy must be a JSON object');
  const unknown = Object.keys(document).find((key) => !['Version', 'Id', 'Statement'].includes(key));
  if (unknown) throw invalid(`unknown top-level element '${unknown}'; a policy has Version, Id and Statement`);
  if (document.Version !== '2012-10-17' && document.Version !== '2008-10-17') throw invalid('Version must be "2012-10-17" (or the older "2008-10-17")');
  const statements = Array.isArray(document.Statement) ? document.Statement : isObject(document.Statement) ? [document.Statement] : undefined;
  if (!statements || statements.length === 0) throw invalid('Statement must be a non-empty list of statements');
  statements.forEach((statement, index) => checkStatement(statement, `Statement[${index}]`));
  // Statements may share a Sid: ECR accepts such policies (IAM's uniqueness rule is for identity policies).
  return statements as Statement[];
}

/** IAM action patterns: `*` and `?` wildcards, case-insensitive. */
function wildcard(pattern: string, value: string): boolean {
  return matchesWildcard(pattern, value, { questionMark: true, ignoreCase: true });
}

function coversCaller(principal: unknown, caller: { accountId: string; principalArn: string }): boolean {
  if (principal === '*') return true;
  if (!isObject(principal) || principal.AWS === undefined) return false;
  const names = typeof principal.AWS === 'string' ? [principal.AWS] : (principal.AWS as string[]);
  return names.some((name) => name === '*' || name === caller.accountId || name === `arn:aws:iam::${caller.accountId}:root` || name === caller.principalArn);
}

/** Whether a statement denies the caller ecr:SetRepositoryPolicy without condition: the caller could never change the policy again. */
export function locksOutCaller(statements: Statement[], caller: { accountId: string; principalArn: string }): boolean {
  const action = 'ecr:SetRepositoryPolicy';
  return statements.some((statement) => {
    if (statement.Effect !== 'Deny' || statement.Condition !== undefined || !coversCaller(statement.Principal, caller)) return false;
    if (statement.Action !== undefined) return strings(statement.Action, 'Action').some((pattern) => wildcard(pattern, action));
    return !strings(statement.NotAction, 'NotAction').some((pattern) => wildcard(pattern, action));
  });
}
