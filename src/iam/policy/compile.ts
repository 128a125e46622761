/**
 * Policies compiled once, matched many times: every pattern becomes a matcher, every condition a
 * closure, and each policy remembers which of its statements can match a given action (that
 * depends on the action alone), so an evaluation touches only those.
 */
import { compileClause, isConditionOperator, type CompiledClause } from './conditions.js';
import type { ContextLookup, RequestPrincipal } from './context.js';
import { parsePolicyDocument, type ParseOptions, type PolicyDocument, type Statement } from './document.js';
import { compileAny, compileArnPattern, resourceName, type Matcher, type ResourceMatcher, type ResourceName } from './patterns.js';
import { notPrincipalExcludes, principalGrant, type GrantLevel } from './principals.js';
import { compileTemplate, escapeText, hasVariables, templateToPattern } from './variables.js';

export interface CompiledStatement {
  statement: Statement;
  /** Whether the statement's Action/NotAction covers the action (lower-cased). */
  coversAction: Matcher;
  coversResource: (resource: ResourceName, lookup: ContextLookup) => boolean;
  /** For resource and trust policies: how the statement grants to the principal, undefined if not at all. */
  grantTo?: (principal: RequestPrincipal) => GrantLevel | undefined;
  conditions: CompiledClause[];
}

export interface CompiledPolicy {
  document: PolicyDocument;
  statements: CompiledStatement[];
  /** The statements whose Action/NotAction covers an action (lower-cased), remembered per action. */
  forAction(action: string): CompiledStatement[];
}

/** How many resolved patterns a variable resource pattern remembers (one per user name or tag value seen). */
const resolvedMemory = 256;

function compileResourcePattern(pattern: string, substitute: boolean): (resource: ResourceName, lookup: ContextLookup) => boolean {
  if (!substitute || !hasVariables(pattern)) {
    const match = compileArnPattern(pattern);
    return (resource) => match(resource);
  }
  const compiled = new Map<string, ResourceMatcher>();
  const template = compileTemplate(pattern);
  return (resource, lookup) => {
    const parts = template(lookup);
    if (!parts) return false;
    const resolved = templateToPattern(parts);
    let match = compiled.get(resolved);
    if (!match) {
      if (compiled.size >= resolvedMemory) compiled.clear();
      match = compileArnPattern(resolved);
      compiled.set(resolved, match);
    }
    const escaped = escapeText(resource.text);
    return match(escaped === resource.text ? resource : resourceName(escaped));
  };
}

function compileResources(patterns: string[] | undefined, substitute: boolean): ((resource: ResourceName, lookup: ContextLookup) => boolean) | undefined {
  if (!patterns) return undefined;
  const matchers = patterns.map((pattern) => compileResourcePattern(pattern, substitute));
  if (matchers.length === 1) return matchers[0]!;
  return (resource, lookup) => {
    for (const match of matchers) if (match(resource, lookup)) return true;
    return false;
  };
}

function compileStatement(statement: Statement, substitute: boolean): CompiledStatement {
  const action = statement.action ? compileAny(statement.action, true) : undefined;
  const notAction = statement.notAction ? compileAny(statement.notAction, true) : undefined;
  const resource = compileResources(statement.resource, substitute);
  const notResource = compileResources(statement.notResource, substitute);
  const compiled: CompiledStatement = {
    statement,
    coversAction: action ?? ((name) => !notAction!(name)),
    // A resource or trust policy without Resource applies to the resource it is attached to.
    coversResource: resource ?? (notResource ? (name, lookup) => !notResource(name, lookup) : () => true),
    conditions: statement.conditions.map((clause) => compileClause(clause.operator, clause.key, clause.values, substitute)),
  };
  if (statement.principal) {
    const spec = statement.principal;
    compiled.grantTo = (principal) => principalGrant(spec, principal);
  } else if (statement.notPrincipal) {
    const spec = statement.notPrincipal;
    compiled.grantTo = (principal) => (notPrincipalExcludes(spec, principal) ? undefined : 'direct');
  }
  return compiled;
}

/** How many actions a policy remembers before it starts over (bounds memory under varied actions). */
const actionMemory = 1024;

/**
 * The service prefix every action pattern of a statement names ("ecs" for ecs:Describe* and
 * ecs:RunTask), or undefined when the statement may cover actions of any service (`*`, a wildcard
 * in the prefix, patterns of several services, NotAction).
 */
function onlyService(statement: Statement): string | undefined {
  if (!statement.action) return undefined;
  let service: string | undefined;
  for (const pattern of statement.action) {
    const colon = pattern.indexOf(':');
    const prefix = colon === -1 ? pattern : pattern.slice(0, colon).toLowerCase();
    if (colon === -1 || prefix.includes('*') || prefix.includes('?') || (service !== undefined && service !== prefix)) return undefined;
    service = prefix;
  }
  return service;
}

export function compilePolicy(document: PolicyDocument): CompiledPolicy {
  const substitute = document.version === '2012-10-17';
  const statements = document.statements.map((statement) => compileStatement(statement, substitute));
  // Statements by the one service they can apply to; the rest are tried for every action.
  const byService = new Map<string, CompiledStatement[]>();
  const anyService: CompiledStatement[] = [];
  for (const compiled of statements) {
    const service = onlyService(compiled.statement);
    if (service === undefined) anyService.push(compiled);
    else byService.set(service, [...(byService.get(service) ?? []), compiled]);
  }
  const byAction = new Map<string, CompiledStatement[]>();
  return {
    document,
    statements,
    forAction(action) {
      let found = byAction.get(action);
      if (!found) {
        if (byAction.size >= actionMemory) byAction.clear();
        const colon = action.indexOf(':');
        const candidates = new Set([...(colon === -1 ? [] : (byService.get(action.slice(0, colon)) ?? [])), ...anyService]);
        // Document order, so a decision lists its statements as the policy does.
        found = statements.filter((compiled) => candidates.has(compiled) && compiled.coversAction(action));
        byAction.set(action, found);
      }
      return found;
    },
  };
}

/** Parse and compile in one step: the usual entry point. */
export function parseAndCompile(input: string | unknown, options: ParseOptions): CompiledPolicy {
  return compilePolicy(parsePolicyDocument(input, options, isConditionOperator));
}
