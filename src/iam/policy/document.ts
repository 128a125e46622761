/**
 * The IAM policy language: a document's grammar, parsed once into typed statements.
 *
 * Glossary:
 *   identity policy  attached to a user, group or role (and boundaries, session policies): no
 *                    Principal; Resource required.
 *   resource policy  attached to a resource (ECR repository, secret): Principal required.
 *   trust policy     a role's AssumeRolePolicyDocument: Principal required, no Resource.
 *   Version          2012-10-17 (policy variables are substituted) or 2008-10-17 (they are text);
 *                    IAM takes a document without Version as 2008-10-17.
 */
import { PolicyDocumentError, iamMessages } from './errors.js';
import { statementRanges, type TextRange } from './positions.js';

export type Effect = 'Allow' | 'Deny';
export type PolicyKind = 'identity' | 'resource' | 'trust';
export type PolicyVersion = '2012-10-17' | '2008-10-17';

export const principalTypes = ['AWS', 'Service', 'Federated', 'CanonicalUser'] as const;
export type PrincipalType = (typeof principalTypes)[number];

/** `"*"` (everyone) or lists of principals by type. */
export type PrincipalSpec = { everyone: true } | { everyone: false; byType: Partial<Record<PrincipalType, string[]>> };

/** One condition key under one operator: OR over `values`. */
export interface ConditionClause {
  operator: string;
  key: string;
  values: string[];
}

export interface Statement {
  /** Position in the document, from 0: names the statement when it has no Sid. */
  index: number;
  sid?: string;
  effect: Effect;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  principal?: PrincipalSpec;
  notPrincipal?: PrincipalSpec;
  /** AND over clauses. */
  conditions: ConditionClause[];
  /** Where the statement is in the policy's text (when parsed from text): SimulatePrincipalPolicy's positions. */
  range?: TextRange;
}

export interface PolicyDocument {
  version: PolicyVersion;
  id?: string;
  statements: Statement[];
}

export interface ParseOptions {
  kind: PolicyKind;
  /** Refuse a document without Version (ECR does; IAM takes it as 2008-10-17). */
  requireVersion?: boolean;
  /** Refuse two statements with one Sid (IAM does; ECR does not). Default: true. */
  uniqueSids?: boolean;
  /** Check Resource values are `*` or ARNs. Default: true. */
  checkResourceFormat?: boolean;
}

const topLevelKeys = new Set(['Version', 'Id', 'Statement']);
const statementKeys = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const actionPattern = /^(\*|[a-zA-Z0-9-]+:[A-Za-z0-9*?-]+)$/;
/** IAM's rule for a Sid in an identity policy; resource policies allow more (ECR: spaces). */
const identitySid = /^[0-9A-Za-z]*$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const fail = (message: string, detail: string): never => {
  throw new PolicyDocumentError(message, detail);
};

function strings(value: unknown, at: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((item) => typeof item !== 'string')) {
    fail(iamMessages.syntax, `${at} must be a string or a non-empty list of strings`);
  }
  return list as string[];
}

function parsePrincipal(value: unknown, at: string): PrincipalSpec {
  if (value === '*') return { everyone: true };
  if (!isObject(value) || Object.keys(value).length === 0) {
    return fail(iamMessages.syntax, `${at} must be "*" or an object such as {"AWS": "arn:aws:iam::123456789012:root"}`);
  }
  const byType: Partial<Record<PrincipalType, string[]>> = {};
  for (const [type, entry] of Object.entries(value)) {
    if (!(principalTypes as readonly string[]).includes(type)) {
      fail(iamMessages.invalidPrincipal(type, typeof entry === 'string' ? entry : JSON.stringify(entry)), `${at} has '${type}'; principals are AWS, Service, Federated or CanonicalUser`);
    }
    const names = strings(entry, `${at}.${type}`);
    if (type === 'AWS') {
      for (const name of names) {
        // Wildcards are allowed only as the whole principal ("*"): a principal ARN names one identity.
        if (name !== '*' && ((!/^\d{12}$/.test(name) && !name.startsWith('arn:')) || name.includes('*') || name.includes('?'))) {
          fail(iamMessages.invalidPrincipal(type, name), `${at}.AWS '${name}' is not "*", an account id or an ARN without wildcards`);
        }
      }
    }
    byType[type as PrincipalType] = names;
  }
  return { everyone: false, byType };
}

