import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freeAddress, parseAddressRange } from '../../../src/elbv2/addresses.js';

describe('load balancer address ranges', () => {
  it('leaves out the network and broadcast addresses of a block larger than two', () => {
    const range = parseAddressRange('127.0.2.0/24');
    assert.ok(range);
    assert.equal(freeAddress(range, []), '127.0.2.1');
    assert.equal(freeAddress(range, ['127.0.2.1', '127.0.2.2']), '127.0.2.3');
    const all = Array.from({ length: 254 }, (_, index) => `127.0.2.${index + 1}`);
    assert.equal(freeAddress(range, all.slice(0, 253)), '127.0.2.254');
    assert.equal(freeAddress(range, all), undefined);
  });

  it('takes a block given by any address inside it, and refuses malformed ones', () => {
    const range = parseAddressRange('127.0.3.77/30');
    assert.ok(range);
    assert.equal(freeAddress(range, []), '127.0.3.77');
    assert.equal(freeAddress(range, ['127.0.3.77', '127.0.3.78']), undefined);
    assert.equal(freeAddress(parseAddressRange('127.0.9.9/32') as never, []), '127.0.9.9');
    for (const bad of ['127.0.2.0', '127.0.2.0/33', '127.0.2.0/4', '127.0.256.0/24', 'localhost/24', '::1/128']) assert.equal(parseAddressRange(bad), undefined, bad);
  });
});
