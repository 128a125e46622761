/** An IAM client for a test Berth (IAM is global: the SDK signs it for us-east-1), and a second account. */
import { IAMClient } from '@aws-sdk/client-iam';
import { testCredentials, type TestBerth } from '../helpers/berth.js';

export const otherAccount = { accessKeyId: 'AKIATESTOTHER0000009', secretAccessKey: 'test-secret-key-for-the-other-account-09', accountId: '222222222222' };

export function iamClient(berth: TestBerth, credentials: { accessKeyId: string; secretAccessKey: string } = testCredentials): IAMClient {
  return new IAMClient({ endpoint: berth.url, region: 'us-east-1', credentials, maxAttempts: 1 });
}

/** Gives the test Berth a second account's root credentials. */
export async function addOtherAccount(berth: TestBerth): Promise<void> {
  const { accountId, ...keys } = otherAccount;
  await berth.server.store.write((tx) => tx.credentials.put({ ...keys, accountId, principalArn: `arn:aws:iam::${accountId}:root`, isRoot: true, createdAt: 0 }));
}

export const ecsTasksTrust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export const readSecrets = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: '*' }],
});