function conditionValues(value: unknown, at: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) fail(iamMessages.syntax, `${at} must have at least one value`);
  return list.map((item) => {
    if (typeof item === 'string') return item;
    if (typeof item === 'number' || typeof item === 'boolean') return String(item);
    return fail(iamMessages.syntax, `${at} values must be strings, numbers or booleans`);
  });
}

function parseConditions(value: unknown, at: string, isOperator: (name: string) => boolean): ConditionClause[] {
  if (!isObject(value) || !Object.values(value).every(isObject)) {
    fail(iamMessages.syntax, `${at} must map condition operators to objects of condition keys`);
  }
  const clauses: ConditionClause[] = [];
  for (const [operator, keys] of Object.entries(value as Record<string, Record<string, unknown>>)) {
    if (!isOperator(operator)) fail(iamMessages.conditionType(operator), `${at} has the unknown condition operator '${operator}'`);
    for (const [key, values] of Object.entries(keys)) {
      if (!key.includes(':')) fail(iamMessages.vendorPrefix, `${at}.${operator} key '${key}' has no service prefix such as "aws:"`);
      clauses.push({ operator, key, values: conditionValues(values, `${at}.${operator}.${key}`) });
    }
  }
  return clauses;
}

function parseStatement(raw: unknown, index: number, options: Required<ParseOptions>, isOperator: (name: string) => boolean): Statement {
  const at = `Statement[${index}]`;
  if (!isObject(raw)) return fail(iamMessages.syntax, `${at} must be an object`);
  const unknown = Object.keys(raw).find((key) => !statementKeys.has(key));
  if (unknown) fail(iamMessages.syntax, `${at} has the unknown element '${unknown}'`);
  if (raw.Sid !== undefined && typeof raw.Sid !== 'string') fail(iamMessages.syntax, `${at}.Sid must be a string`);
  if (typeof raw.Sid === 'string' && options.kind === 'identity' && !identitySid.test(raw.Sid)) {
    fail(iamMessages.sidFormat, `${at}.Sid '${raw.Sid}' may hold only letters and digits`);
  }
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') fail(iamMessages.syntax, `${at}.Effect must be "Allow" or "Deny"`);

  const hasPrincipal = raw.Principal !== undefined || raw.NotPrincipal !== undefined;
  if (options.kind === 'identity' && hasPrincipal) {
    fail(iamMessages.principalNotAllowed, `${at} names a principal; an identity-based policy applies to whoever it is attached to`);
  }
  if (options.kind !== 'identity') {
    if (!hasPrincipal) fail(iamMessages.missingField('Principal'), `${at} needs exactly one of Principal and NotPrincipal`);
    if (raw.Principal !== undefined && raw.NotPrincipal !== undefined) fail(iamMessages.syntax, `${at} needs exactly one of Principal and NotPrincipal`);
  }
  if (raw.Action === undefined && raw.NotAction === undefined) fail(iamMessages.noActions, `${at} needs exactly one of Action and NotAction`);
  if (raw.Action !== undefined && raw.NotAction !== undefined) fail(iamMessages.syntax, `${at} needs exactly one of Action and NotAction`);
  const actionField = raw.Action !== undefined ? 'Action' : 'NotAction';
  const actions = strings(raw[actionField], `${at}.${actionField}`);
  for (const action of actions) {
    if (!actionPattern.test(action)) fail(iamMessages.vendorPrefix, `${at}.${actionField} '${action}' is not an action such as "ecr:BatchGetImage" or "ecr:*"`);
  }

  const hasResource = raw.Resource !== undefined || raw.NotResource !== undefined;
  if (options.kind === 'trust' && hasResource) fail(iamMessages.prohibitedField(raw.Resource !== undefined ? 'Resource' : 'NotResource'), `${at}: a trust policy's resource is the role itself`);
  if (options.kind === 'identity' && !hasResource) fail(iamMessages.noResources, `${at} needs exactly one of Resource and NotResource`);
  if (raw.Resource !== undefined && raw.NotResource !== undefined) fail(iamMessages.syntax, `${at} needs exactly one of Resource and NotResource`);
  const resourceField = raw.Resource !== undefined ? 'Resource' : 'NotResource';
  const resources = hasResource ? strings(raw[resourceField], `${at}.${resourceField}`) : undefined;
  if (resources && options.checkResourceFormat) {
    for (const resource of resources) {
      if (resource !== '*' && !resource.startsWith('arn:')) fail(iamMessages.resourceFormat(resource), `${at}.${resourceField} '${resource}' is neither "*" nor an ARN`);
    }
  }

  const statement: Statement = {
    index,
    effect: raw.Effect as Effect,
    conditions: raw.Condition === undefined ? [] : parseConditions(raw.Condition, `${at}.Condition`, isOperator),
  };
  if (typeof raw.Sid === 'string') statement.sid = raw.Sid;
  statement[actionField === 'Action' ? 'action' : 'notAction'] = actions;
  if (resources) statement[resourceField === 'Resource' ? 'resource' : 'notResource'] = resources;
  if (raw.Principal !== undefined) statement.principal = parsePrincipal(raw.Principal, `${at}.Principal`);
  if (raw.NotPrincipal !== undefined) statement.notPrincipal = parsePrincipal(raw.NotPrincipal, `${at}.NotPrincipal`);
  return statement;
}

