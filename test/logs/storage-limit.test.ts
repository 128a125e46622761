/**
 * --log-storage-max-size: once CloudWatch Logs' event storage passes it, PutLogEvents is refused
 * (a client error with Berth's help, never a 5xx), and every event acknowledged before stays readable.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, GetLogEventsCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { startBerth, testCredentials, type TestBerth } from '../helpers/berth.js';

describe('CloudWatch Logs with a disk budget', () => {
  let berth: TestBerth;
  let logs: CloudWatchLogsClient;
  before(async () => {
    berth = await startBerth({ logStorageMaxBytes: 512 * 1024 });
    logs = new CloudWatchLogsClient({ endpoint: berth.url, region: 'us-east-1', credentials: testCredentials, maxAttempts: 1 });
  });
  after(async () => {
    logs.destroy();
    await berth.close();
  });

  it('refuses PutLogEvents past the budget and keeps what it acknowledged', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/full' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/full', logStreamName: 's' }));
    let acknowledged = 0;
    let refusal: (Error & { $metadata?: { httpStatusCode?: number }; berthHelp?: { hint?: string } }) | undefined;
    for (let batch = 0; batch < 50 && !refusal; batch++) {
      const now = Date.now();
      try {
        await logs.send(new PutLogEventsCommand({ logGroupName: '/full', logStreamName: 's', logEvents: Array.from({ length: 500 }, (_, i) => ({ timestamp: now, message: `${batch}-${i} ${'x'.repeat(100)}` })) }));
        acknowledged += 500;
      } catch (error) {
        refusal = error as typeof refusal;
      }
    }
    assert.ok(refusal, 'never refused');
    assert.equal(refusal.name, 'LimitExceededException');
    assert.equal(refusal.$metadata?.httpStatusCode, 400);
    assert.ok(acknowledged > 0);
    let read = 0;
    let token: string | undefined;
    for (;;) {
      const page = await logs.send(new GetLogEventsCommand({ logGroupName: '/full', logStreamName: 's', startFromHead: true, ...(token ? { nextToken: token } : {}) }));
      read += page.events?.length ?? 0;
      if (page.nextForwardToken === token) break;
      token = page.nextForwardToken;
    }
    assert.equal(read, acknowledged);
  });
});
