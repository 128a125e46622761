/**
 * Parameter names, ARNs and selectors.
 *
 *   name      `a`, or a hierarchy `/a/b/c` (a name with a slash must begin with one; at most 15
 *             levels); letters, digits and `.-_`, never beginning with `aws` or `ssm` (any case);
 *             at most 1011 characters (2048 with the ARN prefix).
 *   ARN       arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>
 *   selector  `<name>:<version>` or `<name>:<label>` after the name or ARN in GetParameter(s).
 */
import { Arn } from '../core/arn.js';
import { withHelp } from '../core/errors.js';
import type { Scope } from '../core/principal.js';
import { constraintFailed, hierarchyTooDeep, validation } from './errors.js';

const maxNameLength = 1011;
const maxLevels = 15;

const nameRules =
  'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_';

export function parameterArn(scope: Scope, name: string): string {
  return `arn:aws:ssm:${scope.region}:${scope.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
}

/** Checks a name a parameter is created with. */
export function checkNewName(name: string): string {
  if (name.length > maxNameLength) throw constraintFailed('name', name, `have length less than or equal to ${maxNameLength}`);
  const path = name.startsWith('/') ? name.slice(1) : name;
  if (name.includes('/') && !name.startsWith('/')) throw withHelp(validation('Parameter name must be a fully qualified name.'), { field: 'Name', hint: `A hierarchical name begins with a slash: /${name}` });
  const parts = path.split('/');
  if (parts.length > maxLevels) throw hierarchyTooDeep();
  if (/^\/?(aws|ssm)/i.test(name) || parts.some((part) => !/^[A-Za-z0-9_.-]+$/.test(part))) throw withHelp(validation(nameRules), { field: 'Name' });
  return name;
}

/** The parameter a name or ARN names in this scope (both spellings a name may take), or undefined for another account's or Region's ARN. */
export function namesOf(reference: string, scope: Scope): string[] | undefined {
  if (!reference.startsWith('arn:')) return [reference];
  const arn = parameterArnParts(reference);
  if (!arn || arn.region !== scope.region || arn.accountId !== scope.accountId) return undefined;
  const rest = arn.resourcePath.join('/');
  // `parameter/a/b` is /a/b; `parameter/a` is a or /a.
  return rest.includes('/') ? [`/${rest}`] : [rest, `/${rest}`];
}

/** An SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<name>), parsed; undefined for any other text. */
export function parameterArnParts(text: string): Arn | undefined {
  const arn = Arn.parse(text);
  return arn && arn.service === 'ssm' && arn.resourceType === 'parameter' && arn.resourcePath.join('') !== '' && /^\d{12}$/.test(arn.accountId) && arn.region !== '' ? arn : undefined;
}

export type Selector = { kind: 'version'; version: number } | { kind: 'label'; label: string };

/** Splits `name:selector` (the ARN's own colons are not selectors). */
export function splitSelector(reference: string): { reference: string; selector?: Selector; text?: string } {
  const arnPrefix = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:/.exec(reference)?.[0] ?? '';
  const rest = reference.slice(arnPrefix.length);
  const colon = rest.lastIndexOf(':');
  if (colon === -1) return { reference };
  const text = rest.slice(colon + 1);
  const base = arnPrefix + rest.slice(0, colon);
  if (/^\d+$/.test(text)) return { reference: base, selector: { kind: 'version', version: Number(text) }, text: `:${text}` };
  return { reference: base, selector: { kind: 'label', label: text }, text: `:${text}` };
}

/** A label's rules: at most 100 characters of letters, digits and `.-_`, not beginning with a digit, `aws` or `ssm`. */
export function isValidLabel(label: string): boolean {
  return label.length >= 1 && label.length <= 100 && /^[A-Za-z0-9_.-]+$/.test(label) && !/^\d/.test(label) && !/^(aws|ssm)/i.test(label);
}
