import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindErrorMessage } from '../../../src/elbv2/data-plane/embedded/bind-errors.js';

const error = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`listen ${code}`), { code });

describe('listener bind errors say what to do', () => {
  it('a privileged port: choose one of 1024 or more, or grant CAP_NET_BIND_SERVICE', () => {
    const message = bindErrorMessage('127.0.2.7', 80, error('EACCES'));
    assert.match(message, /127\.0\.2\.7:80/);
    assert.match(message, /1024 or more/);
    assert.match(message, /CAP_NET_BIND_SERVICE/);
  });

  it('a port in use: which address and port', () => {
    assert.match(bindErrorMessage('127.0.2.7', 8080, error('EADDRINUSE')), /127\.0\.2\.7:8080.*already in use/);
  });

  it('an address the host does not have', () => {
    assert.match(bindErrorMessage('10.9.9.9', 8080, error('EADDRNOTAVAIL')), /not available on this host/);
  });
});
