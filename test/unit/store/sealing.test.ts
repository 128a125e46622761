import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createSealingKey, readSealingKey } from '../../../src/store/data-dir.js';
import { Sealer, SealedValueError, sealedFor } from '../../../src/store/sealing.js';

describe('sealing', () => {
  const sealer = new Sealer(randomBytes(32));
  const where = sealedFor.secretValue('arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf', 'v1');

  it('opens what it sealed, with a fresh nonce each time, and nothing of the plain text shows', () => {
    const first = sealer.seal('hunter2', where);
    const second = sealer.seal('hunter2', where);
    assert.match(first, /^sealed:v1:[A-Za-z0-9+/=]+$/);
    assert.notEqual(first, second);
    assert.ok(!Buffer.from(first.slice('sealed:v1:'.length), 'base64').includes('hunter2'));
    assert.equal(sealer.open(first, where), 'hunter2');
    assert.equal(sealer.open(second, where), 'hunter2');
  });

  it('refuses a value moved to another row, a value changed, and another key', () => {
    const sealed = sealer.seal('hunter2', where);
    assert.throws(() => sealer.open(sealed, sealedFor.secretValue('arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf', 'v2')), SealedValueError);
    const raw = Buffer.from(sealed.slice('sealed:v1:'.length), 'base64');
    raw[14] = raw[14]! ^ 1;
    assert.throws(() => sealer.open(`sealed:v1:${raw.toString('base64')}`, where), SealedValueError);
    assert.throws(() => new Sealer(randomBytes(32)).open(sealed, where), SealedValueError);
    assert.throws(() => sealer.open('{"secretString":"plain"}', where), SealedValueError);
  });

  it('keeps its key in a 0600 file, made once, and refuses one others can read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-key-'));
    try {
      const path = join(dir, 'config', 'berth', 'secrets.key');
      assert.equal(readSealingKey(path), undefined);
      const key = createSealingKey(path);
      assert.equal(key.length, 32);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, 'config', 'berth')).mode & 0o777, 0o700);
      assert.deepEqual(createSealingKey(path), key, 'a second creation finds the first key');
      const open = join(dir, 'open.key');
      writeFileSync(open, `${randomBytes(32).toString('base64')}\n`, { mode: 0o644 });
      assert.throws(() => readSealingKey(open), /chmod 600/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
