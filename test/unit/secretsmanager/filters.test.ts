import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesFilters, wordsOf, type SecretFilter } from '../../../src/secretsmanager/filters.js';
import type { SecretRecord } from '../../../src/store/types.js';

const secret = (name: string, description?: string, tags: { Key: string; Value: string }[] = []): SecretRecord => ({
  arn: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}-AbCdEf`,
  name,
  accountId: '000000000000',
  region: 'us-east-1',
  ...(description ? { description } : {}),
  tags,
  versions: [],
  createdDate: 0,
  lastChangedDate: 0,
});

describe('ListSecrets filters', () => {
  it('splits words at punctuation, case changes and digits', () => {
    assert.deepEqual(wordsOf('credsDatabase#892'), ['creds', 'Database', '892']);
    assert.deepEqual(wordsOf('prod/db_password'), ['prod', 'db', 'password']);
    assert.deepEqual(wordsOf('HTTPServer2go'), ['HTTP', 'Server', '2', 'go']);
  });

  const table: { title: string; record: SecretRecord; filters: SecretFilter[]; matches: boolean }[] = [
    { title: 'name is a case-sensitive prefix', record: secret('DatabaseSecret'), filters: [{ key: 'name', values: ['Data'] }], matches: true },
    { title: 'name does not match lower case', record: secret('databaseSecret'), filters: [{ key: 'name', values: ['Data'] }], matches: false },
    { title: 'name does not match inside', record: secret('MyData'), filters: [{ key: 'name', values: ['Data'] }], matches: false },
    { title: 'description needs every word', record: secret('s', 'Description of my secret'), filters: [{ key: 'description', values: ['My Description'] }], matches: true },
    { title: 'description misses a word', record: secret('s', 'my secret'), filters: [{ key: 'description', values: ['My Description'] }], matches: false },
    { title: 'all matches any word anywhere', record: secret('s', undefined, [{ Key: 'team', Value: 'Secret' }]), filters: [{ key: 'all', values: ['My_Secret'] }], matches: true },
    { title: 'negation', record: secret('prod/a'), filters: [{ key: 'name', values: ['!prod'] }], matches: false },
    { title: 'values of a filter are alternatives', record: secret('b'), filters: [{ key: 'name', values: ['a', 'b'] }], matches: true },
    {
      title: 'filters must all match',
      record: secret('a', undefined, [{ Key: 'env', Value: 'dev' }]),
      filters: [{ key: 'name', values: ['a'] }, { key: 'tag-value', values: ['prod'] }],
      matches: false,
    },
    { title: 'no secret has a primary region', record: secret('a'), filters: [{ key: 'primary-region', values: ['us-east-1'] }], matches: false },
  ];
  for (const { title, record, filters, matches } of table) {
    it(title, () => assert.equal(matchesFilters(record, filters), matches));
  }
});
