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

type TemplatePiece = { text: string } | { escape: string } | { key: string; fallback: string | undefined };

/** A template split once into text and variables; resolving it is then lookups only. */
export type CompiledTemplate = (lookup: ContextLookup) => TemplatePart[] | undefined;

export function compileTemplate(template: string): CompiledTemplate {
  const pieces: TemplatePiece[] = [];
  let last = 0;
  for (const found of template.matchAll(variable)) {
    if (found.index > last) pieces.push({ text: template.slice(last, found.index) });
    last = found.index + found[0].length;
    const body = found[1]!;
    if (body === '*' || body === '?' || body === '$') {
      pieces.push({ escape: body });
      continue;
    }
    const defaulted = withDefault.exec(body);
    pieces.push(defaulted ? { key: defaulted[1]!, fallback: defaulted[2]! } : { key: body.trim(), fallback: undefined });
  }
  if (last < template.length) pieces.push({ text: template.slice(last) });
  return (lookup) => {
    const parts: TemplatePart[] = [];
    for (const piece of pieces) {
      if ('text' in piece) parts.push({ pattern: piece.text });
      else if ('escape' in piece) parts.push({ literal: piece.escape });
      else {
        const values = lookup(piece.key);
        if (values !== undefined && values.length === 1) parts.push({ literal: values[0]! });
        else if (piece.fallback !== undefined) parts.push({ literal: piece.fallback });
        else return undefined;
      }
    }
    return parts;
  };
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
