/** When a key's use is recorded again: never used, or last recorded an hour or more ago. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyUseDue, keyUseResolutionSeconds } from '../../../src/edge/key-use.js';

describe('recording access key use', () => {
  const at = 1_800_000_000;
  it('records a key never used', () => assert.equal(keyUseDue(undefined, at), true));
  it('does not record again within the hour', () => assert.equal(keyUseDue({ at, service: 'ecs', region: 'us-east-1' }, at + keyUseResolutionSeconds - 1), false));
  it('records again once the hour has passed', () => assert.equal(keyUseDue({ at, service: 'ecs', region: 'us-east-1' }, at + keyUseResolutionSeconds), true));
});