/**
 * Parses a policy document as IAM does, or throws a PolicyDocumentError. `isOperator` says which
 * condition operators exist (the evaluator's list; passed in so the grammar does not depend on it).
 */
export function parsePolicyDocument(input: string | unknown, options: ParseOptions, isOperator: (name: string) => boolean): PolicyDocument {
  const settings: Required<ParseOptions> = { requireVersion: false, uniqueSids: true, checkResourceFormat: true, ...options };
  let document: unknown = input;
  if (typeof input === 'string') {
    try {
      document = JSON.parse(input);
    } catch (cause) {
      fail(iamMessages.syntax, `not valid JSON (${(cause as Error).message})`);
    }
  }
  if (!isObject(document)) return fail(iamMessages.syntax, 'the policy must be a JSON object');
  const unknown = Object.keys(document).find((key) => !topLevelKeys.has(key));
  if (unknown) fail(iamMessages.syntax, `unknown top-level element '${unknown}'; a policy has Version, Id and Statement`);
  const version = document.Version ?? (settings.requireVersion ? undefined : '2008-10-17');
  if (version !== '2012-10-17' && version !== '2008-10-17') fail(iamMessages.syntax, 'Version must be "2012-10-17" (or the older "2008-10-17")');
  if (document.Id !== undefined && typeof document.Id !== 'string') fail(iamMessages.syntax, 'Id must be a string');
  const raws = Array.isArray(document.Statement) ? document.Statement : isObject(document.Statement) ? [document.Statement] : undefined;
  if (!raws || raws.length === 0) return fail(iamMessages.syntax, 'Statement must be a non-empty list of statements');
  const statements = raws.map((raw, index) => parseStatement(raw, index, settings, isOperator));
  if (settings.uniqueSids) {
    const seen = new Set<string>();
    for (const statement of statements) {
      if (statement.sid === undefined || statement.sid === '') continue;
      if (seen.has(statement.sid)) fail(iamMessages.duplicateSid, `Sid '${statement.sid}' is used by more than one statement`);
      seen.add(statement.sid);
    }
  }
  if (typeof input === 'string') {
    const ranges = statementRanges(input);
    statements.forEach((statement, index) => {
      const range = ranges[index];
      if (range) statement.range = range;
    });
  }
  const parsed: PolicyDocument = { version: version as PolicyVersion, statements };
  if (typeof document.Id === 'string') parsed.id = document.Id;
  return parsed;
}
