import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contextKeysOf } from '../../../src/iam/simulate/context-entries.js';

describe("the simulator's ContextEntries", () => {
  it('takes each type, single values as one value and lists as lists', () => {
    assert.deepEqual(
      contextKeysOf([
        { ContextKeyName: 'aws:SourceIp', ContextKeyValues: ['10.0.0.1'], ContextKeyType: 'ip' },
        { ContextKeyName: 'aws:SecureTransport', ContextKeyValues: ['TRUE'], ContextKeyType: 'boolean' },
        { ContextKeyName: 'aws:TagKeys', ContextKeyValues: ['a', 'b'], ContextKeyType: 'stringList' },
        { ContextKeyName: 'aws:EpochTime', ContextKeyValues: ['1700000000'], ContextKeyType: 'numeric' },
        { ContextKeyName: 'aws:CurrentTime', ContextKeyValues: ['2026-01-01T00:00:00Z'], ContextKeyType: 'date' },
      ]),
      { 'aws:SourceIp': '10.0.0.1', 'aws:SecureTransport': 'true', 'aws:TagKeys': ['a', 'b'], 'aws:EpochTime': '1700000000', 'aws:CurrentTime': '2026-01-01T00:00:00Z' },
    );
  });

  it('refuses values that do not read as their type, and several values for a single type', () => {
    const bad = [
      { ContextKeyName: 'aws:SourceIp', ContextKeyValues: ['nope'], ContextKeyType: 'ip' as const },
      { ContextKeyName: 'aws:EpochTime', ContextKeyValues: ['soon'], ContextKeyType: 'numeric' as const },
      { ContextKeyName: 'aws:SecureTransport', ContextKeyValues: ['yes'], ContextKeyType: 'boolean' as const },
      { ContextKeyName: 'aws:username', ContextKeyValues: ['a', 'b'], ContextKeyType: 'string' as const },
      { ContextKeyName: 'aws:username', ContextKeyValues: ['a'] },
      { ContextKeyName: 'x', ContextKeyValues: ['a'], ContextKeyType: 'string' as const },
    ];
    for (const entry of bad) assert.throws(() => contextKeysOf([entry]), (error: Error) => error.name === 'InvalidInputException', JSON.stringify(entry));
  });
});
