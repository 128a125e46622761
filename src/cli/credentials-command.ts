/** `berth credentials`: the export line of the start-up banner, so that `eval "$(berth credentials)"` sets up a shell. */
import { Command, Option } from 'commander';
import { defaults } from '../config.js';
import { endpointOf, keyFileOption, rootCredentialsIn } from './client-options.js';

export function exportLine(credentials: { accessKeyId: string; secretAccessKey: string }, region: string, endpoint: string): string {
  return `export AWS_ACCESS_KEY_ID=${credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${credentials.secretAccessKey} AWS_DEFAULT_REGION=${region} AWS_ENDPOINT_URL=${endpoint}`;
}

export function credentialsCommand(): Command {
  return new Command('credentials')
    .summary('print the export line that points the AWS CLI and SDKs at Berth')
    .description(`print the default account's root credentials, region and endpoint as one export line: eval "$(berth credentials)" sets up a shell for the AWS CLI and SDKs`)
    .addOption(new Option('-d, --data-dir <dir>', 'the data directory holding the credentials').env('BERTH_DATA_DIR').default(defaults.dataDir))
    .addOption(keyFileOption())
    .addOption(new Option('--account-id <id>', 'the account').env('BERTH_ACCOUNT_ID').default(defaults.accountId))
    .addOption(new Option('--region <region>', 'the region to print').env('BERTH_REGION').default(defaults.region))
    .addOption(
      new Option('-e, --endpoint <url>', 'the endpoint to print (default: that of the Berth running on --data-dir, else http://BERTH_HOST:BERTH_PORT, i.e. http://127.0.0.1:4566)'),
    )
    .action(async (flags: { dataDir: string; keyFile?: string; accountId: string; region: string; endpoint?: string }) => {
      const root = await rootCredentialsIn(flags.dataDir, flags.accountId, flags.keyFile);
      if (!root) {
        process.stderr.write(`berth: no credentials in ${flags.dataDir} yet; start Berth once with 'berth up'.\n`);
        process.exit(1);
      }
      process.stdout.write(`${exportLine(root, flags.region, endpointOf(flags))}\n`);
    });
}
