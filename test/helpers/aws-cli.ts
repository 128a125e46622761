/** The `aws` CLI as the tests run it: Berth's test credentials, no user configuration read. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { testCredentials } from './berth.js';

export const run = promisify(execFile);

export const cliEnvironment = {
  ...process.env,
  AWS_ACCESS_KEY_ID: testCredentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
};

export const hasAwsCli = await run('aws', ['--version']).then(
  () => true,
  () => false,
);

