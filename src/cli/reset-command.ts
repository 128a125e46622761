/** `berth reset`: deletes every resource of a running Berth, for isolating integration tests. */
import { Command } from 'commander';
import { cliCredentials, endpointOf, withClientOptions, type ClientFlags } from './client-options.js';
import { signedFetch } from './signed-fetch.js';

export function resetCommand(): Command {
  return withClientOptions(
    new Command('reset').description('delete every resource of a running Berth (root credentials only); for isolating integration tests'),
  ).action(async (flags: ClientFlags) => {
    const credentials = await cliCredentials(flags.dataDir, flags.accountId);
    const response = await signedFetch(endpointOf(flags), '/_berth/reset', { credentials, region: flags.region, service: 'berth' });
    const text = await response.text();
    if (!response.ok) {
      process.stderr.write(`berth: reset refused (${response.status}): ${text}\n`);
      process.exit(1);
    }
    process.stdout.write('berth: every resource was deleted.\n');
  });
}
