/**
 * `berth reset`: deletes the resources of a running Berth, for isolating integration tests. By
 * default those of the signing credentials' account, in every region; with `--all`, the whole
 * installation's, which only the root credentials of the installation's own account may do.
 */
import { Command } from 'commander';
import { cliCredentials, endpointOf, withClientOptions, type ClientFlags } from './client-options.js';
import { signedFetch } from './signed-fetch.js';

export function resetCommand(): Command {
  return withClientOptions(
    new Command('reset')
      .description("delete every resource of the signing account, in every region (root credentials only); with --all, the whole installation's. For isolating integration tests")
      .option('--all', "delete every account's resources: the root credentials of the installation's account only"),
  ).action(async (flags: ClientFlags & { all?: boolean }) => {
    const credentials = await cliCredentials(flags.dataDir, flags.accountId, flags.keyFile);
    const path = flags.all ? '/_berth/reset?scope=installation' : '/_berth/reset';
    const response = await signedFetch(endpointOf(flags), path, { credentials, region: flags.region, service: 'berth' });
    const text = await response.text();
    if (!response.ok) {
      process.stderr.write(`berth: reset refused (${response.status}): ${text}\n`);
      process.exit(1);
    }
    const answer = JSON.parse(text) as { accountId?: string };
    process.stdout.write(flags.all ? 'berth: every resource of every account was deleted.\n' : `berth: every resource of account ${answer.accountId ?? '?'} was deleted.\n`);
  });
}
