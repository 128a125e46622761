import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { helpOf } from '../../../src/core/errors.js';
import { checkBindable, lowestBindablePort } from '../../../src/elbv2/bindable-ports.js';

describe('bindable listener ports', () => {
  it('refuses a port under the floor with what to do in the help, and takes the floor itself', () => {
    checkBindable(1024, 1024);
    checkBindable(80, 0);
    assert.throws(
      () => checkBindable(80, 1024),
      (error: Error) => {
        assert.equal(error.message, 'Listener port 80 cannot be used');
        assert.match(helpOf(error)?.hint ?? '', /cap_net_bind_service.*ip_unprivileged_port_start=80/);
        return true;
      },
    );
  });

  it('is 0 for root', { skip: process.getuid?.() === 0 ? false : 'not running as root' }, () => {
    assert.equal(lowestBindablePort(), 0);
  });
});
