/**
 * ALB rule conditions as haproxy ACLs. A rule matches when all its conditions match (AND); a
 * condition matches when any of its values does (OR), which is exactly one named ACL with several
 * patterns. Wildcards become anchored PCRE2 expressions (see words.ts) so that a value is only
 * ever literal text plus ELB's `*` and `?`.
 *
 * What each condition reads, as ALB does:
 *   host-header       the Host header without its port, case-insensitive;
 *   path-pattern      the path without the query, case-sensitive;
 *   http-header       every value of the named header (whole lines, not split at commas), case-insensitive;
 *   http-request-method  the method, exactly;
 *   query-string      any `key=value` pair of the query (key optional), case-insensitive;
 *   source-ip         the client's address (not X-Forwarded-For), CIDR blocks.
 */
import { assertNever } from '../../../core/assert-never.js';
import type { ConditionConfig } from '../types.js';
import { literalWord, wildcardRegex } from './words.js';

export interface AclLine {
  name: string;
  line: string;
}

export function conditionAcl(name: string, condition: ConditionConfig): AclLine {
  const acl = (criterion: string, patterns: string[]) => ({ name, line: `acl ${name} ${criterion} ${patterns.join(' ')}` });
  switch (condition.field) {
    case 'host-header':
      return acl('req.hdr(host),field(1,:) -m reg -i', condition.values.map((v) => literalWord(`^${wildcardRegex(v)}$`)));
    case 'path-pattern':
      return acl('path -m reg', condition.values.map((v) => literalWord(`^${wildcardRegex(v)}$`)));
    case 'http-header':
      return acl(
        `req.fhdr(${literalWord(condition.headerName)}) -m reg -i`,
        condition.values.map((v) => literalWord(`^${wildcardRegex(v)}$`)),
      );
    case 'http-request-method':
      return acl('method -m str', condition.values.map(literalWord));
    case 'query-string':
      return acl('query -m reg -i', condition.values.map((v) => literalWord(queryPairRegex(v.key, v.value))));
    case 'source-ip':
      return acl('src', condition.values.map(literalWord));
    default:
      return assertNever(condition, 'condition');
  }
}

/** A `key=value` pair anywhere in the query; without a key, any pair (or bare word) with that value. */
export function queryPairRegex(key: string | undefined, value: string): string {
  const part = (pattern: string) => wildcardRegex(pattern, '[^&=]*', '[^&=]');
  const pair = key === undefined ? `(?:[^&=]*=)?${part(value)}` : `${part(key)}=${part(value)}`;
  return `(?:^|&)${pair}(?:&|$)`;
}
