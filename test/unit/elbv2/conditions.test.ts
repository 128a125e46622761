import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../../src/core/errors.js';
import { checkConditions } from '../../../src/elbv2/conditions.js';

describe('rule conditions', () => {
  it('keep the legacy form beside its config, and the config forms alone', () => {
    assert.deepEqual(checkConditions([{ Field: 'host-header', Values: ['*.example.com'] }]), [
      { Field: 'host-header', Values: ['*.example.com'], HostHeaderConfig: { Values: ['*.example.com'] } },
    ]);
    assert.deepEqual(checkConditions([{ Field: 'path-pattern', PathPatternConfig: { Values: ['/a?c'] } }]), [
      { Field: 'path-pattern', Values: ['/a?c'], PathPatternConfig: { Values: ['/a?c'] } },
    ]);
    assert.deepEqual(checkConditions([{ Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/8', '::1/128'] } }]), [
      { Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/8', '::1/128'] } },
    ]);
  });

  it('allow several http-header and query-string conditions, counting every value toward five', () => {
    const headers = checkConditions([
      { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'A', Values: ['1'] } },
      { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'B', Values: ['2', '3'] } },
      { Field: 'query-string', QueryStringConfig: { Values: [{ Value: 'x' }, { Key: 'k', Value: 'y' }] } },
    ]);
    assert.equal(headers.length, 3);
    assert.throws(
      () =>
        checkConditions([
          { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'A', Values: ['1', '2', '3'] } },
          { Field: 'query-string', QueryStringConfig: { Values: [{ Value: 'x' }, { Value: 'y' }, { Value: 'z' }] } },
        ]),
      (error: unknown) => error instanceof ApiError && error.message === "A rule can only have '5' condition values",
    );
  });

  it('refuse different Values and config values, and a config missing its values', () => {
    assert.throws(() => checkConditions([{ Field: 'path-pattern', Values: ['/a'], PathPatternConfig: { Values: ['/b'] } }]), /different Values/);
    assert.throws(() => checkConditions([{ Field: 'host-header' }]), /must have HostHeaderConfig/);
    assert.throws(() => checkConditions([{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'bad name', Values: ['1'] } }]), /HTTP header name/);
    assert.throws(() => checkConditions([{ Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'k' }] } }]), /must have a Value/);
  });
});
