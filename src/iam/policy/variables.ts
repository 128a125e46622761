/**
 * Policy variables (Version 2012-10-17 only): `${aws:username}`, `${aws:PrincipalTag/team}`, the
 * escapes `${*}` `${?}` `${$}` for a literal `*` `?` `$`, and a default for a missing key:
 * `${aws:username, 'nobody'}`. A variable whose key has no single value in the request (absent,
 * or multi-valued) makes the element it is in match nothing, as IAM does, unless it has a default.
 *
 * Substituted values are literal text: a `*` in a tag value does not become a wildcard.
 */
import type { ContextLookup } from './context.js';

/** Literal text, or a pattern fragment with wildcards. */
export type TemplatePart = { literal: string } | { pattern: string };

const variable = /\$\{([^}]*)\}/g;
const withDefault = /^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$/;

export function hasVariables(text: string): boolean {
  return text.includes('${');
}

/** The template's parts, with each variable resolved from `lookup`; undefined when one cannot be. */
export function resolveTemplate(template: string, lookup: ContextLookup): TemplatePart[] | undefined {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const found of template.matchAll(variable)) {
    if (found.index > last) parts.push({ pattern: template.slice(last, found.index) });
    last = found.index + found[0].length;
    const body = found[1]!;
    if (body === '*' || body === '?' || body === '$') {
      parts.push({ literal: body });
      continue;
    }
    const defaulted = withDefault.exec(body);
    const key = defaulted ? defaulted[1]! : body.trim();
    const values = lookup(key);
    if (values !== undefined && values.length === 1) parts.push({ literal: values[0]! });
    else if (defaulted) parts.push({ literal: defaulted[2]! });
    else return undefined;
  }
  if (last < template.length) parts.push({ pattern: template.slice(last) });
  return parts;
}

/**
 * Literal `*` and `?` (from `${*}`, `${?}` or a substituted value) cannot be written in the
 * wildcard syntax, so they are carried as two private-use characters; `escapeText` maps the
 * text's own `*` and `?` to the same characters before matching, so each matches only the literal
 * (or a wildcard).
 */
const literalStar = '\uE000';
const literalQuestion = '\uE001';
const escapeLiteral = (text: string) => text.replaceAll('*', literalStar).replaceAll('?', literalQuestion);

export function escapeText(text: string): string {
  return text.includes('*') || text.includes('?') ? escapeLiteral(text) : text;
}

/** The template as one wildcard pattern; match it against `escapeText(text)`. */
export function templateToPattern(parts: TemplatePart[]): string {
  let pattern = '';
  for (const part of parts) pattern += 'literal' in part ? escapeLiteral(part.literal) : part.pattern;
  return pattern;
}
