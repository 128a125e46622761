import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConditionConfig, RuleConfig } from '../../../src/elbv2/data-plane/types.js';
import { ipInCidr } from '../../../src/elbv2/data-plane/embedded/ip-match.js';
import { conditionMatches, matchRule, parseQuery, redirectLocation, type RequestFacts } from '../../../src/elbv2/data-plane/embedded/rules.js';

function facts(overrides: Partial<Omit<RequestFacts, 'header'>> & { headers?: Record<string, string[]> } = {}): RequestFacts {
  const headers = overrides.headers ?? {};
  return {
    host: overrides.host ?? 'web.example.com:8080',
    path: overrides.path ?? '/',
    method: overrides.method ?? 'GET',
    header: (name) => headers[name] ?? [],
    query: overrides.query ?? [],
    sourceIp: overrides.sourceIp ?? '10.1.2.3',
  };
}

const matches = (condition: ConditionConfig, request: RequestFacts): boolean => conditionMatches(condition, request);

describe('ALB rule conditions', () => {
  it('host-header: without the port, case-insensitive, * and ?', () => {
    assert.equal(matches({ field: 'host-header', values: ['*.example.com'] }, facts()), true);
    assert.equal(matches({ field: 'host-header', values: ['WEB.EXAMPLE.COM'] }, facts()), true);
    assert.equal(matches({ field: 'host-header', values: ['we?.example.com'] }, facts()), true);
    assert.equal(matches({ field: 'host-header', values: ['w?.example.com'] }, facts()), false);
    assert.equal(matches({ field: 'host-header', values: ['api.example.com', 'other'] }, facts()), false);
  });

  it('path-pattern: the path only, case-sensitive, * and ?', () => {
    assert.equal(matches({ field: 'path-pattern', values: ['/api/*'] }, facts({ path: '/api/users' })), true);
    assert.equal(matches({ field: 'path-pattern', values: ['/API/*'] }, facts({ path: '/api/users' })), false);
    assert.equal(matches({ field: 'path-pattern', values: ['/v?/x'] }, facts({ path: '/v1/x' })), true);
    assert.equal(matches({ field: 'path-pattern', values: ['/v?/x'] }, facts({ path: '/v10/x' })), false);
  });

  it('http-header: name and value case-insensitive, any value sent', () => {
    const request = facts({ headers: { 'x-canary': ['no', 'YES-please'] } });
    assert.equal(matches({ field: 'http-header', headerName: 'X-Canary', values: ['yes*'] }, request), true);
    assert.equal(matches({ field: 'http-header', headerName: 'X-Other', values: ['*'] }, request), false);
  });

  it('http-request-method: exact', () => {
    assert.equal(matches({ field: 'http-request-method', values: ['POST', 'GET'] }, facts()), true);
    assert.equal(matches({ field: 'http-request-method', values: ['get'] }, facts()), false);
  });

  it('query-string: any pair, key optional, case-insensitive wildcards', () => {
    const request = facts({ query: parseQuery('version=V2&debug&name=a%20b') });
    assert.equal(matches({ field: 'query-string', values: [{ key: 'version', value: 'v*' }] }, request), true);
    assert.equal(matches({ field: 'query-string', values: [{ value: 'a b' }] }, request), true);
    assert.equal(matches({ field: 'query-string', values: [{ key: 'debug', value: '' }] }, request), true);
    assert.equal(matches({ field: 'query-string', values: [{ key: 'version', value: 'v1' }] }, request), false);
  });

  it('source-ip: IPv4 and IPv6 CIDRs, IPv4-mapped addresses as IPv4', () => {
    assert.equal(matches({ field: 'source-ip', values: ['10.0.0.0/8'] }, facts()), true);
    assert.equal(matches({ field: 'source-ip', values: ['10.1.2.4/32'] }, facts()), false);
    assert.equal(ipInCidr('::ffff:192.168.1.7', '192.168.1.0/24'), true);
    assert.equal(ipInCidr('2001:db8::1', '2001:db8::/32'), true);
    assert.equal(ipInCidr('2001:db9::1', '2001:db8::/32'), false);
    assert.equal(ipInCidr('10.0.0.1', '2001:db8::/32'), false);
    assert.equal(ipInCidr('10.0.0.1', 'garbage'), false);
  });
});

describe('ALB rule order', () => {
  const rule = (priority: number | 'default', conditions: ConditionConfig[], body: string): RuleConfig => ({
    arn: `rule-${priority}`,
    priority,
    conditions,
    actions: [{ type: 'fixed-response', statusCode: '200', messageBody: body }],
  });
  const rules = [
    rule(1, [{ field: 'path-pattern', values: ['/api/*'] }, { field: 'http-request-method', values: ['POST'] }], 'api-post'),
    rule(2, [{ field: 'path-pattern', values: ['/api/*'] }], 'api'),
    rule('default', [], 'default'),
  ];

  it('takes the first rule whose conditions all match, the default last', () => {
    assert.equal(matchRule(rules, facts({ path: '/api/x', method: 'POST' }))?.arn, 'rule-1');
    assert.equal(matchRule(rules, facts({ path: '/api/x' }))?.arn, 'rule-2');
    assert.equal(matchRule(rules, facts({ path: '/web' }))?.arn, 'rule-default');
  });
});

describe('redirect locations', () => {
  const source = { protocol: 'HTTP', host: 'web.localhost', port: 8080, path: '/a/b', query: 'x=1' };
  const redirect = (fields: Partial<{ protocol: string; host: string; port: string; path: string; query: string }>) => ({
    type: 'redirect' as const,
    protocol: '#{protocol}',
    host: '#{host}',
    port: '#{port}',
    path: '/#{path}',
    query: '#{query}',
    statusCode: 'HTTP_301' as const,
    ...fields,
  });

  it('keeps every component by default', () => {
    assert.equal(redirectLocation(redirect({}), source), 'http://web.localhost:8080/a/b?x=1');
  });

  it('fills placeholders, drops the default port and an empty query', () => {
    assert.equal(redirectLocation(redirect({ protocol: 'HTTPS', port: '443', path: '/new/#{path}', query: '#{query}&y=2' }), source), 'https://web.localhost/new/a/b?x=1&y=2');
    assert.equal(redirectLocation(redirect({ host: 'other.#{host}', query: '' }), source), 'http://other.web.localhost:8080/a/b');
  });
});
