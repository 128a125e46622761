/** The root key may not look like temporary credentials: resets and the expiry sweep take ASIA… keys for sessions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkConfig, defaults } from '../../../src/config.js';

describe('the root access key id', () => {
  it('is refused with the ASIA prefix of temporary credentials, and taken otherwise', () => {
    const base = { ...defaults, rootSecretAccessKey: 'secret-for-the-root-key-0000000000000000' };
    assert.deepEqual(
      checkConfig({ ...base, rootAccessKeyId: 'ASIAROOTKEY000000001' }).filter((problem) => problem.includes('ASIA')),
      ["BERTH_ROOT_ACCESS_KEY_ID must not start with ASIA, the prefix of temporary credentials, got 'ASIAROOTKEY000000001'"],
    );
    assert.deepEqual(checkConfig({ ...base, rootAccessKeyId: 'AKIAROOTKEY000000001' }).filter((problem) => problem.includes('ASIA')), []);
  });
});
