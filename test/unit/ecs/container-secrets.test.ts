import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSecretReference } from '../../../src/ecs/agent-channel/container-secrets.js';

describe('parseSecretReference', () => {
  const arn = 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:db-AbCdEf';
  const table: [string, ReturnType<typeof parseSecretReference>][] = [
    [arn, { secretArn: arn, region: 'eu-west-1', accountId: '000000000000' }],
    [`${arn}:password::`, { secretArn: arn, region: 'eu-west-1', accountId: '000000000000', jsonKey: 'password' }],
    [`${arn}::AWSPREVIOUS:`, { secretArn: arn, region: 'eu-west-1', accountId: '000000000000', versionStage: 'AWSPREVIOUS' }],
    [`${arn}:user::0f5a`, { secretArn: arn, region: 'eu-west-1', accountId: '000000000000', jsonKey: 'user', versionId: '0f5a' }],
    [`${arn}:a:b:c:d`, undefined],
    ['arn:aws:ssm:eu-west-1:000000000000:parameter/db', undefined],
    ['db-password', undefined],
  ];
  for (const [valueFrom, expected] of table) {
    it(valueFrom, () => assert.deepEqual(parseSecretReference(valueFrom), expected));
  }
});
